"""The fixed cast of users every test meets (after healthchecks' alice, bob and charlie).

Home municipality «Заречный район» (region «Северный край») has two schools: ``school``
(curated, with a director and a teacher) and ``other_school``. The ``outsider`` is
department staff of «Дальний район» in another region, with ``foreign_school``: they
must see nothing of the home municipality, and nobody at home sees theirs.
"""

import importlib

import pytest
from celery.app.task import Task
from django.apps import apps
from kombu.exceptions import OperationalError

from accounts.models import Role
from tests.factories import MunicipalityFactory, RegionFactory, SchoolFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_storage(settings, tmp_path):
    """Uploads go to a temporary folder; static files need no collectstatic manifest."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Catalogues the migrations seed with idempotent functions (subjects, methodology presets).
MIGRATION_SEEDS = (
    ("monitoring.migrations.0002_seed_subjects", "seed"),
    ("monitoring.migrations.0009_seed_literary_reading", "seed"),
    ("monitoring.migrations.0011_import_matching_step", "seed_foreign_languages"),
    ("identification.migrations.0003_methodology_presets", "seed"),
)


@pytest.fixture(autouse=True)
def _migration_seeds(request):
    """A transactional test flushes every table when it ends, the migrations' seeds included,
    so the next transactional test would meet no subjects («Неизвестный код предмета») or
    presets depending on the order the suite runs in. Seed them again before each one."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    for module, function in MIGRATION_SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def broker(monkeypatch):
    """Switch the broker off and on: while off, every send fails as kombu fails on a refused
    connection (core/queue.py). ``attempts`` lists the task names of every send tried."""

    class Broker:
        up = True
        attempts: list[str] = []

    real_apply_async = Task.apply_async

    def apply_async(task, *args, **kwargs):
        Broker.attempts.append(task.name)
        if not Broker.up:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")
        return real_apply_async(task, *args, **kwargs)

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return Broker


@pytest.fixture
def region(db):
    return RegionFactory(name="Северный край", code="98")


@pytest.fixture
def municipality(region):
    return MunicipalityFactory(region=region, name="Заречный район", oktmo="98610000")


@pytest.fixture
def school(municipality):
    return SchoolFactory(
        municipality=municipality,
        code="edu980001",
        organisation__short_name="МБОУ СОШ № 1",
        organisation__name="Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»",
    )


@pytest.fixture
def other_school(municipality):
    return SchoolFactory(
        municipality=municipality,
        code="edu980002",
        settlement="rural",
        school_type="oosh",
        organisation__short_name="МБОУ Берёзовская ООШ",
    )


@pytest.fixture
def foreign_region(db):
    return RegionFactory(name="Южная область", code="97")


@pytest.fixture
def foreign_municipality(foreign_region):
    return MunicipalityFactory(region=foreign_region, name="Дальний район", oktmo="97610000")


@pytest.fixture
def foreign_school(foreign_municipality):
    return SchoolFactory(
        municipality=foreign_municipality, code="edu970001", organisation__short_name="МБОУ Дальняя СОШ"
    )


@pytest.fixture
def department(municipality):
    return UserFactory(username="department", role=Role.DEPARTMENT, municipality=municipality)


@pytest.fixture
def region_user(region):
    return UserFactory(username="region", role=Role.REGION, region=region)


@pytest.fixture
def methodologist(municipality):
    return UserFactory(username="methodologist", role=Role.METHODOLOGIST, municipality=municipality)


@pytest.fixture
def curator(municipality, school):
    user = UserFactory(username="curator", role=Role.CURATOR, municipality=municipality)
    user.curated_schools.add(school)
    return user


@pytest.fixture
def director(school):
    return UserFactory(username="director", role=Role.DIRECTOR, school=school)


@pytest.fixture
def teacher(school):
    return UserFactory(username="teacher", role=Role.TEACHER, school=school)


@pytest.fixture
def outsider(foreign_municipality, foreign_school):
    return UserFactory(username="outsider", role=Role.DEPARTMENT, municipality=foreign_municipality)


@pytest.fixture
def cast(department, region_user, methodologist, curator, director, teacher, outsider, other_school):
    """Every role at once, keyed by role name (plus the outsider)."""
    return {
        "department": department,
        "region": region_user,
        "methodologist": methodologist,
        "curator": curator,
        "director": director,
        "teacher": teacher,
        "outsider": outsider,
    }

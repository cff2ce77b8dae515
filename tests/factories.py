"""factory_boy factories shared by every app's tests."""

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from schools.models import AcademicYear, Municipality, Organisation, Region, School
from schools.registry_format import inn_check_digit, ogrn_check_digit

PASSWORD = "Opora-test-2026"
# Hashing once keeps the cast cheap: make_password is slow by design.
_PASSWORD_HASH = make_password(PASSWORD)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Регион {n}")
    code = factory.Sequence(lambda n: f"{(n % 89) + 1:02d}{n // 89 or ''}"[:4])


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Муниципальный район {n}")
    oktmo = factory.Sequence(lambda n: f"{92600000 + n:08d}")


def _inn(n: int) -> str:
    first = f"16{n:07d}"[-9:]
    return first + inn_check_digit(first)


def _ogrn(n: int) -> str:
    first = f"1021600{n:05d}"[-12:]
    return first + ogrn_check_digit(first)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.SCHOOL
    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Муниципальное бюджетное общеобразовательное учреждение «Школа № {n}»")
    short_name = factory.Sequence(lambda n: f"МБОУ Школа № {n}")
    inn = factory.Sequence(_inn)
    ogrn = factory.Sequence(_ogrn)
    address = factory.Sequence(lambda n: f"ул. Школьная, {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    municipality = factory.SubFactory(MunicipalityFactory)
    organisation = factory.SubFactory(OrganisationFactory, municipality=factory.SelfAttribute("..municipality"))
    code = factory.Sequence(lambda n: f"edu{100000 + n}")
    school_type = School.Type.SOSH
    settlement = School.Settlement.URBAN
    head_name = "Иванова Анна Сергеевна"
    contingent = 400


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear
        django_get_or_create = ("start_year",)

    start_year = 2025


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Мария"
    last_name = factory.Sequence(lambda n: f"Петрова{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ru")
    password = _PASSWORD_HASH
    role = Role.DEPARTMENT

import pytest

from events.tests.factories import EventFactory


@pytest.fixture
def event(municipality):
    return EventFactory(municipality=municipality, capacity=2)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The registration rate limit counts in the cache: each test starts from zero.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

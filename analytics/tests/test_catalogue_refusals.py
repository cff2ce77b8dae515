"""A catalogue file the service refuses: the words are the module's constants, nothing is written."""

from __future__ import annotations

import pytest

from analytics import catalogue
from analytics.models import TaskCatalogue
from analytics.tests.builders import import_catalogue
from core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_a_catalogue_with_its_header_and_no_task_is_refused_and_nothing_is_written():
    with pytest.raises(catalogue.CatalogueError) as refused:
        import_catalogue([])

    assert isinstance(refused.value, ApplicationError)
    # The template's header is row 1, so the first task would have been row 2.
    assert [(e.row, e.message) for e in refused.value.errors] == [(2, catalogue.NO_TASKS)]
    assert refused.value.message == catalogue.NO_TASKS
    assert not TaskCatalogue.objects.exists()

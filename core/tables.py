"""Per-school tables that grow with a region (issue #20): one page at a time, with a search and
a sort that stay in the page links (``core/_pagination.html`` keeps the query string).

A view reads its table's options with ``table_options`` and narrows its selector's queryset
with ``school_search``; the template renders ``core/_table_filter.html`` and
``core/_pagination.html``. A page is one LIMIT query, so its query count does not grow with
the number of schools (each paginated page has a test at two data sizes).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from core.params import search_param

PAGE_SIZE = 50


@dataclass(frozen=True)
class TableOptions:
    q: str
    sort: str
    sorts: dict[str, str]  # value → Russian label, in the order the select shows them

    @property
    def active(self) -> bool:
        return bool(self.q) or self.sort != next(iter(self.sorts))


def table_options(request, sorts: dict[str, str]) -> TableOptions:
    """The search text and a known sort (the first one by default) from the query string."""
    sort = request.GET.get("sort", "")
    return TableOptions(
        q=search_param(request.GET).strip()[:100],
        sort=sort if sort in sorts else next(iter(sorts)),
        sorts=sorts,
    )


def school_search(qs: QuerySet, q: str, *, prefix: str = "") -> QuerySet:
    """Rows whose school's name or short name contains ``q``, or whose code is ``q``."""
    if not q:
        return qs
    return qs.filter(
        Q(**{f"{prefix}organisation__name__icontains": q})
        | Q(**{f"{prefix}organisation__short_name__icontains": q})
        | Q(**{f"{prefix}code__iexact": q})
    )


def paginate(request, qs, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))

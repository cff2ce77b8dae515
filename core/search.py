"""Case- and ё-insensitive text search that behaves the same on SQLite and PostgreSQL."""

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower, Replace


def folded(field: str):
    """The field lower-cased with «ё» read as «е» (users type either)."""
    return Replace(Lower(field), Value("ё"), Value("е"))


def fold_text(value: str) -> str:
    return value.strip().lower().replace("ё", "е")


def search(queryset: QuerySet, value: str, fields: list[str]) -> QuerySet:
    """Rows where any of the fields contains the value, ignoring case and ё/е."""
    needle = fold_text(value)
    if not needle:
        return queryset
    if "\x00" in needle:
        return queryset.none()  # PostgreSQL refuses NUL in a literal; no text holds one
    annotations = {f"_fold_{i}": folded(field) for i, field in enumerate(fields)}
    condition = Q()
    for name in annotations:
        condition |= Q(**{f"{name}__contains": needle})
    return queryset.annotate(**annotations).filter(condition)

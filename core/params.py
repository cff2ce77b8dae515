"""Query parameters parsed by forms: a bad value is ignored, never a server error.

``?year=-1``, ``?year=99999999999999999999``, ``?q=%00`` come from links anyone can edit. A
year outside the range a school year can have, or a search with control characters (PostgreSQL
refuses a NUL in a string literal), is dropped here and the page shows its default.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_QUERY = 200


def no_control_characters(value: str) -> None:
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError("В поиске есть управляющие символы.")


# Database keys and page numbers fit a signed 64-bit integer (PostgreSQL's bigint; SQLite refuses more).
MAX_ID = 2**63 - 1


class _Params(forms.Form):
    year = forms.IntegerField(required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    q = forms.CharField(required=False, max_length=MAX_QUERY, validators=[no_control_characters])


def year_param(params, name: str = "year") -> int | None:
    """The year in ``params[name]`` if it is a plausible calendar/school year, else None."""
    form = _Params({"year": params.get(name, "")})
    form.is_valid()
    return form.cleaned_data.get("year") if "year" in form.cleaned_data else None


def search_param(params, name: str = "q") -> str:
    """The search text in ``params[name]`` (at most 200 characters), or "" when it has control characters."""
    form = _Params({"q": (params.get(name, "") or "")[:MAX_QUERY]})
    form.is_valid()
    return form.cleaned_data.get("q", "") or ""


def id_param(params, name: str) -> int | None:
    """The object id in ``params[name]`` if it is a positive integer a database key can hold, else None."""
    form = _Params({"id": params.get(name, "")})
    form.is_valid()
    return form.cleaned_data.get("id") if "id" in form.cleaned_data else None

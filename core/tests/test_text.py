"""core.text: the Russian words for numbers every page and message uses."""

import pytest

from core.text import compact, decimal, number, plural


@pytest.mark.parametrize(
    ("n", "word"),
    [(0, "школ"), (1, "школа"), (2, "школы"), (4, "школы"), (5, "школ"), (11, "школ"), (12, "школ"), (14, "школ"),
     (21, "школа"), (22, "школы"), (25, "школ"), (101, "школа"), (111, "школ"), (-3, "школы")],
)  # fmt: skip
def test_plural_takes_the_form_russian_grammar_asks_for(n, word):
    assert plural(n, "школа", "школы", "школ") == word


def test_numbers_have_a_decimal_comma_spaced_thousands_and_a_real_minus():
    assert number(12.5) == "12,5"
    assert number(1234, 0) == "1\u00a0234"
    assert number(-3, 1) == "\u22123,0"
    assert number(18.44, 1, "%") == "18,4%"
    assert number(3.2, 2, "балла") == "3,20\u00a0балла"
    assert number(None) == "—"
    assert number(float("nan")) == "—"
    assert decimal(2.25, 2) == "2,25"
    assert compact(5.0) == "5"
    assert compact(12.5) == "12,5"

"""core.charts: parse the SVG back and check geometry, labels, accessibility and escaping."""

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from core.charts import HBar, Series, bar_chart, fmt_number, hbar_chart, histogram_chart, line_chart

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, parsed to check it


def texts(root: ET.Element, cls: str) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == cls]


def by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("class") == cls]


def point_y(el: ET.Element) -> float:
    if el.get("cy"):
        return float(el.get("cy"))
    if el.get("y"):
        return float(el.get("y")) + float(el.get("height")) / 2
    ys = [float(p.split(",")[1]) for p in el.get("points").split()]
    return (max(ys) + min(ys)) / 2


@pytest.mark.parametrize(
    ("value", "decimals", "unit", "expected"),
    [
        (12.5, 1, "", "12,5"),
        (1234.0, 0, "", "1\u00a0234"),
        (-3.04, 1, "", "\u22123,0"),
        (-0.01, 1, "", "0,0"),
        (18.44, 1, "%", "18,4%"),
        (4, 0, "чел.", "4\u00a0чел."),
        (None, 1, "%", "—"),
    ],
)
def test_numbers_are_formatted_the_russian_way(value, decimals, unit, expected):
    assert fmt_number(value, decimals, unit) == expected


def test_line_chart_is_labelled_svg_with_a_point_and_a_value_label_per_year():
    svg = line_chart(
        title="Доля «2» по ВПР",
        categories=[2022, 2023, 2024],
        series=[Series("Школа", [18.4, 12.0, 9.5]), Series("Муниципалитет", [10.0, 10.5, 11.0])],
        unit="%",
    )
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"svg:title[@id='{title_id}']", NS).text == "Доля «2» по ВПР"
    desc = root.find(f"svg:desc[@id='{desc_id}']", NS).text
    assert "Школа — 2022: 18,4%" in desc and "Муниципалитет" in desc
    assert texts(root, "category") == ["2022", "2023", "2024"]
    assert {"18,4%", "12,0%", "9,5%", "10,0%", "10,5%", "11,0%"} <= set(texts(root, "value"))
    assert len(by_class(root, "point")) == 6
    # Two series differ by more than colour: the marker shape and the dash pattern.
    series = by_class(root, "series")
    shapes = [{p.tag for p in s.iter() if p.get("class") == "point"} for s in series]
    assert shapes[0] != shapes[1]
    lines = [s.find("svg:polyline", NS) for s in series]
    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")


def test_line_chart_puts_higher_values_higher_and_years_left_to_right():
    root = parse(line_chart(title="t", categories=[2022, 2023, 2024], series=[Series("Школа", [5.0, 20.0, 10.0])]))
    points = by_class(root, "point")
    ys = [point_y(p) for p in points]
    assert ys[1] < ys[2] < ys[0]  # SVG y grows downwards
    xs = [float(p.get("cx")) for p in points]
    assert xs == sorted(xs)
    # equal steps between years
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)
    # proportional: 20 vs 5 vs 10 measured from the zero tick
    zero_y = next(float(t.get("y")) - 4 for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text == "0")
    assert (zero_y - ys[1]) / (zero_y - ys[0]) == pytest.approx(4, rel=0.05)


def test_line_chart_leaves_a_gap_for_a_missing_year():
    root = parse(line_chart(title="t", categories=[1, 2, 3, 4], series=[Series("s", [1.0, 2.0, None, 3.0])]))
    assert len(by_class(root, "point")) == 3
    # One run of two points; the lone last point draws no line.
    assert [len(pl.get("points").split()) for pl in by_class(root, "line")] == [2]


def test_chart_without_data_says_so():
    root = parse(line_chart(title="Пусто", categories=[2024], series=[Series("s", [None])]))
    assert texts(root, "no-data") == ["Нет данных"]
    root = parse(bar_chart(title="Пусто", categories=[], series=[]))
    assert texts(root, "no-data") == ["Нет данных"]


def test_every_text_is_escaped():
    evil = '<script>alert("x")</script> & «2»'
    svg = str(
        line_chart(title=evil, categories=[evil], series=[Series(evil, [1.0], color='red" onload="x')], desc=evil)
    )
    assert "<script>" not in svg and 'onload="x' not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find("svg:title", NS).text == evil
    assert texts(root, "category") == [evil]
    svg = str(bar_chart(title=evil, categories=[evil], series=[Series(evil, [1.0])]))
    assert "<script>" not in svg and parse(svg).find("svg:title", NS).text == evil
    svg = str(hbar_chart(title=evil, bars=[HBar(evil, 1.0, note=evil, tone='"><script>')]))
    assert "<script>" not in svg and parse(svg).find("svg:title", NS).text == evil


def test_grouped_bars_stand_side_by_side_with_heights_proportional_to_values():
    root = parse(
        bar_chart(
            title="Отметки",
            categories=["Школа", "Муниципалитет"],
            series=[Series("«2»", [10.0, 5.0]), Series("«5»", [30.0, 20.0])],
            unit="%",
        )
    )
    bars = by_class(root, "bar")
    assert len(bars) == 4
    heights = {(b.get("data-series"), float(b.get("data-value"))): float(b.get("height")) for b in bars}
    assert heights[("«5»", 30.0)] == pytest.approx(3 * heights[("«2»", 10.0)], rel=0.02)
    first_group = [b for b in bars if float(b.get("data-value")) in (10.0, 30.0)]
    assert float(first_group[0].get("x")) + float(first_group[0].get("width")) <= float(first_group[1].get("x")) + 0.1
    # the bottoms line up on the zero line
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars}
    assert len(bottoms) == 1
    assert {"10,0%", "30,0%", "5,0%", "20,0%"} <= set(texts(root, "value"))
    legend = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text in ("«2»", "«5»")]
    assert legend == ["«2»", "«5»"]


def test_stacked_bars_pile_segments_on_each_other_up_to_the_total():
    root = parse(
        bar_chart(
            title="Распределение отметок",
            categories=["2024"],
            series=[Series("«2»", [20.0]), Series("«3»", [40.0]), Series("«4»", [30.0]), Series("«5»", [10.0])],
            stacked=True,
            unit="%",
        )
    )
    bars = by_class(root, "bar")
    assert len(bars) == 4
    assert len({b.get("x") for b in bars}) == 1  # one column
    for lower, upper in itertools.pairwise(bars):
        assert float(upper.get("y")) + float(upper.get("height")) == pytest.approx(float(lower.get("y")), abs=0.15)
    hs = [float(b.get("height")) for b in bars]
    assert hs[1] == pytest.approx(2 * hs[0], rel=0.02)
    assert "40,0%" in texts(root, "value")
    tick_texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "tick"]
    assert tick_texts[0] == "0%" and tick_texts[-1] == "100%"


def test_horizontal_bars_show_label_value_note_and_scale_to_the_maximum():
    root = parse(
        hbar_chart(
            title="Рисковый профиль",
            bars=[
                HBar("Дефицит педагогических кадров", 3, note="высокий", tone="high"),
                HBar("Высокая доля обучающихся с ОВЗ", 1, note="низкий", tone="low"),
                HBar("Низкая учебная мотивация обучающихся", None, note="нет данных"),
            ],
            max_value=3,
            decimals=0,
        )
    )
    assert texts(root, "hbar-label") == [
        "Дефицит педагогических кадров",
        "Высокая доля обучающихся с ОВЗ",
        "Низкая учебная мотивация обучающихся",
    ]
    assert texts(root, "value") == ["3 — высокий", "1 — низкий", "нет данных"]
    bars = by_class(root, "bar")
    assert len(bars) == 2
    track = float(by_class(root, "track")[0].get("width"))
    assert float(bars[0].get("width")) == pytest.approx(track, abs=0.2)
    assert float(bars[1].get("width")) == pytest.approx(track / 3, abs=0.2)
    assert bars[0].get("fill") != bars[1].get("fill")
    assert "высокий" in root.find("svg:desc", NS).text


def test_two_charts_on_one_page_do_not_share_ids():
    a = parse(line_chart(title="A", categories=[1], series=[Series("s", [1.0])]))
    b = parse(line_chart(title="B", categories=[1], series=[Series("s", [1.0])]))
    assert a.get("aria-labelledby") != b.get("aria-labelledby")


def test_no_class_inside_a_chart_collides_with_bootstraps_layout_classes():
    svg = str(
        hbar_chart(title="t", bars=[HBar("a", 1.0)])
        + line_chart(title="t", categories=[1, 2], series=[Series("s", [1.0, 2.0])])
        + bar_chart(title="t", categories=[1], series=[Series("s", [1.0])], stacked=True)
    )
    classes = {c for group in re.findall(r'class="([^"]+)"', svg) for c in group.split()}
    assert not classes & {"row", "col", "label", "container", "table", "card", "badge", "text", "title"}


def test_an_axis_of_whole_counts_has_no_fractional_ticks():
    from core.charts import _scale

    _, hi, ticks = _scale([1, 1], None, None)

    assert ticks == [0.0, 1.0]
    assert hi == 1


def test_a_histogram_of_pupils_has_whole_ticks_only():
    """12 pupils at one score: a «nice» step of 2.5 would print «2,5» and «7,5» pupils."""
    svg = str(histogram_chart(title="t", counts=[(0, 3), (1, 12), (2, 4)], max_score=4))
    ticks = re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)
    assert ticks == ["0", "5", "10", "15"]
    from core.charts import _scale

    for top in range(1, 60):
        _, _, found = _scale([top], 0, None)
        assert all(float(t).is_integer() for t in found), (top, found)
    # Shares keep their fractional steps.
    assert _scale([0.5], 0, None)[2][1] == 0.1


def test_a_fluid_chart_fills_its_box_and_a_plain_one_keeps_its_size():
    fluid = str(bar_chart(title="t", categories=[1], series=[Series("s", [1.0])], width=1040, fluid=True))
    plain = str(bar_chart(title="t", categories=[1], series=[Series("s", [1.0])], width=360))
    assert 'class="opora-chart opora-chart-bar opora-chart-fluid"' in fluid
    assert 'viewBox="0 0 1040 300"' in fluid
    assert "opora-chart-fluid" not in plain

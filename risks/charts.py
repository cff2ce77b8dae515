"""Small evidence charts of the signals (core.charts), so a person sees the numbers' shape."""

from __future__ import annotations

from django.utils.safestring import SafeString

from core.charts import Series, bar_chart
from risks.models import ObjectivitySignal, SignalKind


def signal_chart(signal: ObjectivitySignal) -> SafeString | str:
    d = signal.details or {}
    if signal.kind == SignalKind.RAISED_SHARE and signal.reference is not None:
        return bar_chart(
            title="Доля повысивших отметку по ВПР относительно журнала: школа и муниципалитет",
            categories=["Школа", "Муниципалитет"],
            series=[Series("Повысили, %", [float(signal.value), float(signal.reference)])],
            unit="%",
            width=360,
            height=200,
        )
    if signal.kind == SignalKind.BOUNDARY_PEAK and d.get("peaks"):
        peak = d["peaks"][0]
        score = peak["score"]
        return bar_chart(
            title=f"Число участников у границы отметки «{peak['mark']}» ({score} б.)",
            categories=[f"{score - 1} б.", f"{score} б. (граница)", f"{score + 1} б."],
            series=[Series("Участников", [peak["below"], peak["count"], peak["above"]])],
            decimals=0,
            width=360,
            height=200,
        )
    if signal.kind == SignalKind.VPR_ABOVE_OGE and signal.reference is not None:
        return bar_chart(
            title="Средняя отметка одного выпуска: ВПР раньше и ОГЭ в 9 классе",
            categories=[f"ВПР, {d['vpr_grade']} кл." if d.get("vpr_grade") else "ВПР", "ОГЭ, 9 кл."],
            series=[Series("Средняя отметка", [float(signal.value), float(signal.reference)])],
            decimals=2,
            y_max=5,
            width=360,
            height=200,
        )
    if signal.kind == SignalKind.EASY_BELOW_HARD and signal.reference is not None:
        return bar_chart(
            title="Выполнение заданий по уровню сложности",
            categories=["Базовый", "Повышенный и высокий"],
            series=[Series("Выполнено, %", [float(signal.value), float(signal.reference)])],
            unit="%",
            width=360,
            height=200,
        )
    return ""

"""(1) Analytical report on an identification run: the methodology, the lists, the indicator
tables of the proposed schools, charts, and the objectivity signals of the year (issue #9).

Built from ``identification.selectors`` with the requesting user (``run_get``: 403 for a role
that may not read identification, 404 outside the scope). The whole-municipality table reads
``RunResult`` rows in one query (``values_list``, no model instances), so a run over 2,000
schools stays within memory and time (bench/report_bench.py).
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from accounts.models import User
from core.charts import HBar, Series, bar_chart, fmt_number, hbar_chart
from reports.documents import Document, Progress, Sheet, _base_context, _int, _noop

RESULT_HEADERS = ["Код ОО", "Школа", "Критериев выполнено", "Предложена", "Обоснование"]


def identification_report(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    from identification.models import TaskStatus
    from identification.selectors import run_get, run_results
    from risks.models import ObjectivitySignal

    run = run_get(user=user, pk=_int(params, "run"))
    version = run.version
    title = f"Аналитический отчёт по выявлению: {version.methodology.name}, {run.year.name}"
    progress(10, "Методика")
    from identification.catalogue import INDICATORS

    names = {spec.code: spec.name for spec in INDICATORS}
    criteria = list(version.criteria.select_related("subject").order_by("order", "pk"))
    for criterion in criteria:
        criterion.indicator_name = names.get(criterion.indicator, criterion.indicator)
    required = version.required_count or len(criteria)
    progress(20, "Результаты школ")
    results = run_results(run=run).order_by("-proposed", "-fired_count", "school__organisation__name")
    proposed = list(results.filter(proposed=True))
    rows = list(
        results.values_list(
            "school__code", "school__organisation__short_name", "school__organisation__name", "fired_count", "proposed"
        )
    )
    progress(45, "Критерии и диаграммы")
    fired_by_criterion: Counter = Counter()
    for details in results.filter(fired_count__gt=0).values_list("details", flat=True).iterator(chunk_size=500):
        for entry in details or []:
            if entry.get("fired"):
                fired_by_criterion[entry.get("label", "")] += 1
    histogram = Counter(fired for *_, fired, _proposed in rows)
    counts = list(range(0, max([len(criteria), *histogram.keys()], default=0) + 1))
    fired_chart = bar_chart(
        title="Число школ по количеству выполненных критериев",
        categories=[str(n) for n in counts],
        series=[Series("Школ", [histogram.get(n, 0) for n in counts])],
        decimals=0,
        height=220,
    )
    criteria_chart = None
    if fired_by_criterion:
        criteria_chart = hbar_chart(
            title="Сколько школ выполняют каждый критерий",
            bars=[HBar(label, n) for label, n in fired_by_criterion.most_common(12)],
            decimals=0,
        )
    progress(60, "Сигналы объективности")
    school_ids = results.values("school_id")
    signal_counts = list(
        ObjectivitySignal.objects.filter(year=run.year, school_id__in=school_ids, is_active=True)
        .values("kind")
        .annotate(n=Count("pk"), schools=Count("school_id", distinct=True))
        .order_by("kind")
    )
    proposed_ids = [r.school_id for r in proposed]
    proposed_signals = list(
        ObjectivitySignal.objects.filter(year=run.year, school_id__in=proposed_ids, is_active=True)
        .select_related("school__organisation", "subject")
        .order_by("school__organisation__name", "kind")[:200]
    )
    from risks.models import SignalKind

    labels = dict(SignalKind.choices)
    for row in signal_counts:
        row["label"] = labels.get(row["kind"], row["kind"])
    ctx = _base_context(user, run.municipality, title)
    ctx.update(
        run=run,
        version=version,
        criteria=criteria,
        required=required,
        proposed=proposed,
        rows=rows,
        schools_total=len(rows),
        fired_chart=fired_chart,
        criteria_chart=criteria_chart,
        signal_counts=signal_counts,
        proposed_signals=proposed_signals,
        finished=run.status == TaskStatus.DONE,
        fmt=fmt_number,
    )
    explanations = dict(results.filter(proposed=True).values_list("school__code", "explanation"))
    sheet = Sheet(
        "Результаты выявления",
        RESULT_HEADERS,
        [
            [code, short or name, fired, "да" if is_proposed else "", explanations.get(code, "")]
            for code, short, name, fired, is_proposed in rows
        ],
        widths=[12, 45, 12, 12, 100],
    )
    return Document("reports/print/identification.html", title, ctx, sheet)


def bench_params(*, user: User) -> dict:
    """The newest finished run the user reads (for bench/report_bench.py)."""
    from identification.selectors import runs_for

    run = runs_for(user=user).filter(status="done").order_by("-schools_count", "-pk").first()
    return {"run": run.pk} if run else {}

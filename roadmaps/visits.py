"""Curators' visit log and the one-page brief before a visit.

A visit records the date, the format, what the curator saw and what was agreed. An agreed
action with a deadline becomes a measure of the school's approved programme (objective
«Договорённости по итогам посещений куратора»), so the school reports on it and it becomes
overdue like any other measure. The brief lists what changed since the last visit: new
objectivity signals, overdue measures, indicators that moved, comments still unanswered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from roadmaps.models import (
    CuratorVisit,
    Direction,
    Level,
    Measure,
    Objective,
    ReviewComment,
    Roadmap,
)
from roadmaps.selectors import overdue_q
from schools.models import School

AGREED_OBJECTIVE = "Договорённости по итогам посещений куратора"
NO_PROGRAMME = "У школы нет утверждённой программы: договорённости со сроками некуда записать."
NO_FINDINGS = "Опишите, что увидели на посещении."
FIRST_BRIEF_DAYS = 90


def can_log_visits(user: User, school: School) -> bool:
    if user.is_superuser:
        return True
    if user.role == Role.CURATOR:
        return user.curated_schools.filter(pk=school.pk).exists()
    return user.role == Role.DEPARTMENT and user.municipality_id == school.municipality_id


def _programme(school: School) -> Roadmap | None:
    return (
        Roadmap.objects.filter(level=Level.SCHOOL, school=school, status=Roadmap.Status.APPROVED)
        .order_by("-end_year__start_year", "-pk")
        .first()
    )


def visit_record(
    *,
    user: User,
    school: School,
    visited_on: dt.date,
    format: str,
    findings: str,
    actions: list[tuple[str, dt.date]],
) -> CuratorVisit:
    """Write a visit and turn each agreed action into a measure of the school's programme."""
    if not can_log_visits(user, school):
        raise PermissionDenied
    if not findings.strip():
        raise ValidationError(NO_FINDINGS)
    programme = _programme(school) if actions else None
    if actions and programme is None:
        raise ValidationError(NO_PROGRAMME)
    with transaction.atomic():
        visit = CuratorVisit.objects.create(
            school=school, curator=user, visited_on=visited_on, format=format, findings=findings.strip()
        )
        if actions:
            objective, _ = Objective.objects.get_or_create(
                roadmap=programme,
                title=AGREED_OBJECTIVE,
                defaults={"direction": Direction.ORGANISATIONAL, "order": 999},
            )
            start = objective.measures.count()
            made = []
            for n, (title, due_on) in enumerate(actions):
                measure = Measure(
                    objective=objective,
                    roadmap=programme,
                    title=title.strip(),
                    responsible="Руководитель школы",
                    starts_on=min(visited_on, due_on),
                    due_on=due_on,
                    expected_result=f"Договорённость посещения {visited_on:%d.%m.%Y}",
                    order=start + n,
                )
                measure._history_user = user
                measure.save()
                made.append(measure)
            visit.measures.set(made)
    return visit


@dataclass
class Brief:
    school: School
    since: dt.date
    last_visit: CuratorVisit | None
    signals: list
    overdue: list[Measure]
    indicators: list[dict]
    unanswered: list[ReviewComment]


def visit_brief(*, school: School) -> Brief:
    """What changed at the school since the last visit (or the last 90 days before a first one)."""
    from identification.catalogue import BY_CODE
    from identification.models import IndicatorValue
    from risks.models import ObjectivitySignal

    today = timezone.localdate()
    last = CuratorVisit.objects.filter(school=school).order_by("-visited_on", "-pk").first()
    since = last.visited_on if last else today - dt.timedelta(days=FIRST_BRIEF_DAYS)
    signals = list(
        ObjectivitySignal.objects.filter(school=school, computed_at__date__gte=since)
        .select_related("subject", "year")
        .order_by("-computed_at")[:20]
    )
    overdue = list(Measure.objects.filter(overdue_q(today), roadmap__school=school).order_by("due_on")[:30])
    values = IndicatorValue.objects.filter(school=school, subject__isnull=True).order_by("-year__start_year")
    latest: dict[str, list] = {}
    for row in values.values("indicator", "year__start_year", "value")[:400]:
        latest.setdefault(row["indicator"], []).append(row)
    indicators = []
    for code, rows in latest.items():
        if len(rows) >= 2 and rows[0]["value"] != rows[1]["value"]:
            spec = BY_CODE.get(code)
            indicators.append(
                {
                    "name": getattr(spec, "name", code),
                    "before": rows[1]["value"],
                    "after": rows[0]["value"],
                    "years": f"{rows[1]['year__start_year']}→{rows[0]['year__start_year']}",
                }
            )
    unanswered = []
    comments = ReviewComment.objects.filter(report__roadmap__school=school).select_related("author", "report__period")
    last_reply: dict[int, dt.datetime] = {}
    for comment in comments.filter(author__role=Role.DIRECTOR):
        last_reply[comment.report_id] = max(last_reply.get(comment.report_id, comment.created_at), comment.created_at)
    for comment in comments.exclude(author__role=Role.DIRECTOR).order_by("-created_at")[:50]:
        answered = last_reply.get(comment.report_id)
        if answered is None or answered < comment.created_at:
            unanswered.append(comment)
    return Brief(
        school=school,
        since=since,
        last_visit=last,
        signals=signals,
        overdue=overdue,
        indicators=indicators[:15],
        unanswered=unanswered[:20],
    )

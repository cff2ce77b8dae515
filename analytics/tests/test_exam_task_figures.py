"""ОГЭ/ЕГЭ task columns of a РЦОИ protocol become task figures like ВПР's (issue #18 item 1):
the protocol goes through the import a user triggers, completion is computed here by hand and
compared with the stored figures and the school's analytics page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from analytics.models import TaskResult
from monitoring.tests.builders import OGE_HEADER, rcoi_xlsx

pytestmark = pytest.mark.django_db

# (short answers, long answers, mark): «+» full score of the task, «-» 0, «X» not answered (0).
PUPILS = [("++-2", "1(2)0(3)", 3), ("+-X+", "2(2)3(3)", 4), ("--+1", "0(2)2(3)", 3), ("++++", "2(2)3(3)", 5)]
MAXIMA = [1, 1, 1, 2, 2, 3]  # task 4: «2» is seen, so «+» there is 2


def scores(short: str, long: str) -> list[int]:
    values = [MAXIMA[i] if c == "+" else int(c) if c.isdigit() else 0 for i, c in enumerate(short)]
    return values + [int(part.split("(")[0]) for part in long.replace(")", ") ").split()]


def test_protocol_tasks_give_completion_computed_by_hand(load, school, director, client):
    rows = []
    for n, (short, long, mark) in enumerate(PUPILS, start=1):
        rows.append([n, school.code, "9А", "0101", "12", "01", f"9{n:05d}", f"Ученик{n}", "Иван", "Петрович",
                     "1234", f"56{n:04d}", short, long, sum(scores(short, long)), mark])  # fmt: skip

    load(rcoi_xlsx(("03 - Физика 2025.06.02", OGE_HEADER, rows)))

    by_hand = [
        100 * sum(scores(s, lg)[i] for s, lg, _m in PUPILS) / (len(PUPILS) * MAXIMA[i]) for i in range(len(MAXIMA))
    ]
    stored = {r.task_number: r.completion for r in TaskResult.objects.filter(level="school", school=school)}
    assert [stored[n] for n in range(1, 7)] == pytest.approx(by_hand)

    client.force_login(director)
    response = client.get(
        reverse("analytics:school", args=[school.pk]), {"year": 2024, "procedure": "oge", "subject": "03", "grade": 9}
    )
    assert response.status_code == 200
    assert [row.school for row in response.context["analysis"].tasks] == pytest.approx(by_hand)

"""An agreement shows the supported school's indicators before and after from the data (issue #19,
item 4): results loaded through the import, expectations computed by hand."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from identification.tests.imports import upload
from monitoring.sample_files import results_csv
from partnerships.tests.conftest import agreement_with
from reports.tests.conftest import vpr_marks_rows
from tests.factories import AcademicYearFactory


def test_the_agreement_shows_the_schools_figures_before_and_after_beside_the_municipality(
    client, department, school, other_school, django_capture_on_commit_callbacks
):
    for start in (2023, 2024, 2025):
        AcademicYearFactory(start_year=start)
    # ``school`` before (2024/25): 12 «2», 18 «3», 6 «4», 4 «5» of 40 → 30,0 %, mean 122 / 40 = 3,05;
    # after (2025/26): 4 «2», 16 «3», 14 «4», 6 «5» of 40 → 10,0 %, mean 142 / 40 = 3,55.
    # ``other_school``: 4 of 40 both years (10,0 %), so the municipality's mean of the two
    # schools goes 20,0 % → 10,0 %: the school's −20 p.p. against the district's −10.
    # 2023/24 (two years before the agreement) is not «before».
    rows = (
        vpr_marks_rows(school.code, "2023/2024", (0, 10, 20, 10))
        + vpr_marks_rows(school.code, "2024/2025", (12, 18, 6, 4))
        + vpr_marks_rows(school.code, "2025/2026", (4, 16, 14, 6))
        + vpr_marks_rows(other_school.code, "2024/2025", (4, 16, 14, 6))
        + vpr_marks_rows(other_school.code, "2025/2026", (4, 16, 14, 6))
    )
    upload(department, results_csv(rows), "vpr.csv", django_capture_on_commit_callbacks)
    agreement = agreement_with(supported=school, partners=[other_school], status="active")
    agreement.starts_on, agreement.ends_on = dt.date(2025, 9, 15), dt.date(2026, 6, 30)
    agreement.save()

    client.force_login(department)
    html = client.get(reverse("partnerships:agreement_detail", args=[agreement.pk])).content.decode()

    block = html[html.index('id="agreement-indicators"') :]
    share = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", block.split('data-indicator="vpr_share_2"')[1].split("</tr>")[0])
    )
    assert "30,0% 10,0% −20,0" in share
    assert "20,0% → 10,0% (−10,0)" in share
    mean = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", block.split('data-indicator="vpr_mean_mark"')[1].split("</tr>")[0])
    )
    assert "3,05 3,55 +0,50" in mean
    assert "«До» — 2024/2025 учебный год" in block and "«после» — 2025/2026 учебный год" in block
    assert 'text-success" data-change>−20,0' in block  # fewer «2» is better

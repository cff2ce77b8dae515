"""Stage: the layout's parser (monitoring.formats) turns the sheets into rows and row errors."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from core.tabular import AnySheet, normalise_header
from monitoring.formats.aggregates import parse_aggregates
from monitoring.formats.context import parse_context
from monitoring.formats.ege_report import parse_ege_report
from monitoring.formats.parsing import ParsedFile
from monitoring.formats.rcoi import parse_rcoi
from monitoring.formats.results_csv import parse_results_csv
from monitoring.formats.school_form import parse_school_form
from monitoring.formats.vpr_f1 import parse_vpr_f1
from monitoring.formats.vpr_reports import parse_vpr_f3, parse_vpr_journal
from monitoring.models import ImportJob, Subject
from schools.years import start_year_of


def parse_sheets(layout: str, sheets: Sequence[AnySheet], progress, job: ImportJob | None = None) -> ParsedFile:
    if layout == ImportJob.Layout.SCHOOL_FORM:
        school = job.form_school if job is not None else None
        subject = job.form_subject if job is not None else None
        uploaded = timezone.localdate(job.created_at) if job is not None and job.created_at else timezone.localdate()
        return parse_school_form(
            sheets,
            school_code=school.code if school is not None else "",
            subject_code=subject.code if subject is not None else "",
            grade=job.form_grade if job is not None else None,
            year_start=start_year_of(uploaded),
            progress=progress,
        )
    if layout == ImportJob.Layout.VPR_F1:
        subjects = {normalise_header(name): code for code, name in Subject.objects.values_list("code", "name")}
        return parse_vpr_f1(sheets, subjects_by_name=subjects, progress=progress)
    if layout == ImportJob.Layout.RESULTS_CSV:
        subjects = {normalise_header(name): code for code, name in Subject.objects.values_list("code", "name")}
        subjects |= {normalise_header(code): code for code in subjects.values()}
        return parse_results_csv(sheets, subjects=subjects, progress=progress)
    if layout == ImportJob.Layout.RCOI_PROTOCOL:
        subjects = {normalise_header(name): code for code, name in Subject.objects.values_list("code", "name")}
        return parse_rcoi(sheets, subjects_by_name=subjects, progress=progress)
    if layout in _AGGREGATE_PARSERS:
        subjects = {normalise_header(name): code for code, name in Subject.objects.values_list("code", "name")}
        return _AGGREGATE_PARSERS[ImportJob.Layout(layout)](sheets, subjects_by_name=subjects, progress=progress)
    return parse_context(sheets, progress=progress)


_AGGREGATE_PARSERS = {
    ImportJob.Layout.VPR_F3: parse_vpr_f3,
    ImportJob.Layout.VPR_JOURNAL: parse_vpr_journal,
    ImportJob.Layout.EGE_REPORT: parse_ege_report,
    ImportJob.Layout.AGGREGATES: parse_aggregates,
}

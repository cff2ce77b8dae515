"""Stage: the layout's parser (monitoring.formats) turns the sheets into rows and row errors."""

from __future__ import annotations

from collections.abc import Sequence

from core.tabular import AnySheet, normalise_header
from monitoring.formats.aggregates import parse_aggregates
from monitoring.formats.context import parse_context
from monitoring.formats.ege_report import parse_ege_report
from monitoring.formats.parsing import ParsedFile
from monitoring.formats.rcoi import parse_rcoi
from monitoring.formats.results_csv import parse_results_csv
from monitoring.formats.vpr_f1 import parse_vpr_f1
from monitoring.formats.vpr_reports import parse_vpr_f3, parse_vpr_journal
from monitoring.models import ImportJob, Subject


def parse_sheets(layout: str, sheets: Sequence[AnySheet], progress) -> ParsedFile:
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

"""Bounded memory for any input (issue 15): a small file that unpacks into millions of rows is
refused before it is loaded, and layout detection reads only a sheet's first rows.

Seen before: a 14.9 MB XLSX of three million rows drove the import worker from 150 MB to
2.54 GB before it was refused as an unknown layout. Each case runs the import's reading and
detection stages (core.tabular.read_tables as the worker calls it, monitoring.imports.detect)
in a fresh Python process and reads that process's peak RSS from ``resource.getrusage``:
memory held by calamine's Rust code counts too, which tracemalloc would not see.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from django.conf import settings

from core.tabular import SHEET_TOO_MANY_ROWS
from monitoring.imports.detect import LAYOUT_UNKNOWN

# Growth of the peak RSS over the process's own after Django has started.
REFUSED_BOUND_MB = 60  # measured 15 MB; the old code took 455 MB on the same file and did not refuse it
DETECTED_BOUND_MB = 60  # measured 19 MB; 207 MB when calamine read the sheet whole, 296 MB before

_CHILD = """
import json, os, resource, sys
import django
django.setup()
from core.tabular import TabularFileError, read_tables
from monitoring.imports.detect import layout_detect

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

before = peak_mb()
outcome = {}
try:
    with open(sys.argv[1], "rb") as handle:
        sheets = read_tables(handle, "upload.xlsx", lazy=True)
    layout, errors = layout_detect(sheets)
    outcome = {"layout": layout, "errors": [error.message for error in errors]}
except TabularFileError as exc:
    outcome = {"refused": str(exc)}
outcome["growth_mb"] = peak_mb() - before
print(json.dumps(outcome, ensure_ascii=False))
"""


def _big_xlsx(path: Path, rows: int, columns: int = 1) -> Path:
    """A minimal workbook of one sheet «Данные» with ``rows`` rows of numbers, written as XML straight into the zip.

    openpyxl would take minutes for millions of rows; the parts below are all Excel and
    calamine need to open the book.
    """
    letters = "ABCDEFGHIJ"[:columns]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        book.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="Данные" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            batch = []
            for number in range(1, rows + 1):
                cells = "".join(f'<c r="{letter}{number}"><v>{number % 97}</v></c>' for letter in letters)
                batch.append(f'<row r="{number}">{cells}</row>')
                if len(batch) == 50_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write("".join(batch).encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


def _run_import_stages(path: Path) -> dict:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=settings.BASE_DIR,
        env={**_child_env()},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child_env() -> dict:
    import os

    env = {key: value for key, value in os.environ.items() if not key.startswith("IMPORT_MAX_SHEET_")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"})
    return env


def test_three_million_rows_in_a_small_file_are_refused_before_they_are_loaded(tmp_path):
    path = _big_xlsx(tmp_path / "three_million.xlsx", rows=3_000_000)
    assert path.stat().st_size < settings.UPLOAD_MAX_BYTES  # it passes the upload's size check

    outcome = _run_import_stages(path)

    assert outcome.get("refused") == SHEET_TOO_MANY_ROWS.format(where="Лист «Данные»", limit="1\u00a0048\u00a0576")
    assert outcome["growth_mb"] < REFUSED_BOUND_MB, outcome


def test_detection_reads_only_the_first_rows_of_a_sheet_under_the_caps(tmp_path):
    # A million rows of three columns: within the caps, but no layout's header.
    path = _big_xlsx(tmp_path / "million.xlsx", rows=1_000_000, columns=3)

    outcome = _run_import_stages(path)

    assert outcome.get("layout") is None, outcome
    assert outcome["errors"] == [LAYOUT_UNKNOWN]
    assert outcome["growth_mb"] < DETECTED_BOUND_MB, outcome

"""The column-wise reading of a Ф1 sheet (vpr_f1._FastSheet) gives what the row loop gives.

The fast path is what a region's file takes; the row-by-row loop words the errors. Every
sheet the fast path refuses goes to the loop, so the two must agree on every good file.
"""

import hashlib
import hmac
import io

import pytest

from core.tabular import read_tables
from monitoring.formats import vpr_f1
from monitoring.formats.parsing import participant_key, participant_keyer
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row

SUBJECTS = {"русский язык": "01", "математика": "02"}


def _parse(content: bytes):
    sheets = read_tables(io.BytesIO(content), "f1.xlsx", lazy=True)
    return vpr_f1.parse_vpr_f1(sheets, subjects_by_name=SUBJECTS, progress=None)


def _rows(parsed):
    return [*parsed.results, *(row for block in parsed.blocks for row in block.result_rows())]


def _both_ways(content: bytes, monkeypatch):
    calls = []
    original = vpr_f1._FastSheet.parse

    def counted(self, raw, parsed):
        taken = original(self, raw, parsed)
        calls.append(taken)
        return taken

    monkeypatch.setattr(vpr_f1._FastSheet, "parse", counted)
    fast = _parse(content)
    monkeypatch.setattr(vpr_f1._FastSheet, "parse", lambda self, raw, parsed: False)
    slow = _parse(content)
    return fast, slow, calls


def test_a_good_file_is_read_column_wise_with_the_row_loops_result(monkeypatch):
    content = vpr_f1_xlsx(
        VprSheet(
            schools={
                "edu100001": [
                    vpr_row("10001"),
                    vpr_row("10002", journal="", tasks=[0, 0, 0, 0, "x"], primary=0, mark=2),
                    vpr_row(" 10003 ", klass="4Б"),
                ],
                "edu100002": [vpr_row(10004, tasks=[2.0, 1, 1, 1, 3], primary=8, mark=5, journal=5.0)],
            }
        ),
        VprSheet(subject="Математика", abbr="МА", grade=5, schools={"edu100002": [vpr_row("Иванов И. 7")]}),
    )

    fast, slow, calls = _both_ways(content, monkeypatch)

    assert calls == [True, True]
    assert fast.errors == slow.errors == []
    assert fast.total_rows == slow.total_rows == 5
    assert len(fast.blocks) == 2 and not fast.results and not slow.blocks
    assert _rows(fast) == slow.results
    second = _rows(fast)[1]
    assert (second.journal_mark, second.task_scores, second.row) == (None, "0,0,0,0,X", 9)
    assert _rows(fast)[3].participant_key == participant_key("vpr", "2025", "edu100002", "10004")


@pytest.mark.parametrize(
    "row",
    [
        vpr_row("10001", primary=99),  # above the maximum
        vpr_row("10001", mark=6),
        vpr_row("10001", journal="пять"),
        vpr_row("10001", tasks=[3, 1, 1, 1, 2]),  # 3 > 2 points of task 1
        vpr_row("10001", klass="4А-углублённый"),
        vpr_row("", primary=5),  # no participant code
    ],
)
def test_a_sheet_with_a_bad_row_goes_to_the_row_loop_and_gets_its_errors(row, monkeypatch):
    content = vpr_f1_xlsx(VprSheet(schools={"edu100001": [vpr_row("10000"), row]}))

    fast, slow, calls = _both_ways(content, monkeypatch)

    assert calls == [False]
    assert fast.errors == slow.errors
    assert len(fast.errors) == 1 and fast.errors[0].row == 9
    assert _rows(fast) == slow.results


@pytest.mark.parametrize("key", ["short", "k" * 200])
def test_participant_keys_are_hmac_sha256_of_the_settings_key(key, settings):
    settings.PARTICIPANT_HASH_KEY = key

    keyed = participant_keyer("vpr", "2025", "edu100001")

    for part in ("10001", " Иванов  И. "):
        expected = hmac.new(key.encode(), b"vpr\x1f2025\x1fedu100001\x1f", hashlib.sha256)
        expected.update(" ".join(part.split()).lower().encode())
        assert keyed(part) == participant_key("vpr", "2025", "edu100001", part) == expected.hexdigest()[:32]

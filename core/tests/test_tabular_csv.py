"""CSV uploads: encoding (UTF-8, UTF-8 with BOM, Windows-1251) and delimiter (;  ,) are detected."""

import io

import pytest

from core.tabular import read_tables

ROWS = [["Код ОО", "Название", "Доля, %"], ["edu980001", "Школа «Ёлочка», № 1", "12,5"], ["edu980002", "СОШ", "4"]]


def _csv(rows, *, encoding: str, delimiter: str) -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_is_read_whatever_its_encoding_and_delimiter(settings, encoding, delimiter):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    content = _csv(ROWS, encoding=encoding, delimiter=delimiter)

    [sheet] = read_tables(io.BytesIO(content), "data.csv")

    assert sheet.rows == ROWS


def test_a_bom_never_sticks_to_the_first_header(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    [sheet] = read_tables(io.BytesIO("\ufeffКод ОО;Имя\r\nedu1;a\r\n".encode()), "x.csv")

    assert sheet.rows[0][0] == "Код ОО"


def test_a_one_column_csv_is_still_read(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    [sheet] = read_tables(io.BytesIO("Код ОО\nedu980001\n".encode("cp1251")), "x.csv")

    assert sheet.rows == [["Код ОО"], ["edu980001"]]


def test_semicolons_win_when_the_numbers_carry_decimal_commas(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    text = "Код ОО;Доля;Балл\nedu1;12,5;3,25\nedu2;1,5;4,75\n"

    [sheet] = read_tables(io.BytesIO(text.encode("cp1251")), "x.csv")

    assert sheet.rows[1] == ["edu1", "12,5", "3,25"]


def test_semicolons_win_when_the_header_cells_hold_commas(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    # Unquoted commas in the titles (as Excel writes them with «;») and decimal commas:
    # csv.Sniffer takes «,» for both of these.
    for text, expected in [
        ("Код ОО;Доля, %\nedu1;12,5\n", [["Код ОО", "Доля, %"], ["edu1", "12,5"]]),
        (
            "Код ОО;Доля, %;Балл, ср.\nedu1;12,5;3,5\nedu2;1,5;4,5\n",
            [["Код ОО", "Доля, %", "Балл, ср."], ["edu1", "12,5", "3,5"], ["edu2", "1,5", "4,5"]],
        ),
    ]:
        [sheet] = read_tables(io.BytesIO(text.encode("cp1251")), "x.csv")

        assert sheet.rows == expected


def test_a_tab_separated_file_is_read(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    [sheet] = read_tables(io.BytesIO("Код ОО\tДоля, %\nedu1\t12,5\n".encode()), "x.csv")

    assert sheet.rows == [["Код ОО", "Доля, %"], ["edu1", "12,5"]]

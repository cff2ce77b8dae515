"""Stage: which layout a file is, read from its header (never from the file name)."""

from __future__ import annotations

from collections.abc import Sequence

from core.tabular import AnySheet, RowError
from monitoring.formats.headers import detect_layout

LAYOUT_UNKNOWN = (
    "Не удалось определить формат файла по заголовку: ожидается отчёт ВПР («Ф1 Индивидуальные "
    "результаты», «Ф3 Статистика по отметкам», «Сравнение отметок с отметками по журналу»), "
    "протокол ОГЭ/ЕГЭ РЦОИ, отчёт ЕГЭ по школам или один из шаблонов (см. описание форматов "
    "на странице загрузки)."
)


def layout_detect(sheets: Sequence[AnySheet]) -> tuple[str | None, list[RowError]]:
    """The file's layout, or None and the error the user sees."""
    layout = detect_layout(sheets)
    if layout is None:
        return None, [RowError(sheets[0].name if sheets else "", 0, "", LAYOUT_UNKNOWN)]
    return layout, []

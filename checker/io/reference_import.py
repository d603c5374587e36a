"""Reference distributions of marks for ``check --reference FILE`` (issue 13).

What authorities publish: ФИС ОКО «Статистика по отметкам» — a title line naming the work
(«ВПР 2025 Математика 5 класс»), a header with ``Группы участников``, ``Кол-во ОО``,
``Кол-во участников`` and the columns ``2``, ``3``, ``4``, ``5`` (percent; often under a
merged «Распределение отметок в %» row), then a row per group (РФ, region, municipality).
Several works may follow one another on a sheet, or sit on sheets of their own. The same
table is read from XLSX (sheet rows from ``checker.cli.imports``) and CSV (here). A simple
YAML/JSON form is the model ``checker.model.reference.ReferenceFile``.

Headers are matched as the ВПР import matches them (``header_key``); a bad cell is a
``VprFileError`` naming the sheet, row and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from checker.io.files import read_regular
from checker.io.questionnaire import column_letter
from checker.io.validation import validate
from checker.io.vpr_import import Cell, Rows, VprFileError, header_key
from checker.io.yamlio import load_fast
from checker.model.reference import ReferenceFile, WorkReference

MAX_REFERENCE_BYTES = 5 * 1024 * 1024
WORK_TITLE = re.compile(
    r"(?P<kind>ВПР|ОГЭ|ЕГЭ)\s+(?:(?P<year>\d{4})\s+)?(?P<subject>.+?)\s+"
    r"(?P<grade>1[01]|[1-9])\s*(?:класс|кл)",
    re.IGNORECASE,
)
GROUP = "группы участников"
SCHOOLS = "количество оо"
PARTICIPANTS = "количество участников"


def _where(sheet: str, row: int, col: int | None = None) -> str:
    place = f"лист «{sheet}», строка {row + 1}"
    return place if col is None else f"{place}, столбец {column_letter(col)}"


def _title(row: Sequence[Cell]) -> re.Match[str] | None:
    for cell in row:
        if isinstance(cell, str):
            found = WORK_TITLE.search(cell)
            if found:
                return found
    return None


def _number(sheet: str, row: int, col: int, value: Cell, what: str) -> float:
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise VprFileError(f"{_where(sheet, row, col)}: {what}: ожидалось число")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().rstrip("%").replace(",", ".").replace("\u00a0", ""))
    except ValueError:
        raise VprFileError(
            f"{_where(sheet, row, col)}: {what}: ожидалось число, а в ячейке текст"
        ) from None


def _mark_columns(row: Sequence[Cell]) -> dict[int, int]:
    found: dict[int, int] = {}
    for col, cell in enumerate(row):
        key = header_key(cell).replace("%", "").replace("«", "").strip()
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            key = str(int(cell)) if float(cell).is_integer() else ""
        if key in ("2", "3", "4", "5"):
            found[int(key)] = col
    return found


class _Table:
    """The header of one work's table: where each column is."""

    def __init__(self, sheet: str, header: int, keys: dict[str, int], marks: dict[int, int]):
        self.sheet = sheet
        self.header = header
        self.group = keys[GROUP]
        self.schools = next((c for k, c in keys.items() if k.startswith(SCHOOLS)), None)
        participants = next((c for k, c in keys.items() if k.startswith(PARTICIPANTS)), None)
        if participants is None:
            raise VprFileError(f"{_where(sheet, header)}: нет столбца «Кол-во участников»")
        self.participants = participants
        self.marks = marks

    def reference(self, index: int, row: Sequence[Cell], title: re.Match[str]) -> WorkReference:
        cells = list(row) + [None] * (max(self.marks.values()) + 1)
        sheet = self.sheet
        n = _number(sheet, index, self.participants, cells[self.participants],
                    "количество участников")
        if n < 1 or not n.is_integer():
            raise VprFileError(f"{_where(sheet, index, self.participants)}: количество "
                               "участников должно быть целым числом больше 0")
        schools = None
        if self.schools is not None and cells[self.schools] not in (None, ""):
            count = _number(sheet, index, self.schools, cells[self.schools], "количество ОО")
            if count < 1 or not count.is_integer():
                raise VprFileError(f"{_where(sheet, index, self.schools)}: количество ОО "
                                   "должно быть целым числом больше 0")
            schools = int(count)
        shares: dict[int, float] = {}
        for mark, col in sorted(self.marks.items()):
            share = _number(sheet, index, col, cells[col], f"доля «{mark}»")
            if not 0 <= share <= 100:
                raise VprFileError(f"{_where(sheet, index, col)}: доля «{mark}» должна быть "
                                   "от 0 до 100 %")
            shares[mark] = share
        total = sum(shares.values())
        if not 95 <= total <= 105:  # rounding of four shares; anything else is not percent
            total_text = f"{total:.1f}".replace(".", ",")
            raise VprFileError(f"{_where(sheet, index)}: доли «2»…«5» в сумме {total_text} %, "
                               "а должны давать около 100 % (нужны проценты, не количества)")
        return WorkReference.model_validate({
            "kind": title["kind"].upper(),
            "subject": title["subject"].strip().lower(),
            "grade": int(title["grade"]),
            "group": str(cells[self.group]).strip(),
            "participants": int(n),
            "schools": schools,
            "marks_pct": shares,
        })


def _header(sheet: str, rows: Rows, index: int) -> _Table | None:
    keys = {header_key(cell): col for col, cell in enumerate(rows[index]) if cell is not None}
    if GROUP not in keys:
        return None
    marks = _mark_columns(rows[index])
    start = index
    if len(marks) < 4 and index + 1 < len(rows):  # «2»…«5» under a merged header cell
        marks = _mark_columns(rows[index + 1])
        start = index + 1
    if len(marks) < 4:
        raise VprFileError(f"{_where(sheet, index)}: нет столбцов «2», «3», «4», «5» "
                           "(доли отметок в %)")
    return _Table(sheet, start, keys, marks)


def read_reference_rows(sheets: Sequence[tuple[str, Rows]]) -> list[WorkReference]:
    """Every (work, group) row of «Статистика по отметкам» tables on the sheets."""
    found: list[WorkReference] = []
    for sheet, rows in sheets:
        title: re.Match[str] | None = None
        table: _Table | None = None
        for index, row in enumerate(rows):
            if table is not None and index <= table.header:
                continue
            named = _title(row)
            if named is not None:
                title, table = named, None
                continue
            header = _header(sheet, rows, index)
            if header is not None:
                if title is None:
                    raise VprFileError(f"{_where(sheet, index)}: над таблицей нет строки с "
                                       "названием работы («ВПР 2025 Математика 5 класс»)")
                table = header
                continue
            if table is None or title is None:
                continue
            group = row[table.group] if table.group < len(row) else None
            if group is None or str(group).strip() == "":
                table = None  # a blank row ends the table
                continue
            found.append(table.reference(index, row, title))
    if not found:
        raise VprFileError(
            "не найдена таблица «Статистика по отметкам»: нужны строка с названием работы "
            "(«ВПР 2025 Математика 5 класс») и столбцы «Группы участников», «Кол-во "
            "участников», «2», «3», «4», «5»"
        )
    return found


def read_csv_rows(path: Path) -> list[tuple[str, Rows]]:
    """A CSV export (``;`` or ``,``; UTF-8, with or without BOM, or Windows-1251)."""
    data = read_regular(path, MAX_REFERENCE_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")
    first = text.split("\n", 5)
    delimiter = ";" if sum(line.count(";") for line in first) else ","
    rows: Rows = [tuple(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return [(path.name, rows)]


def read_reference_yaml(path: Path) -> list[WorkReference]:
    """The simple form: ``references: [{subject, grade, group, participants, marks_pct}]``."""
    text = read_regular(path, MAX_REFERENCE_BYTES).decode("utf-8")
    data = load_fast(text, str(path))
    return list(validate(ReferenceFile, data, text, str(path)).references)

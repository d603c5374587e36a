"""ВПР results from the tables schools and coordinators download, aggregated to classes.

Three layouts are read (sheet rows come from ``checker.cli.imports``, which opens the
workbook; this module never sees openpyxl):

* ФИС ОКО «Индивидуальные результаты»: a title «ВПР ГГГГ Предмет N класс», then a header row
  with «Код участника», «Класс», «Первичный балл», «Отметка», «Отметка по журналу» (a row
  of task levels Б / П may stand above it);
* the school's results protocol: «Код участника», «Порядковый номер класса» or «Наименование
  класса», «Итого баллов», «Отметка за предыдущий …» (четверть / триместр / полугодие);
  an absent pupil is «не присутствовал» / «отсутствовал»;
* a class table: «Класс», «Количество участников», counts or % of «2»…«5», «Понизили»,
  «Подтвердили», «Повысили».

Pupil rows are aggregated here and dropped: only class-level counts reach the profile.
Headers are matched tolerantly (case, spaces, ё/е, «Кол-во» = «Количество», quotes).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from checker.io.load import load_profile
from checker.io.profile_edit import digest, refuse_json, write_preserving
from checker.io.questionnaire import column_letter
from checker.io.yamlio import read_text, round_trip_yaml
from checker.model.labels import class_key, name_key
from checker.model.profile import Profile

Cell = object
Rows = Sequence[Sequence[Cell]]

TITLE = re.compile(r"ВПР\s+(?P<year>\d{4})\s+(?P<subject>.+?)\s+(?P<grade>1[01]|[1-9])\s*класс",
                   re.IGNORECASE)
ABSENT = ("не присутствовал", "отсутствовал")
PERIODS = ("четверть", "триместр", "полугодие", "год")
HEADER_SCAN = 15  # rows searched for the header row


class VprFileError(Exception):
    """A table that cannot be read: the message names the sheet, row and column."""


def header_key(value: Cell) -> str:
    """«Кол-во  участников» → «количество участников»; quotes, dots and case ignored."""
    text = str(value or "").lower().replace("ё", "е")
    text = re.sub(r"кол-?\s*во", "количество", text)
    text = re.sub(r"[«»\"'.,:;()]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class ClassTally:
    """Counts of one class, built from pupil rows or read from a class table."""

    name: str
    participants: int = 0
    marks: dict[int, int] | None = None
    lowered: int | None = None
    confirmed: int | None = None
    raised: int | None = None
    differ_by_two: int | None = None
    journal_period: str | None = None
    scores: dict[int, int] | None = None

    def as_yaml(self) -> CommentedMap:
        data = CommentedMap()
        data["name"] = self.name
        data["participants"] = self.participants
        for key in ("marks", "lowered", "confirmed", "raised", "differ_by_two",
                    "journal_period", "scores"):
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, dict):
                inner = CommentedMap(sorted(value.items()))
                inner.fa.set_flow_style()
                value = inner
            data[key] = value
        return data


@dataclass
class WorkResults:
    """One work (subject × grade) read from a sheet."""

    subject: str
    grade: int
    year: int | None
    layout: str
    classes: list[ClassTally] = field(default_factory=list)


@dataclass
class _Sheet:
    name: str
    rows: Rows

    def where(self, row: int, col: int | None = None) -> str:
        place = f"лист «{self.name}», строка {row + 1}"
        return place if col is None else f"{place}, столбец {column_letter(col)}"

    def fail(self, row: int, col: int | None, message: str) -> VprFileError:
        return VprFileError(f"{self.where(row, col)}: {message}")


def _title(sheet: _Sheet, limit: int) -> re.Match[str] | None:
    for row in sheet.rows[:limit]:
        for cell in row:
            if isinstance(cell, str):
                found = TITLE.search(cell)
                if found:
                    return found
    return None


def _find_header(sheet: _Sheet, must: Sequence[str]) -> tuple[int, dict[str, int]] | None:
    """The first row (among the first few) holding every header in ``must``."""
    for index, row in enumerate(sheet.rows[:HEADER_SCAN]):
        keys = {header_key(cell): col for col, cell in enumerate(row) if cell is not None}
        if all(any(k == m or k.startswith(m) for k in keys) for m in must):
            return index, keys
    return None


def _column(keys: dict[str, int], *names: str) -> int | None:
    for name in names:
        for key, col in keys.items():
            if key == name or key.startswith(name):
                return col
    return None


def _int(sheet: _Sheet, row: int, col: int, value: Cell, what: str) -> int:
    if isinstance(value, bool):
        raise sheet.fail(row, col, f"{what}: ожидалось число, а не «{value}»")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise sheet.fail(row, col, f"{what}: ожидалось число, а в ячейке текст") from None
    if not number.is_integer():
        raise sheet.fail(row, col, f"{what}: ожидалось целое число")
    return int(number)


def _number(sheet: _Sheet, row: int, col: int, value: Cell, what: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip().rstrip("%").replace(",", "."))
    except ValueError:
        raise sheet.fail(row, col, f"{what}: ожидалось число, а в ячейке текст") from None


def _mark(sheet: _Sheet, row: int, col: int, value: Cell, what: str) -> int:
    mark = _int(sheet, row, col, value, what)
    if mark not in (2, 3, 4, 5):
        raise sheet.fail(row, col, f"{what}: отметка должна быть от 2 до 5, а не {mark}")
    return mark


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _class_name(sheet: _Sheet, row: int, col: int, value: Cell, grade: int | None) -> str:
    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}", text) and grade is not None and not text.startswith(str(grade)):
        # «Порядковый номер класса»: 1 → the parallel's first class, «А».
        number = int(text)
        if not 1 <= number <= 32:
            raise sheet.fail(row, col, "порядковый номер класса должен быть от 1 до 32")
        return f"{grade}{'АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ'[number - 1]}"
    key = class_key(text)
    if key is None:
        if grade is not None and re.fullmatch(r"[А-ЯЁа-яё]", text):
            return f"{grade}{text.upper()}"
        raise sheet.fail(row, col, "класс не прочитан: ожидалось, например, «5А»")
    return key


class _PupilTally:
    """Aggregates pupil rows into classes; nothing of a pupil is kept after that."""

    def __init__(self) -> None:
        self.classes: dict[str, ClassTally] = {}
        self.with_journal = True
        self.with_marks = True
        self.with_scores = True

    def add(self, name: str, mark: int | None, journal: int | None, score: int | None) -> None:
        tally = self.classes.setdefault(name, ClassTally(name, marks={}, scores={}))
        tally.participants += 1
        if mark is None:
            self.with_marks = False
        else:
            assert tally.marks is not None
            tally.marks[mark] = tally.marks.get(mark, 0) + 1
        if score is None:
            self.with_scores = False
        else:
            assert tally.scores is not None
            tally.scores[score] = tally.scores.get(score, 0) + 1
        if mark is None or journal is None:
            self.with_journal = False
            return
        for attr, hit in (("lowered", mark < journal), ("confirmed", mark == journal),
                          ("raised", mark > journal), ("differ_by_two", abs(mark - journal) >= 2)):
            setattr(tally, attr, (getattr(tally, attr) or 0) + int(hit))

    def result(self, period: str | None) -> list[ClassTally]:
        for tally in self.classes.values():
            if not self.with_marks:
                tally.marks = None
            if not self.with_scores:
                tally.scores = None
            if self.with_journal:
                for attr in ("lowered", "confirmed", "raised", "differ_by_two"):
                    setattr(tally, attr, getattr(tally, attr) or 0)
                tally.journal_period = period
            else:
                tally.lowered = tally.confirmed = tally.raised = tally.differ_by_two = None
        return [self.classes[k] for k in sorted(self.classes)]


def _pupil_rows(
    sheet: _Sheet, header: int, columns: dict[str, int | None], grade: int | None,
    scale: tuple[int, int, int] | None,
) -> _PupilTally:
    tally = _PupilTally()
    class_col = columns["class"]
    assert class_col is not None
    for index in range(header + 1, len(sheet.rows)):
        row = sheet.rows[index]

        def cell(name: str, row: Sequence[Cell] = row) -> tuple[int | None, Cell]:
            col = columns.get(name)
            return col, (row[col] if col is not None and col < len(row) else None)

        if all(_blank(c) for c in row):
            continue
        if any(isinstance(c, str) and header_key(c) in ABSENT for c in row):
            continue  # the pupil did not write the work
        _, code = cell("code")
        if _blank(code):
            continue  # a totals line or a note below the table
        name = _class_name(sheet, index, class_col, row[class_col], grade) if class_col < len(
            row) and not _blank(row[class_col]) else None
        if name is None:
            raise sheet.fail(index, class_col, "не указан класс ученика")
        score_col, score_cell = cell("score")
        score = None if _blank(score_cell) or score_col is None else _int(
            sheet, index, score_col, score_cell, "первичный балл")
        mark_col, mark_cell = cell("mark")
        mark = None if _blank(mark_cell) or mark_col is None else _mark(
            sheet, index, mark_col, mark_cell, "отметка")
        if mark is None and score is not None and scale is not None:
            mark = 2 + sum(score >= bound for bound in scale)
        journal_col, journal_cell = cell("journal")
        journal = None if _blank(journal_cell) or journal_col is None else _mark(
            sheet, index, journal_col, journal_cell, "отметка по журналу")
        tally.add(name, mark, journal, score)
    return tally


def _period(keys: dict[str, int]) -> str | None:
    for key in keys:
        if key.startswith(("отметка за предыдущ", "отметка по журналу")):
            for period in PERIODS:
                if period in key:
                    return period
    return None


def _work(sheet: _Sheet, subject: str | None, grade: int | None) -> tuple[str, int, int | None]:
    title = _title(sheet, HEADER_SCAN)
    year = int(title["year"]) if title else None
    if title is not None:  # the file's own title wins over the command's fallback
        subject, grade = title["subject"].strip(), int(title["grade"])
    if subject is None or grade is None:
        raise VprFileError(
            f"лист «{sheet.name}»: не найдена строка «ВПР ГГГГ Предмет N класс» — укажите "
            "предмет и класс параметрами --subject и --grade"
        )
    return subject, grade, year


def _fis_oko(sheet: _Sheet, subject: str | None, grade: int | None,
             scale: tuple[int, int, int] | None) -> WorkResults | None:
    found = _find_header(sheet, ["код участника", "класс", "отметка"])
    if found is None or _column(found[1], "первичный балл") is None:
        return None
    header, keys = found
    subject, grade, year = _work(sheet, subject, grade)
    columns = {
        "code": _column(keys, "код участника"),
        "class": keys.get("класс"),
        "score": _column(keys, "первичный балл"),
        "mark": keys.get("отметка"),
        "journal": _column(keys, "отметка по журналу"),
    }
    tally = _pupil_rows(sheet, header, columns, grade, scale)
    return WorkResults(subject, grade, year, "ФИС ОКО", tally.result(_period(keys)))


def _protocol(sheet: _Sheet, subject: str | None, grade: int | None,
              scale: tuple[int, int, int] | None) -> WorkResults | None:
    found = _find_header(sheet, ["код участника", "итого баллов"])
    if found is None:
        return None
    header, keys = found
    class_col = _column(keys, "наименование класса", "порядковый номер класса", "класс")
    if class_col is None:
        raise sheet.fail(header, None, "нет столбца «Наименование класса» или «Порядковый "
                         "номер класса»")
    subject, grade, year = _work(sheet, subject, grade)
    columns = {
        "code": _column(keys, "код участника"),
        "class": class_col,
        "score": _column(keys, "итого баллов"),
        "mark": keys.get("отметка") if "отметка" in keys else _column(keys, "отметка за работу"),
        "journal": _column(keys, "отметка за предыдущ", "отметка по журналу"),
    }
    tally = _pupil_rows(sheet, header, columns, grade, scale)
    return WorkResults(subject, grade, year, "протокол школы", tally.result(_period(keys)))


_JOURNAL = {"lowered": "понизили", "confirmed": "подтвердили", "raised": "повысили"}


def _mark_columns(keys: dict[str, int]) -> tuple[dict[int, int], bool]:
    """Columns of «2»…«5» and whether they hold percentages."""
    found: dict[int, int] = {}
    percent = False
    for key, col in keys.items():
        bare = key.replace("%", " ").replace("доля", " ").replace("отметка", " ")
        bare = bare.replace("количество", " ").replace("кол во", " ").strip()
        if bare in ("2", "3", "4", "5"):
            found[int(bare)] = col
            percent = percent or "%" in key or "доля" in key
    return found, percent


def _class_table(sheet: _Sheet, subject: str | None, grade: int | None) -> WorkResults | None:
    found = _find_header(sheet, ["класс"])
    if found is None:
        return None
    header, keys = found
    n_col = _column(keys, "количество участников", "участников", "участники", "n")
    if n_col is None:
        return None
    subject, grade, year = _work(sheet, subject, grade)
    marks, percent = _mark_columns(keys)
    journal = {attr: _column(keys, word) for attr, word in _JOURNAL.items()}
    journal_percent = any("%" in k for k in keys if k.startswith(tuple(_JOURNAL.values())))
    class_col = keys["класс"]
    classes: list[ClassTally] = []
    for index in range(header + 1, len(sheet.rows)):
        row = list(sheet.rows[index]) + [None] * len(keys)
        if _blank(row[class_col]):
            continue
        if header_key(row[class_col]) in ("итого", "всего", "параллель"):
            continue
        name = _class_name(sheet, index, class_col, row[class_col], grade)
        n = _int(sheet, index, n_col, row[n_col], "количество участников")
        tally = ClassTally(name, n)

        def count(col: int, as_percent: bool, what: str, n: int = n, index: int = index,
                  row: list[Cell] = row) -> int:
            if as_percent:
                share = _number(sheet, index, col, row[col], what)
                if not 0 <= share <= 100:
                    raise sheet.fail(index, col, f"{what}: доля должна быть от 0 до 100 %")
                return round(share * n / 100)
            return _int(sheet, index, col, row[col], what)

        if marks and all(not _blank(row[c]) for c in marks.values()):
            tally.marks = {m: count(c, percent, f"«{m}»") for m, c in sorted(marks.items())}
            if sum(tally.marks.values()) > n:
                raise sheet.fail(index, None, "отметок больше, чем участников")
        if all(c is not None and not _blank(row[c]) for c in journal.values()):
            for attr, col in journal.items():
                assert col is not None
                setattr(tally, attr, count(col, journal_percent, _JOURNAL[attr]))
        classes.append(tally)
    if not classes:
        raise sheet.fail(header, None, "в таблице нет ни одного класса")
    return WorkResults(subject, grade, year, "таблица по классам", classes)


def read_sheets(
    sheets: Sequence[tuple[str, Rows]],
    subject: str | None = None,
    grade: int | None = None,
    scale: tuple[int, int, int] | None = None,
) -> list[WorkResults]:
    """Every work found in the sheets; a sheet in no known layout is skipped, a workbook
    with none is an error."""
    works: list[WorkResults] = []
    for name, rows in sheets:
        sheet = _Sheet(name, rows)
        for layout in (_fis_oko, _protocol):
            work = layout(sheet, subject, grade, scale)
            if work is not None:
                break
        else:
            work = _class_table(sheet, subject, grade)
        if work is not None:
            if not work.classes:
                raise VprFileError(f"лист «{name}»: нет ни одной строки участника")
            works.append(work)
    if not works:
        raise VprFileError(
            "ни на одном листе не найдена таблица результатов ВПР: нужны столбцы «Код "
            "участника» и «Отметка» (ФИС ОКО), «Код участника» и «Итого баллов» (протокол) или "
            "«Класс» и «Количество участников» (таблица по классам)"
        )
    return works


# --- writing into the profile (round-trip YAML: comments and order kept) ----------------


def merge_into_profile(document: Any, works: Sequence[WorkResults]) -> list[str]:
    """Put each work's classes into the matching ВПР procedure of ``document`` (a round-trip
    YAML mapping); returns the ids of the procedures changed. A work with no matching
    procedure is an error naming it."""
    procedures = document.get("procedures") if isinstance(document, dict) else None
    if not isinstance(procedures, list):
        raise VprFileError("в профиле нет раздела procedures: добавьте процедуры ВПР")
    changed: list[str] = []
    for work in works:
        target = None
        for proc in procedures:
            if (isinstance(proc, dict) and proc.get("kind") == "ВПР"
                    and name_key(str(proc.get("subject", ""))) == name_key(work.subject)
                    and proc.get("grade") == work.grade):
                target = proc
                break
        if target is None:
            raise VprFileError(
                f"в профиле нет процедуры ВПР «{work.subject}», {work.grade} класс (kind: ВПР, "
                "subject, grade): добавьте её, затем повторите импорт"
            )
        results = target.get("results")
        if not isinstance(results, dict):
            results = CommentedMap()
            target["results"] = results
        results["classes"] = CommentedSeq([c.as_yaml() for c in work.classes])
        changed.append(str(target.get("id")))
    return changed


def import_into_profile(path: Path, works: Sequence[WorkResults]) -> list[str]:
    """Write the works into the profile at ``path`` (atomic, comments kept) and return the
    procedure ids changed. The new text is validated before anything is written: an invalid
    result raises ``VprFileError`` or ``InputError`` and leaves the file as it was. A JSON
    profile is refused (``refuse_json``): the edit keeps comments and order, which only YAML
    has."""
    refuse_json(str(path))
    text = read_text(path)
    before = digest(text.encode("utf-8"))
    old = load_profile(text, str(path))  # a broken profile is reported as it is
    yaml = round_trip_yaml()
    yaml.indent(mapping=2, sequence=4, offset=2)  # the style of the shipped profiles
    yaml.width = 4096  # never fold a long line the author wrote on one
    try:
        document = yaml.load(text)
    except YAMLError as exc:  # load_profile accepted it; the round-trip parser did not
        raise VprFileError(f"{path}: профиль не разобрать для записи ({type(exc).__name__})"
                           ) from None
    changed = merge_into_profile(document, works)
    out = io.StringIO()
    yaml.dump(document, out)
    new_text = out.getvalue()
    new = load_profile(new_text, str(path))  # never write an invalid profile
    if _without_results(new) != _without_results(old):
        raise VprFileError(f"{path}: результаты не удалось записать, не затронув остальной "
                           "текст профиля; профиль не изменён")
    if digest(path.read_bytes()) != before:
        raise VprFileError(f"{path}: профиль изменили, пока шёл импорт; повторите импорт")
    write_preserving(path, new_text.encode("utf-8"))
    return changed


def _without_results(profile: Profile) -> Profile:
    procedures = [p.model_copy(update={"results": None}) for p in profile.procedures or []]
    return profile.model_copy(update={"procedures": procedures or profile.procedures})

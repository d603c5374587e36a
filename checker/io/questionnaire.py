"""The Excel questionnaire: its sheets and columns, and a filled workbook → a profile.

Education authorities collect a school's information with a workbook sent to every school;
``objcheck template --format xlsx`` writes one (``checker.render.questionnaire``) from the
layout defined here, and ``objcheck import questionnaire`` / ``objcheck batch`` read it back.
An empty cell is «не сообщено»; «нет» is «не сделано». Every problem names the sheet, the
row, the column and the column's Russian title.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from checker.io.load import reference_issues
from checker.io.validation import clean_loc, russian_message
from checker.model.errors import InputError, Loc, Problem, echo
from checker.model.profile import (
    ACTIVITY_KIND_TITLES,
    CHECKING_MODE_TITLES,
    DOCUMENT_KIND_TITLES,
    OBSERVER_RELATION_TITLES,
    OBSERVER_TYPE_TITLES,
    PERSON_ROLE_TITLES,
    PROCEDURE_KIND_TITLES,
    SCHOOL_TYPE_TITLES,
    SELF_LEVEL_TITLES,
    VIDEO_COVERAGE_TITLES,
    Profile,
)

TEMPLATE_VERSION = "1"
SERVICE_SHEET = "Служебный"
VERSION_LABEL = "objcheck: версия анкеты"
HEADER_ROW, NOTES_ROW, FIRST_ROW = 1, 2, 3
DATA_ROWS = 300  # rows prepared with drop-downs and validation on every sheet
YES, NO = "да", "нет"

Kind = Literal["text", "int", "date", "bool", "choice", "ref", "list", "text_or_no", "ids"]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    note: str
    kind: Kind = "text"
    choices: dict[str, str] | None = None  # value → its Russian title (shown in the list)
    ref: str | None = None  # the sheet whose first column holds the ids to pick from
    bounds: tuple[int, int] | None = None
    width: int = 18


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    one_row: bool = False  # the school's sheet: one row of answers

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _procedure(key: str = "procedure") -> Column:
    return Column(key, "Процедура", "код процедуры с листа «Процедуры»", "ref",
                  ref="Процедуры", width=16)


_BOOL_NOTE = "да / нет; пусто — не сообщено"
SHEETS: tuple[Sheet, ...] = (
    Sheet("Школа", (
        Column("id", "Код школы", "ИНН, код ОО в регионе или иной уникальный; обязательно",
               width=16),
        Column("name", "Наименование", "полное наименование; обязательно", width=40),
        Column("type", "Тип школы", "выберите из списка", "choice", SCHOOL_TYPE_TITLES),
        Column("region", "Субъект РФ", "например, Красноярский край", width=24),
        Column("municipality", "Муниципалитет", "муниципальное образование", width=24),
        Column("oktmo", "ОКТМО", "8 или 11 цифр", width=14),
        Column("website", "Сайт", "адрес сайта; «нет» — сайта нет", "text_or_no", width=28),
        Column("site_info", "Раздел «Сведения об ОО»", _BOOL_NOTE, "bool"),
        Column("site_vsoko", "Страница ВСОКО на сайте", _BOOL_NOTE, "bool"),
        Column("site_results", "Результаты на сайте", _BOOL_NOTE, "bool"),
        Column("academic_year", "Учебный год", "например, 2024/2025", width=12),
        Column("federal_list", "В федеральном перечне", "в перечне ОО с признаками "
               "необъективности: да / нет", "bool"),
        Column("regional_list", "В региональном перечне", _BOOL_NOTE, "bool"),
        Column("self_level", "Самооценка объективности", "уровень, который школа указала "
               "сама", "choice", SELF_LEVEL_TITLES),
        Column("self_document", "Документ самооценки", "справка, отчёт", width=24),
        Column("self_date", "Дата самооценки", "дата документа, ДД.ММ.ГГГГ", "date", width=14),
        Column("documents_complete", "Документы перечислены полностью", "да — чего нет на "
               "листе «Документы», того нет в школе", "bool"),
        Column("activities_complete", "Мероприятия перечислены полностью", "да — чего нет на "
               "листе «Мероприятия», того не было", "bool"),
    ), one_row=True),
    Sheet("Документы", (
        Column("id", "Код документа", "короткий уникальный код без пробелов, например "
               "order-vpr", width=18),
        Column("kind", "Вид документа", "выберите из списка", "choice", DOCUMENT_KIND_TITLES,
               width=44),
        Column("number", "Номер", "номер приказа / акта", width=12),
        Column("date", "Дата утверждения", "ДД.ММ.ГГГГ", "date", width=14),
        Column("title", "Название", "как в документе", width=36),
        Column("procedures", "К процедурам", "коды процедур через запятую; «все» — ко всем",
               "ids", width=20),
        Column("published", "Опубликован на сайте", _BOOL_NOTE, "bool"),
        Column("published_url", "Адрес публикации", "адрес страницы", width=28),
        Column("published_date", "Дата публикации", "ДД.ММ.ГГГГ", "date", width=14),
        Column("uses_vpr_for_evaluation", "ВПР в оценке учителей", "использует ли результаты "
               "ВПР для оценки учителей: да / нет", "bool"),
        Column("compares_external_internal", "Сопоставление внешней и внутренней оценки",
               _BOOL_NOTE, "bool"),
        Column("collegial_agreement", "Коллегиальное согласование подходов", _BOOL_NOTE,
               "bool"),
    )),
    Sheet("Сотрудники", (
        Column("id", "Код работника", "короткий код без пробелов, например t01; на него "
               "ссылаются другие листы", width=14),
        Column("name", "ФИО", "обязательно", width=30),
        Column("position", "Должность", "например, учитель математики", width=22),
        Column("subjects", "Предметы", "через запятую", "list", width=22),
        Column("classes", "Классы", "где ведёт уроки, через запятую: 5А, 6Б", "list"),
        Column("children", "Классы детей", "где учатся дети работника; «нет» — детей в школе "
               "нет", "list"),
    )),
    Sheet("Люди вне школы", (
        Column("id", "Код человека", "короткий код без пробелов, например p01 (не как у "
               "работников)", width=14),
        Column("name", "ФИО", "обязательно", width=30),
        Column("role", "Роль", "выберите из списка", "choice", PERSON_ROLE_TITLES, width=34),
        Column("employer", "Место работы", "организация", width=26),
        Column("children", "Классы детей", "в этой школе; «нет» — детей в школе нет", "list"),
        Column("accreditation", "Удостоверение наблюдателя", "номер; «нет» — нет",
               "text_or_no"),
    )),
    Sheet("Процедуры", (
        Column("id", "Код процедуры", "короткий код без пробелов, например vpr-ma-5",
               width=16),
        Column("kind", "Вид", "выберите из списка", "choice", PROCEDURE_KIND_TITLES, width=36),
        Column("subject", "Предмет", "учебный предмет, например математика", width=20),
        Column("grade", "Параллель", "номер класса 1–11", "int", bounds=(1, 11), width=10),
        Column("classes", "Классы", "через запятую: 5А, 5Б", "list"),
        Column("date", "Дата", "ДД.ММ.ГГГГ", "date", width=12),
        Column("rooms", "Аудитории", "через запятую", "list"),
        Column("federal_control", "Федеральный контроль объективности", _BOOL_NOTE, "bool"),
        Column("in_school_ppe", "ППЭ ГИА в школе", _BOOL_NOTE, "bool"),
        *(Column(f"organizer{n}", f"Организатор {n}", "код с листа «Сотрудники»", "ref",
                 ref="Сотрудники", width=14) for n in (1, 2, 3, 4)),
    )),
    Sheet("Наблюдатели", (
        _procedure(),
        Column("person", "Человек из реестра", "код с листа «Люди вне школы»", "ref",
               ref="Люди вне школы", width=16),
        Column("name", "ФИО (если нет в реестре)", "тогда укажите и тип", width=28),
        Column("type", "Тип наблюдателя", "выберите из списка", "choice", OBSERVER_TYPE_TITLES,
               width=30),
        Column("room", "Аудитория", "где находился наблюдатель", width=12),
        Column("accreditation", "Удостоверение", "номер; «нет» — не аккредитован",
               "text_or_no"),
        Column("relation", "Связь со школой", "выберите из списка", "choice",
               OBSERVER_RELATION_TITLES, width=22),
    )),
    Sheet("Видео", (
        _procedure(),
        Column("recorded", "Видеонаблюдение велось", "да / нет; пусто — не сообщено", "bool"),
        Column("rooms", "Аудитории с записью", "через запятую", "list"),
        Column("coverage", "Охват аудиторий", "если перечня аудиторий нет", "choice",
               VIDEO_COVERAGE_TITLES, width=22),
        Column("checking_filmed", "Запись проверки работ", _BOOL_NOTE, "bool"),
        Column("storage", "Где хранятся записи", "например, сервер школы", width=22),
        Column("storage_until", "Хранятся до", "ДД.ММ.ГГГГ", "date", width=12),
        Column("hq", "Штаб ППЭ", "видео в штабе ППЭ: да / нет", "bool", width=12),
        Column("entrance", "Вход в ППЭ", "видео на входе в ППЭ: да / нет", "bool", width=12),
    )),
    Sheet("Проверка работ", (
        _procedure(),
        Column("mode", "Кто проверяет", "выберите из списка", "choice", CHECKING_MODE_TITLES,
               width=36),
        *(Column(f"member{n}", f"Член комиссии {n}", "код с листа «Сотрудники»", "ref",
                 ref="Сотрудники", width=14) for n in (1, 2, 3)),
        Column("criteria_agreed", "Подходы согласованы", _BOOL_NOTE, "bool"),
        Column("agreed_on", "Дата согласования", "ДД.ММ.ГГГГ", "date", width=14),
        Column("recheck_share", "Перепроверено, %", "доля перепроверенных работ, 0–100",
               "int", bounds=(0, 100), width=12),
    )),
    Sheet("Мероприятия", (
        Column("kind", "Вид мероприятия", "выберите из списка", "choice", ACTIVITY_KIND_TITLES,
               width=44),
        Column("date", "Дата", "ДД.ММ.ГГГГ", "date", width=12),
        Column("title", "Название", "тема мероприятия", width=36),
        _procedure(),
    )),
    Sheet("Результаты", (
        _procedure(),
        Column("participants", "Участников", "сколько писали работу", "int",
               bounds=(0, 100000), width=12),
        Column("lowered", "Понизили", "отметка за работу ниже, чем по журналу", "int",
               bounds=(0, 100000), width=12),
        Column("confirmed", "Подтвердили", "отметка совпала", "int", bounds=(0, 100000),
               width=12),
        Column("raised", "Повысили", "отметка за работу выше", "int", bounds=(0, 100000),
               width=12),
    )),
)


def sheet(name: str) -> Sheet:
    return next(s for s in SHEETS if s.name == name)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- reading a filled workbook ----------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """A workbook's cell values, read by ``checker.render.questionnaire`` (openpyxl):
    each sheet's rows from row 1, and its merged ranges («A5:C5»)."""

    sheets: dict[str, list[tuple[Any, ...]]]
    merged: dict[str, list[str]]

    def value(self, sheet_name: str, row: int, column: int) -> Any:
        rows = self.sheets[sheet_name]
        if row - 1 < len(rows) and column - 1 < len(rows[row - 1]):
            return rows[row - 1][column - 1]
        return None


@dataclass(frozen=True)
class Cell:
    sheet: str
    row: int
    column: int  # 0-based
    title: str

    def where(self) -> str:
        return (f"лист «{self.sheet}», строка {self.row}, столбец {column_letter(self.column)} "
                f"(«{self.title}»)")


class CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_RUSSIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SPLIT = re.compile(r"\s*[,;]\s*")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        raise CellError("ожидается текст, а в ячейке дата")
    return str(value).strip()


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    russian, iso = _RUSSIAN_DATE.match(text), _ISO_DATE.match(text)
    if russian:
        day, month, year = (int(part) for part in russian.groups())
    elif iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        raise CellError(f"ожидается дата ДД.ММ.ГГГГ, а в ячейке «{echo(text)}»")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"несуществующая дата «{echo(text)}»") from None


def _int(value: Any, bounds: tuple[int, int] | None) -> int:
    if isinstance(value, bool):
        raise CellError("ожидается целое число")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise CellError(f"ожидается целое число, а в ячейке «{echo(value)}»")
    if bounds and not bounds[0] <= value <= bounds[1]:
        raise CellError(f"число {value} вне допустимых пределов {bounds[0]}–{bounds[1]}")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in (YES, NO):
        return text == YES
    raise CellError(f"ожидается «{YES}» или «{NO}», а в ячейке «{echo(text)}»")


def _choice(value: Any, choices: dict[str, str]) -> str:
    text = _text(value)
    wanted = " ".join(text.split()).lower()
    for code, title in choices.items():
        if wanted in (title.lower(), code.lower()):
            return code
    return _not_in_list(text, choices)


def _not_in_list(text: str, choices: dict[str, str]) -> str:
    titles = "; ".join(f"«{title}»" for title in choices.values())
    raise CellError(f"значение «{echo(text)}» не из списка; выберите одно из: {titles}")


def convert(column: Column, value: Any) -> Any:
    """A cell's value as the profile holds it; None for an empty cell («не сообщено»)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = column.kind
    if kind == "date":
        return _date(value)
    if kind == "int":
        return _int(value, column.bounds)
    if kind == "bool":
        return _bool(value)
    if kind == "choice":
        assert column.choices is not None
        return _choice(value, column.choices)
    text = _text(value)
    if kind == "list":
        return [] if text.lower() == NO else [part for part in _SPLIT.split(text) if part]
    if kind == "ids":
        return "all" if text.lower() in ("все", "all") else [p for p in _SPLIT.split(text) if p]
    if kind == "text_or_no":
        return False if text.lower() == NO else text
    return text


@dataclass
class _Builder:
    """Collects the profile's data and, for every value, the cell it came from."""

    origin: str
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[Loc, Cell] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def fail(self, cell: Cell, message: str) -> None:
        self.problems.append(Problem(self.origin, None, (), f"{cell.where()}: {message}"))


def _rows(grid: Grid, spec: Sheet, builder: _Builder) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each filled row of a sheet as {column key: (value, cell)}; bad cells become problems."""
    for row_number, row in enumerate(grid.sheets[spec.name][FIRST_ROW - 1:], start=FIRST_ROW):
        values: dict[str, Any] = {}
        for index, column in enumerate(spec.columns):
            raw = row[index] if index < len(row) else None
            cell = Cell(spec.name, row_number, index, column.title)
            try:
                value = convert(column, raw)
            except CellError as exc:
                builder.fail(cell, exc.message)
                continue
            if value is not None:
                values[column.key] = (value, cell)
        if values:
            yield row_number, values


def _put(builder: _Builder, target: dict[str, Any], loc: Loc, key: str,
         found: dict[str, Any], name: str | None = None) -> None:
    """Copy ``found[key]`` into ``target[name or key]``, remembering its cell."""
    if key in found:
        value, cell = found[key]
        target[name or key] = value
        builder.cells[(*loc, name or key)] = cell


def load_questionnaire(grid: Grid, origin: str) -> tuple[Profile, dict[str, Any]]:
    """A filled questionnaire → the validated profile and its data (what a YAML profile of
    it holds), or an ``InputError`` whose problems each name the sheet, row, column and its
    title."""
    data, cells = questionnaire_data(grid, origin)
    builder_problems: list[Problem] = []
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = clean_loc(Profile, error["loc"])
            builder_problems.append(_located(origin, cells, loc, russian_message(error)))
        raise InputError(builder_problems) from None
    issues = [_located(origin, cells, loc, message) for loc, message in reference_issues(profile)]
    if issues:
        raise InputError(issues)
    return profile, data


_ORDER = ("schema_version", "school", "academic_year", "complete", "lists", "documents",
          "staff", "people", "procedures", "activities", "self_assessment")


def profile_yaml(data: dict[str, Any], source: str) -> str:
    """The profile's data as YAML, sections in the usual order, dates as ISO dates."""
    from checker.io.yamlio import round_trip_yaml

    ordered = {key: data[key] for key in _ORDER if key in data}
    stream = io.StringIO()
    stream.write(f"# Профиль из анкеты {source} (objcheck import questionnaire)\n")
    yaml = round_trip_yaml()
    yaml.default_flow_style = False
    yaml.dump(ordered, stream)
    return stream.getvalue()


def _located(origin: str, cells: dict[Loc, Cell], loc: Loc, message: str) -> Problem:
    for end in range(len(loc), 0, -1):
        cell = cells.get(loc[:end])
        if cell is None:
            continue
        if end < len(loc) and isinstance(loc[end], str):  # an empty cell of that row
            cell = _column_cell(cell, str(loc[end])) or cell
        return Problem(origin, None, (), f"{cell.where()}: {message}")
    return Problem(origin, None, loc, message)


def _column_cell(row: Cell, key: str) -> Cell | None:
    """The cell of column ``key`` in the row of ``row`` (None if the sheet has no such)."""
    spec = sheet(row.sheet)
    for index, column in enumerate(spec.columns):
        if column.key == key:
            return Cell(spec.name, row.row, index, column.title)
    return None


def questionnaire_data(grid: Grid, origin: str) -> tuple[dict[str, Any], dict[Loc, Cell]]:
    """The profile's data and the cell of every value."""
    builder = _Builder(origin)
    _check_layout(grid, builder)
    if builder.problems:
        raise InputError(builder.problems)
    data = builder.data
    data["schema_version"] = 2
    _school(grid, builder)
    for reader in _SECTION_READERS:
        reader(grid, builder)
    if builder.problems:
        raise InputError(builder.problems)
    return data, builder.cells


def _check_layout(grid: Grid, builder: _Builder) -> None:
    """The template version, every sheet present with its headers, no merged cells."""
    origin = builder.origin
    if SERVICE_SHEET not in grid.sheets or grid.value(SERVICE_SHEET, 1, 1) != VERSION_LABEL:
        builder.problems.append(Problem(origin, None, (), "это не анкета objcheck: нет "
                                        "служебного листа с версией. Создайте анкету командой "
                                        "objcheck template --format xlsx"))
        return
    version = _text(grid.value(SERVICE_SHEET, 1, 2) or "")
    if version != TEMPLATE_VERSION:
        builder.problems.append(Problem(origin, None, (), (
            f"анкета версии «{echo(version)}», а читается версия {TEMPLATE_VERSION}: "
            "перенесите ответы в новую анкету (objcheck template --format xlsx)")))
        return
    for spec in SHEETS:
        if spec.name not in grid.sheets:
            builder.problems.append(Problem(origin, None, (), f"нет листа «{spec.name}»"))
            continue
        for index, column in enumerate(spec.columns):
            header = grid.value(spec.name, HEADER_ROW, index + 1)
            if header != column.title:
                builder.fail(Cell(spec.name, HEADER_ROW, index, column.title),
                             f"заголовок изменён («{echo(header)}»): не меняйте столбцы анкеты")
        for merged in grid.merged.get(spec.name, []):
            builder.problems.append(Problem(origin, None, (), (
                f"лист «{spec.name}», ячейки {merged}: объединённые ячейки — разъедините "
                "их, в каждой ячейке одно значение")))


def _school(grid: Grid, builder: _Builder) -> None:
    spec = sheet("Школа")
    rows = list(_rows(grid, spec, builder))
    if len(rows) > 1:
        builder.fail(Cell(spec.name, rows[1][0], 0, spec.columns[0].title),
                     "сведения о школе — одна строка (строка 3)")
    found = rows[0][1] if rows else {}
    school: dict[str, Any] = {}
    for key in ("id", "name", "type", "region", "municipality", "oktmo", "website"):
        _put(builder, school, ("school",), key, found)
    sections: dict[str, Any] = {}
    for key, name in (("site_info", "info"), ("site_vsoko", "vsoko"),
                      ("site_results", "results")):
        _put(builder, sections, ("school", "site_sections"), key, found, name)
    if sections:
        school["site_sections"] = sections
    data = builder.data
    data["school"] = school
    if not {"id", "name"} <= school.keys():
        first = Cell(spec.name, FIRST_ROW, 0 if "id" not in school else 1,
                     spec.columns[0 if "id" not in school else 1].title)
        builder.fail(first, "обязательное поле не заполнено")
    _put(builder, data, (), "academic_year", found)
    lists: dict[str, Any] = {}
    _put(builder, lists, ("lists",), "federal_list", found, "federal")
    _put(builder, lists, ("lists",), "regional_list", found, "regional")
    if lists:
        data["lists"] = lists
    own: dict[str, Any] = {}
    _put(builder, own, ("self_assessment",), "self_level", found, "level")
    _put(builder, own, ("self_assessment",), "self_document", found, "document")
    _put(builder, own, ("self_assessment",), "self_date", found, "date")
    if own:
        data["self_assessment"] = own
    complete = [section for key, section in (("documents_complete", "documents"),
                                             ("activities_complete", "activities"))
                if key in found and found[key][0] is True]
    if complete:
        data["complete"] = complete


def _entries(grid: Grid, builder: _Builder, name: str, section: str,
             keys: tuple[str, ...]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for _row, found in _rows(grid, sheet(name), builder):
        entry: dict[str, Any] = {}
        loc: Loc = (section, len(entries))
        builder.cells[loc] = next(iter(found.values()))[1]
        for key in keys:
            _put(builder, entry, loc, key, found)
        entries.append(entry)
    return entries


def _documents(grid: Grid, builder: _Builder) -> None:
    entries: list[dict[str, Any]] = []
    for _row, found in _rows(grid, sheet("Документы"), builder):
        loc: Loc = ("documents", len(entries))
        builder.cells[loc] = next(iter(found.values()))[1]
        entry: dict[str, Any] = {}
        for key in ("id", "kind", "number", "date", "title", "procedures",
                    "uses_vpr_for_evaluation", "compares_external_internal",
                    "collegial_agreement"):
            _put(builder, entry, loc, key, found)
        published: dict[str, Any] = {}
        _put(builder, published, (*loc, "published"), "published_url", found, "url")
        _put(builder, published, (*loc, "published"), "published_date", found, "date")
        said = found.get("published")
        if said is not None and said[0] is False:
            entry["published"] = False
            builder.cells[(*loc, "published")] = said[1]
        elif published or said is not None:
            entry["published"] = published
            if said is not None:
                builder.cells[(*loc, "published")] = said[1]
        entries.append(entry)
    if entries:
        builder.data["documents"] = entries


def _people(grid: Grid, builder: _Builder) -> None:
    staff = _entries(grid, builder, "Сотрудники", "staff",
                     ("id", "name", "position", "subjects", "classes", "children"))
    if staff:
        builder.data["staff"] = staff
    people = _entries(grid, builder, "Люди вне школы", "people",
                      ("id", "name", "role", "employer", "children", "accreditation"))
    if people:
        builder.data["people"] = people


def _procedures(grid: Grid, builder: _Builder) -> None:
    procedures: list[dict[str, Any]] = []
    for _row, found in _rows(grid, sheet("Процедуры"), builder):
        loc: Loc = ("procedures", len(procedures))
        builder.cells[loc] = next(iter(found.values()))[1]
        entry: dict[str, Any] = {}
        for key in ("id", "kind", "subject", "grade", "classes", "date", "rooms",
                    "federal_control", "in_school_ppe"):
            _put(builder, entry, loc, key, found)
        _refs(builder, entry, loc, found, "organizers", ("organizer1", "organizer2",
                                                         "organizer3", "organizer4"))
        procedures.append(entry)
    if procedures:
        builder.data["procedures"] = procedures
    by_id = {entry.get("id"): (index, entry) for index, entry in enumerate(procedures)}
    _observers(grid, builder, by_id)
    _videos(grid, builder, by_id)
    _checkings(grid, builder, by_id)
    _results(grid, builder, by_id)


def _refs(builder: _Builder, target: dict[str, Any], loc: Loc, found: dict[str, Any],
          name: str, keys: tuple[str, ...]) -> None:
    picked = [found[key] for key in keys if key in found]
    if picked:
        target[name] = [value for value, _cell in picked]
        for pos, (_value, cell) in enumerate(picked):
            builder.cells[(*loc, name, pos)] = cell


ProcedureIndex = dict[Any, tuple[int, dict[str, Any]]]


def _procedure_of(builder: _Builder, found: dict[str, Any],
                  by_id: ProcedureIndex) -> tuple[Loc, dict[str, Any]] | None:
    if "procedure" not in found:
        cell = next(iter(found.values()))[1]
        builder.fail(Cell(cell.sheet, cell.row, 0, "Процедура"),
                     "не указана процедура (код с листа «Процедуры»)")
        return None
    proc_id, cell = found["procedure"]
    if proc_id not in by_id:
        builder.fail(cell, f"нет процедуры с кодом «{echo(proc_id)}» на листе «Процедуры»")
        return None
    index, entry = by_id[proc_id]
    return ("procedures", index), entry


def _observers(grid: Grid, builder: _Builder, by_id: ProcedureIndex) -> None:
    for _row, found in _rows(grid, sheet("Наблюдатели"), builder):
        owner = _procedure_of(builder, found, by_id)
        if owner is None:
            continue
        loc, procedure = owner
        observers = procedure.setdefault("observers", [])
        obs_loc: Loc = (*loc, "observers", len(observers))
        builder.cells[obs_loc] = found["procedure"][1]
        observer: dict[str, Any] = {}
        for key in ("person", "name", "type", "room", "accreditation", "relation"):
            _put(builder, observer, obs_loc, key, found)
        observers.append(observer)


def _one_per_procedure(grid: Grid, builder: _Builder, by_id: ProcedureIndex, name: str,
                       section: str) -> Iterator[tuple[Loc, dict[str, Any], dict[str, Any]]]:
    for _row, found in _rows(grid, sheet(name), builder):
        owner = _procedure_of(builder, found, by_id)
        if owner is None:
            continue
        loc, procedure = owner
        if section in procedure:
            builder.fail(found["procedure"][1],
                         f"для этой процедуры строка на листе «{name}» уже есть")
            continue
        builder.cells[(*loc, section)] = found["procedure"][1]
        yield (*loc, section), procedure, found


def _videos(grid: Grid, builder: _Builder, by_id: ProcedureIndex) -> None:
    for loc, procedure, found in _one_per_procedure(grid, builder, by_id, "Видео", "video"):
        said = found.get("recorded")
        video: dict[str, Any] = {}
        for key in ("rooms", "coverage", "checking_filmed", "storage", "storage_until", "hq",
                    "entrance"):
            _put(builder, video, loc, key, found)
        if said is not None and said[0] is False:
            if video:
                builder.fail(said[1], "видеонаблюдение не велось, а его подробности указаны")
            procedure["video"] = False
        else:
            procedure["video"] = video


def _checkings(grid: Grid, builder: _Builder, by_id: ProcedureIndex) -> None:
    for loc, procedure, found in _one_per_procedure(grid, builder, by_id, "Проверка работ",
                                                    "checking"):
        checking: dict[str, Any] = {}
        for key in ("mode", "criteria_agreed", "agreed_on", "recheck_share"):
            _put(builder, checking, loc, key, found)
        _refs(builder, checking, loc, found, "members", ("member1", "member2", "member3"))
        procedure["checking"] = checking


def _results(grid: Grid, builder: _Builder, by_id: ProcedureIndex) -> None:
    for loc, procedure, found in _one_per_procedure(grid, builder, by_id, "Результаты",
                                                    "results"):
        results: dict[str, Any] = {}
        for key in ("participants", "lowered", "confirmed", "raised"):
            _put(builder, results, loc, key, found)
        procedure["results"] = results


def _activities(grid: Grid, builder: _Builder) -> None:
    activities = _entries(grid, builder, "Мероприятия", "activities",
                          ("kind", "date", "title", "procedure"))
    if activities:
        builder.data["activities"] = activities


_SECTION_READERS: tuple[Callable[[Grid, _Builder], None], ...] = (
    _documents, _people, _procedures, _activities,
)

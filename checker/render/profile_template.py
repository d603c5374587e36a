"""The commented profile template written by ``objcheck init``.

Everything a school may state is in it, with the Russian title and description of every
field and the Russian names of every allowed value, all drawn from the profile models (so a
field added to a model appears here too). Only the school's own lines are active; every
example entry is commented out with «# » at the start of the line: removing those two
characters gives valid YAML. Explanations start with «## ». The template as written loads
and checks: a school that has said nothing yet (level «не определён»).
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from typing import Any

from pydantic import BaseModel

from checker.io.packs import RuleSelection
from checker.io.yamlio import load_fast
from checker.model.profile import SCHEMA_VERSION, Profile
from checker.model.profile_schema import value_titles

PLACEHOLDER = "ЗАМЕНИТЕ"
# The editors' schema, looked up beside the profile (``objcheck init`` writes it there).
SCHEMA_FILE = "profile-schema.json"

# One example entry per section (every field of the section's model appears in it), in the
# order the template shows them. Names are made up.
_EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "documents": [
        {
            "id": "order-objectivity",
            "kind": "order_objectivity",
            "number": "01-15/45",
            "date": dt.date(2024, 8, 29),
            "title": "Об обеспечении объективности оценочных процедур",
            "procedures": "all",
            "published": {"url": "https://school.example.ru/docs/45", "date": dt.date(2024, 9, 2)},
            "uses_vpr_for_evaluation": False,
            "compares_external_internal": True,
            "collegial_agreement": True,
        }
    ],
    "staff": [
        {
            "id": "t01",
            "name": "Иванова Анна Петровна",
            "position": "учитель математики",
            "subjects": ["математика"],
            "classes": ["5А", "6Б"],
            "children": [],
        }
    ],
    "people": [
        {
            "id": "p01",
            "name": "Петров Пётр Петрович",
            "role": "public_observer",
            "employer": "ООО «Пример»",
            "children": [],
            "accreditation": "ОН-123",
        }
    ],
    "procedures": [
        {
            "id": "vpr-ma-5",
            "kind": "ВПР",
            "subject": "математика",
            "grade": 5,
            "classes": ["5А", "5Б"],
            "date": dt.date(2025, 4, 15),
            "rooms": ["12", "14"],
            "federal_control": False,
            "in_school_ppe": False,
            "organizers": ["t01"],
            "observers": [
                {"person": "p01", "room": "12", "accreditation": "ОН-123", "relation": "none"},
                {"name": "Сидорова Мария Ивановна", "room": "14", "type": "authority",
                 "accreditation": False, "relation": "none"},
            ],
            "video": {
                "rooms": ["12", "14"],
                "coverage": "full",
                "checking_filmed": True,
                "storage": "сервер школы",
                "storage_until": dt.date(2025, 12, 31),
                "hq": False,
                "entrance": False,
            },
            "checking": {
                "mode": "school",
                "members": ["t01"],
                "criteria_agreed": True,
                "agreed_on": dt.date(2025, 4, 14),
                "recheck_share": 10,
            },
            "results": {
                "participants": 48, "lowered": 5, "confirmed": 40, "raised": 3,
                "scale": {"min3": 7, "min4": 12, "min5": 16},
                "classes": [{
                    "name": "5А", "participants": 24, "marks": {2: 3, 3: 10, 4: 8, 5: 3},
                    "lowered": 3, "confirmed": 19, "raised": 2, "differ_by_two": 0,
                    "journal_period": "четверть", "scores": {6: 3, 7: 4, 12: 5},
                    "previous": {"year": 2024, "participants": 25,
                                 "marks": {2: 4, 3: 11, 4: 7, 5: 3}},
                }],
            },
        },
        {
            "id": "oge-ru-9",
            "kind": "ОГЭ",
            "subject": "русский язык",
            "grade": 9,
            "date": dt.date(2025, 6, 3),
            "in_school_ppe": True,
            "remote_ppe": False,
            "video": {"hq": True, "entrance": True},
            "checking": {"mode": "regional"},
        },
    ],
    "activities": [
        {
            "kind": "results_analysis",
            "date": dt.date(2025, 5, 20),
            "title": "Анализ результатов ВПР по математике, 5 классы",
            "procedure": "vpr-ma-5",
        }
    ],
}
_EXAMPLE_LISTS = {
    "federal": False,
    "regional": False,
    "history": [{"kind": "regional", "year": 2023, "works": ["5 МА"],
                 "document": "приказ министерства № 100 от 01.09.2023"}],
}
_EXAMPLE_SELF = {
    "level": "высокий", "document": "справка по итогам ВПР", "date": dt.date(2025, 6, 1)
}
_EXAMPLE_SITE = {"info": True, "vsoko": True, "results": False}
_SECTION_TITLES = {
    "lists": "ПЕРЕЧНИ ОО С ПРИЗНАКАМИ НЕОБЪЕКТИВНЫХ РЕЗУЛЬТАТОВ",
    "documents": "ДОКУМЕНТЫ",
    "staff": "СОТРУДНИКИ",
    "people": "ЛЮДИ ВНЕ ШКОЛЫ (НАБЛЮДАТЕЛИ, ЭКСПЕРТЫ…)",
    "procedures": "ОЦЕНОЧНЫЕ ПРОЦЕДУРЫ (пример: одна ВПР и один ОГЭ)",
    "activities": "МЕРОПРИЯТИЯ",
    "self_assessment": "САМООЦЕНКА ШКОЛЫ",
}


def profile_template(
    region: str | None = None,
    municipality: str | None = None,
    selection: RuleSelection | None = None,
) -> str:
    """The template text; with ``selection``, its regional and municipal measures listed."""
    lines = [
        f"# yaml-language-server: $schema={SCHEMA_FILE}",
        "## Профиль школы для objcheck. Заполните и проверьте: objcheck check ЭТОТ_ФАЙЛ",
        "## «## » — пояснение; «# » в начале строки — пример: чтобы включить строку, удалите",
        "## два первых символа «# ». Поле, которого нет, — «не сообщено»; false или пустой",
        "## список [] — «не сделано». Даты: ДД.ММ.ГГГГ (29.08.2024) или ГГГГ-ММ-ДД.",
        "",
        f"schema_version: {SCHEMA_VERSION}",
        "",
        "## ШКОЛА (обязательно: код и наименование)",
        "school:",
    ]
    school = {
        "id": PLACEHOLDER, "name": PLACEHOLDER, "type": "СОШ", "region": region,
        "municipality": municipality, "oktmo": "04701000", "website": "https://school.example.ru",
        "site_sections": _EXAMPLE_SITE, "advanced_subjects": ["математика", "физика"],
    }
    for name, field in Profile.model_fields["school"].annotation.model_fields.items():  # type: ignore[union-attr]
        active = name in ("id", "name") or (name in ("region", "municipality")
                                            and school[name] is not None)
        value = school[name] if school[name] is not None else "…"
        lines += _field_lines(name, field.annotation, value, indent=2, active=active,
                              title=field.title, description=field.description)
    lines += ["", "## Учебный год, например 2024/2025",
              "# academic_year: 2024/2025", ""]
    lines += _section_lines()
    if selection is not None:
        lines += ["", *_checklist(selection)]
    return "\n".join(lines) + "\n"


def _section_lines() -> list[str]:
    lines = [
        "## ПОЛНОТА РАЗДЕЛОВ. Раздел, названный в complete, перечислен полностью: чего в нём",
        "## нет, то «не сделано». По умолчанию разделы неполные: чего нет — «не сообщено».",
        f"## Разделы: {_values_text(Profile.model_fields['complete'].annotation)}",
        "# complete: [documents, activities]",
        "",
    ]
    examples: dict[str, Any] = {**_EXAMPLES, "lists": _EXAMPLE_LISTS,
                                "self_assessment": _EXAMPLE_SELF}
    for section, heading in _SECTION_TITLES.items():
        field = Profile.model_fields[section]
        lines += [f"## {heading}", _comment(field)]
        lines += _field_lines(section, field.annotation, examples[section], indent=0,
                              active=False)
        lines.append("")
    lines += [
        "## Разделы inspection (выездная проверка) и exceptions (исключения) заполняются",
        "## командой objcheck inspect и по README («Исключения»).",
    ]
    return lines


def _comment(field: Any) -> str:
    return f"## {field.title}: {field.description}"


def _field_lines(
    name: str, annotation: Any, value: Any, indent: int, active: bool,
    title: str | None = None, description: str | None = None,
) -> list[str]:
    """``name: value`` (or a nested block) with its Russian comment, commented unless active."""
    prefix = "" if active else "# "
    pad = " " * indent
    allowed = _values_text(annotation)
    note = f"  ## {title}" if title else ""
    if description and description != title and not allowed:  # the values say it then
        note += f" — {description}" if note else f"  ## {description}"
    lines: list[str] = []
    model = _model_in(annotation)
    if isinstance(value, dict) and model is not None:
        lines.append(f"{prefix}{pad}{name}:{note}")
        lines += _model_lines(model, value, indent + 2, active)
    elif isinstance(value, list) and value and isinstance(value[0], dict) and model is not None:
        lines.append(f"{prefix}{pad}{name}:{note}")
        for item in value:
            item_lines = _model_lines(model, item, indent + 4, active)
            first = item_lines[0]
            cut = len(prefix) + indent + 2
            item_lines[0] = first[:cut] + "- " + first[cut + 2:]
            lines += item_lines
    else:
        lines.append(f"{prefix}{pad}{name}: {_scalar(value)}{note}")
    if allowed:
        lines.append(f"{prefix}{pad}## допустимо: {allowed}")
    return lines


def _model_lines(model: type[BaseModel], value: dict[str, Any], indent: int,
                 active: bool) -> list[str]:
    lines: list[str] = []
    for name, field in model.model_fields.items():
        if name in value:
            lines += _field_lines(name, field.annotation, value[name], indent, active,
                                  title=field.title, description=field.description)
    return lines


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _literal_values(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) is typing.Literal:
        return [v for v in typing.get_args(annotation) if isinstance(v, str)]
    return [v for argument in typing.get_args(annotation) for v in _literal_values(argument)]


def _values_text(annotation: Any) -> str:
    """«value — title; …» for the enumerations in ``annotation`` (not those of nested models)."""
    if _model_in(annotation) is not None and typing.get_origin(annotation) is not typing.Literal:
        annotation = [a for a in typing.get_args(annotation) if _model_in(a) is None]
    values = _literal_values(annotation) if not isinstance(annotation, list) else [
        v for a in annotation for v in _literal_values(a)]
    titles = value_titles(values) if len(values) > 1 else None
    if not titles:
        return ""
    return "; ".join(value if titles[value] == value else f"{value} — {titles[value]}"
                     for value in values)


def _scalar(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    if isinstance(value, dict):  # a plain mapping (mark → count): YAML flow style
        return "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if _reads_back(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _reads_back(text: str) -> bool:
    """Whether ``text`` written plain is read back as the same string."""
    if not text or text != text.strip() or any(c in text for c in "#:[]{},&*!|>'\"%@`"):
        return False
    return bool(load_fast(f"k: {text}\n", "<шаблон>") == {"k": text})


def _checklist(selection: RuleSelection) -> list[str]:
    """The measures of the school's regional and municipal packs, as a checklist."""
    local = [pack for pack in selection.packs if pack.layer != "federal"]
    lines = ["## МЕРЫ РЕГИОНАЛЬНЫХ И МУНИЦИПАЛЬНЫХ ПАКЕТОВ ДЛЯ ЭТОЙ ШКОЛЫ (сверьте, что профиль",
             "## говорит о каждой; федеральные меры — objcheck rules list)"]
    lines += [f"## {warning}" for warning in selection.warnings]
    if not local:
        return [*lines, "## для этого места пакетов нет: применяются только федеральные меры"]
    for pack in local:
        lines.append(f"## Пакет «{_one_line(pack.title)}»:")
        for rule in pack.rules:
            lines.append(f"##   [ ] {rule.id} {_one_line(rule.title)}")
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())

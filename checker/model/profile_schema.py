"""The profile's JSON Schema as editors use it: Russian titles for every enumerated value,
Russian dates, an ``$id`` and a Russian root description.

Editors differ in where they read the title of an enumerated value: the YAML extension of
VS Code (yaml-language-server) shows ``enumDescriptions`` / ``markdownEnumDescriptions`` in
completion and on hover, JetBrains IDEs ``x-intellij-enum-metadata``; ``x-enumNames`` is the
common convention of form generators. ``enum`` itself is kept, so every editor completes and
validates the values.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from checker.model.profile import ENUM_TITLES, Profile

SCHEMA_ID = "https://objcheck.example.org/schema/profile-2.json"
RUSSIAN_DATE_PATTERN = r"^(\d{4}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{4})$"

ROOT_DESCRIPTION = (
    "Профиль школы для objcheck: что школа документально сделала для объективности "
    "оценочных процедур за учебный год. Поле без значения — «не сообщено»; false или "
    "пустой список [] — «не сделано». Даты — ДД.ММ.ГГГГ или ГГГГ-ММ-ДД. Шаблон с "
    "комментариями: objcheck init."
)
ROOT_EXAMPLE: dict[str, Any] = {
    "schema_version": 2,
    "school": {"id": "2466001234", "name": "МБОУ СОШ № 1", "region": "Красноярский край"},
    "academic_year": "2024/2025",
    "procedures": [{"id": "vpr-ma-5", "kind": "ВПР", "subject": "математика", "grade": 5}],
}


# Russian title and description of each object of the profile (the models' docstrings are
# for developers, in English).
DEFINITION_TEXTS: dict[str, tuple[str, str]] = {
    "Activity": ("Мероприятие", "Что школа сделала для объективности: анализ, собрание, "
                 "обучение…"),
    "Checking": ("Проверка работ", "Кто и как проверял работы"),
    "Document": ("Документ", "Локальный акт, приказ, план или отчёт школы"),
    "Inspection": ("Выездная проверка", "Результаты выездной проверки; отделены от сведений "
                   "самой школы"),
    "InspectionEvidence": ("Подтверждение", "Что видел проверяющий: документ (номер и "
                           "дата) или фото / файл"),
    "InspectionVerdict": ("Вердикт проверяющего", "Вердикт по одной мере: для одного "
                          "субъекта или для школы в целом"),
    "Listing": ("Год в перечне", "Один год в перечне ОО с признаками необъективных "
                "результатов"),
    "Lists": ("Перечни", "Включалась ли школа в перечни ОО с признаками необъективных "
              "результатов"),
    "Observer": ("Наблюдатель", "Наблюдатель на процедуре: человек из реестра (person) или "
                 "с ФИО и типом"),
    "Person": ("Человек вне школы", "Наблюдатель, эксперт, представитель органа управления "
               "образованием, педагог другой школы…"),
    "Procedure": ("Процедура", "Оценочная процедура: одна работа по одному предмету в одной "
                  "параллели"),
    "Publication": ("Публикация", "Где и когда документ опубликован на сайте школы"),
    "Results": ("Результаты", "Сравнение отметок за работу с отметками по журналу; "
                "результаты по классам"),
    "ClassResult": ("Результат класса", "Результат одного класса в работе, по классу в целом "
                    "(строк учеников в профиле нет)"),
    "MarkScale": ("Шкала отметок", "Наименьший первичный балл для «3», «4» и «5»"),
    "PreviousYear": ("Год назад", "Результат того же класса (когорты) в этой работе годом "
                     "раньше"),
    "School": ("Школа", "Сведения о школе: наименование, коды, место, сайт"),
    "SelfAssessment": ("Самооценка", "Уровень объективности, который школа дала себе сама"),
    "SiteSections": ("Разделы сайта", "Какие разделы есть на сайте школы: true — есть, "
                     "false — нет"),
    "Staff": ("Работник", "Работник школы"),
    "Video": ("Видеонаблюдение", "Видеонаблюдение на процедуре"),
    "Waiver": ("Исключение", "Мера, которая не выполняется по согласованной причине, со "
               "сроком действия"),
    "WaiverApproval": ("Согласование", "Кто и каким документом согласовал исключение"),
}


def value_titles(values: list[Any]) -> dict[Any, str] | None:
    """Russian titles of the values of one enumeration (None when it has none: numbers)."""
    if not values or not all(isinstance(value, str) for value in values):
        return None
    candidates = [titles for titles in ENUM_TITLES if all(v in titles for v in values)]
    if not candidates:
        return None
    chosen = min(candidates, key=len)
    return {value: chosen[value] for value in values}


class _EditorSchema(GenerateJsonSchema):
    def literal_schema(self, schema: core_schema.LiteralSchema) -> JsonSchemaValue:
        result = super().literal_schema(schema)
        values = result.get("enum") or ([result["const"]] if "const" in result else [])
        titles = value_titles(list(values))
        if titles is not None:
            names = [titles[value] for value in values]
            result["enumDescriptions"] = names
            result["markdownEnumDescriptions"] = names
            result["x-enumNames"] = names
            result["x-intellij-enum-metadata"] = {
                value: {"description": titles[value]} for value in values
            }
        return result

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        # A YAML date is a string to editors' YAML 1.2 parsers; both spellings are accepted.
        return {
            "type": "string",
            "pattern": RUSSIAN_DATE_PATTERN,
            "examples": ["29.08.2024", "2024-08-29"],
        }


def profile_json_schema() -> dict[str, Any]:
    """The profile schema written to docs/profile-schema.json and printed by objcheck schema."""
    schema = Profile.model_json_schema(schema_generator=_EditorSchema)
    for name, definition in schema.get("$defs", {}).items():
        title, description = DEFINITION_TEXTS[name]
        definition["title"] = title
        definition["description"] = description
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "Профиль школы",
        "description": ROOT_DESCRIPTION,
        "examples": [ROOT_EXAMPLE],
    }

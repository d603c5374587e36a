"""Filling a profile without reading Python: the editors' schema in Russian, Russian dates,
Russian error messages that name the field on its own line."""

from __future__ import annotations

import datetime as dt
import errno
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from checker.cli.main import app
from checker.io.files import os_reason
from checker.io.load import load_profile
from checker.io.yamlio import load_fast
from checker.model.errors import InputError
from checker.model.profile_schema import profile_json_schema

from .conftest import FIXTURES, RULES

runner = CliRunner()
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every property of the root and of every definition, with a readable path."""
    found = [(f"Profile.{name}", prop) for name, prop in schema["properties"].items()]
    for owner, definition in schema["$defs"].items():
        found += [(f"{owner}.{name}", prop) for name, prop in definition["properties"].items()]
    return found


def _enums(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if "enum" in node or "const" in node else []
        return own + [found for value in node.values() for found in _enums(value)]
    if isinstance(node, list):
        return [found for value in node for found in _enums(value)]
    return []


def test_every_field_and_object_has_a_russian_title_and_description() -> None:
    schema = profile_json_schema()
    for path, prop in _properties(schema):
        assert CYRILLIC.search(prop.get("title", "")), f"{path}: нет русского title"
        assert CYRILLIC.search(prop.get("description", "")), f"{path}: нет русского description"
    for name, definition in schema["$defs"].items():
        assert CYRILLIC.search(definition["title"]), name
        assert CYRILLIC.search(definition["description"]), name


def test_every_text_enum_value_has_a_russian_title_for_each_editor() -> None:
    enums = [node for node in _enums(profile_json_schema()) if "enum" in node]
    text_enums = [node for node in enums if all(isinstance(v, str) for v in node["enum"])]
    assert len(text_enums) >= 12  # kinds, roles, modes, sections… (not only the numbers)
    for node in text_enums:
        values = node["enum"]
        names = node["enumDescriptions"]
        assert len(names) == len(values)
        assert all(CYRILLIC.search(name) for name in names), values
        assert node["markdownEnumDescriptions"] == names
        assert node["x-enumNames"] == names
        metadata = node["x-intellij-enum-metadata"]
        assert {value: metadata[value]["description"] for value in values} == dict(
            zip(values, names, strict=True)
        )


def test_a_value_shared_by_enumerations_keeps_its_own_meaning() -> None:
    """«none» is «нет связи» for a relation and «ни одной аудитории» for video coverage."""
    defs = profile_json_schema()["$defs"]
    relation = defs["Observer"]["properties"]["relation"]["anyOf"][0]
    coverage = defs["Video"]["properties"]["coverage"]["anyOf"][0]
    none_title = dict(zip(relation["enum"], relation["enumDescriptions"], strict=True))["none"]
    assert none_title == "нет связи со школой"
    coverage_titles = dict(zip(coverage["enum"], coverage["enumDescriptions"], strict=True))
    assert coverage_titles["none"] == "ни одной аудитории"


def test_schema_has_an_id_a_russian_root_and_examples_that_validate() -> None:
    schema = profile_json_schema()
    assert schema["$id"].startswith("https://")
    assert CYRILLIC.search(schema["description"])
    jsonschema.Draft202012Validator.check_schema(schema)
    for example in schema["examples"]:
        jsonschema.validate(example, schema)


def _as_editor_sees(value: Any) -> Any:
    """YAML as an editor's YAML 1.2 parser reads it: dates are strings."""
    if isinstance(value, dict):
        return {key: _as_editor_sees(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_editor_sees(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.yaml")))
def test_every_fixture_is_valid_for_the_editor_schema(fixture: str) -> None:
    text = (FIXTURES / fixture).read_text("utf-8")
    data = _as_editor_sees(load_fast(text, fixture))
    jsonschema.validate(data, profile_json_schema())


def test_editor_schema_accepts_russian_dates_and_rejects_others() -> None:
    schema = profile_json_schema()
    procedure: dict[str, Any] = {"id": "v", "kind": "ВПР"}
    profile = {"school": {"id": "s", "name": "Ш"}, "procedures": [procedure]}
    procedure["date"] = "15.04.2025"
    jsonschema.validate(profile, schema)
    procedure["date"] = "15 апреля"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(profile, schema)


PROFILE = """\
schema_version: 2
school:
  id: s1
  name: Школа
documents:
  - id: d1
    kind: order_objectivity
    date: 29.08.2024
    published:
      url: https://school.example.ru/d1
      date: 2024-09-02
procedures:
  - id: v1
    kind: ВПР
    date: 15.04.2025
"""


def test_russian_and_iso_dates_are_read_as_dates() -> None:
    profile = load_profile(PROFILE, "p.yaml")
    assert profile.documents is not None and profile.procedures is not None
    assert profile.documents[0].date == dt.date(2024, 8, 29)
    published = profile.documents[0].published
    assert published and published.date == dt.date(2024, 9, 2)
    assert profile.procedures[0].date == dt.date(2025, 4, 15)


def test_a_quoted_russian_date_is_text_where_text_is_expected() -> None:
    profile = load_profile(PROFILE.replace("kind: ВПР", "kind: ВПР\n    subject: '01.02.2025'"),
                           "p.yaml")
    assert profile.procedures is not None and profile.procedures[0].subject == "01.02.2025"


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as raised:
        load_profile(text, "p.yaml")
    return [str(problem) for problem in raised.value.problems]


def test_a_russian_date_that_does_not_exist_names_the_field_on_its_own_line() -> None:
    assert _problems(PROFILE.replace("29.08.2024", "31.02.2024")) == [
        "p.yaml:8: documents[0].date: несуществующая дата «31.02.2024»"
    ]
    assert _problems(PROFILE.replace("2024-09-02", "2024-09-31")) == [
        "p.yaml:11: documents[0].published.date: несуществующая дата «2024-09-31»"
    ]


def test_a_date_in_quotes_names_the_field_date_not_its_entry() -> None:
    """«date» is also a pydantic union label; it used to be dropped, pointing at the entry."""
    problems = _problems(PROFILE.replace("date: 15.04.2025", "date: '15.04.2025'"))
    assert problems == [
        "p.yaml:15: procedures[0].date: ожидается дата ДД.ММ.ГГГГ или ГГГГ-ММ-ДД (без кавычек), "
        "получено «15.04.2025» (строка)"
    ]


def test_a_field_of_an_optional_object_named_like_a_type_is_kept() -> None:
    text = PROFILE + "self_assessment:\n  level: высокий\n  date: завтра\n"
    assert _problems(text)[0].startswith("p.yaml:18: self_assessment.date: ")


def test_enum_errors_are_entirely_russian() -> None:
    (problem,) = _problems(PROFILE.replace("kind: order_objectivity", "kind: order"))
    assert "недопустимое значение «order»" in problem
    assert " или 'other'" in problem and " or " not in problem


def test_an_unknown_pydantic_error_is_not_echoed_in_english() -> None:
    (problem,) = _problems(PROFILE.replace("kind: ВПР", "kind: ВПР\n    grade: 5.5"))
    assert "procedures[0].grade" in problem
    message = problem.split(": ", 2)[2]
    assert not LATIN_WORD.search(message), message


@pytest.mark.parametrize("code", [errno.ENAMETOOLONG, errno.EISDIR, errno.EIO, errno.ECONNRESET])
def test_os_errors_are_explained_in_russian(code: int) -> None:
    reason = os_reason(OSError(code, "Some English text"))
    assert CYRILLIC.search(reason) and "English" not in reason


def test_missing_profile_file_is_reported_in_russian(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "нет.yaml"), "--rules", str(RULES)])
    assert result.exit_code == 2
    assert "нет такого файла" in result.output
    assert "No such file" not in result.output


def test_schema_file_on_disk_is_the_editor_schema() -> None:
    on_disk = json.loads((FIXTURES.parent / "docs" / "profile-schema.json").read_text("utf-8"))
    assert on_disk["$id"] == profile_json_schema()["$id"]


@pytest.mark.parametrize("text", [
    "a: b: c\n", "a: @x\n", 'a: "\\q"\n', "a: !foo x\n", "a: 1\n---\nb: 2\n", "a: [1, 2\n",
    "a:\n  b: 1\n c: 2\n", "a: 'x\n",
])
def test_yaml_syntax_errors_are_explained_in_russian(text: str) -> None:
    with pytest.raises(InputError) as raised:
        load_fast(text, "p.yaml")
    message = raised.value.problems[0].message.replace("YAML", "")  # the format's name
    assert raised.value.problems[0].line is not None
    assert not LATIN_WORD.search(message), message

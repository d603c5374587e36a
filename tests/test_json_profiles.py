"""JSON profiles: the same schema and verdicts as YAML, located errors, ``objcheck convert``,
batch finding ``*.json``; and the YAML tag cache shared across files."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from typer.testing import CliRunner

from checker.batch.export import write_all
from checker.batch.run import BatchOptions, collect_files, run_batch
from checker.cli.main import app
from checker.core.check import Checker
from checker.io.convert import convert_text
from checker.io.load import load_profile, read_profile
from checker.io.yamlio import load_fast
from checker.model.errors import InputError
from checker.testing.synthetic import write_profiles
from tests.conftest import FIXTURES

runner = CliRunner()
AS_OF = dt.date(2024, 5, 1)
FIXTURE_FILES = sorted(FIXTURES.rglob("*.yaml"))


def _as_json(path: Path) -> str:
    """The file's YAML data written as JSON by the standard library (not by objcheck)."""
    data = load_fast(path.read_text(encoding="utf-8"), str(path))
    return json.dumps(data, ensure_ascii=False, indent=1,
                      default=lambda value: value.isoformat())


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_json_profile_gives_the_same_profile_and_report_as_yaml(
    fixture: Path, tmp_path: Path, checker: Checker
) -> None:
    target = tmp_path / f"{fixture.stem}.json"
    target.write_text(_as_json(fixture), encoding="utf-8")
    from_yaml, from_json = read_profile(fixture), read_profile(target)
    assert from_json == from_yaml
    before = checker.check(from_yaml, AS_OF, "school")
    after = checker.check(from_json, AS_OF, "school")
    assert after.model_dump() == before.model_dump()


def _problems(text: str, name: str = "school.json") -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as caught:
        load_profile(text, name)
    return [(p.line, ".".join(map(str, p.loc)), p.message) for p in caught.value.problems]


def test_json_validation_error_has_line_and_field() -> None:
    text = _as_json(FIXTURES / "school-silent.yaml").replace(
        '"schema_version": 2', '"schema_version": "два"')
    ((line, loc, message),) = _problems(text)
    assert loc == "schema_version"
    assert line == text.splitlines().index(' "schema_version": "два",') + 1
    assert "«два»" in message


def test_json_date_must_be_an_iso_date_in_russian() -> None:
    data = json.loads(_as_json(FIXTURES / "kamenskaya-2022.yaml"))
    data["documents"][0]["date"] = "01.09.2021"
    text = json.dumps(data, ensure_ascii=False, indent=1)
    ((line, loc, message),) = _problems(text)
    # the field and its own line, not the parent document's
    assert loc == "documents.0.date"
    assert line is not None
    assert '"date": "01.09.2021"' in text.splitlines()[line - 1]
    assert message == ("ожидается дата ГГГГ-ММ-ДД (в YAML можно и ДД.ММ.ГГГГ), получено "
                       "«01.09.2021» (строка)")


def test_json_syntax_error_has_line_and_column() -> None:
    ((line, _loc, message),) = _problems('{\n "schema_version": 2,\n "school": }\n')
    assert line == 3
    assert message == "ожидалось значение (столбец 12)"


@pytest.mark.parametrize("depth", [300, 100_000])
def test_deeply_nested_json_is_refused_without_a_traceback(depth: int) -> None:
    ((_line, _loc, message),) = _problems('{"a":' * depth + "1" + "}" * depth)
    assert "вложенность списков и словарей" in message


def test_json_duplicate_key_is_refused_with_its_line() -> None:
    ((line, _loc, message),) = _problems('{"schema_version": 2,\n "schema_version": 1}')
    assert line == 2
    assert "повторяющийся ключ «schema_version»" in message


@pytest.mark.parametrize(("text", "expected"), [
    ("null", "файл пуст"), ("[1, 2]", "должен содержать словарь"),
])
def test_json_that_is_not_an_object_is_refused(text: str, expected: str) -> None:
    ((line, _loc, message),) = _problems(text)
    assert line == 1
    assert expected in message


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_convert_round_trip_keeps_the_profile(fixture: Path) -> None:
    text = fixture.read_text(encoding="utf-8")
    as_json = convert_text(text, str(fixture), "school.json")
    back = convert_text(as_json, "school.json", "school.yaml")
    original = load_profile(text, str(fixture))
    assert load_profile(as_json, "school.json") == original
    assert load_profile(back, "school.yaml") == original
    assert json.loads(as_json)["school"]["id"] == original.school.id


def test_convert_keeps_explicit_not_done_apart_from_absent() -> None:
    """``published: false`` (не сделано) must not turn into an absent field (не сообщено)."""
    text = (FIXTURES / "school-exemplary.yaml").read_text(encoding="utf-8")
    data = json.loads(convert_text(text, "school.yaml", "school.json"))
    source = load_fast(text, "school.yaml")
    assert data.keys() == source.keys()
    assert [d.keys() for d in data["documents"]] == [d.keys() for d in source["documents"]]


def test_convert_cli_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "school.json"
    source = str(FIXTURES / "school-exemplary.yaml")
    first = runner.invoke(app, ["convert", source, str(target)])
    assert first.exit_code == 0, first.output
    written = target.read_bytes()
    target.write_text("{}", encoding="utf-8")
    refused = runner.invoke(app, ["convert", source, str(target)])
    assert refused.exit_code == 2
    assert "уже существует" in refused.output
    assert target.read_text(encoding="utf-8") == "{}"
    forced = runner.invoke(app, ["convert", source, str(target), "--force"])
    assert forced.exit_code == 0
    assert target.read_bytes() == written
    assert [p.name for p in tmp_path.iterdir()] == ["school.json"]  # no temporary left


def test_convert_keeps_the_source_files_permissions(tmp_path: Path) -> None:
    """A profile names people: a private source must not become a world-readable copy."""
    source = tmp_path / "school.yaml"
    shutil.copy(FIXTURES / "school-exemplary.yaml", source)
    source.chmod(0o600)
    result = runner.invoke(app, ["convert", str(source), str(tmp_path / "school.json")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "school.json").stat().st_mode & 0o777 == 0o600


def test_convert_cli_refuses_an_invalid_profile_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("schema_version: 2\nschool: {id: x}\n", encoding="utf-8")
    result = runner.invoke(app, ["convert", str(source), str(tmp_path / "bad.json")])
    assert result.exit_code == 2
    assert "bad.yaml:2" in result.output
    assert not (tmp_path / "bad.json").exists()


def test_inspect_and_migrate_refuse_a_json_profile(tmp_path: Path) -> None:
    target = tmp_path / "school.json"
    target.write_text(_as_json(FIXTURES / "school-silent.yaml"), encoding="utf-8")
    result = runner.invoke(app, ["migrate", str(target)])
    assert result.exit_code == 2
    assert "objcheck convert" in result.output
    assert target.read_text(encoding="utf-8") == _as_json(FIXTURES / "school-silent.yaml")


def test_batch_finds_json_profiles_and_gives_the_same_outputs(tmp_path: Path) -> None:
    yaml_dir, json_dir = tmp_path / "yaml", tmp_path / "json"
    write_profiles(yaml_dir, 4, seed=11)
    shutil.copy(FIXTURES / "school-exemplary.yaml", yaml_dir / "exemplary.yaml")
    json_dir.mkdir()
    for path in sorted(yaml_dir.rglob("*.yaml")):
        (json_dir / f"{path.stem}.json").write_text(_as_json(path), encoding="utf-8")
    assert len(collect_files([str(json_dir)])[0]) == 5
    options = BatchOptions(as_of=AS_OF)
    outputs = []
    for folder in (yaml_dir, json_dir):
        result = run_batch([str(folder)], options, workers=1)
        assert not result.errors
        write_all(result, tmp_path / f"out-{folder.name}")
        summary = json.loads((tmp_path / f"out-{folder.name}" / "summary.json").read_text(
            encoding="utf-8"))
        outputs.append(_without_files(summary))
    assert outputs[0] == outputs[1]


def _without_files(value: Any) -> Any:
    """The summary with file names (which differ by their suffix) left out."""
    if isinstance(value, dict):
        return {k: _without_files(v) for k, v in value.items() if k not in {"file", "files"}}
    if isinstance(value, list):
        return [_without_files(v) for v in value]
    return value


def test_yaml_tag_cache_is_shared_across_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The C loader builds a new resolver per file: the cache must outlive it, so a second
    file with the same values resolves no plain scalar again."""
    text = (FIXTURES / "school-exemplary.yaml").read_text(encoding="utf-8")
    load_fast(text, "first.yaml")
    resolved: list[str] = []
    original = VersionedResolver.resolve

    def counting(self: Any, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            resolved.append(value)
        return original(self, kind, value, implicit)

    monkeypatch.setattr(VersionedResolver, "resolve", counting)
    assert load_fast(text, "second.yaml") == load_fast(text, "third.yaml")
    assert resolved == []

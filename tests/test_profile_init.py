"""`objcheck init`: a commented template that loads and checks as written, whose examples
are a valid profile once uncommented, with every field explained and every value named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel
from typer.testing import CliRunner

from checker.cli.main import app
from checker.core.check import Checker
from checker.io.load import load_profile
from checker.io.packs import RuleBook
from checker.model.findings import Outcome
from checker.model.profile import (
    ACTIVITY_KIND_TITLES,
    CHECKING_MODE_TITLES,
    DOCUMENT_KIND_TITLES,
    OBSERVER_TYPE_TITLES,
    PERSON_ROLE_TITLES,
    PROCEDURE_KIND_TITLES,
    Profile,
)
from checker.render.profile_template import profile_template

from .conftest import FIXTURES, RULES

runner = CliRunner()


def _uncommented(template: str) -> str:
    """The template with every example line switched on (its leading «# » removed)."""
    return "\n".join(
        line[2:] if line.startswith("# ") and "yaml-language-server" not in line else line
        for line in template.splitlines()
    )


def test_template_as_written_loads_and_says_nothing(checker: Checker) -> None:
    profile = load_profile(profile_template(), "шаблон.yaml")
    report = checker.check(profile, as_of=dt.date(2025, 5, 1))
    assert report.level.level == "не определён"
    assert report.findings
    assert {f.outcome for f in report.findings} == {Outcome.UNKNOWN}


def _fields_used(model: BaseModel, used: dict[type[BaseModel], set[str]]) -> None:
    used.setdefault(type(model), set()).update(model.model_fields_set)
    for name in model.model_fields_set:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                _fields_used(item, used)


def test_uncommented_examples_are_a_valid_profile_using_every_field() -> None:
    profile = load_profile(_uncommented(profile_template()), "шаблон.yaml")
    assert profile.procedures is not None and profile.people is not None
    assert [p.kind for p in profile.procedures] == ["ВПР", "ОГЭ"]
    used: dict[type[BaseModel], set[str]] = {}
    _fields_used(profile, used)
    skipped = {"inspection", "exceptions", "incomplete"}  # written by other means (README)
    for model, names in used.items():
        missing = set(model.model_fields) - names - (skipped if model is Profile else set())
        assert not missing, f"{model.__name__}: {sorted(missing)}"


def test_every_value_of_the_profile_enumerations_is_named_in_russian() -> None:
    template = profile_template()
    for titles in (DOCUMENT_KIND_TITLES, ACTIVITY_KIND_TITLES, PROCEDURE_KIND_TITLES,
                   PERSON_ROLE_TITLES, OBSERVER_TYPE_TITLES, CHECKING_MODE_TITLES):
        for value, title in titles.items():
            assert f"{value} — {title}" in template


def test_every_example_line_explains_its_field_in_russian() -> None:
    for line in profile_template().splitlines():
        if line.startswith("# ") and ":" in line and "yaml-language-server" not in line:
            key = line[2:].strip().removeprefix("- ").split(":")[0]
            if key in Profile.model_fields:  # a section: explained on the line above
                continue
            assert "## " in line, line


def test_region_and_municipality_list_their_pack_measures(rulebook: RuleBook) -> None:
    selection = rulebook.select("Красноярский край", "Богучанский район")
    template = profile_template("Красноярский край", "Богучанский район", selection)
    local_rules = [r.id for p in selection.packs if p.layer != "federal" for r in p.rules]
    assert local_rules
    for rule_id in local_rules:
        assert f"##   [ ] {rule_id} " in template
    profile = load_profile(template, "шаблон.yaml")
    assert profile.school.region == "Красноярский край"
    assert profile.school.municipality == "Богучанский район"


def test_a_place_without_packs_says_only_federal_measures_apply(rulebook: RuleBook) -> None:
    selection = rulebook.select("Тверская область", None)
    template = profile_template("Тверская область", None, selection)
    assert "применяются только федеральные меры" in template
    assert "[ ]" not in template


def test_init_writes_the_template_and_the_schema_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "school.yaml"
    first = runner.invoke(app, ["init", "--output", str(target)])
    assert first.exit_code == 0, first.output
    assert target.read_text("utf-8") == profile_template()
    assert (tmp_path / "profile-schema.json").is_file()
    target.write_text("мой профиль\n", encoding="utf-8")
    again = runner.invoke(app, ["init", "--output", str(target)])
    assert again.exit_code == 2
    assert "уже есть" in again.output and "--force" in again.output
    assert target.read_text("utf-8") == "мой профиль\n"
    forced = runner.invoke(app, ["init", "--output", str(target), "--force"])
    assert forced.exit_code == 0
    assert target.read_text("utf-8") == profile_template()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profile-schema.json", "school.yaml"]


def test_init_with_region_prints_the_checklist(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--region", "Красноярский край", "--municipality",
                                 "Богучанский район", "--rules", str(RULES)])
    assert result.exit_code == 0
    assert "[ ] BOG-001" in result.output


def test_init_into_a_missing_folder_is_a_russian_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--output", str(tmp_path / "нет" / "school.yaml")])
    assert result.exit_code == 2
    assert "нет такого файла или каталога" in result.output
    assert "Traceback" not in result.output


def test_the_template_fixture_is_the_current_template() -> None:
    """fixtures/profile-template.yaml is checked against its expected outcomes (all «не
    сообщено») with the other fixtures; it must be what objcheck init writes today."""
    fixture = FIXTURES / "profile-template.yaml"
    assert fixture.read_text("utf-8") == profile_template(), (
        "обновите: objcheck init > fixtures/profile-template.yaml")

"""docs/rules-authoring.md and docs/pack-schema.json are generated and must be current; the
guide's worked examples are packs that load and cases that pass, and every fact field the
guide lists has a Russian meaning."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli.main import app
from checker.core.check import Checker
from checker.io.packs import load_rulebook
from checker.model.factkinds import FACT_KINDS
from checker.model.profile import Profile
from checker.model.rulepack import RulePack
from checker.render.authoring import CASE_EXAMPLE, FORMS, example_pack, render_authoring_guide
from checker.testing.cases import case_profile, load_cases

from .conftest import ROOT, RULES

DOCS = ROOT / "docs"
runner = CliRunner()


def test_guide_is_current() -> None:
    on_disk = (DOCS / "rules-authoring.md").read_text("utf-8")
    assert on_disk == render_authoring_guide(), (
        "docs/rules-authoring.md устарел: ./dev objcheck rules guide > docs/rules-authoring.md"
    )


def test_guide_command_prints_the_guide() -> None:
    result = runner.invoke(app, ["rules", "guide"])
    assert result.exit_code == 0
    assert result.output == render_authoring_guide()


def test_pack_schema_is_current() -> None:
    on_disk = json.loads((DOCS / "pack-schema.json").read_text("utf-8"))
    assert on_disk == RulePack.model_json_schema(), (
        "docs/pack-schema.json устарел: ./dev objcheck schema pack > docs/pack-schema.json"
    )


def test_every_fact_field_has_a_russian_meaning() -> None:
    missing = [f"{kind.name}.{name}" for kind in FACT_KINDS.values()
               for name in kind.fields if not kind.descriptions.get(name)]
    assert not missing, f"добавьте описание поля в checker/model/factkinds.py: {missing}"


def test_guide_lists_every_fact_kind_and_field() -> None:
    guide = render_authoring_guide()
    for kind in FACT_KINDS.values():
        assert f"### `{kind.name}` — {kind.title}" in guide
        for name in kind.fields:
            assert f"| `{name}` |" in guide


@pytest.fixture(scope="module")
def example_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped federal packs plus one pack holding every worked example of the guide."""
    rules = tmp_path_factory.mktemp("guide") / "rules"
    shutil.copytree(RULES / "federal", rules / "federal")
    pack = rules / "regional" / "krasnoyarsk" / "example.yaml"
    pack.parent.mkdir(parents=True)
    head = example_pack(FORMS[0])
    pack.write_text(head + "".join(form.yaml for form in FORMS[1:]), "utf-8")
    return rules


def test_worked_examples_load(example_rules: Path) -> None:
    for form in FORMS:
        assert form.yaml in render_authoring_guide()
    book = load_rulebook(example_rules)
    example = next(p for p in book.packs if p.pack == "example")
    assert [r.id for r in example.rules] == ["EXM-001", "EXM-002", "EXM-003", "EXM-004"]


def test_case_example_passes(example_rules: Path, tmp_path: Path) -> None:
    cases_path = tmp_path / "example.cases.yaml"
    cases_path.write_text(CASE_EXAMPLE, "utf-8")
    book = load_rulebook(example_rules)
    example = next(p for p in book.packs if p.pack == "example")
    checker = Checker(book)
    cases = load_cases(cases_path)["EXM-001"]
    assert {c.expect.value for c in cases} == {"met", "gap", "unknown"}
    for case in cases:
        data = case_profile(
            case, example.scope.region, example.scope.municipality, example.scope.schools
        )
        report = checker.check(Profile.model_validate(data), dt.date(2024, 3, 1))
        finding = next(f for f in report.findings if f.rule_id == "EXM-001")
        assert finding.outcome is case.expect, case.name

"""docs/rules.md is generated from the packs and must be current."""

from __future__ import annotations

from typer.testing import CliRunner

from checker.cli.main import app
from checker.io.packs import RuleBook
from checker.render.catalogue import render_catalogue

from .conftest import ROOT

CATALOGUE = ROOT / "docs" / "rules.md"


def test_catalogue_is_current(rulebook: RuleBook) -> None:
    expected = render_catalogue(rulebook) + "\n"
    assert CATALOGUE.read_text(encoding="utf-8") == expected, (
        "docs/rules.md устарел: выполните ./dev objcheck rules catalogue > docs/rules.md"
    )


def test_catalogue_lists_every_rule(rulebook: RuleBook) -> None:
    text = render_catalogue(rulebook)
    for rule in rulebook.rules:
        assert f"| {rule.id} |" in text


def test_cli_rules_commands() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["rules", "list"])
    assert listed.exit_code == 0 and "NES-001" in listed.stdout
    shown = runner.invoke(app, ["rules", "show", "NES-002"])
    assert shown.exit_code == 0 and "30.09.2024" in shown.stdout
    # wide enough that the totals table does not wrap a document's name
    coverage = runner.invoke(app, ["rules", "coverage"], env={"COLUMNS": "200"})
    # the document's name, not the project's internal key (was: «seed:004»)
    assert coverage.exit_code == 0 and "Приказ УО Нестеровского МО № 525" in coverage.stdout
    for output in (listed.stdout, shown.stdout, coverage.stdout):
        assert "seed:" not in output and "domain.md" not in output
    # the check as YAML, as written in a pack (was: a Python dict «{'each': …}»)
    assert "Проверка:\n  each:\n    kind:" in shown.stdout and "{'" not in shown.stdout

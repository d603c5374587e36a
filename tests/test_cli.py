"""The command line: exit codes, JSON output against its documented schema, schema export."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from checker.cli.main import app
from checker.model.profile import Profile
from checker.model.profile_schema import profile_json_schema
from checker.model.report import REPORT_VERSION, Report

from .conftest import FIXTURES, ROOT

runner = CliRunner()
DOCS = ROOT / "docs"


def _check(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", *args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.yaml")))
def test_json_output_validates_against_documented_schema(fixture: str) -> None:
    code, output = _check(str(FIXTURES / fixture), "--format", "json", "--as-of", "2024-05-01")
    assert code == 0
    data = json.loads(output)
    schema = json.loads((DOCS / "report-schema.json").read_text("utf-8"))
    jsonschema.validate(data, schema)
    assert data["report_version"] == REPORT_VERSION
    assert data["as_of"] == "2024-05-01"


def test_documented_schemas_are_current() -> None:
    """docs/*.json are generated: `objcheck schema report > docs/report-schema.json`."""
    on_disk = json.loads((DOCS / "report-schema.json").read_text("utf-8"))
    assert on_disk == Report.model_json_schema(), "обновите docs/report-schema.json"
    on_disk = json.loads((DOCS / "profile-schema.json").read_text("utf-8"))
    assert on_disk == profile_json_schema(), "обновите docs/profile-schema.json"


def test_schema_command_prints_profile_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Профиль школы"
    assert schema["properties"].keys() == Profile.model_fields.keys()
    assert schema["additionalProperties"] is False


def test_fail_on_gives_exit_1_only_at_or_above_the_severity() -> None:
    conflict = str(FIXTURES / "school-conflict.yaml")
    assert _check(conflict, "--as-of", "2024-05-01")[0] == 0
    assert _check(conflict, "--as-of", "2024-05-01", "--fail-on", "critical")[0] == 1
    exemplary = str(FIXTURES / "school-exemplary.yaml")
    assert _check(exemplary, "--as-of", "2024-05-01", "--fail-on", "recommendation")[0] == 0


def test_bad_option_values_exit_2() -> None:
    profile = str(FIXTURES / "school-silent.yaml")
    assert _check(profile, "--as-of", "2024-13-01")[0] == 2
    assert _check(profile, "--fail-on", "fatal")[0] == 2
    assert _check(profile, "--format", "pdf")[0] == 2


def test_text_report_leads_with_level_and_reasons() -> None:
    code, output = _check(str(FIXTURES / "school-conflict.yaml"), "--as-of", "2024-05-01")
    assert code == 0
    level_at = output.index("Уровень объективности: не определён")
    # The scale is named as this project's own right under the level, before the reasons.
    scale_at = output.index("(условная шкала objcheck, не официальные критерии")
    assert level_at < scale_at < output.index("Ограничение «единичное критическое нарушение")
    # Problems come first within a direction: the violation precedes met measures.
    direction_1 = output.index("1. Обеспечение объективности")
    violation = output.index("[нарушение] FED-COI-001")
    assert direction_1 < violation < output.index("FED-OBS-001 На каждой")
    assert "Морозова Светлана Ивановна ведёт уроки в 5А и проверяет работы 5А" in output
    assert "Источник:" in output and "Что сделать:" in output


@pytest.mark.parametrize("command", ["objcheck", "python -m checker"])
def test_installed_commands_run_outside_the_repository(tmp_path: Path, command: str) -> None:
    """The console script and ``python -m checker`` work from any directory: the package
    (with its rule packs) comes from the installation, not from the working directory."""
    import subprocess
    import sys

    program = ([str(Path(sys.executable).with_name("objcheck"))] if command == "objcheck"
               else [sys.executable, "-m", "checker"])
    result = subprocess.run(
        [*program, "check", str(FIXTURES / "school-silent.yaml"), "--format", "json"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["level"]["level"] == "не определён"


def test_as_of_outside_the_profiles_academic_year_is_warned_about() -> None:
    profile = str(FIXTURES / "kamenskaya-2022.yaml")  # academic_year: 2021/2022
    code, output = _check(profile, "--as-of", "2024-05-01")
    assert code == 0
    assert "Предупреждение: профиль описывает 2021/2022 учебный год" in output
    code, output = _check(profile, "--as-of", "2022-04-01")
    assert "Предупреждение" not in output

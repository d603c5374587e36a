"""CLI conventions every command keeps: Russian help framing without type placeholders,
``--version``, and a bad output path → a Russian message and exit 2 (exit 1 means
«findings found», so a traceback with exit 1 broke the contract)."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer

from checker.cli.main import app
from tests.conftest import FIXTURES

SAMPLE = FIXTURES / "kamenskaya-2022.yaml"
ENGLISH = ("Usage:", "Show this message", "[required]", "[default:", "Options", "Arguments",
           "<bool>", "<path>", "<str>", "<int", "<list[", "[OPTIONS]", " PATH ", " TEXT ")


def _commands() -> dict[str, Any]:
    """Every command path («rules show») and its (Typer's vendored click) command."""
    root = typer.main.get_command(app)
    found: dict[str, Any] = {}

    def walk(command: Any, path: str) -> None:
        found[path] = command
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(root, "")
    return found


def objcheck(*args: str | Path, columns: int = 200) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", *map(str, args)],
                          capture_output=True, text=True, check=False,
                          env={"COLUMNS": str(columns), "PATH": "/usr/bin:/bin"})


# A word with square brackets in a help text: rich reads «[dask]» as a style and drops it
# unless it is escaped («objcheck\\[dask]»), so «pip install 'objcheck[dask]'» was shown as
# «pip install 'objcheck'» — an instruction that installs the wrong thing.
_BRACKETED = re.compile(r"\S*(?<!\\)\\?\[[^\]]*\]\S*")


@pytest.mark.parametrize("command", sorted(_commands()))
def test_help_is_russian_without_placeholders(command: str) -> None:
    # wide enough that no help text is wrapped inside its cell
    done = objcheck(*command.split(), "--help", columns=1000)
    assert done.returncode == 0, done.stderr
    assert "Использование: " in done.stdout
    assert "Показать эту справку и выйти" in done.stdout
    for english in ENGLISH:
        assert english not in done.stdout, (command, english)
    found = _commands()[command]
    shown = " ".join(done.stdout.split())
    for text in [found.help or "", *(getattr(p, "help", None) or "" for p in found.params)]:
        for word in _BRACKETED.findall(text):
            assert word.replace("\\[", "[") in shown, (command, word)


def test_version() -> None:
    done = objcheck("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"objcheck {version('objcheck')}"


def test_completion_is_offered() -> None:
    done = objcheck("--help")
    assert "--install-completion" in done.stdout and "автодополнение" in done.stdout


# Every command with an output option, and each format it writes to a file.
OUTPUTS: dict[str, list[list[str]]] = {
    "report": [["-f", fmt] for fmt in ("md", "html", "docx", "pdf")],
    "plan": [["-f", fmt] for fmt in ("md", "csv", "xlsx", "docx", "pdf")],
    "batch": [["--no-cache"]],
    # commands that write a new file from no profile, or from a workbook (below)
    "init": [[]],
    "template": [["--format", fmt] for fmt in ("xlsx", "yaml")],
    "import questionnaire": [[]],
}


def test_every_command_with_an_output_is_walked() -> None:
    """A new command with --output/--out must join OUTPUTS (and so the test below)."""
    with_output = {
        path for path, command in _commands().items()
        if any(opt in ("--output", "--out") for p in command.params
               for opt in getattr(p, "opts", []))
    }
    assert with_output == set(OUTPUTS)


def _bad_targets(tmp_path: Path, folder_wanted: bool) -> list[Path]:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    targets = [a_file / "x.out"]  # under a file
    if folder_wanted:  # batch creates a missing --out folder, but not in place of a file
        return [*targets, a_file]
    return [*targets, tmp_path / "nonexistent" / "dir" / "x.out", tmp_path]


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_bad_output_path_is_a_russian_message_and_exit_2(command: str, tmp_path: Path) -> None:
    targets = _bad_targets(tmp_path, folder_wanted=command == "batch")
    option = "--out" if command == "batch" else "--output"
    for extra in OUTPUTS[command]:
        for target in targets:
            done = objcheck(*command.split(), *_inputs(command, tmp_path), *extra, option,
                            target)
            where = (command, *extra, str(target))
            assert done.returncode == 2, (where, done.stderr)
            assert "ошибка:" in done.stderr and "Traceback" not in done.stderr, where
            assert str(target) in done.stderr or "--out" in done.stderr, where


def _inputs(command: str, tmp_path: Path) -> list[str | Path]:
    """What each command reads besides its output: a profile and a date, a filled
    questionnaire, or nothing."""
    if command in ("init", "template"):
        return []
    if command == "import questionnaire":
        from tests.test_questionnaire import ANSWERS, _filled

        workbook = tmp_path / "анкета.xlsx"
        if not workbook.exists():
            workbook.write_bytes(_filled(ANSWERS))  # a valid filled questionnaire
        return [workbook]
    return [SAMPLE, "--as-of", "2022-04-01"]


OTHER = FIXTURES / "school-conflict.yaml"


def test_check_several_profiles_quiet() -> None:
    done = objcheck("check", SAMPLE, OTHER, "--quiet", "--as-of", "2024-05-01")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    summaries = [line for line in lines if "недостатков:" in line]
    assert len(summaries) == 2  # one summary line per school
    assert "Каменская" in summaries[0] and "№ 7" in summaries[1]
    # quiet: none of the full report's sections
    assert "Итого по мерам" not in done.stdout and "Что сделать" not in done.stdout
    assert "FED-COI-001 [критично]" in done.stdout


def test_check_several_profiles_json_is_an_array_and_exit_code_is_the_worst() -> None:
    import json

    done = objcheck("check", SAMPLE, OTHER, "-f", "json", "--fail-on", "critical",
                    "--as-of", "2024-05-01")
    data = json.loads(done.stdout)
    assert [r["school"]["name"][:4] for r in data] == ["МКОУ", "МБОУ"]
    assert done.returncode == 1  # the second school has a critical finding


def test_select_and_ignore_rule_ids() -> None:
    import json

    def shown(*args: str) -> set[str]:
        done = objcheck("check", OTHER, "-f", "json", "--as-of", "2024-05-01", *args)
        assert done.returncode == 0, done.stderr
        return {f["rule_id"] for f in json.loads(done.stdout)["findings"]}

    everything = shown()
    assert shown("--select", "FED-COI") == {r for r in everything if r.startswith("FED-COI-")}
    assert shown("--select", "FED-COI", "--ignore", "FED-COI-001") == {
        r for r in everything if r.startswith("FED-COI-") and r != "FED-COI-001"}
    assert "FED-VID-001" not in shown("--ignore", "FED-VID-001")
    # --fail-on looks at the selected rules only
    assert objcheck("check", OTHER, "--fail-on", "critical", "--ignore", "FED-COI-001",
                    "--as-of", "2024-05-01").returncode == 0
    typo = objcheck("check", OTHER, "--select", "FED-VDI")
    assert typo.returncode == 2 and "правил «FED-VDI» нет" in typo.stderr


def test_cache_info_and_clear(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"PATH": "/usr/bin:/bin", "OBJCHECK_CACHE_DIR": str(cache), "COLUMNS": "200"}

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "checker", *map(str, args)],
                              capture_output=True, text=True, check=False, env=env)

    assert run("batch", SAMPLE, "--as-of", "2022-04-01").returncode == 0
    info = run("cache", "info")
    assert info.returncode == 0 and str(cache) in info.stdout
    entries = int(info.stdout.split("Записей: ")[1].split(";")[0])
    assert entries > 0
    keep = cache / "not-ours.txt"  # only the cache's own entries are deleted
    keep.write_text("x", encoding="utf-8")
    cleared = run("cache", "clear")
    assert cleared.returncode == 0 and f"Удалено записей кэша: {entries}" in cleared.stdout
    assert "Записей: 0;" in run("cache", "info").stdout
    assert keep.is_file()


def test_rule_weight_is_written_the_russian_way() -> None:
    from checker.render.numbers import decimal

    assert (decimal(0.5), decimal(2.0), decimal(0.0)) == ("0,5", "2", "0")
    shown = objcheck("rules", "show", "FED-DOC-002")  # a recommendation: weight 0
    assert shown.returncode == 0
    assert "; вес 0\n" in shown.stdout and "0.0" not in shown.stdout

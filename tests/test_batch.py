"""objcheck batch: outputs, error rows, determinism, cache and compare-rules."""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.batch.export import write_all
from checker.batch.run import (
    BatchOptions,
    BatchResult,
    collect_files,
    run_batch,
    without_names,
)
from checker.cli.main import app
from checker.testing.synthetic import make_profile, to_yaml, write_profiles
from tests.conftest import FIXTURES, RULES

AS_OF = "2024-05-01"
# Every fixture profile and 12 generated ones.
FIXTURE_PROFILES = len(list(FIXTURES.rglob("*.yaml")))
SCHOOLS = FIXTURE_PROFILES + 12
FILES = SCHOOLS + 2
OUTPUTS = ("summary.csv", "findings.csv", "errors.csv", "summary.json")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The fixtures, a dozen generated schools, a malformed file and an unknown key."""
    root = tmp_path / "schools"
    shutil.copytree(FIXTURES, root / "fixtures")
    write_profiles(root / "generated", 12, seed=7)
    (root / "broken.yaml").write_text("school:\n  id: x\n  name: школа: № 1\n", encoding="utf-8")
    data = make_profile(7, 999)
    data["school"]["colour"] = "красный"
    (root / "unknown-key.yml").write_text(to_yaml(data), encoding="utf-8")
    return root


# every batch here caches into the test's own folder (fixture in conftest)
pytestmark = pytest.mark.usefixtures("cache_home")


def _options(**kwargs: object) -> BatchOptions:
    import datetime as dt

    return BatchOptions(as_of=dt.date.fromisoformat(AS_OF), **kwargs)  # type: ignore[arg-type]


def _csv_rows(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.reader(text.splitlines(), delimiter=";"))


def _written(result: BatchResult, out: Path) -> dict[str, bytes]:
    write_all(result, out)
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_batch_writes_all_outputs_and_error_rows(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = CliRunner().invoke(
        app, ["batch", str(corpus), "--out", str(out), "--workers", "2", "--as-of", AS_OF]
    )
    assert run.exit_code == 2, run.output
    for name in (*OUTPUTS, "summary.xlsx"):
        assert (out / name).is_file(), name
    assert "Уровни объективности" in run.output
    assert "По муниципалитетам" in run.output
    assert "Чаще всего не выполняемые меры" in run.output

    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = _csv_rows(out / "summary.csv")
    assert rows[0][:3] == ["файл", "код школы", "школа"]
    assert len(rows) == 1 + SCHOOLS  # 12 generated + the fixtures

    table = _csv_rows(out / "errors.csv")
    errors = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    by_file = {Path(e["файл"]).name: e for e in errors}
    assert set(by_file) == {"broken.yaml", "unknown-key.yml"}
    assert by_file["broken.yaml"]["строка"] == "3"
    assert by_file["unknown-key.yml"]["поле"] == "school.colour"
    assert int(by_file["unknown-key.yml"]["строка"]) > 1
    assert "неизвестный ключ" in by_file["unknown-key.yml"]["ошибка"]

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["schools_checked"] == SCHOOLS
    assert summary["files_with_errors"] == 2
    assert all(isinstance(e["line"], int) for e in summary["errors"])
    municipalities = {m["municipality"] for m in summary["municipalities"]}
    assert "Богучанский район" in municipalities
    # Printed to a pipe, the summary is not squeezed to 80 columns: rule ids and school
    # names stay whole on one line.
    for measure in summary["most_missing"][:15]:
        assert f"│ {measure['rule_id']} " in run.output
    assert any(s["name"] in run.output for s in summary["schools"])

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    book = load_workbook(out / "summary.xlsx")
    assert book.sheetnames == [
        "Школы", "Результаты по правилам", "Чаще всего не выполнено", "Муниципалитеты", "Ошибки",
    ]
    schools = book["Школы"]
    assert schools.freeze_panes == "A2"
    assert schools.auto_filter.ref == f"A1:{get_column_letter(schools.max_column)}{SCHOOLS + 1}"
    assert book["Ошибки"].max_row == 3


def test_results_identical_whatever_workers_and_order(corpus: Path, tmp_path: Path) -> None:
    files, _ = collect_files([str(corpus)])
    shuffled = list(files)
    random.Random(3).shuffle(shuffled)
    one = run_batch([str(corpus)], _options(), workers=1)
    two = run_batch(shuffled, _options(), workers=2)
    assert len(one.errors) == len(two.errors) == 2
    assert _written(one, tmp_path / "one") == _written(two, tmp_path / "two")


def test_cache_skips_parsing_and_rules_change_reevaluates(
    corpus: Path, tmp_path: Path, cache_home: Path
) -> None:
    cold = run_batch([str(corpus)], _options(cache_dir=cache_home), workers=1)
    assert cold.timings.parsed == FILES  # every file parsed once, the bad ones included
    warm = run_batch([str(corpus)], _options(cache_dir=cache_home), workers=2)
    assert warm.timings.result_hits == SCHOOLS
    assert warm.timings.parsed == 2  # only the bad files, which are never cached
    assert _written(cold, tmp_path / "cold") == _written(warm, tmp_path / "warm")

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    pack = rules / "federal" / "federal.yaml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text.replace("min_score: 0.9}", "min_score: 0.95}"), encoding="utf-8")
    changed = run_batch([str(corpus)], _options(cache_dir=cache_home, rules_dir=rules), workers=1)
    assert changed.timings.result_hits == 0
    assert changed.timings.profile_hits == SCHOOLS  # re-evaluated from cached profiles
    assert changed.timings.parsed == 2


def test_no_cache_parses_everything(corpus: Path) -> None:
    run_batch([str(corpus)], _options(), workers=1)
    again = run_batch([str(corpus)], _options(), workers=1)
    assert again.timings.parsed == FILES
    assert again.timings.result_hits == again.timings.profile_hits == 0


def test_compare_rules_reports_level_changes(corpus: Path, tmp_path: Path) -> None:
    old = tmp_path / "old-rules"
    shutil.copytree(RULES, old)
    pack = old / "federal" / "federal.yaml"
    text = pack.read_text(encoding="utf-8")
    # The old rules had lower bars for the levels and asked for another order under FED-ORG-001.
    text = text.replace("min_score: 0.9}", "min_score: 0.4}")
    text = text.replace("min_score: 0.7}", "min_score: 0.3}")
    text = text.replace(
        "has: {kind: document, where: {kind: order_responsible}}",
        "has: {kind: document, where: {kind: order_infosec}}",
    )
    pack.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    run = CliRunner().invoke(app, [
        "batch", str(corpus / "generated"), "--out", str(out), "--workers", "2",
        "--as-of", AS_OF, "--compare-rules", str(old),
    ])
    assert run.exit_code == 0, run.output
    assert "Сравнение правил" in run.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    moved = [c for c in summary["compare"] if c["old_level"] != c["new_level"]]
    assert moved
    assert any(c["old_level"] == "высокий" and c["new_level"] != "высокий" for c in moved)
    # …and why: the rule whose check changed has other outcomes now.
    assert any(r["rule_id"] == "FED-ORG-001" for c in summary["compare"] for r in c["rules"])
    assert (out / "compare.csv").is_file()


def test_reports_per_school(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = CliRunner().invoke(app, [
        "batch", str(corpus / "fixtures"), "--out", str(out), "--reports", "--as-of", AS_OF,
        "--workers", "1",
    ])
    assert run.exit_code == 0, run.output
    report = json.loads((out / "reports" / "kamenskaya-2022.json").read_text(encoding="utf-8"))
    assert report["school"]["id"] == "kamenskaya-sosh"
    assert "Каменская" in (out / "reports" / "kamenskaya-2022.txt").read_text(encoding="utf-8")


def test_names_stay_in_the_schools_own_report(corpus: Path, tmp_path: Path) -> None:
    """The batch summary leaves the school: a conflict names the person by id there; the
    school's own report names them (issue 11)."""
    out = tmp_path / "out"
    run = CliRunner().invoke(app, [
        "batch", str(corpus / "fixtures" / "school-conflict.yaml"), "--out", str(out),
        "--reports", "--as-of", AS_OF, "--workers", "1",
    ])
    assert run.exit_code == 0, run.output
    findings = (out / "findings.csv").read_text(encoding="utf-8-sig")
    assert "t-morozova ведёт уроки в 5А" in findings and "наблюдатель o-zaytseva" in findings
    assert "Морозова" not in findings and "Зайцева" not in findings
    own = json.loads((out / "reports" / "school-conflict.json").read_text(encoding="utf-8"))
    messages = [f["message"] for f in own["findings"]]
    assert any("Морозова Светлана Ивановна ведёт уроки в 5А" in m for m in messages)


def test_names_are_replaced_longest_first_in_the_messages_that_have_them() -> None:
    """A longer name is replaced before a shorter one inside it («Иванова Анна» is p1, not
    «p2 Анна»); a message naming nobody is left as it is, also when another one does."""
    people = {"p2": "Иванова", "p1": "Иванова Анна", "p3": "", "p4": "Петров"}
    messages = ["наблюдатель Иванова Анна и Иванова", "все наблюдатели независимы",
                "Петров ведёт уроки", "Петрова нет в реестре"]
    assert without_names(messages, people) == [
        "наблюдатель p1 и p2", "все наблюдатели независимы", "p4 ведёт уроки",
        "p4а нет в реестре",
    ]
    assert without_names(["никого"], {"p1": "Сидоров"}) == ["никого"]


def test_missing_path_is_an_error_row(tmp_path: Path) -> None:
    result = run_batch([str(tmp_path / "нет-такого")], _options(), workers=1)
    assert [e.message for e in result.errors] == ["файл или каталог не найден"]


def test_progress_lines_when_not_a_terminal() -> None:
    """Plain lines about every 5 %, no estimate before the first school, 100 % at the end."""
    import io

    from rich.console import Console

    from checker.cli.batch import progress_reporter

    buffer = io.StringIO()
    with progress_reporter(Console(file=buffer, width=200)) as progress:
        for done in range(1001):
            progress(done, 1000)
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "проверено 0 из 1000 (0 %), 0 школ/с, осталось —"
    assert lines[-1].startswith("проверено 1000 из 1000 (100 %)")
    assert lines[-1].endswith("осталось 0 с")
    assert 20 <= len(lines) <= 22


def test_compare_rules_says_why_when_only_the_scale_moved(corpus: Path, tmp_path: Path) -> None:
    """Only the bands changed: no rule's outcome moved, yet levels did. The «почему» column
    was empty and «высокий (0.95) → средний (0.95)» hid the change; it now names the scale."""
    old = tmp_path / "old-rules"
    shutil.copytree(RULES, old)
    pack = old / "federal" / "federal.yaml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text.replace("min_score: 0.9}", "min_score: 0.4}")
                    .replace("min_score: 0.7}", "min_score: 0.3}"), encoding="utf-8")
    out = tmp_path / "out"
    run = CliRunner().invoke(app, [
        "batch", str(corpus / "generated"), "--out", str(out), "--workers", "2",
        "--as-of", AS_OF, "--compare-rules", str(old),
    ], env={"COLUMNS": "250"})
    assert run.exit_code == 0, run.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    moved = [c for c in summary["compare"] if c["old_level"] != c["new_level"]]
    assert moved and all(not c["rules"] for c in moved)
    assert all(any(p.startswith("изменились границы уровней: при том же балле")
                   for p in c["parameters"]) for c in moved)
    rows = _csv_rows(out / "compare.csv")
    why = rows[0].index("изменились правила")
    assert all("границы уровней" in row[why] for row in rows[1:] if row[3] != row[4])

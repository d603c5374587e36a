"""Audit over time (issue 16): what changed since the last audit, for one school (check
--since, objcheck diff, the справка) and for a batch (batch --since).

The two-year pair fixtures/school-history-2023.yaml → school-history-2024.yaml is one school
(Лицей № 7). What a careful inspector expects the comparison to say, and why:

* resolved — FED-ID-001 (the school left the federal list: violation → met) and
  FED-COI-003 (the conflict-of-interest regulation was adopted: gap → met);
* regressed (done a year ago, a problem now) — FED-OBS-003 (no training of public
  observers this year). The ВПР по математике checked by the school's own commission (last
  year cross-checked) is no regression of the school: cross-checking is organised by the
  education authority, and its rule lives in the pack of the municipal plan that asks for
  it (BOG-006), not in the federal packs;
* new — FED-GIA-001: the first ППЭ ОГЭ in the school, its HQ without video; last year the
  measure did not apply, so this is a new problem, not a regression;
* changed — FED-VID-003: still not filmed at vpr-ru-6, but now under an agreed exception
  (gap → исключение): NOT resolved; FED-ANL-003 and FED-GIA-002…005: did not apply, now
  apply and are done; FED-VPR-002 (works kept until the results, recommendations under ПП
  № 556 of 30.04.2024): not in force on 15.05.2023, done in 2024;
* the level rises from «низкий» (capped by the federal list, score 92,8 %) to «высокий»
  (96,0 %): improved; the listing history reads 2022/2023 — in the list, 2023/2024 — not.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from checker.cli.main import app
from checker.core.check import Checker
from checker.core.diff import classify, diff_reports, trend, with_changes
from checker.model.findings import Finding, Outcome
from checker.model.report import PackInfo, Report
from checker.render import documents
from tests.conftest import FIXTURES

OLD, NEW = FIXTURES / "school-history-2023.yaml", FIXTURES / "school-history-2024.yaml"
OLD_AS_OF, NEW_AS_OF = "2023-05-15", "2024-05-15"
DOCS = Path(__file__).resolve().parent.parent / "docs"
runner = CliRunner()

EXPECTED_STATUS = {
    "FED-ID-001": "resolved",
    "FED-COI-003": "resolved",
    "FED-OBS-003": "regressed",
    "FED-GIA-001": "new",
    "FED-VID-003": "changed",
    "FED-ANL-003": "changed",
    "FED-GIA-002": "changed",
    "FED-GIA-003": "changed",
    "FED-GIA-004": "changed",
    "FED-GIA-005": "changed",
    "FED-VPR-002": "changed",
}


@pytest.fixture(scope="module")
def pair(checker: Checker) -> tuple[Report, Report]:
    return (checker.check_file(OLD, dt.date.fromisoformat(OLD_AS_OF)),
            checker.check_file(NEW, dt.date.fromisoformat(NEW_AS_OF)))


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result.output


def _json_report(tmp_path: Path, profile: Path, as_of: str, *extra: str) -> Path:
    path = tmp_path / f"{profile.stem}.json"
    path.write_text(_cli("check", str(profile), "--as-of", as_of, "-f", "json", *extra),
                    encoding="utf-8")
    return path


# --- the two-year pair -------------------------------------------------------------------


def test_two_year_pair_diff_is_the_reasoned_one(pair: tuple[Report, Report]) -> None:
    changes = diff_reports(*pair)
    moved = {m.rule_id: m.status for m in changes.measures if m.status != "unchanged"}
    assert moved == EXPECTED_STATUS
    assert changes.counts["unchanged"] == len(pair[1].findings) - len(EXPECTED_STATUS)
    assert (changes.old_level, changes.new_level, changes.trend) == ("низкий", "высокий",
                                                                      "improved")
    assert (changes.old_score, changes.new_score) == (0.9283, 0.96)
    assert [(h.academic_year, h.federal_list, h.level) for h in changes.history] == [
        ("2022/2023", True, "низкий"), ("2023/2024", False, "высокий")
    ]
    assert changes.packs == [] and changes.warnings == []
    by_rule = {m.rule_id: m for m in changes.measures}
    # The same procedure id in both years: the subject-level move is kept.
    assert [(s.subject, s.old_outcome, s.new_outcome) for s in by_rule["FED-VID-003"].subjects
            ] == [("vpr-ru-6", Outcome.GAP, Outcome.WAIVED)]
    assert by_rule["FED-GIA-001"].where == ["ОГЭ · математика · 9 кл. (21.05.2024)"]
    assert by_rule["FED-OBS-003"].where == []  # school-wide: its title says it all


def test_check_since_in_text(tmp_path: Path) -> None:
    old = _json_report(tmp_path, OLD, OLD_AS_OF)
    text = _cli("check", str(NEW), "--as-of", NEW_AS_OF, "--since", str(old))
    assert "Изменения с прошлой проверки" in text
    assert ("Было на 15.05.2023 (2022/2023): уровень низкий (92,8 %); стало на 15.05.2024 "
            "(2023/2024): высокий (96,0 %) — стало лучше.") in text
    assert "Устранены:\n  – FED-COI-003" in text
    assert "FED-VID-003 Проверка работ проводится под видеонаблюдением: не выполнено → " \
           "исключение" in text
    assert "2022/2023 (на 15.05.2023): уровень низкий (92,8 %); в федеральном перечне — да" in text


def test_check_since_json_carries_changes_and_history_and_matches_diff(tmp_path: Path) -> None:
    old = _json_report(tmp_path, OLD, OLD_AS_OF)
    new = _json_report(tmp_path, NEW, NEW_AS_OF, "--since", str(old))
    data = json.loads(new.read_text("utf-8"))
    jsonschema.validate(data, json.loads((DOCS / "report-schema.json").read_text("utf-8")))
    # 1.3: results_signs; 1.4: source.title; 1.5: a work's comparison and work_flags
    assert data["report_version"] == "1.5"
    assert data["changes"]["counts"]["resolved"] == 2
    assert [h["academic_year"] for h in data["history"]] == ["2022/2023"]
    assert data["listing"] == {"federal": False, "regional": False}
    assert {p["pack"]: p["version"] for p in data["packs"]}["federal"] == "1.2"
    (tmp_path / "plain").mkdir()
    plain = _json_report(tmp_path / "plain", NEW, NEW_AS_OF)
    diffed = json.loads(_cli("diff", str(old), str(plain), "-f", "json"))
    assert diffed == data["changes"]


def test_history_accumulates_over_three_audits(pair: tuple[Report, Report]) -> None:
    old, new = pair
    second = with_changes(new, old)
    third = second.model_copy(update={
        "as_of": dt.date(2025, 5, 15), "academic_year": "2024/2025", "changes": None,
    })
    chained = with_changes(third, second)
    assert chained.changes is not None
    assert [h.academic_year for h in chained.changes.history] == [
        "2022/2023", "2023/2024", "2024/2025"
    ]


def test_spravka_has_the_changes_section_in_every_format(
    pair: tuple[Report, Report], tmp_path: Path
) -> None:
    doc = documents.spravka_data(with_changes(pair[1], pair[0]))
    markdown = documents.spravka_markdown(doc)
    assert "## Изменения с прошлой проверки" in markdown
    assert "- FED-GIA-001 Штаб ППЭ в школе оборудован видеонаблюдением: не применимо → " \
           "не выполнено" in markdown
    html = documents.spravka_html(doc)
    assert "<h2>Изменения с прошлой проверки</h2>" in html
    assert "стало лучше" in html
    path = tmp_path / "spravka.docx"
    documents.spravka_docx(doc, path)
    import docx

    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "Изменения с прошлой проверки" in texts
    assert any(t.startswith("– FED-OBS-003") for t in texts)
    # The exception and who agreed it are in the table of the справка.
    assert "Исключение (работы ВПР по русскому языку" in markdown


def test_report_command_accepts_since(tmp_path: Path) -> None:
    old = _json_report(tmp_path, OLD, OLD_AS_OF)
    out = _cli("report", str(NEW), "--as-of", NEW_AS_OF, "--since", str(old))
    assert "## Изменения с прошлой проверки" in out


def test_since_with_a_bad_report_exits_2_in_russian(tmp_path: Path) -> None:
    bad = tmp_path / "old.json"
    bad.write_text('{"report_version": "1.2", "school": 5}', encoding="utf-8")
    result = runner.invoke(app, ["check", str(NEW), "--since", str(bad)])
    assert result.exit_code == 2
    assert "ошибка:" in result.output and "Traceback" not in result.output
    bad.write_text('{"report_version": "9.0"}', encoding="utf-8")
    result = runner.invoke(app, ["diff", str(bad), str(bad)])
    assert result.exit_code == 2 and "версия отчёта «9.0» не поддерживается" in result.output
    bad.write_text("{oops", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(bad), str(bad)])
    assert result.exit_code == 2 and "ошибка синтаксиса JSON" in result.output


# --- classification, retired / renamed rules, pack versions -----------------------------


@pytest.mark.parametrize(("old", "new", "status"), [
    (Outcome.MET, Outcome.GAP, "regressed"),
    (Outcome.GAP, Outcome.MET, "resolved"),
    (Outcome.VIOLATION, Outcome.MET_LATE, "resolved"),
    (Outcome.UNKNOWN, Outcome.GAP, "new"),
    (None, Outcome.GAP, "new"),
    (None, Outcome.MET, "added"),
    (Outcome.GAP, Outcome.GAP, "unchanged"),
    (Outcome.MET, Outcome.MET_LATE, "unchanged"),
    # Not reported any more is not done: never «resolved».
    (Outcome.GAP, Outcome.UNKNOWN, "changed"),
    (Outcome.GAP, Outcome.WAIVED, "changed"),
    (Outcome.GAP, Outcome.VIOLATION, "changed"),
    (Outcome.GAP, None, "dropped"),
])
def test_classify(old: Outcome | None, new: Outcome | None, status: str) -> None:
    assert classify(old, new) == status


@pytest.mark.parametrize(("old", "new", "expected"), [
    (("низкий", 0.95), ("средний", 0.75), "improved"),
    (("высокий", 0.95), ("средний", 0.99), "worsened"),
    (("средний", 0.75), ("средний", 0.80), "improved"),
    (("не определён", 0.80), ("средний", 0.70), "worsened"),
    (("не определён", None), ("средний", 0.70), "unchanged"),
])
def test_trend_by_level_then_score(
    old: tuple[str, float | None], new: tuple[str, float | None], expected: str
) -> None:
    assert trend(*old, *new) == expected


def _with_rule(report: Report, finding: Finding, rule_id: str, **changes: object) -> Report:
    extra = finding.model_copy(update={"rule_id": rule_id, **changes})
    return report.model_copy(update={"findings": [*report.findings, extra]})


def _with_pack(report: Report, **changes: object) -> Report:
    packs = [p.model_copy(update=changes) if p.pack == "federal" else p for p in report.packs]
    return report.model_copy(update={"packs": packs})


def test_retired_rule_is_reported_as_retired_not_resolved(pair: tuple[Report, Report]) -> None:
    old, new = pair
    gap = next(f for f in old.findings if f.outcome is Outcome.GAP)
    old = _with_rule(old, gap, "FED-OLD-001")
    dropped = diff_reports(old, new)
    assert {m.rule_id: m.status for m in dropped.measures}["FED-OLD-001"] == "dropped"
    retired = diff_reports(old, _with_pack(new, retired=["FED-OLD-001"]))
    change = next(m for m in retired.measures if m.rule_id == "FED-OLD-001")
    assert (change.status, change.old_outcome, change.new_outcome) == (
        "retired", Outcome.GAP, None)
    assert retired.counts["resolved"] == 2  # still only the two real ones


def test_renamed_rule_is_compared_under_its_new_id(pair: tuple[Report, Report]) -> None:
    old, new = pair
    # The old run knew the observer-training measure as FED-OBS-090, a gap then.
    obs = next(f for f in old.findings if f.rule_id == "FED-OBS-003")
    findings = [f for f in old.findings if f.rule_id != "FED-OBS-003"]
    old = old.model_copy(update={"findings": [
        *findings, obs.model_copy(update={"rule_id": "FED-OBS-090", "title": "Наблюдатели обучены",
                                          "outcome": Outcome.GAP})]})
    changes = diff_reports(old, _with_pack(new, renamed={"FED-OBS-090": "FED-OBS-003"}))
    change = next(m for m in changes.measures if m.rule_id == "FED-OBS-003")
    assert (change.status, change.renamed_from, change.old_title) == (
        "unchanged", "FED-OBS-090", "Наблюдатели обучены")
    assert all(m.rule_id != "FED-OBS-090" for m in changes.measures)


def test_changed_pack_version_is_reported(pair: tuple[Report, Report]) -> None:
    old, new = pair
    changes = diff_reports(_with_pack(old, version="1.0"), _with_pack(new, version="1.1"))
    assert [(p.pack, p.old_version, p.new_version, p.status) for p in changes.packs] == [
        ("federal", "1.0", "1.1", "changed")]
    regional = new.model_copy(update={"packs": [
        *new.packs, PackInfo(pack="tver", title="Тверь", layer="municipal", version="2.0")]})
    assert [(p.pack, p.status) for p in diff_reports(old, regional).packs] == [("tver", "added")]


def test_every_shipped_pack_has_a_version(checker: Checker) -> None:
    assert all(p.version for p in checker.rulebook.packs)


def test_renamed_target_must_exist(tmp_path: Path) -> None:
    from checker.io.packs import load_rulebook
    from checker.model.errors import InputError

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", rules)
    pack = rules / "federal" / "federal.yaml"
    pack.write_text(pack.read_text("utf-8") + "\nrenamed: {FED-OBS-090: FED-OBS-099}\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="FED-OBS-099"):
        load_rulebook(rules)


# --- batch --since -----------------------------------------------------------------------


def test_batch_since_compares_schools_and_municipalities(tmp_path: Path) -> None:
    for year, profile, as_of in (("old", OLD, OLD_AS_OF), ("new", NEW, NEW_AS_OF)):
        folder = tmp_path / f"in-{year}"
        folder.mkdir()
        shutil.copy(profile, folder / "licey7.yaml")
        args = ["batch", str(folder), "--out", str(tmp_path / year), "--as-of", as_of,
                "-j", "1", "--no-cache"]
        if year == "new":
            args += ["--since", str(tmp_path / "old")]
        output = _cli(*args)
    assert "С прошлой проверки (на 2023-05-15) — улучшились: 1; ухудшились: 0" in output
    summary = json.loads((tmp_path / "new" / "summary.json").read_text("utf-8"))
    since = summary["since"]
    assert since["trends"] == {"improved": 1, "worsened": 0, "unchanged": 0}
    school = since["schools"][0]
    assert (school["old_level"], school["new_level"], school["trend"]) == (
        "низкий", "высокий", "improved")
    assert school["regressed"] == ["FED-OBS-003"]
    assert school["resolved"] == ["FED-ID-001", "FED-COI-003"]
    assert school["new"] == ["FED-GIA-001"]
    assert [m["rule_id"] for m in since["regressed_most"]] == ["FED-OBS-003"]
    assert since["municipalities"] == [{
        "region": "Тверская область", "municipality": "город Тверь", "improved": 1,
        "worsened": 0, "unchanged": 0, "first_time": 0}]
    with (tmp_path / "new" / "summary.csv").open(encoding="utf-8-sig") as handle:
        row = next(csv.DictReader(handle, delimiter=";"))
    assert (row["уровень в прошлый раз"], row["динамика"]) == ("низкий", "улучшились")
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "new" / "summary.xlsx", read_only=True)
    assert {"Динамика по муниципалитетам", "Чаще всего ухудшились"} <= set(book.sheetnames)


def test_batch_since_without_a_summary_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["batch", str(OLD), "--since", str(tmp_path)])
    assert result.exit_code == 2
    assert "не удалось прочитать сводку прошлой проверки" in result.output


def test_reports_of_two_schools_are_warned_about(checker: Checker) -> None:
    other = checker.check_file(FIXTURES / "school-exemplary.yaml", dt.date(2024, 5, 1))
    new = checker.check_file(NEW, dt.date.fromisoformat(NEW_AS_OF))
    assert diff_reports(other, new).warnings == [
        "отчёты относятся к разным школам: 6901000001 и 6901000777"
    ]
    assert diff_reports(new, other).warnings[-1].startswith("прежний отчёт (15.05.2024) новее")

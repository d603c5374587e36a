"""Inspectors' verdicts change the evaluation of a copy of the fixture as expected."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

from checker.core.check import Checker
from checker.core.verdicts import disagreements
from checker.io.load import read_profile
from checker.io.profile_edit import ProfileFile, outside_section
from checker.model.findings import Outcome
from checker.model.profile import InspectionVerdict
from tests.conftest import FIXTURES

AS_OF = dt.date(2022, 4, 1)
AT = dt.datetime(2022, 4, 1, 10, 0, 0)


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "school.yaml"
    shutil.copy(FIXTURES / "kamenskaya-2022.yaml", path)
    return path


def _subject(
    checker: Checker, path: Path, rule: str, subject: str
) -> tuple[Outcome, Outcome | None]:
    report = checker.check_file(path, AS_OF)
    finding = next(f for f in report.findings if f.rule_id == rule)
    found = next(s for s in finding.subjects if s.subject == subject)
    return found.outcome, found.self_outcome


def test_rejected_claim_becomes_gap_and_confirmed_unknown_becomes_met(
    checker: Checker, tmp_path: Path
) -> None:
    path = _copy(tmp_path)
    original = path.read_text(encoding="utf-8")
    before = checker.check_file(path, AS_OF)
    assert _subject(checker, path, "FED-VID-001", "vpr") == (Outcome.MET, None)
    assert _subject(checker, path, "FED-ORG-001", "kamenskaya-sosh") == (Outcome.UNKNOWN, None)

    ProfileFile(path).record(
        [
            InspectionVerdict(rule="FED-VID-001", subject="vpr", verdict="rejected",
                              note="камер в аудиториях нет", at=AT),
            InspectionVerdict(rule="FED-ORG-001", verdict="confirmed", at=AT),
            InspectionVerdict(rule="FED-CHK-002", subject="dkr", verdict="not_checked", at=AT),
        ],
        inspector="Проверяющая А.А.",
        date=AS_OF,
    )
    after = checker.check_file(path, AS_OF)
    assert _subject(checker, path, "FED-VID-001", "vpr") == (Outcome.GAP, Outcome.MET)
    assert _subject(checker, path, "FED-ORG-001", "kamenskaya-sosh") == (
        Outcome.MET, Outcome.UNKNOWN
    )
    assert _subject(checker, path, "FED-CHK-002", "dkr") == (Outcome.MET, None)
    vid = next(f for f in after.findings if f.rule_id == "FED-VID-001")
    assert (vid.outcome, vid.self_outcome) == (Outcome.GAP, Outcome.MET)
    assert vid.met == 3 and vid.known == 4
    assert {(f.rule_id, s.subject if s else None) for f, s in disagreements(after.findings)} == {
        ("FED-VID-001", "vpr"), ("FED-ORG-001", "kamenskaya-sosh"),
    }
    assert after.level.coverage > before.level.coverage
    assert after.inspector == "Проверяющая А.А."
    # The school's own statements are untouched.
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert outside_section(text).rstrip("\n") == original.rstrip("\n")
    school_said = read_profile(FIXTURES / "kamenskaya-2022.yaml")
    assert read_profile(path).procedures == school_said.procedures


def test_later_verdict_on_same_measure_replaces_earlier(checker: Checker, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    file = ProfileFile(path)
    file.record([InspectionVerdict(rule="FED-VID-001", subject="vpr", verdict="rejected", at=AT)])
    file.record([InspectionVerdict(rule="FED-VID-001", subject="vpr", verdict="confirmed", at=AT)])
    inspection = read_profile(path).inspection
    assert inspection is not None and len(inspection.verdicts) == 1
    assert _subject(checker, path, "FED-VID-001", "vpr") == (Outcome.MET, None)


def test_comments_inside_the_inspection_section_survive(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\ninspection:\n  # проверка по плану УО\n  inspector: 'А. А.'\n  verdicts: []\n"
        + "# хвост файла\n",
        encoding="utf-8",
    )
    ProfileFile(path).record([InspectionVerdict(rule="FED-ORG-001", verdict="confirmed", at=AT)])
    text = path.read_text(encoding="utf-8")
    assert "  # проверка по плану УО\n  inspector: 'А. А.'\n" in text
    assert text.endswith("# хвост файла\n")
    assert "rule: FED-ORG-001" in text


def test_terminal_report_shows_disagreements(checker: Checker, tmp_path: Path) -> None:
    from rich.console import Console

    from checker.render.text import render_report

    path = _copy(tmp_path)
    ProfileFile(path).record([InspectionVerdict(
        rule="FED-VID-001", subject="vpr", verdict="rejected", note="камер нет", at=AT
    )])
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(render_report(checker.check_file(path, AS_OF)))
    text = console.export_text()
    assert "Расхождения с самооценкой" in text
    assert "по данным школы — выполнено, по итогам проверки — не выполнено (камер нет)" in text


def test_verdict_for_an_unknown_rule_or_subject_is_reported_not_silently_ignored(
    checker: Checker,
) -> None:
    from checker.io.yamlio import load_fast
    from checker.model.profile import Profile

    data = load_fast((FIXTURES / "school-conflict.yaml").read_text("utf-8"), "")
    data["inspection"] = {
        "inspector": "Инспектор",
        "date": dt.date(2024, 5, 2),
        "verdicts": [
            {"rule": "FED-XXX-999", "verdict": "rejected"},
            {"rule": "FED-OBS-001", "subject": "no-such-procedure", "verdict": "rejected"},
            {"rule": "FED-OBS-001", "subject": "vpr-ma-5", "verdict": "rejected"},
        ],
    }
    report = checker.check(Profile.model_validate(data), dt.date(2024, 5, 3))
    assert len(report.warnings) == 2
    assert "FED-XXX-999" in report.warnings[0]
    assert "no-such-procedure" in report.warnings[1]

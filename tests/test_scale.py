"""An honest scale: graded caps, and every output says the scale is objcheck's own.

The bands, the coverage gate, the weights and the caps are this project's choice (no
official criteria of a school's «уровень объективности» are published), so the text report,
the JSON, the справка in md / html / docx and the batch summary each print the scale note
right by the level.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
from typer.testing import CliRunner

from checker.batch.run import BatchOptions, run_batch
from checker.cli.main import app
from checker.core.score import compute_level
from checker.model.findings import Finding, Outcome, RemediationRef, SourceRef, SubjectFinding
from checker.model.rulepack import Band, Cap, LevelPolicy

from .conftest import FIXTURES

NOTE = "условная шкала objcheck, не официальные критерии"

POLICY = LevelPolicy(
    min_coverage=0.5,
    bands=[Band(level="высокий", min_score=0.9), Band(level="средний", min_score=0.7)],
    caps=[
        Cap(id="isolated", title="единичное", max_level="средний", severity="critical"),
        Cap(id="repeated", title="повторное", max_level="низкий", severity="critical",
            min_subjects=2),
    ],
    basis="пороги выбраны для теста",
)


def _finding(rule_id: str, severity: str, outcome: Outcome, subjects: list[Outcome]) -> Finding:
    return Finding(
        rule_id=rule_id, title=rule_id, pack="p", direction="procedure", severity=severity,
        weight=5.0 if severity == "critical" else 1.0, outcome=outcome, message="",
        subjects=[
            SubjectFinding(subject=f"s{i}", label=f"s{i}", outcome=o, message="")
            for i, o in enumerate(subjects)
        ],
        total=max(1, len(subjects)),
        met=sum(1 for o in subjects if o is Outcome.MET),
        known=max(1, len(subjects)),
        source=SourceRef(document="d", item="1", quote="цитата", confirmed=True, conflicts_with=None),
        remediation=RemediationRef(measure="m", responsible="r", due="d"),
    )


def _met_rules(count: int) -> list[Finding]:
    return [_finding(f"OK-{i:03d}", "high", Outcome.MET, [Outcome.MET]) for i in range(count)]


def test_one_critical_subject_caps_at_medium_not_low() -> None:
    """One teacher checking her own class on one procedure: «не выше среднего»."""
    coi = _finding("COI-001", "critical", Outcome.VIOLATION,
                   [Outcome.VIOLATION, Outcome.MET, Outcome.MET, Outcome.MET])
    level = compute_level([coi, *_met_rules(40)], POLICY)
    assert level.band_level == "высокий"
    assert level.level == "средний"
    assert [c.id for c in level.caps] == ["isolated"]
    assert level.caps[0].subjects == 1 and level.caps[0].provisional


def test_repeated_critical_subjects_cap_at_low() -> None:
    coi = _finding("COI-001", "critical", Outcome.VIOLATION,
                   [Outcome.VIOLATION, Outcome.VIOLATION, Outcome.MET])
    level = compute_level([coi, *_met_rules(60)], POLICY)
    assert level.band_level == "высокий"
    assert level.level == "низкий"
    assert {c.id: c.subjects for c in level.caps} == {"isolated": 2, "repeated": 2}


def test_critical_findings_of_two_rules_are_repeated_too() -> None:
    """A school-wide finding is one subject: two such rules are two subjects."""
    first = _finding("POS-006", "critical", Outcome.VIOLATION, [])
    second = _finding("COI-001", "critical", Outcome.VIOLATION, [Outcome.VIOLATION])
    level = compute_level([first, second, *_met_rules(80)], POLICY)
    assert level.level == "низкий"
    assert level.caps[-1].rules == ["POS-006", "COI-001"]


def test_level_carries_the_scale_note() -> None:
    level = compute_level(_met_rules(3), POLICY)
    assert level.provisional
    assert level.scale_note == f"{NOTE}: пороги выбраны для теста"
    official = compute_level(_met_rules(3), POLICY.model_copy(update={"provisional": False}))
    assert official.scale_note == "шкала: пороги выбраны для теста"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_json_report_says_the_scale_is_provisional() -> None:
    data = json.loads(_cli("check", str(FIXTURES / "school-exemplary.yaml"), "--format", "json",
                           "--as-of", "2024-05-01"))
    assert data["level"]["provisional"] is True
    assert data["level"]["scale_note"].startswith(NOTE)


def test_spravka_in_every_format_names_the_scale(tmp_path: Path) -> None:
    profile = str(FIXTURES / "school-exemplary.yaml")
    for fmt in ("md", "html", "docx"):
        out = tmp_path / f"spravka.{fmt}"
        _cli("report", profile, "--format", fmt, "--output", str(out), "--as-of", "2024-05-01")
        if fmt == "docx":
            text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
        else:
            text = out.read_text(encoding="utf-8")
        level_at = text.index("Уровень объективности –")
        assert text.index(NOTE) > level_at, fmt


def test_batch_summary_names_the_scale(tmp_path: Path) -> None:
    result = run_batch([str(FIXTURES / "school-exemplary.yaml")],
                       BatchOptions(as_of=dt.date(2024, 5, 1)))
    assert result.scale_note.startswith(NOTE)
    out = tmp_path / "out"
    output = _cli("batch", str(FIXTURES / "school-exemplary.yaml"), "--out", str(out),
                  "--no-cache", "--as-of", "2024-05-01")
    assert NOTE in " ".join(output.split())
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scale_note"].startswith(NOTE)

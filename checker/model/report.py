"""The report of one school: a documented, versioned structure (``--format json``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from checker.model.diff import ReportDiff, YearRecord
from checker.model.findings import PROBLEMS, SEVERITY_OF_OUTCOME, Finding, Outcome

# 1.1: conflicts, deadlines, due/done dates, inspection fields;
# 1.2: level.provisional and level.scale_note, graded caps (subjects, provisional, basis),
#      list_history, self_assessment; exceptions (waivers), pack versions with retired /
#      renamed ids, listing, history and changes since a report;
# 1.3: results_signs (class-level ВПР results and the signs found in them);
# 1.4: findings[].source.title (the document's title, not its internal key).
REPORT_VERSION = "1.5"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FiredCap(Model):
    """A cap of the level policy that fired, with the rules that made it fire."""

    id: str
    title: str
    max_level: str
    rules: list[str]
    subjects: int = 1  # how many subjects had the outcome (graded caps)
    provisional: bool = True
    basis: str | None = None


class LevelResult(Model):
    """The level and how it was reached (computed by ``checker.core.score``)."""

    level: str
    score: float | None
    coverage: float
    band_level: str | None
    reasons: list[str]
    caps: list[FiredCap]
    # The scale is this project's own unless the pack cites official criteria: every output
    # says so next to the level (``scale_note``).
    provisional: bool = True
    scale_note: str = ""


class SchoolInfo(Model):
    id: str
    name: str
    type: str | None
    region: str | None
    municipality: str | None


class PackInfo(Model):
    pack: str
    title: str
    layer: str
    version: str | None = None  # None in reports before 1.2 and for packs without one
    retired: list[str] = []
    renamed: dict[str, str] = {}  # old rule id → new rule id


class Listing(Model):
    """Whether the school is in the federal / regional list (the profile's «lists»)."""

    federal: bool | None = None
    regional: bool | None = None


WaiverStatusKind = Literal["applied", "not_needed", "expired", "not_allowed", "unknown_rule",
                           "unknown_subject"]


class WaiverStatus(Model):
    """What became of one exception of the profile."""

    rule_id: str
    subject: str | None
    reason: str
    agreed_by: str
    document: str
    until: dt.date
    status: WaiverStatusKind
    message: str


class ParameterInfo(Model):
    name: str
    title: str
    value: int
    set_by: str
    default_by: str


class ConflictInfo(Model):
    """A regional item in conflict with a rule that takes precedence."""

    pack: str
    document: str | None
    item: str
    quote: str
    overridden_by: str
    note: str


class Deadline(Model):
    """A measure in «Ближайшие сроки»: due soon or overdue, with its date."""

    due: dt.date
    outcome: Outcome
    rule_id: str
    title: str
    subject: str
    label: str
    message: str


class ListingInfo(Model):
    """A year the school was on a list of schools with signs of unobjective results."""

    kind: str  # federal | regional
    title: str
    year: int
    works: list[str] = []
    document: str | None = None


class SelfAssessmentCheck(Model):
    """The level the school gave itself against the computed one, and why they differ."""

    claimed: str
    computed: str
    confirmed: bool
    verdict: str
    reasons: list[str] = []
    document: str | None = None


class ResultRowInfo(Model):
    """One class (or the parallel's total) of a work: N, shares and the signs found."""

    name: str
    parallel: bool = False
    participants: int
    mark_pct: dict[str, int] | None = None  # «2»…«5» → % of the marks
    lowered: int | None = None
    confirmed: int | None = None
    raised: int | None = None
    lowered_pct: int | None = None
    confirmed_pct: int | None = None
    raised_pct: int | None = None
    few_data: bool = False  # fewer than 10 participants: shares shown, no sign judged
    flags: list[str] = []  # «RES-JRN-001: …» — the signs, with their reasons


class WorkResultsInfo(Model):
    """The results of one work (a ВПР procedure) by class."""

    procedure: str
    title: str
    rows: list[ResultRowInfo]
    # The work as the federal lists name it («5 МА»); a school's markers are the works
    # with a sign in some class (batch summary).
    marker: str | None = None
    # The school's work as a whole against the municipality or region (RES-OUT-001): what
    # was compared («4»+«5» 81 % против 52 % …), or why it was not; then its sign, if any.
    comparison: str | None = None
    work_flags: list[str] = []

    @property
    def flagged(self) -> bool:
        return bool(self.work_flags) or any(row.flags for row in self.rows)


class Report(Model):
    """Everything objcheck concluded about one school, as of one date."""

    report_version: str = REPORT_VERSION
    school: SchoolInfo
    source_file: str | None
    as_of: dt.date
    academic_year: str
    packs: list[PackInfo]
    parameters: list[ParameterInfo]
    level: LevelResult
    counts: dict[str, int]
    findings: list[Finding]
    people: dict[str, str] = {}
    conflicts: list[ConflictInfo] = []
    deadlines: list[Deadline] = []  # «Ближайшие сроки»: overdue and due soon, by date
    # Who inspected the school and when (the profile's inspection section), if anyone did.
    warnings: list[str] = []  # e.g. verdicts that name an unknown rule or subject
    inspector: str | None = None
    inspection_date: dt.date | None = None
    waivers: list[WaiverStatus] = []  # the profile's exceptions and what became of each
    listing: Listing = Listing()
    list_history: list[ListingInfo] = []  # the school's list history, oldest first
    self_assessment: SelfAssessmentCheck | None = None
    # Earlier audits carried from the report given to --since (the oldest first), and what
    # changed since that report.
    history: list[YearRecord] = []
    changes: ReportDiff | None = None
    # «Признаки необъективности результатов»: the class tables of the works with results.
    results_signs: list[WorkResultsInfo] = []

    def problems(self) -> list[Finding]:
        """Findings that need action, worst first (violations, then gaps…)."""
        chosen = [f for f in self.findings if f.outcome in PROBLEMS]
        return sorted(chosen, key=lambda f: (SEVERITY_OF_OUTCOME.index(f.outcome), f.rule_id))


DEADLINE_OUTCOMES = (Outcome.OVERDUE, Outcome.DUE_SOON)


def upcoming_deadlines(findings: list[Finding]) -> list[Deadline]:
    """Overdue and due-soon subjects of all findings, the earliest date first."""
    items = [
        Deadline(
            due=s.due, outcome=s.outcome, rule_id=f.rule_id, title=f.title,
            subject=s.subject, label=s.label, message=s.message,
        )
        for f in findings
        for s in f.subjects
        if s.due is not None and s.outcome in DEADLINE_OUTCOMES  # few subjects have a due date
    ]
    return sorted(items, key=lambda d: (d.due, d.rule_id, d.subject))


def count_outcomes(findings: list[Finding]) -> dict[str, int]:
    counts = {outcome.value: 0 for outcome in Outcome}
    for finding in findings:
        counts[finding.outcome.value] += 1
    return counts


def academic_year_of(day: dt.date) -> str:
    """The academic year (1 September – 31 August) that contains ``day``."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{start + 1}"

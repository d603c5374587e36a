"""Signs of unobjective results, computed from class-level results (pure).

A procedure's ``results.classes`` give, per class, the counts of marks, the ВПР mark
against the journal mark and optionally the primary scores. This module turns them into
shares (rounded percentages) for the facts the rules compare against pack parameters, and
into the rows of the report table. The parallel's total is a row of its own.

Small samples are honest: below ``MIN_PARTICIPANTS`` a share says little about a class, so
its fact carries ``few_data`` and no shares; the evaluator gives «мало данных» instead of a
finding. The number 10 is the least group size the ФИОКО 2026 recommendations (as quoted
second-hand) give for a group analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.core.timing import fmt
from checker.model.factkinds import Fact
from checker.model.findings import PROBLEMS, Finding
from checker.model.labels import name_key
from checker.model.profile import ClassResult, MarkScale, Procedure, Profile, Results
from checker.model.report import ResultRowInfo, WorkResultsInfo

MIN_PARTICIPANTS = 10
WORK_REF = "работа"  # the subject of the cohort rule (a school's work, all classes): «v1:работа»
OUTLIER_RULE = "RES-OUT-001"
PARALLEL = "параллель"
MARKS = (2, 3, 4, 5)


def pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass(frozen=True)
class ResultRow:
    """One row of the results table: a class, or the parallel's total."""

    name: str
    participants: int
    marks: dict[int, int] | None
    lowered: int | None
    confirmed: int | None
    raised: int | None
    differ_by_two: int | None = None
    scores: dict[int, int] | None = None
    previous_marks: dict[int, int] | None = None
    previous_participants: int | None = None
    is_parallel: bool = False
    flags: list[str] = field(default_factory=list)

    @property
    def few_data(self) -> bool:
        return self.participants < MIN_PARTICIPANTS

    @property
    def journal_total(self) -> int | None:
        parts = (self.lowered, self.confirmed, self.raised)
        if any(p is None for p in parts):
            return None
        return sum(p or 0 for p in parts)

    def mark_pct(self, mark: int) -> int | None:
        if self.marks is None:
            return None
        return pct(self.marks.get(mark, 0), sum(self.marks.values()))

    def journal_pct(self, part: int | None) -> int | None:
        total = self.journal_total
        return None if part is None or not total else pct(part, total)


def _row(result: ClassResult) -> ResultRow:
    previous = result.previous
    return ResultRow(
        name=str(result.name),
        participants=result.participants,
        marks=dict(result.marks) if result.marks is not None else None,
        lowered=result.lowered,
        confirmed=result.confirmed,
        raised=result.raised,
        differ_by_two=result.differ_by_two,
        scores=dict(result.scores) if result.scores is not None else None,
        previous_marks=dict(previous.marks) if previous is not None else None,
        previous_participants=previous.participants if previous is not None else None,
    )


def _sum_optional(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v or 0 for v in values)


def _sum_maps(maps: list[dict[int, int] | None]) -> dict[int, int] | None:
    if not maps or any(m is None for m in maps):
        return None
    total: dict[int, int] = {}
    for one in maps:
        for key, count in (one or {}).items():
            total[key] = total.get(key, 0) + count
    return total


def result_rows(results: Results) -> list[ResultRow]:
    """The classes of a procedure, then (with two classes or more) the parallel's total."""
    rows = [_row(r) for r in results.classes or []]
    if len(rows) < 2:
        return rows
    return [*rows, ResultRow(
        name=PARALLEL,
        participants=sum(r.participants for r in rows),
        marks=_sum_maps([r.marks for r in rows]),
        lowered=_sum_optional([r.lowered for r in rows]),
        confirmed=_sum_optional([r.confirmed for r in rows]),
        raised=_sum_optional([r.raised for r in rows]),
        differ_by_two=_sum_optional([r.differ_by_two for r in rows]),
        scores=_sum_maps([r.scores for r in rows]),
        previous_marks=_sum_maps([r.previous_marks for r in rows]),
        previous_participants=_sum_optional([r.previous_participants for r in rows]),
        is_parallel=True,
    )]


def peak_excess_pct(scores: dict[int, int], scale: MarkScale) -> int:
    """The share of the class (in %) standing at a mark boundary above the mean of the two
    scores beside it, at the worst boundary.

    An honest distribution is smooth: a boundary holds about as many pupils as its
    neighbours, so the excess is near 0. Pupils «pulled up» to the least score of a mark
    pile up there. A share of the class, not a ratio, so that one or two pupils in a small
    class (3 at the boundary against 1 and 1 beside it) are not a peak.
    """
    total = sum(scores.values())
    if not total:
        return 0
    worst = 0.0
    for boundary in (scale.min3, scale.min4, scale.min5):
        around = (scores.get(boundary - 1, 0) + scores.get(boundary + 1, 0)) / 2
        worst = max(worst, scores.get(boundary, 0) - around)
    return round(100 * worst / total)


def work_fact(kind: str, proc: Procedure, ref: str, path: str) -> Fact:
    """The fields every results fact of a procedure's work starts with."""
    return {
        "t": kind,
        "ref": f"{proc.id}:{ref}",
        "procedure": proc.id,
        "kind": proc.kind,
        "subject": name_key(proc.subject) if proc.subject else None,
        "grade": proc.grade,
        "path": path,
    }


def result_fact(proc: Procedure, row: ResultRow, path: str) -> Fact:
    """The ``class_result`` fact of one row: shares only when the sample is large enough."""
    fact = work_fact("class_result", proc, row.name, path)
    fact.update({
        "class": row.name,
        "parallel": row.is_parallel,
        "participants": row.participants,
        "few_data": row.few_data,
    })
    if row.few_data:
        return {k: v for k, v in fact.items() if v is not None}
    for mark in MARKS:
        fact[f"pct{mark}"] = row.mark_pct(mark)
    fact["lowered_pct"] = row.journal_pct(row.lowered)
    fact["confirmed_pct"] = row.journal_pct(row.confirmed)
    fact["raised_pct"] = row.journal_pct(row.raised)
    if row.differ_by_two is not None:
        fact["differ2_pct"] = pct(row.differ_by_two, row.participants)
    scale = proc.results.scale if proc.results is not None else None
    if row.scores is not None and scale is not None:
        fact["peak_pct"] = peak_excess_pct(row.scores, scale)
    if row.previous_marks is not None and row.marks is not None:
        before = sum(row.previous_marks.values())
        if before >= MIN_PARTICIPANTS:
            for mark in (2, 5):
                now = row.mark_pct(mark) or 0
                fact[f"rise{mark}_pp"] = now - pct(row.previous_marks.get(mark, 0), before)
    return {k: v for k, v in fact.items() if v is not None}


def class_result_facts(proc: Procedure, path: str) -> list[Fact]:
    results = proc.results
    if results is None or results.classes is None:
        return []
    return [
        result_fact(proc, row, f"{path}.results.classes")
        for row in result_rows(results)
    ]


# --- the report's table ----------------------------------------------------------------


def _flags_by_subject(findings: list[Finding]) -> dict[str, list[str]]:
    """«proc:class» → the signs found there, each «RULE-ID: reason»."""
    flags: dict[str, list[str]] = {}
    for finding in findings:
        for subject in finding.subjects:
            # the reference first: most subjects are not results (a string test is cheaper)
            if ":" not in subject.subject or subject.outcome not in PROBLEMS:
                continue
            reason = subject.message.removeprefix(f"{subject.label}: ")
            flags.setdefault(subject.subject, []).append(f"{finding.rule_id}: {reason}")
    return flags


# Subject codes of the federal lists of schools with signs («4 РУ», «5 МА»).
SUBJECT_CODES = {
    "русский язык": "РУ", "математика": "МА", "окружающий мир": "ОМ", "история": "ИС",
    "биология": "БИ", "география": "ГЕ", "обществознание": "ОБ", "физика": "ФИ",
    "химия": "ХИ", "английский язык": "АЯ", "немецкий язык": "НЯ", "французский язык": "ФЯ",
    "информатика": "ИН", "литература": "ЛИ",
}


def work_marker(proc: Procedure) -> str | None:
    """«5 МА» for ВПР by maths in grade 5; ``None`` without a subject or a grade."""
    if proc.subject is None or proc.grade is None:
        return None
    subject = name_key(proc.subject)
    code = SUBJECT_CODES.get(subject, subject[:2].upper())
    return f"{proc.grade} {code}"


def _work_title(proc: Procedure) -> str:
    parts = [proc.kind, proc.subject, f"{proc.grade} кл." if proc.grade else None]
    title = " · ".join(p for p in parts if p)
    # the date as a Russian reader writes it (16.04.2024), like the labels of findings
    return f"{title} ({fmt(proc.date)})" if proc.date else title


def _row_info(row: ResultRow, flags: list[str]) -> ResultRowInfo:
    # ResultRow.mark_pct / journal_pct, with the totals summed once for the row
    marks = None
    if row.marks is not None:
        counted = sum(row.marks.values())
        marks = {str(m): pct(row.marks.get(m, 0), counted) for m in MARKS}
    journal = row.journal_total

    def journal_pct(part: int | None) -> int | None:
        return None if part is None or not journal else pct(part, journal)

    return ResultRowInfo(
        name=row.name, parallel=row.is_parallel, participants=row.participants,
        mark_pct=marks, lowered=row.lowered, confirmed=row.confirmed, raised=row.raised,
        lowered_pct=journal_pct(row.lowered),
        confirmed_pct=journal_pct(row.confirmed),
        raised_pct=journal_pct(row.raised),
        few_data=row.few_data, flags=flags,
    )


def results_tables(profile: Profile, findings: list[Finding]) -> list[WorkResultsInfo]:
    """A table per procedure with class results: N, shares and the signs of each row."""
    flags = _flags_by_subject(findings)
    compared = _comparisons(findings)
    tables = []
    for proc in profile.procedures or []:
        if proc.results is None or not proc.results.classes:
            continue
        rows = [
            _row_info(row, flags.get(f"{proc.id}:{row.name}", []))
            for row in result_rows(proc.results)
        ]
        work = f"{proc.id}:{WORK_REF}"
        tables.append(WorkResultsInfo(procedure=proc.id, title=_work_title(proc), rows=rows,
                                      marker=work_marker(proc), comparison=compared.get(work),
                                      work_flags=flags.get(work, [])))
    return tables


def _comparisons(findings: list[Finding]) -> dict[str, str]:
    """«proc:работа» → the outcome of the comparison with the municipality, in words."""
    found: dict[str, str] = {}
    for finding in findings:
        if finding.rule_id != OUTLIER_RULE:
            continue
        for subject in finding.subjects:
            found[subject.subject] = subject.message
    return found

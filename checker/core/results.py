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

from collections.abc import Sequence
from typing import NamedTuple

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


class ResultRow(NamedTuple):
    """One row of the results table: a class, or the parallel's total.

    A named tuple, not a frozen dataclass: as immutable, and built in a fifth of the time
    (a frozen dataclass sets each field through ``object.__setattr__``); the facts and the
    report's table make a row per class of every work with results."""

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

    @property
    def few_data(self) -> bool:
        return self.participants < MIN_PARTICIPANTS

    @property
    def journal_total(self) -> int | None:
        lowered, confirmed, raised = self.lowered, self.confirmed, self.raised
        if lowered is None or confirmed is None or raised is None:
            return None
        return lowered + confirmed + raised

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


def _sum_optional(values: Sequence[int | None]) -> int | None:
    total = 0
    for value in values:
        if value is None:
            return None  # one class unreported: the parallel's total is unknown
        total += value
    return total


def _sum_maps(maps: Sequence[dict[int, int] | None]) -> dict[int, int] | None:
    if not maps or None in maps:
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
    # the rows' columns at once (a row is a tuple), each summed
    (_, participants, marks, lowered, confirmed, raised, differ_by_two, scores,
     previous_marks, previous_participants, _) = zip(*rows, strict=True)
    return [*rows, ResultRow(
        name=PARALLEL,
        participants=sum(participants),
        marks=_sum_maps(marks),
        lowered=_sum_optional(lowered),
        confirmed=_sum_optional(confirmed),
        raised=_sum_optional(raised),
        differ_by_two=_sum_optional(differ_by_two),
        scores=_sum_maps(scores),
        previous_marks=_sum_maps(previous_marks),
        previous_participants=_sum_optional(previous_participants),
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
    """The fields every results fact of a procedure's work starts with (the ``id`` is set
    when the facts are numbered, checker.core.facts)."""
    return {
        "id": "",
        "t": kind,
        "ref": f"{proc.id}:{ref}",
        "procedure": proc.id,
        "kind": proc.kind,
        "subject": name_key(proc.subject) if proc.subject else None,
        "grade": proc.grade,
        "path": path,
    }


def result_fact(work: Fact, row: ResultRow, scale: MarkScale | None) -> Fact:
    """The ``class_result`` fact of one row: shares only when the sample is large enough.

    ``work``: the procedure's ``work_fact`` without its unknown fields, made once for all
    its rows. A share that cannot be computed is left out (no field), like every unknown
    field."""
    fact = work.copy()
    fact["ref"] = f"{work['procedure']}:{row.name}"  # in its place: the key is there
    fact["class"] = row.name
    fact["parallel"] = row.is_parallel
    fact["participants"] = row.participants
    fact["few_data"] = row.few_data
    if not row.few_data:
        _add_shares(fact, row, scale)
    return fact


# (field, mark) of the shares of marks: formatted once, not for every row
_MARK_FIELDS = tuple((f"pct{mark}", mark) for mark in MARKS)


def _add_shares(fact: Fact, row: ResultRow, scale: MarkScale | None) -> None:
    """The shares of a row with enough data, each computed once from the row's totals
    (``ResultRow.mark_pct`` and ``journal_pct`` sum the row again at every call)."""
    marks = row.marks
    if marks is not None:
        total = sum(marks.values())
        for name, mark in _MARK_FIELDS:
            fact[name] = pct(marks.get(mark, 0), total)
    journal = row.journal_total
    if journal:
        for name, part in (("lowered_pct", row.lowered), ("confirmed_pct", row.confirmed),
                           ("raised_pct", row.raised)):
            fact[name] = pct(part or 0, journal)
    if row.differ_by_two is not None:
        fact["differ2_pct"] = pct(row.differ_by_two, row.participants)
    if row.scores is not None and scale is not None:
        fact["peak_pct"] = peak_excess_pct(row.scores, scale)
    if row.previous_marks is not None and marks is not None:
        before = sum(row.previous_marks.values())
        if before >= MIN_PARTICIPANTS:
            for mark in (2, 5):
                now = pct(marks.get(mark, 0), total)
                fact[f"rise{mark}_pp"] = now - pct(row.previous_marks.get(mark, 0), before)


def class_result_facts(proc: Procedure, path: str) -> list[Fact]:
    results = proc.results
    if results is None or results.classes is None:
        return []
    work = work_fact("class_result", proc, "", f"{path}.results.classes")
    known = {k: v for k, v in work.items() if v is not None}
    return [result_fact(known, row, results.scale) for row in result_rows(results)]


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

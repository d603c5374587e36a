"""Outliers against the municipality or region: the cohort rule RES-OUT-001 (pure).

A school's work (ВПР, subject × grade, all its classes together) is compared with the
reference distribution of the same work — published by the authority (``check
--reference``) or computed by ``batch`` from the other schools of the municipality (region).
One test for both: the school's share of «4» and «5» is above the reference's by at least
``results_outlier_min_pp`` percentage points AND by at least ``results_outlier_min_z``
standard errors of a share of the school's size (binomial, the reference's share as the
true one), so that a small school with a few more fives by chance is not an outlier.

Not a sign, with the reason in the report: a лицей or гимназия, a school that studies the
subject in depth (``school.advanced_subjects``), or high results backed by the school's
ГИА (ОГЭ/ЕГЭ class results in the same subject passing the same test).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from checker.core.results import MIN_PARTICIPANTS, WORK_REF, work_fact
from checker.model.factkinds import Fact
from checker.model.labels import name_key
from checker.model.profile import Procedure, Profile
from checker.model.reference import WorkReference

GIA = ("ОГЭ", "ЕГЭ")
SELECTIVE_TYPES = ("лицей", "гимназия")
MIN_PP = "results_outlier_min_pp"
MIN_Z = "results_outlier_min_z"
REF_MIN_SCHOOLS = "results_outlier_ref_min_schools"
REF_MIN_PARTICIPANTS = "results_outlier_ref_min_participants"

PARAMETERS = (MIN_PP, MIN_Z, REF_MIN_SCHOOLS, REF_MIN_PARTICIPANTS)

WorkKey = tuple[str, str, int]  # kind, subject (name_key), grade


@dataclass(frozen=True, slots=True)
class WorkTotals:
    """A school's marks in one work, summed over its classes that report them."""

    kind: str
    subject: str
    grade: int
    marks: tuple[int, int, int, int]  # «2», «3», «4», «5»

    @property
    def key(self) -> WorkKey:
        return (self.kind, self.subject, self.grade)

    @property
    def participants(self) -> int:
        return sum(self.marks)

    @property
    def share45(self) -> float:
        n = self.participants
        return (self.marks[2] + self.marks[3]) / n if n else 0.0


@dataclass(frozen=True, slots=True)
class Excess:
    """How far a school's share of «4» and «5» stands above a reference's."""

    pp: float  # percentage points
    z: float  # in standard errors of a share of the school's size

    def is_outlier(self, min_pp: int, min_z: int) -> bool:
        return self.pp >= min_pp and self.z >= min_z


def excess(totals: WorkTotals, reference_share45: float) -> Excess:
    p, n = reference_share45, totals.participants
    diff = totals.share45 - p
    error = math.sqrt(p * (1 - p) / n) if n else 0.0
    if error == 0.0:  # a reference of all «4»/«5» (or none): any rise is beyond chance
        return Excess(pp=100 * diff, z=math.inf if diff > 0 else 0.0)
    return Excess(pp=100 * diff, z=diff / error)


def reference_usable(reference: WorkReference, params: Mapping[str, int]) -> bool:
    """A reference of too few schools or pupils says little about «the municipality»."""
    if reference.participants < params[REF_MIN_PARTICIPANTS]:
        return False
    return reference.schools is None or reference.schools >= params[REF_MIN_SCHOOLS]


def procedure_totals(proc: Procedure) -> WorkTotals | None:
    """The marks of a procedure's classes, summed; ``None`` without subject, grade or marks."""
    results = proc.results
    if results is None or not results.classes or proc.subject is None or proc.grade is None:
        return None
    n2 = n3 = n4 = n5 = 0
    seen = False
    for result in results.classes:
        marks = result.marks
        if marks is None:
            continue
        seen = True
        n2 += marks.get(2, 0)
        n3 += marks.get(3, 0)
        n4 += marks.get(4, 0)
        n5 += marks.get(5, 0)
    if not seen:
        return None
    return WorkTotals(proc.kind, name_key(proc.subject), proc.grade, (n2, n3, n4, n5))


def work_totals(profile: Profile) -> list[WorkTotals]:
    """Every work of the school with marks (ВПР and ГИА), one per (kind, subject, grade)."""
    summed: dict[WorkKey, list[int]] = {}
    for proc in profile.procedures or []:
        totals = procedure_totals(proc)
        if totals is None:
            continue
        into = summed.setdefault(totals.key, [0, 0, 0, 0])
        for index, count in enumerate(totals.marks):
            into[index] += count
    return [
        WorkTotals(kind, subject, grade, (m[0], m[1], m[2], m[3]))
        for (kind, subject, grade), m in sorted(summed.items())
    ]


def reference_key(reference: WorkReference) -> WorkKey:
    return (reference.kind, name_key(reference.subject), reference.grade)


def _gia_backing(
    profile: Profile, subject: str, fallback: WorkReference,
    references: Mapping[WorkKey, WorkReference], params: Mapping[str, int],
) -> str | None:
    """Why the school's ГИА in the subject backs its high ВПР results, or ``None``.

    Backing: some ОГЭ/ЕГЭ work of the school in the same subject (N ≥ 10) passes the same
    test against its own reference, or, without one, against the ВПР work's reference.
    """
    for totals in work_totals(profile):
        if totals.kind not in GIA or totals.subject != subject:
            continue
        if totals.participants < MIN_PARTICIPANTS:
            continue
        own = references.get(totals.key)
        reference = own if own is not None and reference_usable(own, params) else fallback
        found = excess(totals, reference.share45)
        if found.is_outlier(params[MIN_PP], params[MIN_Z]):
            return (f"высокие результаты подтверждает {totals.kind} по предмету "
                    f"({totals.grade} кл., N = {totals.participants}: «4»+«5» "
                    f"{_pct(totals.share45)} % против {_pct(reference.share45)} %)")
    return None


def _pct(share: float) -> int:
    return round(100 * share)


def exclusion(profile: Profile, subject: str) -> str | None:
    """Why a high share in this subject is expected of this school, or ``None``."""
    school = profile.school
    advanced = {name_key(s) for s in school.advanced_subjects or []}
    if subject in advanced:
        return "школа с углублённым изучением предмета"
    if school.type in SELECTIVE_TYPES:
        return f"школа — {school.type}"
    return None


def work_result_fact(
    profile: Profile, proc: Procedure, path: str,
    references: Mapping[WorkKey, WorkReference], params: Mapping[str, int],
) -> Fact | None:
    """The ``work_result`` fact of one ВПР procedure with class results (ГИА only backs)."""
    if proc.kind != "ВПР" or proc.results is None or not proc.results.classes:
        return None
    totals = procedure_totals(proc)
    fact = work_fact("work_result", proc, WORK_REF, f"{path}.results.classes")
    if totals is None:  # no marks (or no subject / grade): nothing to compare
        return {k: v for k, v in fact.items() if v is not None}
    fact["participants"] = totals.participants
    fact["pct45"] = _pct(totals.share45)
    if totals.participants < MIN_PARTICIPANTS:
        fact["few_data"] = True
        return {k: v for k, v in fact.items() if v is not None}
    reference = references.get(totals.key)
    if reference is None or not reference_usable(reference, params):
        return {k: v for k, v in fact.items() if v is not None}
    found = excess(totals, reference.share45)
    fact["ref_group"] = reference.group + (" (без школы)" if reference.leave_one_out else "")
    fact["ref_pct45"] = _pct(reference.share45)
    fact["excess_pp"] = round(found.pp)
    # 99.9 standard errors and more (or a reference with no «4»/«5» at all: infinitely many)
    fact["z10"] = 999 if found.z >= 99.9 else max(0, round(10 * found.z))
    reason = None
    if found.is_outlier(params[MIN_PP], params[MIN_Z]):
        reason = exclusion(profile, totals.subject) or _gia_backing(
            profile, totals.subject, reference, references, params
        )
        fact["sign_pp"] = 0 if reason else round(found.pp)
    else:
        fact["sign_pp"] = 0
    if reason:
        fact["not_sign"] = reason
    return {k: v for k, v in fact.items() if v is not None}


def work_result_facts(
    profile: Profile, references: Mapping[WorkKey, WorkReference], params: Mapping[str, int],
) -> list[Fact]:
    if not all(name in params for name in PARAMETERS):
        # a rule book without the results pack (--rules DIR, --compare-rules OLD_DIR) has no
        # thresholds: nothing to compare with, as without a reference
        references = {}
    facts = []
    for index, proc in enumerate(profile.procedures or []):
        fact = work_result_fact(profile, proc, f"procedures[{index}]", references, params)
        if fact is not None:
            facts.append(fact)
    return facts


def could_be_outlier(
    totals: WorkTotals, reference: WorkReference, params: Mapping[str, int]
) -> bool:
    """The statistical half of the test alone (``batch`` re-checks only these schools)."""
    if totals.participants < MIN_PARTICIPANTS or not reference_usable(reference, params):
        return False
    return excess(totals, reference.share45).is_outlier(params[MIN_PP], params[MIN_Z])


def references_for(
    municipality: str | None, region: str | None, references: Sequence[WorkReference]
) -> list[WorkReference]:
    """One reference per work for a school, from a file of several groups (РФ, regions,
    municipalities): its municipality's row, else its region's, else the work's only row.
    A work with several rows and none of the school's is left out («не сообщено»): which
    of them is «the municipality» would be a guess."""
    by_work: dict[WorkKey, list[WorkReference]] = {}
    for reference in references:
        by_work.setdefault(reference_key(reference), []).append(reference)
    chosen = []
    for rows in by_work.values():
        for place in (municipality, region):
            if place is None:
                continue
            match = [r for r in rows if name_key(r.group) == name_key(place)]
            if match:
                chosen.append(match[0])
                break
        else:
            if len(rows) == 1:
                chosen.append(rows[0])
    return chosen


# --- the whole set (batch): each school against the rest of its municipality -----------

# kind, subject (name_key), grade, then the counts of «2», «3», «4», «5»: a school's work as
# the batch summary row carries it (small, and plain data for the result cache)
WorkCounts = tuple[str, str, int, int, int, int, int]


def counts_of(totals: WorkTotals) -> WorkCounts:
    return (totals.kind, totals.subject, totals.grade, *totals.marks)


def totals_of(counts: WorkCounts) -> WorkTotals:
    kind, subject, grade, n2, n3, n4, n5 = counts
    return WorkTotals(kind, subject, grade, (n2, n3, n4, n5))


@dataclass(frozen=True, slots=True)
class CohortMember:
    """What the cohort rule needs of a school of the set: its place and its works."""

    municipality: str | None
    region: str | None
    works: tuple[WorkCounts, ...]


GroupKey = tuple[str | None, str | None]  # (region, municipality); municipality None: region


@dataclass
class _GroupSum:
    marks: list[int]
    schools: int = 0


def _group_keys(member: CohortMember) -> list[GroupKey]:
    keys: list[GroupKey] = []
    if member.municipality is not None:
        keys.append((member.region, member.municipality))
    if member.region is not None:
        keys.append((member.region, None))
    return keys


def leave_one_out_references(
    members: Sequence[CohortMember],
    params_of: Callable[[CohortMember], Mapping[str, int]],
) -> list[list[WorkReference]]:
    """For each school, the distribution of each of its works in its municipality without
    it — or, when the rest is too small (``results_outlier_ref_min_*``), in its region
    without it; a work with neither gets none («не сообщено»).

    Sums of integer counts: the same whatever the order of the schools.
    """
    sums: dict[tuple[GroupKey, WorkKey], _GroupSum] = {}
    for member in members:
        for counts in member.works:
            totals = totals_of(counts)
            if not totals.participants:
                continue
            for group in _group_keys(member):
                into = sums.setdefault((group, totals.key), _GroupSum([0, 0, 0, 0]))
                into.schools += 1
                for index, count in enumerate(totals.marks):
                    into.marks[index] += count
    found: list[list[WorkReference]] = []
    for member in members:
        params = params_of(member)
        references = []
        for counts in member.works:
            totals = totals_of(counts)
            if not totals.participants:
                continue
            for group in _group_keys(member):
                reference = _rest_of(sums[(group, totals.key)], totals, group, params)
                if reference is not None:
                    references.append(reference)
                    break
        found.append(references)
    return found


def _rest_of(
    total: _GroupSum, own: WorkTotals, group: GroupKey, params: Mapping[str, int]
) -> WorkReference | None:
    rest = [all_ - mine for all_, mine in zip(total.marks, own.marks, strict=True)]
    participants = sum(rest)
    reference = WorkReference(
        kind=own.kind,
        subject=own.subject,
        grade=own.grade,
        group=group[1] or group[0] or "",
        participants=max(participants, 1),
        schools=max(total.schools - 1, 1),
        marks_pct={
            mark: 100 * count / participants if participants else 0.0
            for mark, count in zip((2, 3, 4, 5), rest, strict=True)
        },
        leave_one_out=True,
    )
    enough = participants > 0 and total.schools - 1 >= params[REF_MIN_SCHOOLS]
    return reference if enough and reference_usable(reference, params) else None

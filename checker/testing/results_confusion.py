"""How well the results-signs rules separate honest and inflating synthetic schools.

``python -m checker.testing.results_confusion [COUNT] [SEED]`` prints the confusion table
the README quotes: a school counts as flagged when any RES rule found a sign (a gap) in
some class or parallel; the truth is ``checker.testing.synthetic.inflates``.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass

from checker.core.check import Checker
from checker.core.cohort import CohortMember, counts_of, leave_one_out_references, work_totals
from checker.io.load import load_profile
from checker.testing.synthetic import inflates, make_profile, to_yaml

AS_OF = dt.date(2024, 5, 1)


@dataclass(frozen=True)
class Confusion:
    flagged_inflating: int = 0
    missed_inflating: int = 0
    flagged_honest: int = 0
    clear_honest: int = 0
    without_results: int = 0  # schools whose ВПР carried no class results

    @property
    def recall(self) -> float:
        total = self.flagged_inflating + self.missed_inflating
        return self.flagged_inflating / total if total else 0.0

    @property
    def false_positive_rate(self) -> float:
        total = self.flagged_honest + self.clear_honest
        return self.flagged_honest / total if total else 0.0


def _rows(checker: Checker, seed: int, index: int) -> list[bool]:
    """Per class (the parallel's total and small classes left out): a sign found?"""
    profile = load_profile(to_yaml(make_profile(seed, index)), f"synthetic-{index}")
    report = checker.check(profile, AS_OF)
    return [
        bool(row.flags)
        for work in report.results_signs for row in work.rows
        if not row.parallel and not row.few_data
    ]


def confusion(checker: Checker, count: int, seed: int = 1) -> tuple[Confusion, Confusion]:
    """(by class, by school): a school is flagged when a sign is found in one of its
    classes; schools without class results (or only small classes) are counted apart."""
    classes = dict.fromkeys(("fi", "mi", "fh", "ch", "none"), 0)
    schools = dict(classes)
    for index in range(count):
        rows = _rows(checker, seed, index)
        truth = inflates(seed, index)
        for found in rows:
            classes[("f" if found else "m" if truth else "c") + ("i" if truth else "h")] += 1
        if not rows:
            schools["none"] += 1
            continue
        found = any(rows)
        schools[("f" if found else "m" if truth else "c") + ("i" if truth else "h")] += 1
    return tuple(  # type: ignore[return-value]
        Confusion(c["fi"], c["mi"], c["fh"], c["ch"], c["none"]) for c in (classes, schools)
    )


def outlier_confusion(checker: Checker, count: int, seed: int = 1) -> Confusion:
    """By school, the cohort rule RES-OUT-001 as ``batch`` runs it: each school's ВПР works
    against the rest of its municipality (or region). A school is flagged when the rule
    finds a sign in one of its works; schools none of whose works had a usable reference
    are counted apart (``without_results``)."""
    profiles = [load_profile(to_yaml(make_profile(seed, index)), f"synthetic-{index}")
                for index in range(count)]
    members = [
        CohortMember(p.school.municipality, p.school.region,
                     tuple(counts_of(t) for t in work_totals(p)))
        for p in profiles
    ]
    params = {n: p.value for n, p in checker.rulebook.select(None, None).parameters.items()}
    references = leave_one_out_references(members, lambda _member: params)
    tally = dict.fromkeys(("fi", "mi", "fh", "ch", "none"), 0)
    for index, (profile, refs) in enumerate(zip(profiles, references, strict=True)):
        if not any(r.kind == "ВПР" for r in refs):
            tally["none"] += 1
            continue
        report = checker.check(profile, AS_OF, references=refs, with_evidence=False)
        found = any(work.work_flags for work in report.results_signs)
        truth = inflates(seed, index)
        tally[("f" if found else "m" if truth else "c") + ("i" if truth else "h")] += 1
    return Confusion(tally["fi"], tally["mi"], tally["fh"], tally["ch"], tally["none"])


def _table(title: str, table: Confusion) -> str:
    return (f"{title}\n\n| | признаки есть | признаков нет |\n|---|---|---|\n"
            f"| завышающие | {table.flagged_inflating} | {table.missed_inflating} |\n"
            f"| честные | {table.flagged_honest} | {table.clear_honest} |\n\n"
            f"полнота {table.recall:.2f}, доля ложных срабатываний "
            f"{table.false_positive_rate:.2f}\n")


if __name__ == "__main__":  # pragma: no cover - prints the README tables
    args = [int(a) for a in sys.argv[1:3]]
    by_class, by_school = confusion(Checker(), *(args or [300]))
    print(_table("По классам (N ≥ 10)", by_class))
    print(_table("По школам (признак хотя бы в одном классе)", by_school))
    print(f"школ без результатов по классам: {by_school.without_results}")
    outliers = outlier_confusion(Checker(), *(args or [300]))
    print(_table("По школам, выброс относительно муниципалитета (RES-OUT-001)", outliers))
    print(f"школ без эталона ни по одной работе: {outliers.without_results}")

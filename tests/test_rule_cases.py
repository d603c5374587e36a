"""Runs every case kept beside every pack (``rules/**/<pack>.cases.yaml``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checker.core.check import Checker
from checker.io.packs import RuleBook, discover_packs, load_rulebook
from checker.model.profile import Profile
from checker.testing.cases import Case, case_profile, load_cases

from .conftest import RULES

CASE_DATE = dt.date(2024, 3, 1)


def _collect() -> list[tuple[str, str, Path, Case]]:
    book = load_rulebook(RULES)
    by_origin = {Path(origin): name for name, origin in book.origins.items()}
    collected = []
    for pack_path in discover_packs(RULES):
        cases_path = pack_path.with_name(pack_path.stem + ".cases.yaml")
        if not cases_path.exists():
            continue
        for rule_id, cases in load_cases(cases_path).items():
            for case in cases:
                collected.append((by_origin[pack_path], rule_id, cases_path, case))
    return collected


CASES = _collect()


@pytest.mark.parametrize(
    ("pack_name", "rule_id", "cases_path", "case"),
    CASES,
    ids=[f"{rule_id}-{case.name}" for _pack, rule_id, _path, case in CASES],
)
def test_rule_case(
    pack_name: str, rule_id: str, cases_path: Path, case: Case, rulebook: RuleBook, checker: Checker
) -> None:
    pack = next(p for p in rulebook.packs if p.pack == pack_name)
    assert any(r.id == rule_id for r in pack.rules), f"{cases_path}: нет правила {rule_id} в пакете"
    data = case_profile(case, pack.scope.region, pack.scope.municipality, pack.scope.schools)
    report = checker.check(Profile.model_validate(data), case.as_of or CASE_DATE,
                           references=case.references)
    finding = next(f for f in report.findings if f.rule_id == rule_id)
    assert finding.outcome is case.expect, finding.message
    got = {s.subject: s.outcome for s in finding.subjects}
    for subject, outcome in case.subjects.items():
        assert got.get(subject) is outcome, f"{subject}: {got.get(subject)}"

"""The level formula of checker.core.score, by hand-computed examples.

Each expectation is computed from the formula in the module docstring:
score = Σ w·met/total / Σ w·known/total, coverage = Σ w·known/total / Σ w.
"""

from __future__ import annotations

import pytest

from checker.core.score import compute_level
from checker.model.findings import Finding, Outcome, RemediationRef, SourceRef
from checker.model.rulepack import UNDETERMINED, Band, Cap, LevelPolicy

BANDS = [Band(level="высокий", min_score=0.9), Band(level="средний", min_score=0.7)]
BASIS = "пороги для теста"
POLICY = LevelPolicy(min_coverage=0.5, bands=BANDS, basis=BASIS)


def finding(
    rule_id: str = "TT-001", outcome: Outcome = Outcome.MET, *, weight: float = 1.0,
    total: int = 1, met: int | None = None, known: int | None = None,
    severity: str = "low",
) -> Finding:
    """A finding; by default every subject is judged, and met when the outcome is met."""
    judged = total if known is None else known
    done = (judged if outcome is Outcome.MET else 0) if met is None else met
    return Finding(
        rule_id=rule_id, title="правило", pack="p", direction="procedure", severity=severity,
        weight=weight, outcome=outcome, message="", subjects=[], total=total, met=done,
        known=judged,
        source=SourceRef(document="seed:000", item="1", quote="цитата", confirmed=True),
        remediation=RemediationRef(measure="м", responsible="р", due="с"),
    )


def policy(*caps: Cap, min_coverage: float = 0.5) -> LevelPolicy:
    return LevelPolicy(min_coverage=min_coverage, bands=BANDS, caps=list(caps), basis=BASIS)


# --- weights and partial credit -------------------------------------------------------------


def test_weights_scale_each_rule() -> None:
    """A met rule of weight 5 and a gap of weight 1: 5 / (5 + 1)."""
    result = compute_level(
        [finding("AA-001", weight=5), finding("BB-001", Outcome.GAP, weight=1)], POLICY
    )
    assert result.score == round(5 / 6, 4)
    assert result.coverage == 1.0
    assert result.level == "средний"  # 0.833: at least 0.7, below 0.9


def test_partial_credit_per_subject() -> None:
    """Video at 3 of 4 procedures earns 3/4 of the rule's weight, not nothing."""
    result = compute_level([finding(outcome=Outcome.GAP, weight=3, total=4, met=3)], POLICY)
    assert result.score == 0.75
    assert result.level == "средний"


def test_a_rule_about_one_thing_weighs_as_much_as_a_rule_about_many() -> None:
    """One regulation met (1/1) and 1 of 10 procedures met, equal weights: (1 + 0.1) / 2."""
    result = compute_level(
        [finding("AA-001"), finding("BB-001", Outcome.GAP, total=10, met=1)], POLICY
    )
    assert result.score == 0.55


def test_unknown_lowers_coverage_not_score() -> None:
    """One subject met, one not reported: score 1/1, coverage 1/2."""
    result = compute_level([finding(outcome=Outcome.UNKNOWN, total=2, known=1, met=1)], POLICY)
    assert result.score == 1.0
    assert result.coverage == 0.5


@pytest.mark.parametrize(
    "left_out",
    [
        finding("XX-001", Outcome.NOT_APPLICABLE, weight=5, known=1, met=0),
        # as evaluation makes it: every subject under an exception is out of total
        finding("XX-001", Outcome.WAIVED, weight=5, total=0, known=0, met=0),
        finding("XX-001", Outcome.GAP, weight=0),  # a recommendation weighs nothing
        finding("XX-001", Outcome.NOT_YET_DUE, weight=5, total=0, known=0, met=0),
    ],
    ids=["not_applicable", "waived", "weight_0", "all_open"],
)
def test_findings_left_out_of_the_level(left_out: Finding) -> None:
    alone = compute_level([finding("AA-001", Outcome.GAP, total=2, met=1)], POLICY)
    both = compute_level([finding("AA-001", Outcome.GAP, total=2, met=1), left_out], POLICY)
    assert both.score == alone.score == 0.5
    assert both.coverage == alone.coverage == 1.0


def test_nothing_judged_is_undetermined() -> None:
    result = compute_level([finding(outcome=Outcome.UNKNOWN, known=0, met=0)], POLICY)
    assert result.score is None
    assert result.coverage == 0.0
    assert result.level == UNDETERMINED


# --- bands, at exactly their thresholds -----------------------------------------------------


@pytest.mark.parametrize(
    ("met", "level"),
    [(10, "высокий"), (9, "высокий"), (8, "средний"), (7, "средний"), (6, "низкий"), (0, "низкий")],
)
def test_band_edges(met: int, level: str) -> None:
    """9 of 10 is exactly the 0.9 threshold and reaches it; 7 of 10 exactly 0.7."""
    result = compute_level([finding(outcome=Outcome.GAP, total=10, met=met)], POLICY)
    assert result.band_level == level
    assert result.level == level


# --- the coverage gate ----------------------------------------------------------------------


def test_coverage_exactly_at_the_gate_determines_the_level() -> None:
    result = compute_level([finding(outcome=Outcome.UNKNOWN, total=2, known=1, met=1)], POLICY)
    assert result.coverage == 0.5
    assert result.level == "высокий"


def test_coverage_below_the_gate_leaves_the_level_undetermined() -> None:
    """3 subjects, 1 reported: coverage 1/3 < 0.5, even with a perfect score."""
    result = compute_level([finding(outcome=Outcome.UNKNOWN, total=3, known=1, met=1)], POLICY)
    assert result.score == 1.0
    assert result.band_level == "высокий"
    assert result.level == UNDETERMINED


def test_coverage_is_weighted() -> None:
    """A known rule of weight 3 and an unknown one of weight 1: coverage 3/4."""
    result = compute_level(
        [finding("AA-001", weight=3), finding("BB-001", Outcome.UNKNOWN, known=0, met=0)],
        policy(min_coverage=0.75),
    )
    assert result.coverage == 0.75
    assert result.level == "высокий"


# --- caps -----------------------------------------------------------------------------------

CRITICAL = Cap(id="critical", title="критическое нарушение", max_level="низкий",
               outcome="violation", severity="critical")
ANY_GAP = Cap(id="gap", title="пробел", max_level="средний", outcome="gap")
LISTED = Cap(id="listed", title="в перечне", max_level="низкий", rules=["LST-001"])


def test_cap_lowers_a_perfect_score() -> None:
    findings = [
        finding("AA-001", weight=10, total=20),
        finding("CC-001", Outcome.VIOLATION, weight=1, severity="critical", met=0),
    ]
    result = compute_level(findings, policy(CRITICAL))
    assert result.band_level == "высокий"  # score 10/11 ≈ 0.91
    assert result.level == "низкий"
    assert [cap.id for cap in result.caps] == ["critical"]
    assert result.caps[0].rules == ["CC-001"]


def test_cap_respects_its_severity() -> None:
    """A high-severity violation does not fire a cap on critical ones."""
    findings = [finding("AA-001", weight=10), finding("CC-001", Outcome.VIOLATION, severity="high")]
    result = compute_level(findings, policy(CRITICAL))
    assert result.caps == []


def test_cap_respects_its_rules() -> None:
    other = compute_level([finding("AA-001"), finding("BB-001", Outcome.VIOLATION)], policy(LISTED))
    listed = compute_level([finding("AA-001"), finding("LST-001", Outcome.VIOLATION)], policy(LISTED))
    assert (other.caps, [c.id for c in listed.caps]) == ([], ["listed"])


@pytest.mark.parametrize("outcome", [Outcome.GAP, Outcome.OVERDUE, Outcome.STALE])
def test_cap_on_gap_fires_on_overdue_and_stale(outcome: Outcome) -> None:
    """The measure is missing now, whether never done, late or expired."""
    result = compute_level([finding("AA-001", weight=100), finding("BB-001", outcome)], policy(ANY_GAP))
    assert result.band_level == "высокий"
    assert result.level == "средний"


def test_cap_never_raises_the_level() -> None:
    result = compute_level([finding("AA-001", Outcome.GAP, total=2, met=1)], policy(ANY_GAP))
    assert result.level == "низкий"


def test_the_lowest_cap_wins_in_either_order() -> None:
    findings = [
        finding("AA-001", weight=100),
        finding("BB-001", Outcome.GAP),
        finding("CC-001", Outcome.VIOLATION, severity="critical"),
    ]
    assert compute_level(findings, policy(ANY_GAP, CRITICAL)).level == "низкий"
    assert compute_level(findings, policy(CRITICAL, ANY_GAP)).level == "низкий"


def test_a_cap_to_the_lowest_level_decides_even_without_coverage() -> None:
    """The violation is certain: «низкий» whatever the unreported rest would show."""
    findings = [
        finding("AA-001", Outcome.UNKNOWN, weight=10, known=0, met=0),
        finding("CC-001", Outcome.VIOLATION, severity="critical"),
    ]
    result = compute_level(findings, policy(CRITICAL))
    assert result.coverage < 0.5
    assert result.level == "низкий"


def test_a_cap_above_the_lowest_leaves_an_undetermined_level_undetermined() -> None:
    """«не выше среднего» still allows «низкий»: the level stays undetermined."""
    findings = [
        finding("AA-001", Outcome.UNKNOWN, weight=10, known=0, met=0),
        finding("BB-001", Outcome.GAP),
    ]
    result = compute_level(findings, policy(ANY_GAP))
    assert [cap.id for cap in result.caps] == ["gap"]
    assert result.level == UNDETERMINED

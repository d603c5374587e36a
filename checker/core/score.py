"""The objectivity level: a formula that can be checked by hand from the report.

For every rule that applies (outcome not ``not_applicable``, and at least one subject
whose deadline has passed or that has no deadline, and not under an exception) with weight
``w``, ``total`` subjects counted, ``known`` of them judged and ``met`` of them done:

    score    = Σ w · met/total   /  Σ w · known/total
    coverage = Σ w · known/total /  Σ w

So a rule about one thing (the ВСОКО regulation) weighs as much as a rule about every ВПР,
and partial compliance (video at 3 of 4 procedures) earns partial credit.

How the time outcomes (``checker.core.timing``) count, per subject:

* ``met`` and ``met_late`` — done: in ``met`` and ``known`` (full credit: the measure is in
  place; lateness is reported, not scored);
* ``gap``, ``violation``, ``overdue``, ``stale`` — judged, not done: in ``known`` only;
* ``due_soon`` and ``not_yet_due`` — open, the deadline has not passed: left out of
  ``total`` altogether, so they never lower (or raise) the level; due_soon is listed in
  «Ближайшие сроки»;
* ``unknown`` — in ``total`` only (lowers coverage, not the score).

For caps, ``overdue`` and ``stale`` count as ``gap`` (the measure is missing now). A
``waived`` subject (an agreed exception, ``checker.core.waivers``) is out of ``total`` like an
open one; for caps a waived finding counts with the outcome the exception replaced.

The level is the highest band whose ``min_score`` the score reaches; «не определён» when
coverage is below ``min_coverage``. Caps then lower it: a cap fires when a finding of its
outcome (and severity / rule, if given) exists, and the level can be no higher than the
cap's ``max_level``, whatever the score — even when coverage is low, because the finding
is certain.
"""

from __future__ import annotations

from checker.model.findings import Finding, Outcome
from checker.model.report import FiredCap, LevelResult
from checker.model.rulepack import LEVELS, UNDETERMINED, Cap, LevelPolicy

# Rule outcomes left out of the level. A rule whose subjects are all open (not yet due /
# due soon) has total 0 and is left out as well; see the module docstring.
NOT_COUNTED = frozenset(
    {Outcome.NOT_APPLICABLE, Outcome.NOT_YET_DUE, Outcome.DUE_SOON, Outcome.WAIVED}
)
# Outcomes a cap on ``gap`` also fires on.
AS_GAP = frozenset({Outcome.GAP, Outcome.OVERDUE, Outcome.STALE})


def _shares(findings: list[Finding]) -> tuple[float, float, float]:
    """(Σ w·met/total, Σ w·known/total, Σ w) over the findings that count."""
    met = known = weight = 0.0
    for finding in findings:
        # Open subjects are already out of total; a rule whose outcome is open still counts
        # its other subjects (one ВПР met, the next one ahead).
        # Subjects under an exception are out of total too: a rule wholly waived has none.
        skipped = finding.outcome is Outcome.NOT_APPLICABLE
        if skipped or finding.weight == 0 or finding.total == 0:
            continue
        weight += finding.weight
        met += finding.weight * finding.met / finding.total
        known += finding.weight * finding.known / finding.total
    return met, known, weight


def _has_cap_outcome(cap: Cap, outcome: Outcome) -> bool:
    return outcome.value == cap.outcome or (cap.outcome == "gap" and outcome in AS_GAP)


def _cap_outcomes(cap: Cap) -> frozenset[Outcome]:
    """The outcomes ``cap`` fires on (asked once per cap rather than for every subject)."""
    return frozenset(outcome for outcome in Outcome if _has_cap_outcome(cap, outcome))


def _cap_hits(cap: Cap, findings: list[Finding]) -> tuple[list[str], int]:
    """The rules that make ``cap`` fire and how many subjects had its outcome.

    An exception never lifts a cap: the outcome it replaced still counts here.
    """
    rules: list[str] = []
    subjects = 0
    fires_on = _cap_outcomes(cap)
    for f in findings:
        if _capped(f) not in fires_on:
            continue
        if cap.severity is not None and f.severity != cap.severity:
            continue
        if cap.rules is not None and f.rule_id not in cap.rules:
            continue
        rules.append(f.rule_id)
        # A school-wide finding has no subjects of its own: it is one subject.
        subjects += sum(
            1 for s in f.subjects if (s.waived_outcome or s.outcome) in fires_on
        ) or 1
    return rules, subjects


def scale_note(policy: LevelPolicy) -> str:
    """What every output prints next to the level: whose scale this is."""
    if policy.provisional:
        return f"условная шкала objcheck, не официальные критерии: {policy.basis}"
    return f"шкала: {policy.basis}"


def _capped(finding: Finding) -> Outcome:
    return finding.waived_outcome or finding.outcome


def _apply_cap(level: str, max_level: str) -> str:
    """Lower ``level`` to ``max_level``. An undetermined level becomes determined only when
    the cap leaves a single possibility (the lowest level)."""
    if level == UNDETERMINED:
        return max_level if max_level == LEVELS[0] else UNDETERMINED
    return level if LEVELS.index(level) <= LEVELS.index(max_level) else max_level


def compute_level(findings: list[Finding], policy: LevelPolicy) -> LevelResult:
    """The level, its score and coverage, and every reason in plain Russian."""
    met, known, weight = _shares(findings)
    coverage = known / weight if weight else 0.0
    score = met / known if known else None
    reasons = [
        f"Доля выполненных мер (с учётом весов): {_pct(score)}; "
        f"полнота сведений: {_pct(coverage)} (порог {_pct(policy.min_coverage)})."
    ]
    band_level = _band(score, policy)
    if coverage < policy.min_coverage or band_level is None:
        level = UNDETERMINED
        reasons.append(
            "Сведений слишком мало, чтобы определить уровень: заполните разделы профиля."
        )
    else:
        level = band_level
        reasons.append(f"По доле выполненных мер уровень — {band_level}.")
    fired: list[FiredCap] = []
    for cap in policy.caps:
        rules, subjects = _cap_hits(cap, findings)
        if not rules or subjects < cap.min_subjects:
            continue
        fired.append(FiredCap(
            id=cap.id, title=cap.title, max_level=cap.max_level, rules=rules,
            subjects=subjects, provisional=cap.provisional, basis=cap.basis,
        ))
        status = "условное ограничение objcheck" if cap.provisional else "ограничение"
        reasons.append(
            f"Ограничение «{cap.title}» ({', '.join(rules)}): уровень не выше "
            f"«{cap.max_level}» ({status}{': ' + cap.basis if cap.basis else ''})."
        )
        level = _apply_cap(level, cap.max_level)
    return LevelResult(
        level=level,
        score=None if score is None else round(score, 4),
        coverage=round(coverage, 4),
        band_level=band_level,
        reasons=reasons,
        caps=fired,
        provisional=policy.provisional,
        scale_note=scale_note(policy),
    )


def _band(score: float | None, policy: LevelPolicy) -> str | None:
    if score is None:
        return None
    for band in sorted(policy.bands, key=lambda b: b.min_score, reverse=True):
        if score >= band.min_score:
            return band.level
    return "низкий"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")

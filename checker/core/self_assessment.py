"""The level a school gave itself against the computed one (pure).

A school's справка often ends with its own verdict («Уровень объективности – высокий»).
The report says plainly whether the documented measures support it, and if not, which
findings stand in the way: the caps that fired, the heaviest unmet measures, and the
measures the school says nothing about.
"""

from __future__ import annotations

from checker.model.findings import PROBLEMS, Finding, Outcome
from checker.model.profile import SelfAssessment
from checker.model.report import LevelResult, SelfAssessmentCheck
from checker.model.rulepack import LEVELS, UNDETERMINED

MAX_REASONS = 6


def check_self_assessment(
    claimed: SelfAssessment, level: LevelResult, findings: list[Finding]
) -> SelfAssessmentCheck:
    computed = level.level
    confirmed = computed == claimed.level
    if confirmed:
        verdict = f"Самооценка школы «{claimed.level}» подтверждается расчётом."
    elif computed == UNDETERMINED:
        verdict = (
            f"Самооценка школы «{claimed.level}» не подтверждается: по представленным "
            "сведениям уровень определить нельзя — о многих мерах школа не сообщает."
        )
    elif LEVELS.index(computed) < LEVELS.index(claimed.level):
        verdict = (
            f"Самооценка школы «{claimed.level}» не подтверждается: расчётный уровень — "
            f"«{computed}»."
        )
    else:
        verdict = (
            f"Школа оценила себя строже расчёта: самооценка «{claimed.level}», расчётный "
            f"уровень — «{computed}»."
        )
    return SelfAssessmentCheck(
        claimed=claimed.level,
        computed=computed,
        confirmed=confirmed,
        verdict=verdict,
        reasons=[] if confirmed else _reasons(level, findings),
        document=claimed.document,
    )


def _reasons(level: LevelResult, findings: list[Finding]) -> list[str]:
    """What holds the level down: caps first, then the heaviest problems and unknowns."""
    reasons = [f"ограничение: {cap.title}" for cap in level.caps]
    heavy_first = sorted(findings, key=lambda f: (-f.weight, f.rule_id))
    reasons += [f"{f.title}: {f.message}" for f in heavy_first if f.outcome in PROBLEMS]
    reasons += [
        f"нет сведений: {f.title}" for f in heavy_first
        if f.outcome is Outcome.UNKNOWN and f.weight > 0
    ]
    return reasons[:MAX_REASONS]

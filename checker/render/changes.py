"""«Изменения с прошлой проверки»: a ``ReportDiff`` as short Russian lines, shared by the
terminal report, ``objcheck diff`` and the справка (md, html, docx)."""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.model.diff import CHANGE_TITLES, MeasureChange, ReportDiff, YearRecord
from checker.model.findings import OUTCOME_TITLES, Outcome
from checker.model.rulepack import UNDETERMINED
from checker.render.numbers import percent

# For one school; the batch counts schools with TREND_TITLES («улучшились» …).
SCHOOL_TREND = {"improved": "стало лучше", "worsened": "стало хуже", "unchanged": "без изменений"}
# Groups shown measure by measure, in this order; «без изменений» is only counted.
LISTED = ("regressed", "new", "resolved", "changed", "retired", "dropped", "added")
# Statuses whose line names where the problem is now.
WHERE_SHOWN = frozenset({"regressed", "new"})


@dataclass
class ChangeSummary:
    headline: str
    counts: str
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    packs: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def score_text(score: float | None) -> str:
    return percent(score, empty="балл —")


def _level(level: str, score: float | None) -> str:
    shown = "не определён" if level == UNDETERMINED else level
    return f"{shown} ({score_text(score)})"


def _outcome(outcome: Outcome | None) -> str:
    return "—" if outcome is None else OUTCOME_TITLES[outcome]


def measure_line(change: MeasureChange) -> str:
    line = (f"{change.rule_id} {change.title}: {_outcome(change.old_outcome)} → "
            f"{_outcome(change.new_outcome)}")
    notes = []
    if change.renamed_from:
        notes.append(f"правило переименовано, прежний id {change.renamed_from}")
    if change.replaced_by:
        notes.append(f"заменено правилом {change.replaced_by}")
    if change.old_title:
        notes.append(f"прежнее название: «{change.old_title}»")
    if change.where and change.status in WHERE_SHOWN:
        notes.append(f"где: {'; '.join(change.where)}")
    return f"{line} ({'; '.join(notes)})" if notes else line


def _listed(value: bool | None) -> str:
    return {True: "да", False: "нет", None: "не сообщено"}[value]


def history_line(record: YearRecord) -> str:
    return (f"{record.academic_year} (на {record.as_of:%d.%m.%Y}): уровень "
            f"{_level(record.level, record.score)}; в федеральном перечне — "
            f"{_listed(record.federal_list)}, в региональном — {_listed(record.regional_list)}")


def change_summary(diff: ReportDiff) -> ChangeSummary:
    headline = (
        f"Было на {diff.old_as_of:%d.%m.%Y} ({diff.old_academic_year}): уровень "
        f"{_level(diff.old_level, diff.old_score)}; стало на {diff.new_as_of:%d.%m.%Y} "
        f"({diff.new_academic_year}): {_level(diff.new_level, diff.new_score)} — "
        f"{SCHOOL_TREND[diff.trend]}."
    )
    counts = "; ".join(
        f"{CHANGE_TITLES[status]}: {count}" for status, count in diff.counts.items() if count
    )
    summary = ChangeSummary(headline, f"Меры — {counts}." if counts else "Мер нет.")
    for status in LISTED:
        chosen = [measure_line(m) for m in diff.measures if m.status == status]
        if chosen:
            summary.groups.append((CHANGE_TITLES[status].capitalize(), chosen))
    for pack in diff.packs:
        if pack.status == "changed":
            summary.packs.append(f"набор «{pack.pack}»: версия {pack.old_version or 'не указана'}"
                                 f" → {pack.new_version or 'не указана'}")
        elif pack.status == "added":
            summary.packs.append(f"набор «{pack.pack}» применён впервые")
        else:
            summary.packs.append(f"набор «{pack.pack}» больше не применяется")
    # One year alone is no history: shown from two audits of different years on.
    if len(diff.history) > 1:
        summary.history = [history_line(r) for r in diff.history]
    summary.warnings = list(diff.warnings)
    return summary

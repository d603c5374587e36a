"""``objcheck batch … --since OLD_OUT_DIR``: each school and municipality against the
summary of an earlier batch run (its ``summary.json``).

Schools are matched by their code (``school.id``), not by file name, so a reorganised
folder still compares. A school is «улучшилась» / «ухудшилась» by ``checker.core.diff.trend``
(the level, else the score) and a measure «ухудшилась» where it was done and is a problem
now (``checker.core.diff.classify``); a rule the old run did not have never counts as one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.batch.run import FindingRow, SchoolRow
from checker.core.diff import classify, trend
from checker.io.files import os_reason
from checker.model.diff import Trend
from checker.model.errors import InputError, Problem
from checker.model.findings import Outcome

SUMMARY_NAME = "summary.json"


@dataclass(frozen=True)
class PastSchool:
    school_id: str
    level: str
    score: float | None
    outcomes: dict[str, str]  # rule id → outcome value


@dataclass(frozen=True)
class PastRun:
    as_of: str
    schools: dict[str, PastSchool]


@dataclass(frozen=True)
class SchoolTrend:
    file: str
    school_id: str
    name: str
    region: str
    municipality: str
    old_level: str | None  # None: the school was not in the earlier run
    old_score: float | None
    new_level: str
    new_score: float | None
    trend: Trend | None
    regressed: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    new: tuple[str, ...] = ()


@dataclass(frozen=True)
class MunicipalityTrend:
    region: str
    municipality: str
    improved: int
    worsened: int
    unchanged: int
    first_time: int  # schools the earlier run did not have


@dataclass(frozen=True)
class RegressedMeasure:
    rule_id: str
    title: str
    severity: str
    schools: int


@dataclass
class SinceResult:
    old_as_of: str
    schools: list[SchoolTrend] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # codes of schools only the old run had
    regressed_most: list[RegressedMeasure] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"improved": 0, "worsened": 0, "unchanged": 0}
        for school in self.schools:
            if school.trend is not None:
                counts[school.trend] += 1
        return counts

    def municipalities(self) -> list[MunicipalityTrend]:
        groups: dict[tuple[str, str], list[SchoolTrend]] = {}
        for school in self.schools:
            groups.setdefault((school.region, school.municipality), []).append(school)
        return [
            MunicipalityTrend(
                region, municipality,
                sum(1 for s in rows if s.trend == "improved"),
                sum(1 for s in rows if s.trend == "worsened"),
                sum(1 for s in rows if s.trend == "unchanged"),
                sum(1 for s in rows if s.trend is None),
            )
            for (region, municipality), rows in sorted(groups.items())
        ]


def _problem(path: Path, message: str, line: int | None = None) -> InputError:
    return InputError([Problem(str(path), line, (), message)])


def read_past_run(out_dir: Path) -> PastRun:
    """The schools of an earlier ``objcheck batch --out`` directory (its summary.json)."""
    path = out_dir / SUMMARY_NAME if out_dir.is_dir() else out_dir
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _problem(path, f"не удалось прочитать сводку прошлой проверки: {os_reason(exc)}"
                       ) from None
    except UnicodeDecodeError:
        raise _problem(path, "файл не в кодировке UTF-8") from None
    except json.JSONDecodeError as exc:
        raise _problem(path, f"ошибка синтаксиса JSON ({exc.msg})", exc.lineno) from None
    try:
        schools = {row["school_id"]: _past_school(row) for row in data["schools"]}
        return PastRun(str(data["as_of"]), schools)
    except (KeyError, TypeError, ValueError) as exc:
        raise _problem(path, "это не сводка objcheck batch (summary.json): нет или неверно "
                       f"поле {exc}") from None


def _past_school(row: dict[str, Any]) -> PastSchool:
    score = row["score"]
    if score is not None and not isinstance(score, int | float):
        raise ValueError("score")
    outcomes = {str(f["rule_id"]): str(Outcome(f["outcome"])) for f in row["findings"]}
    return PastSchool(str(row["school_id"]), str(row["level"]), score, outcomes)


def _moves(past: PastSchool, findings: Sequence[FindingRow]) -> dict[str, list[str]]:
    moves: dict[str, list[str]] = {"regressed": [], "resolved": [], "new": []}
    for finding in findings:
        old = past.outcomes.get(finding.rule_id)
        if old is None:
            continue  # a rule the earlier run did not have is no change of the school's
        status = classify(Outcome(old), Outcome(finding.outcome))
        if status in moves:
            moves[status].append(finding.rule_id)
    return moves


def _school_trend(
    school: SchoolRow, before: PastSchool | None,
    findings_of: Callable[[SchoolRow], Sequence[FindingRow]],
) -> SchoolTrend:
    region = school.region or "не указан"
    municipality = school.municipality or "не указано"
    if before is None:
        return SchoolTrend(school.file, school.school_id, school.name, region, municipality,
                           None, None, school.level, school.score, None)
    moves = _moves(before, findings_of(school))
    return SchoolTrend(
        school.file, school.school_id, school.name, region, municipality,
        before.level, before.score, school.level, school.score,
        trend(before.level, before.score, school.level, school.score),
        tuple(moves["regressed"]), tuple(moves["resolved"]), tuple(moves["new"]),
    )


def compare_with_past(
    schools: Sequence[SchoolRow],
    findings_of: Callable[[SchoolRow], Sequence[FindingRow]],
    past: PastRun,
) -> SinceResult:
    result = SinceResult(past.as_of)
    seen = set()
    for school in schools:
        seen.add(school.school_id)
        result.schools.append(_school_trend(school, past.schools.get(school.school_id),
                                            findings_of))
    result.gone = sorted(set(past.schools) - seen)
    result.regressed_most = _regressed_most(result, schools, findings_of)
    return result


def _regressed_most(
    since: SinceResult, schools: Sequence[SchoolRow],
    findings_of: Callable[[SchoolRow], Sequence[FindingRow]],
) -> list[RegressedMeasure]:
    """Measures that regressed (done before, a problem now) by the number of schools."""
    counts: dict[str, int] = {}
    for trend_row in since.schools:
        for rule_id in trend_row.regressed:
            counts[rule_id] = counts.get(rule_id, 0) + 1
    titles: dict[str, tuple[str, str]] = {}
    wanted = set(counts)
    for school in schools:
        if len(titles) == len(wanted):
            break
        for finding in findings_of(school):
            if finding.rule_id in wanted:
                titles.setdefault(finding.rule_id, (finding.title, finding.severity))
    measures = [RegressedMeasure(rule_id, *titles[rule_id], count)
                for rule_id, count in counts.items()]
    return sorted(measures, key=lambda m: (-m.schools, m.rule_id))

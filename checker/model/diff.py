"""What changed between two reports of one school (``objcheck diff``, ``check --since``).

Built by ``checker.core.diff`` from the reports alone: each report carries the rule ids,
pack versions (with retired and renamed ids), subject ids and outcomes a later comparison
needs, so the old profile is never read again.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from checker.model.findings import Outcome

# new — a problem now that was not one before (and was not done); resolved — a problem
# before, done now; regressed — done before, a problem now; unchanged — the same; changed —
# any other move (a problem no longer reported, gap → violation, an exception…); added — a
# rule the old run did not have, not a problem; retired — the rule was retired by its pack;
# dropped — the rule no longer applies to the school (another pack, another region).
ChangeStatus = Literal[
    "new", "resolved", "regressed", "unchanged", "changed", "added", "retired", "dropped"
]
CHANGE_TITLES: dict[str, str] = {
    "new": "новые недостатки",
    "resolved": "устранены",
    "regressed": "ухудшились (были выполнены)",
    "unchanged": "без изменений",
    "changed": "изменились иначе",
    "added": "новые меры в правилах",
    "retired": "правило выведено из употребления",
    "dropped": "мера больше не применяется",
}
Trend = Literal["improved", "worsened", "unchanged"]
TREND_TITLES: dict[str, str] = {
    "improved": "улучшились",
    "worsened": "ухудшились",
    "unchanged": "без изменений",
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class YearRecord(Model):
    """One earlier (or this) audit of the school: its year, level and listing."""

    academic_year: str
    as_of: dt.date
    level: str
    score: float | None
    federal_list: bool | None = None
    regional_list: bool | None = None


class PackChange(Model):
    """A pack whose version differs between the two runs, or that only one run used."""

    pack: str
    old_version: str | None
    new_version: str | None
    status: Literal["changed", "added", "removed"]


class SubjectChange(Model):
    """A subject (procedure, document…) both runs know, whose outcome differs."""

    subject: str
    label: str
    old_outcome: Outcome
    new_outcome: Outcome


class MeasureChange(Model):
    rule_id: str
    title: str
    severity: str
    status: ChangeStatus
    old_outcome: Outcome | None
    new_outcome: Outcome | None
    renamed_from: str | None = None  # the old id, when the pack renamed the rule
    old_title: str | None = None  # when the title differs from the old run's
    replaced_by: str | None = None  # for a retired rule renamed to an id this run lacks
    where: list[str] = []  # labels of the subjects that are problems in the new run
    subjects: list[SubjectChange] = []  # subjects of both runs whose outcome changed


class ReportDiff(Model):
    old_as_of: dt.date
    new_as_of: dt.date
    old_academic_year: str
    new_academic_year: str
    old_level: str
    new_level: str
    old_score: float | None
    new_score: float | None
    trend: Trend
    counts: dict[str, int]  # by ChangeStatus
    measures: list[MeasureChange]  # every rule of either run, the problems first
    packs: list[PackChange]
    history: list[YearRecord]  # every known audit, the oldest first, this one last
    warnings: list[str] = []

"""The reference distribution of a work: marks of a municipality or region (issue 13).

An authority publishes, per work (ВПР, subject × grade), the shares of «2»…«5» of every
group (РФ, region, municipality) — ФИС ОКО «Статистика по отметкам». The cohort rule
(RES-OUT-001) compares a school's share of «4» and «5» with its group's. ``batch``
computes the same thing from the whole set, leaving the school itself out.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from checker.model.profile import ProcedureKind

Share = Annotated[float, Field(ge=0, le=100)]


class WorkReference(BaseModel):
    """One group's distribution of marks in one work."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ProcedureKind = Field("ВПР", title="Вид процедуры")
    subject: str = Field(min_length=1, title="Предмет", examples=["математика"])
    grade: int = Field(ge=1, le=11, title="Класс (параллель)")
    group: str = Field(
        min_length=1, title="Группа",
        description="Чьё это распределение: муниципалитет, регион, РФ",
        examples=["г. Красноярск"],
    )
    participants: int = Field(ge=1, title="Количество участников")
    schools: int | None = Field(None, ge=1, title="Количество ОО")
    marks_pct: dict[Literal[2, 3, 4, 5], Share] = Field(
        title="Доли отметок, %", description="Доля «2», «3», «4», «5» в процентах",
        examples=[{2: 10.5, 3: 40.2, 4: 35.1, 5: 14.2}],
    )
    leave_one_out: bool = Field(
        False, title="Без школы",
        description="Распределение посчитано без самой школы (так считает batch)",
    )

    @property
    def share45(self) -> float:
        """The share of «4» and «5», 0…1."""
        return (self.marks_pct.get(4, 0.0) + self.marks_pct.get(5, 0.0)) / 100


class ReferenceFile(BaseModel):
    """The simple YAML/JSON form of ``check --reference``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    references: list[WorkReference] = Field(min_length=1)

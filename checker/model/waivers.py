"""Exceptions (waivers) in a school profile: a measure that does not apply to the school for
a reason agreed with the education authority, until a date.

Kept apart from the inspector's verdicts (``checker.model.profile.Inspection``): an
exception is the school's (and the authority's) statement; an inspector may reject it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(min_length=1, max_length=2000)]
SubjectId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s]+$")]
RuleRef = Annotated[str, Field(pattern=r"^[A-Z]{2,6}(-[A-Z]{2,6})?-\d{3}$")]


class _Strict(BaseModel):
    """Same strictness as every profile model: unknown keys are errors, no coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class WaiverApproval(_Strict):
    """Who agreed the exception, and by which document."""

    name: Text = Field(title="ФИО", description="ФИО согласовавшего")
    position: Text = Field(title="Должность", description="Должность согласовавшего")
    number: Text | int = Field(
        title="Номер документа", description="Номер документа о согласовании"
    )
    date: dt.date = Field(title="Дата документа", description="Дата документа о согласовании")


class Waiver(_Strict):
    """One exception: the measure (rule), optionally one subject of it, why, who, until when."""

    rule: RuleRef = Field(
        title="Мера", description="id правила (меры), к которому относится исключение"
    )
    subject: SubjectId | None = Field(
        None,
        title="Субъект",
        description="Субъект (id процедуры, документа…); без него — мера в целом",
    )
    reason: Text = Field(
        title="Причина", description="Почему мера не выполняется (обоснование словами)"
    )
    agreed: WaiverApproval = Field(
        title="Согласование", description="Кто и каким документом согласовал исключение"
    )
    until: dt.date = Field(
        title="Действует до", description="Срок действия исключения (включительно)"
    )

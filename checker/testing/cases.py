"""Rule test cases kept beside each pack (``<pack>.cases.yaml``).

A case is a partial profile merged onto a minimal school, and the outcome the rule must
give (and, optionally, the outcome per subject). One generic test runs them all.

```yaml
FED-OBS-001:
  - name: независимый наблюдатель на ВПР
    profile:
      procedures: [{id: v1, kind: ВПР, observers: [{type: public, relation: none}]}]
    expect: met
    subjects: {v1: met}
```
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from checker.io.validation import validate
from checker.io.yamlio import load_fast, read_text
from checker.model.findings import Outcome
from checker.model.profile import SCHEMA_VERSION
from checker.model.reference import WorkReference


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=3)
    profile: dict[str, Any]
    expect: Outcome
    subjects: dict[str, Outcome] = Field(default_factory=dict)
    as_of: dt.date | None = None
    # distributions of marks of the municipality (region) by work: the cohort rule's input
    references: list[WorkReference] = Field(default_factory=list)


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cases: dict[str, list[Case]]


def base_school(region: str | None = None, municipality: str | None = None) -> dict[str, Any]:
    school: dict[str, Any] = {"id": "case-school", "name": "Тестовая школа", "type": "СОШ"}
    if region:
        school["region"] = region
    if municipality:
        school["municipality"] = municipality
    return school


def case_profile(
    case: Case, region: str | None, municipality: str | None, schools: list[str] | None = None
) -> dict[str, Any]:
    """The full profile of a case: its partial profile over a minimal school (named as the
    first of ``schools`` when the pack is addressed to named schools)."""
    profile = dict(case.profile)
    school = base_school(region, municipality)
    if schools:
        school["name"] = f"Тестовая {schools[0]}"
    school.update(profile.pop("school", {}))
    return {"schema_version": SCHEMA_VERSION, "school": school, **profile}


def load_cases(path: Path) -> dict[str, list[Case]]:
    text = read_text(path)
    data = load_fast(text, str(path))
    return validate(CaseFile, {"cases": data}, text, str(path)).cases

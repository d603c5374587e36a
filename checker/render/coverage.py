"""The coverage map: every numbered item of every seed document, mapped to the rules that
check it or to a one-line reason why a school's documents cannot show it.

One file per seed, ``rules/coverage/seed-NNN.yaml``; the item numbers are frozen there so
that the map can be checked without the seed texts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checker.io.packs import RuleBook
from checker.io.validation import validate
from checker.io.yamlio import load_fast, located, read_text
from checker.model.errors import InputError, Loc, Problem
from checker.model.sources import SOURCES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CoverageItem(_Strict):
    item: str = Field(min_length=1, description="Номер пункта, как в документе")
    quote: str = Field(min_length=3)
    rules: list[str] = Field(default_factory=list)
    reason: str | None = Field(None, min_length=5, description="Почему не проверяется")
    note: str | None = None

    @model_validator(mode="after")
    def _rules_or_reason(self) -> CoverageItem:
        # Neither is allowed: the item is then «не сопоставлено», counted and shown as such.
        if self.rules and self.reason:
            raise ValueError("у пункта должны быть либо правила (rules), либо причина (reason)")
        return self


class CoverageMap(_Strict):
    document: str
    items: list[CoverageItem]

    @property
    def mapped(self) -> int:
        return sum(1 for item in self.items if item.rules)

    @property
    def reasoned(self) -> int:
        return sum(1 for item in self.items if item.reason)

    @property
    def unmapped(self) -> int:
        return sum(1 for item in self.items if not item.rules and not item.reason)

    def totals_line(self) -> str:
        """«пунктов N: правилами X, с причиной Y, не сопоставлено Z» for one document."""
        return (
            f"Итого по документу: пунктов {len(self.items)}; проверяются правилами — "
            f"{self.mapped}; не проверяются (с причиной) — {self.reasoned}; не сопоставлены — "
            f"{self.unmapped}"
        )


def coverage_dir(rules_dir: Path) -> Path:
    return rules_dir / "coverage"


def load_coverage(rules_dir: Path) -> list[CoverageMap]:
    """Every coverage file, sorted by name; malformed files are a located ``InputError``."""
    maps: list[CoverageMap] = []
    problems: list[Problem] = []
    for path in sorted(coverage_dir(rules_dir).glob("*.yaml")):
        try:
            text = read_text(path)
            cov = validate(CoverageMap, load_fast(text, str(path)), text, str(path))
        except InputError as error:
            problems.extend(error.problems)
            continue
        problems.extend(located(str(path), text, _map_issues(cov)))
        maps.append(cov)
    if problems:
        raise InputError(problems)
    return maps


def _map_issues(cov: CoverageMap) -> Iterator[tuple[Loc, str]]:
    if cov.document not in SOURCES:
        yield ("document",), f"документ «{cov.document}» не описан в checker/sources.py"
    seen: set[str] = set()
    for index, item in enumerate(cov.items):
        if item.item in seen:
            yield ("items", index, "item"), f"пункт «{item.item}» указан дважды"
        seen.add(item.item)


def unknown_rules(maps: list[CoverageMap], book: RuleBook) -> list[tuple[str, str, str]]:
    """(document, item, rule id) for every mapped rule id that no pack defines."""
    known = {rule.id for rule in book.rules}
    return [
        (cov.document, item.item, rule_id)
        for cov in maps
        for item in cov.items
        for rule_id in item.rules
        if rule_id not in known
    ]

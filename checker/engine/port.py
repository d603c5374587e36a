"""What the engine hands back, in objcheck's own words: matches per rule and per subject.

This is the whole contract between the rule engine and the rest of objcheck. Nothing of
durable_rules' vocabulary (engine rule names, role letters, aliases, fact ids) crosses it:
a match names its facts by the roles of the rule form —

* ``subject`` — the fact the rule is about (``check.each``);
* ``related`` — the related fact of ``has`` / ``compare`` (absent for a compare on the
  subject's own field);
* the alias of each ``forbid`` pattern (``as:`` in the pack), e.g. ``teacher``.

Replacing or upgrading the engine means writing another producer of ``RuleMatches``;
evaluation, scoring and rendering stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from checker.model.factkinds import Fact

SUBJECT = "subject"
RELATED = "related"

Match = Mapping[str, Fact]
"""One match of a rule: role name → the whole fact that filled it."""

BySubject = Mapping[str, Sequence[Match]]
"""Matches grouped by the subject's ``ref``."""


@dataclass(frozen=True)
class RuleMatches:
    """Everything the engine found for one rule in one school.

    ``met`` / ``gap`` / ``violation`` hold the matches that show a subject met the measure,
    that it is documented as not done, or that a forbidden pattern occurs; ``unknown`` the
    subjects for which the section the measure needs was not reported, or a forbidden
    pattern might occur were the absent fields reported.
    """

    subjects: Sequence[Fact] = ()
    met: BySubject = field(default_factory=dict)
    gap: BySubject = field(default_factory=dict)
    violation: BySubject = field(default_factory=dict)
    unknown: frozenset[str] = frozenset()


class SchoolMatches(Protocol):
    """The engine's answer for one school: the matches of each rule by its id."""

    def of(self, rule_id: str) -> RuleMatches: ...


class RuleEngine(Protocol):
    """A compiled rule set that evaluates one school at a time."""

    def run(self, facts: Sequence[Fact]) -> SchoolMatches: ...

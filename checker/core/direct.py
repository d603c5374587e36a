"""The rule forms that need no inference, evaluated in Python beside the engine (pure).

A ``has`` or ``compare`` rule asks, for each subject, about facts of one kind joined to it
by their parent key (or of the whole school): a filter over facts indexed by kind and by
parent, with THE ``where`` semantics of ``checker.core.match``. Only ``forbid`` rules join
facts to one another freely; their joins stay with durable_rules (``checker.engine``),
which keeps its protocol (trigger, sentinel, one session per school) for them. Their
subjects and their sections not reported are single facts tested alone: ``ForbidRule``
finds them here, and the engine fires only violations and possible violations
(``Engine(joins_only=True)``) — ~3 firings a school instead of ~107.

``SplitEngine`` is a ``RuleEngine`` of the port: evaluation cannot tell which of the two
produced a rule's ``RuleMatches``. They are the same, order included —
tests/test_direct_rules.py compares both for every shipped rule on the fixtures, synthetic
schools and generated profiles. The engine hands each subject's matches back with the
related facts in *reverse* order of assertion; so does this module.
``OBJCHECK_ENGINE=durable`` (or ``Checker(all_in_engine=True)``) sends every rule to the
engine again.

Why not all in durable_rules: measured on 100 synthetic schools (``Checker.check`` without
evidence, as in a batch; CPU per school, minimum of 5, the two runs alternating on a shared
2-core machine): every rule in the engine (``OBJCHECK_ENGINE=durable``) 22.2–22.5 ms, this
split 18.3–20.3 ms. The engine's share was the adapter around it — a dict per asserted fact,
the JSON payload, ~700 firings decoded per school — more than its C code. The same held
for the forbid rules left in the engine: ``SplitEngine.run`` and their ``of()`` took
4.0–4.1 ms a school (60 synthetic schools, CPU, minimum of 7, alternating runs), 1.8–2.0
ms with ``ForbidRule``, the joins-only ruleset, the facts filtered
(``checker.engine.relevance``) and the payload written as text (``fact_json``).

Per school, not per subject: whether a school-wide section is reported is counted once
(``SchoolFacts.schools_flagged``), and a subject without related facts returns at once. With
the ``where`` closures of ``checker.core.match`` reading a condition once, every direct rule
of a school (``SchoolFacts`` included) went from 1.84–1.86 to 1.35–1.41 ms CPU (60
synthetic schools, minimum of 9, alternating with the code before).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from checker.core.match import Predicate, compile_matches, compile_might_match, test_field
from checker.engine import Engine, RuleMatches, SchoolMatches
from checker.engine.compile import subject_where
from checker.engine.port import RELATED, SUBJECT, Match
from checker.model.factkinds import FACT_KINDS, Fact
from checker.model.rulepack import Condition, Rule, Where

_COMPARE_CONDITIONS: dict[str, Callable[[int], Condition]] = {
    ">=": lambda v: Condition(gte=v),
    ">": lambda v: Condition(gt=v),
    "<=": lambda v: Condition(lte=v),
    "<": lambda v: Condition(lt=v),
    "==": lambda v: Condition(eq=v),
    "!=": lambda v: Condition(ne=v),
}
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}


def is_direct(rule: Rule) -> bool:
    """A rule this module evaluates: every form but ``forbid``."""
    return rule.check.forbid is None


class SchoolFacts:
    """One school's asserted facts, indexed by kind and by (kind, parent reference)."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self.by_kind: dict[str, list[Fact]] = {}
        for fact in facts:
            self.by_kind.setdefault(fact["t"], []).append(fact)
        self._children: dict[tuple[str, str], dict[object, list[Fact]]] = {}
        self._selected: dict[tuple[str, str], list[Fact]] = {}
        self._flagged: dict[tuple[str, bool], int] = {}

    def of_kind(self, kind: str) -> list[Fact]:
        return self.by_kind.get(kind, [])

    def selected(self, key: tuple[str, str], kind: str, test: Predicate) -> list[Fact]:
        """The facts of ``kind`` passing ``test``, once per school for each ``key`` (many
        rules share their subjects: the procedures of a kind, the school)."""
        found = self._selected.get(key)
        if found is None:
            found = self._selected[key] = [f for f in self.of_kind(kind) if test(f)]
        return found

    def schools_flagged(self, flag: str, value: bool) -> int:
        """How many school facts have ``flag`` equal to ``value``: once per school for each
        flag (every subject of every rule on a school-wide section asks it)."""
        count = self._flagged.get((flag, value))
        if count is None:
            count = self._flagged[(flag, value)] = sum(
                1 for fact in self.of_kind("school") if test_field(fact, flag, value)
            )
        return count

    def children(self, kind: str, key: str, ref: object) -> list[Fact]:
        """Facts of ``kind`` whose field ``key`` equals ``ref``, in assertion order."""
        index = self._children.get((kind, key))
        if index is None:
            index = self._children[(kind, key)] = {}
            for fact in self.of_kind(kind):
                if key in fact:
                    index.setdefault(fact[key], []).append(fact)
        return index.get(ref, [])


@dataclass(frozen=True)
class _Related:
    """The related kind of a rule and how it hangs on the subject."""

    kind: str
    parent_key: str  # "" when not joined (a fact of the whole school)
    flag: str
    flag_on_subject: bool

    @classmethod
    def of(cls, kind: str, subject_kind: str) -> _Related:
        catalogue = FACT_KINDS[kind]
        linked = catalogue.parent == subject_kind
        return cls(kind, catalogue.parent_key if linked else "", catalogue.flag, linked)

    def candidates(self, school: SchoolFacts, subject: Fact) -> list[Fact]:
        """Facts of the kind that may relate to ``subject``, in assertion order."""
        if self.parent_key:
            return school.children(self.kind, self.parent_key, subject["ref"])
        return school.of_kind(self.kind)

    def reported(self, school: SchoolFacts, subject: Fact, value: bool) -> int:
        """How many ways the section is (not) reported: the engine fires once per school
        fact carrying the flag (or once, the flag being on the subject)."""
        if self.flag_on_subject:
            return int(test_field(subject, self.flag, value))
        return school.schools_flagged(self.flag, value)

    def unreported(self, school: SchoolFacts, subjects: Iterable[Fact]) -> frozenset[str]:
        """The subjects whose section is reported as not filled in («не сообщено»)."""
        if not self.flag_on_subject:
            flagged = school.schools_flagged(self.flag, False)
            return frozenset(s["ref"] for s in subjects) if flagged else frozenset()
        return frozenset(s["ref"] for s in subjects if test_field(s, self.flag, False))


def _refusal_tests(name: str, value: object) -> list[Callable[[Fact], bool]]:
    """The ways a present field fails one test (``checker.engine.compile._refusals``), each
    a predicate, in the compiler's order: one gap role per way."""
    if not isinstance(value, Condition):
        return [lambda f: name in f and not test_field(f, name, value)]  # type: ignore[arg-type]
    ways: list[Callable[[Fact], bool]] = []
    eq, ne = value.eq, value.ne
    if eq is not None:
        ways.append(lambda f: name in f and not test_field(f, name, eq))
    if ne is not None:
        ways.append(lambda f: test_field(f, name, ne))
    for key in ("gt", "gte", "lt", "lte"):
        bound = getattr(value, key)
        if bound is not None:
            ways.append(_failed_bound(name, key, bound))
    if value.present is False:
        ways.append(lambda f: name in f)
    return ways


def _failed_bound(name: str, key: str, bound: int) -> Callable[[Fact], bool]:
    """A present number on the wrong side of a bound (absent or non-numbers never fail)."""
    opposite = {"gt": Condition(lte=bound), "gte": Condition(lt=bound),
                "lt": Condition(gte=bound), "lte": Condition(gt=bound)}[key]
    return lambda f: test_field(f, name, opposite)


class DirectRule:
    """One ``has`` / ``compare`` rule, evaluated over a school's indexed facts."""

    def __init__(self, rule: Rule, parameters: Mapping[str, int]) -> None:
        check = rule.check
        self.subject_kind = check.each.kind
        where = subject_where(rule)
        self._subject_test = compile_matches(where)
        self._subject_key = (self.subject_kind, repr(where))
        self._has = check.has is not None
        self._related: _Related | None = None
        self._met: Predicate = compile_matches({})
        self._gap = self._might = self._named = self._met
        self._ways: list[Callable[[Fact], bool]] = []
        if check.has is not None:
            self._related = _Related.of(check.has.kind, self.subject_kind)
            self._met = compile_matches(check.has.where)
            self._might = compile_might_match(check.has.where)
            self._set_refusals(check.has.where, FACT_KINDS[check.has.kind].identity)
        elif check.compare is not None:
            cmp = check.compare
            value = parameters[cmp.param]
            self._met = compile_matches({cmp.field: _COMPARE_CONDITIONS[cmp.op](value)})
            self._gap = compile_matches(
                {cmp.field: _COMPARE_CONDITIONS[_NEGATED[cmp.op]](value)}
            )
            if cmp.kind is not None:
                self._related = _Related.of(cmp.kind, self.subject_kind)

    def _set_refusals(self, where: Where, identity: tuple[str, ...]) -> None:
        if not identity or any(name not in where for name in identity):
            return
        self._named = compile_matches({name: where[name] for name in identity})
        self._ways = [
            way for name, value in where.items() if name not in identity
            for way in _refusal_tests(name, value)
        ]

    def run(self, school: SchoolFacts) -> RuleMatches:
        subjects = school.selected(self._subject_key, self.subject_kind, self._subject_test)
        met: dict[str, list[Match]] = {}
        gap: dict[str, list[Match]] = {}
        for subject in subjects:
            found_met, found_gap = self._subject(school, subject)
            if found_met:
                met.setdefault(subject["ref"], []).extend(found_met)
            if found_gap:
                gap.setdefault(subject["ref"], []).extend(found_gap)
        unknown = (
            frozenset() if self._related is None else self._related.unreported(school, subjects)
        )
        return RuleMatches(subjects=subjects, met=met, gap=gap, unknown=unknown)

    def _subject(self, school: SchoolFacts, subject: Fact) -> tuple[list[Match], list[Match]]:
        if self._has:
            return self._has_matches(school, subject)
        if self._related is None:  # a compare on the subject's own field
            return ([{SUBJECT: subject}] if self._met(subject) else [],
                    [{SUBJECT: subject}] if self._gap(subject) else [])
        candidates = self._related.candidates(school, subject)
        if not candidates:
            return [], []
        return (_pairs(subject, filter(self._met, candidates)),
                _pairs(subject, filter(self._gap, candidates)))

    def _has_matches(
        self, school: SchoolFacts, subject: Fact
    ) -> tuple[list[Match], list[Match]]:
        assert self._related is not None
        candidates = self._related.candidates(school, subject)
        if not candidates:  # nothing to match: only the section's «not done» can fire
            return [], [{SUBJECT: subject}] * self._related.reported(school, subject, True)
        met = _pairs(subject, filter(self._met, candidates))
        if any(map(self._might, candidates)):
            return met, []
        gap: list[Match] = [{SUBJECT: subject}] * self._related.reported(school, subject, True)
        named = list(filter(self._named, candidates)) if self._ways else []
        for way in self._ways:
            gap.extend(_pairs(subject, (f for f in named if way(f))))
        return met, gap


class ForbidRule:
    """A ``forbid`` rule: its joins found by durable_rules, the rest here.

    The engine fires only violations and possible violations (``Engine(joins_only=True)``);
    the subjects and the subjects whose sections are not reported are single facts tested
    alone — the engine's subject rule and ``u…`` roles (``checker.engine.compile``), with
    THE ``where`` semantics, as for ``DirectRule``.
    """

    def __init__(self, rule: Rule) -> None:
        self.subject_kind = rule.check.each.kind
        where = subject_where(rule)
        self._subject_test = compile_matches(where)
        self._subject_key = (self.subject_kind, repr(where))
        # one role per section flag, the first kind of the flag standing for it
        sections: dict[str, str] = {}
        for pattern in rule.check.forbid or []:
            sections.setdefault(FACT_KINDS[pattern.kind].flag, pattern.kind)
        related = [_Related.of(kind, self.subject_kind) for kind in sections.values()]
        self._subject_flags = [r.flag for r in related if r.flag_on_subject]
        self._school_flags = [r.flag for r in related if not r.flag_on_subject]

    def run(self, school: SchoolFacts, joined: RuleMatches) -> RuleMatches:
        subjects = school.selected(self._subject_key, self.subject_kind, self._subject_test)
        unknown = set(joined.unknown)
        # School facts saying a section is not reported. In the engine one fact never fills
        # two places of a match, so a school subject is not its own witness.
        saying = [fact for fact in school.of_kind("school")
                  if any(test_field(fact, flag, False) for flag in self._school_flags)]
        for subject in subjects:
            if any(fact is not subject for fact in saying) or any(
                test_field(subject, flag, False) for flag in self._subject_flags
            ):
                unknown.add(subject["ref"])
        return replace(joined, subjects=subjects, unknown=frozenset(unknown))


def _pairs(subject: Fact, related: Iterable[Fact]) -> list[Match]:
    """Subject–related matches, the related facts in reverse order as the engine fires."""
    pairs: list[Match] = [{SUBJECT: subject, RELATED: fact} for fact in related]
    pairs.reverse()
    return pairs


class _SplitMatches:
    def __init__(self, engine_found: SchoolMatches | None, direct: Mapping[str, DirectRule],
                 forbid: Mapping[str, ForbidRule], facts: SchoolFacts) -> None:
        self._engine_found = engine_found
        self._direct = direct
        self._forbid = forbid
        self._facts = facts

    def of(self, rule_id: str) -> RuleMatches:
        rule = self._direct.get(rule_id)
        if rule is not None:
            return rule.run(self._facts)
        assert self._engine_found is not None
        joined = self._engine_found.of(rule_id)
        forbid = self._forbid.get(rule_id)
        return joined if forbid is None else forbid.run(self._facts, joined)


class SplitEngine:
    """The port's ``RuleEngine``: ``forbid`` rules in durable_rules, the rest in Python.

    With ``all_in_engine`` every rule goes to durable_rules (the differential tests and
    ``OBJCHECK_ENGINE=durable``).
    """

    def __init__(self, rules: Iterable[Rule], parameters: Mapping[str, int],
                 all_in_engine: bool = False) -> None:
        rules = list(rules)
        self.direct = {} if all_in_engine else {
            rule.id: DirectRule(rule, parameters) for rule in rules if is_direct(rule)
        }
        joined = [rule for rule in rules if rule.id not in self.direct]
        self.forbid = {} if all_in_engine else {rule.id: ForbidRule(rule) for rule in joined}
        self.engine = (
            Engine(joined, parameters, joins_only=not all_in_engine) if joined else None
        )

    def run(self, facts: Sequence[Fact]) -> _SplitMatches:
        school = SchoolFacts(facts)
        found = None if self.engine is None else self.engine.run(facts, school.by_kind)
        return _SplitMatches(found, self.direct, self.forbid, school)

"""The only module that touches durable_rules: compile rules to JSON rulesets and run them.

Follows shared/reference/durable-rules.md to the letter, because every deviation there
gives silently wrong answers:

* the C extension is driven directly with JSON rulesets (no ``durable.lang`` globals);
* one school per session, all facts in one ``assert_facts`` batch, an evaluation trigger
  fact last, and every rule with ``$not`` anchored on that trigger (the engine does not
  retract a queued match when the negated fact arrives later);
* a sentinel rule that always fires, so ``delete_state`` never frees uninitialised
  memory; ``delete_state`` always runs (``finally``) after a full drain;
* short sequential fact ids, checked (and their 32-bit hashes) for uniqueness, because the
  engine silently drops a second fact whose id hashes like an earlier one;
* values sanitised: only str, int (int64) and bool reach the engine; UTF-8 JSON.

Each rule compiles into a few *roles*, each an engine rule named ``<rule id>|<role>``:

``s`` the subjects · ``m`` met · ``g`` gap · ``v`` violation · ``u…`` not reported.
Subject rules with an identical pattern are shared between rules.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import durable_rules_engine as dre

from checker.factkinds import FACT_KINDS
from checker.facts import Fact
from checker.rulepack import Compare, Condition, Pattern, Rule, Where

TRIGGER = "$eval"
SENTINEL = "$evaluated"
INT64 = 2**63 - 1
MAX_STRING_BYTES = 65_000  # the engine compares strings with 16-bit lengths

_OPS = {">=": "$gte", ">": "$gt", "<=": "$lte", "<": "$lt", "==": "$eq", "!=": "$neq"}
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}
_CONDITION_OPS = {"ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}

Json = dict[str, Any]


class EngineError(RuntimeError):
    """The engine refused facts or rules: a bug of ours, never the user's input."""


# --- compiling ------------------------------------------------------------------------


def _tests(kind: str, where: Where) -> list[Json]:
    """Alpha tests of one fact; the fact kind first, as it discriminates fastest."""
    tests: list[Json] = [{"t": kind}]
    for name, value in where.items():
        tests.append(_test(name, value))
    return tests


def _test(name: str, value: object) -> Json:
    if isinstance(value, list):
        return {"$or": [{name: v} for v in value]} if len(value) > 1 else {name: value[0]}
    if isinstance(value, Condition):
        return _condition(name, value)
    return {name: value}


def _relaxed_tests(kind: str, where: Where) -> list[Json]:
    """Tests of a fact that matches ``where`` *or would, were its absent fields reported*.

    «не сообщено» is not «не сделано»: a video record without the ``entrance`` field does
    not show that the entrance was unfilmed. Such a fact blocks a gap (and makes a possible
    violation unknown). A ``present`` condition is about absence itself, so it stays strict.
    """
    tests: list[Json] = [{"t": kind}]
    for name, value in where.items():
        strict = _test(name, value)
        if isinstance(value, Condition) and value.present is not None:
            tests.append(strict)
            continue
        options = strict.get("$or", [strict])
        tests.append({"$or": [*options, {"$nex": {name: 1}}]})
    return tests


def _condition(name: str, cond: Condition) -> Json:
    parts: list[Json] = []
    if cond.eq is not None:
        parts.append({name: cond.eq})
    for key, op in _CONDITION_OPS.items():
        bound = getattr(cond, key)
        if bound is not None:
            parts.append({op: {name: bound}})
    if cond.present is not None:
        parts.append({"$ex" if cond.present else "$nex": {name: 1}})
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _is_join(test: Json) -> bool:
    """``{"procedure": {"s": "ref"}}``: a comparison with a field of an earlier alias."""
    ((key, value),) = test.items()
    return not key.startswith("$") and isinstance(value, dict)


def _pattern(tests: list[Json]) -> Json:
    """One fact pattern: the kind test first, then the joins, then the other tests.

    NOTE: the order is not cosmetic. durable_rules 2.0.28 silently drops a join test that
    follows an ``$or`` inside an ``$and`` (found by tests/test_engine_properties.py:
    ``[t, $or, join]`` matched observers of *every* procedure). Joins before any ``$or``
    are honoured.
    """
    ordered = sorted(tests, key=lambda test: 0 if "t" in test else 1 if _is_join(test) else 2)
    return ordered[0] if len(ordered) == 1 else {"$and": ordered}


def _join(child_kind: str, subject_kind: str, alias: str = "s") -> list[Json]:
    """Join a child fact to the subject by its parent key (nothing to join to the school)."""
    kind = FACT_KINDS[child_kind]
    if kind.parent == subject_kind and kind.parent_key:
        return [{kind.parent_key: {alias: "ref"}}]
    return []


def _flag_elements(child_kind: str, subject_kind: str, reported: bool) -> list[Json]:
    """Pattern elements requiring the child's section to be (not) reported."""
    kind = FACT_KINDS[child_kind]
    if kind.parent == subject_kind:
        return []  # the flag is tested on the subject itself, see _subject_with_flag
    return [{"sc": _pattern([{"t": "school"}, {kind.flag: reported}])}]


@dataclass
class CompiledRule:
    """The engine rules one objcheck rule became, by role."""

    rule_id: str
    subject_rule: str
    roles: dict[str, str] = field(default_factory=dict)  # role → engine rule name


@dataclass
class CompiledRuleset:
    definitions: dict[str, Json]
    rules: dict[str, CompiledRule]


class _Compiler:
    def __init__(self, parameters: Mapping[str, int]) -> None:
        self.parameters = parameters
        self.definitions: dict[str, Json] = {}
        self.subject_names: dict[str, str] = {}

    def subject_tests(self, rule: Rule) -> list[Json]:
        each = rule.check.each
        where = dict(each.where)
        if each.kind == "procedure" and rule.applies.procedures and "kind" not in where:
            where["kind"] = list(rule.applies.procedures)
        return _tests(each.kind, where)

    def compile(self, rule: Rule) -> CompiledRule:
        subject = self.subject_tests(rule)
        key = json.dumps(subject, ensure_ascii=False, sort_keys=True)
        if key not in self.subject_names:
            name = f"{rule.id}|s"
            self.subject_names[key] = name
            self.definitions[name] = {"all": [{"s": _pattern(subject)}]}
        compiled = CompiledRule(rule.id, self.subject_names[key])
        check = rule.check
        if check.has is not None:
            self._has(rule, compiled, subject)
        elif check.compare is not None:
            self._compare(rule, compiled, subject, check.compare)
        elif check.forbid is not None:
            self._forbid(rule, compiled, subject, check.forbid)
        return compiled

    def _add(self, compiled: CompiledRule, role: str, elements: list[Json]) -> None:
        name = f"{compiled.rule_id}|{role}"
        self.definitions[name] = {"all": elements}
        compiled.roles[role] = name

    def _with_flag(self, subject: list[Json], child: str, subject_kind: str, value: bool) -> Json:
        kind = FACT_KINDS[child]
        tests = list(subject)
        if kind.parent == subject_kind:
            tests.append({kind.flag: value})
        return {"s": _pattern(tests)}

    def _has(self, rule: Rule, compiled: CompiledRule, subject: list[Json]) -> None:
        has = rule.check.has
        assert has is not None
        subject_kind = rule.check.each.kind
        join = _join(has.kind, subject_kind)
        related = _tests(has.kind, has.where) + join
        self._add(compiled, "m", [{"s": _pattern(subject)}, {"r": _pattern(related)}])
        # A gap needs the section reported and no related fact that matches or might match.
        self._add(
            compiled,
            "g",
            [
                {"go": {"t": TRIGGER}},
                self._with_flag(subject, has.kind, subject_kind, True),
                *_flag_elements(has.kind, subject_kind, True),
                {"r$not": _pattern(_relaxed_tests(has.kind, has.where) + join)},
            ],
        )
        self._unknown(compiled, subject, subject_kind, [has.kind])

    def _unknown(
        self, compiled: CompiledRule, subject: list[Json], subject_kind: str, kinds: Iterable[str]
    ) -> None:
        flags: dict[str, str] = {}
        for child in kinds:
            flags.setdefault(FACT_KINDS[child].flag, child)
        for index, child in enumerate(flags.values()):
            elements = [self._with_flag(subject, child, subject_kind, False)]
            elements += _flag_elements(child, subject_kind, False)
            self._add(compiled, f"u{index}", elements)

    def _compare(
        self, rule: Rule, compiled: CompiledRule, subject: list[Json], cmp: Compare
    ) -> None:
        value = self.parameters[cmp.param]
        subject_kind = rule.check.each.kind
        for role, op in (("m", cmp.op), ("g", _NEGATED[cmp.op])):
            test = {_OPS[op]: {cmp.field: value}}
            if cmp.kind is None:
                self._add(compiled, role, [{"s": _pattern([*subject, test])}])
            else:
                related = [{"t": cmp.kind}, *_join(cmp.kind, subject_kind), test]
                self._add(compiled, role, [{"s": _pattern(subject)}, {"r": _pattern(related)}])
        if cmp.kind is not None:
            self._unknown(compiled, subject, subject_kind, [cmp.kind])

    def _forbid(
        self, rule: Rule, compiled: CompiledRule, subject: list[Json], patterns: list[Pattern]
    ) -> None:
        self._add(compiled, "v", self._forbid_elements(subject, patterns, _tests))
        if any(p.where for p in patterns):
            # A pattern that would match were absent fields reported: possibly a violation.
            self._add(compiled, "w", self._forbid_elements(subject, patterns, _relaxed_tests))
        self._unknown(compiled, subject, rule.check.each.kind, [p.kind for p in patterns])

    @staticmethod
    def _forbid_elements(
        subject: list[Json],
        patterns: list[Pattern],
        tests_of: Callable[[str, Where], list[Json]],
    ) -> list[Json]:
        elements: list[Json] = [{"s": _pattern(subject)}]
        aliases = {"subject": "s"}
        for index, pattern in enumerate(patterns):
            alias = f"p{index}"
            tests = tests_of(pattern.kind, pattern.where)
            for own, ref in pattern.match.items():
                other, _, other_field = ref.partition(".")
                tests.append({own: {aliases[other]: other_field}})
            elements.append({alias: _pattern(tests)})
            aliases[pattern.alias] = alias
        return elements


def compile_rules(rules: Iterable[Rule], parameters: Mapping[str, int]) -> CompiledRuleset:
    """The JSON ruleset for ``rules`` (with the sentinel) and the role map per rule."""
    compiler = _Compiler(parameters)
    compiled = {rule.id: compiler.compile(rule) for rule in rules}
    compiler.definitions[SENTINEL] = {"all": [{"go": {"t": TRIGGER}}]}
    return CompiledRuleset(compiler.definitions, compiled)


def forbid_aliases(rule: Rule) -> dict[str, str]:
    """objcheck alias → engine alias of a forbid rule (``subject`` is ``s``)."""
    aliases = {"subject": "s"}
    for index, pattern in enumerate(rule.check.forbid or []):
        aliases[pattern.alias] = f"p{index}"
    return aliases


def referenced_kinds(definitions: Mapping[str, Json]) -> frozenset[str] | None:
    """Fact kinds some pattern requires by equality on ``t``; ``None`` if any pattern could
    match a fact of any kind (then every fact must be asserted)."""
    kinds: set[str] = set()
    for definition in definitions.values():
        for element in definition["all"]:
            for pattern in element.values():
                tests = pattern.get("$and", [pattern])
                own = [t["t"] for t in tests if isinstance(t.get("t"), str)]
                if len(own) != 1:
                    return None
                kinds.add(own[0])
    return frozenset(kinds)


_COMPARISONS = frozenset({"$eq", "$neq", "$gt", "$gte", "$lt", "$lte", "$ex", "$nex"})


def referenced_fields(definitions: Mapping[str, Json]) -> frozenset[str] | None:
    """Every fact field some test names (its own field or a joined one); ``None`` if a test
    has a form this compiler does not write (then facts are asserted whole)."""
    fields: set[str] = set()

    def test(item: object) -> bool:
        if not isinstance(item, dict):
            return False
        for key, value in item.items():
            if key in ("$and", "$or"):
                if not isinstance(value, list) or not all(test(t) for t in value):
                    return False
            elif key in _COMPARISONS:
                if not isinstance(value, dict) or not test(value):
                    return False
            elif key.startswith("$"):
                return False
            else:
                fields.add(key)
                if isinstance(value, dict):  # a join: {alias: field of that alias's fact}
                    if not all(isinstance(f, str) for f in value.values()):
                        return False
                    fields.update(value.values())
                elif isinstance(value, list):
                    return False
        return True

    for definition in definitions.values():
        for element in definition["all"]:
            if not all(test(pattern) for pattern in element.values()):
                return None
    return frozenset(fields)


# --- running --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def fnv1a32(text: str) -> int:
    """The engine's own hash of ids (C's signed char included), to detect collisions.

    Cached: fact ids repeat from school to school (``f1``, ``f2``, …), and the byte loop
    in Python was a tenth of a school's evaluation time in a batch.
    """
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        if byte >= 0x80:
            byte |= 0xFFFFFF00
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


# A string of at most this many characters cannot exceed MAX_STRING_BYTES in UTF-8
# (4 bytes per code point at most), so only longer ones are encoded to be measured.
_SHORT_STRING = MAX_STRING_BYTES // 4


def _sanitise(fact: Fact) -> None:
    """Only str, int (int64) and bool reach the engine. A tight loop on the exact type
    (two thirds of a fact's values are short strings); subclasses take the slow path."""
    for key, value in fact.items():
        kind = type(value)
        if kind is str:
            if len(value) > _SHORT_STRING and len(value.encode("utf-8")) > MAX_STRING_BYTES:
                raise EngineError(f"слишком длинная строка в поле {key}")
        elif kind is bool:
            continue
        elif kind is int:
            if not -INT64 <= value <= INT64:
                raise EngineError(f"целое вне диапазона int64 в поле {key}")
        else:
            _sanitise_other(key, value)


def _sanitise_other(key: str, value: object) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -INT64 <= value <= INT64:
            raise EngineError(f"целое вне диапазона int64 в поле {key}")
    elif isinstance(value, str):
        if len(value.encode("utf-8")) > MAX_STRING_BYTES:
            raise EngineError(f"слишком длинная строка в поле {key}")
    else:
        raise EngineError(f"недопустимый тип {type(value).__name__} в поле {key}")


# A firing names, for each alias, the fact it matched. The engine hands each fact back as
# the JSON text it was given, which starts with the fact's id (see Engine.run), so the ids
# are enough: the matched facts are looked up among the asserted ones instead of decoding
# the ~600 firing messages of a school (a fifth of its evaluation). Any message that does
# not read exactly like that is decoded with json.loads.
_FACT_START = ':{"id": "'



Firings = dict[str, list[Json]]


class Engine:
    """A compiled ruleset; evaluates one school at a time. Not thread-safe; use processes."""

    _session_counter = itertools.count(1)

    def __init__(self, rules: Iterable[Rule], parameters: Mapping[str, int]) -> None:
        self.ruleset = compile_rules(rules, parameters)
        text = json.dumps(self.ruleset.definitions, ensure_ascii=False)
        try:
            self._handle = dre.create_ruleset("objcheck", text)
        except dre.error as exc:  # a compiler bug: the packs passed validation
            raise EngineError(f"движок отверг набор правил: {exc}") from exc
        self._kinds = referenced_kinds(self.ruleset.definitions)
        fields = referenced_fields(self.ruleset.definitions)
        self._fields = None if fields is None else fields | {"id", "t"}

    def run(self, facts: Iterable[Fact]) -> Firings:
        """Assert all facts of one school, then the trigger; return every firing by rule.

        Facts of kinds that no pattern of the ruleset can match are not asserted (a third of
        a typical school's facts: staff, organizers, results…): the engine would only store
        them. Of the others only the fields some test names are asserted (paths, dates,
        numbers shown in reports stay here): an untested field cannot change a match, and a
        firing's facts are looked up by id, whole. The ids are unchanged.
        """
        sid = f"s{next(self._session_counter)}"
        kinds = self._kinds
        fields = self._fields
        asserted = [fact for fact in facts if kinds is None or fact["t"] in kinds]
        # "id" first: _drain finds a matched fact by the id that starts its JSON text.
        if fields is None:
            batch = [{"id": fact["id"], **fact, "sid": sid} for fact in asserted]
        else:
            batch = [
                {"id": fact["id"], **{k: v for k, v in fact.items() if k in fields},
                 "sid": sid}
                for fact in asserted
            ]
        self._check_ids(batch)
        for fact in batch:
            _sanitise(fact)
        batch.append({"id": TRIGGER, "t": TRIGGER, "sid": sid})
        payload = json.dumps(batch, ensure_ascii=False)
        try:
            payload.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate from a YAML escape
            raise EngineError(f"строка не кодируется в UTF-8: {exc.reason}") from exc
        try:
            _code, offset = dre.assert_facts(self._handle, payload)
        except dre.error as exc:
            dre.delete_state(self._handle, sid)
            raise EngineError(f"движок отверг факты: {exc}") from exc
        by_id = {fact["id"]: fact for fact in asserted}
        by_id[TRIGGER] = batch[-1]
        return self._drain(sid, offset, by_id)

    def _drain(self, sid: str, offset: int, by_id: dict[str, Fact]) -> Firings:
        fired: Firings = {}
        evaluated = False
        try:
            started = dre.start_action_for_state(self._handle, offset)
            messages = started[1] if started else None
            while messages:
                name, match = _decode(messages, by_id)
                if name == SENTINEL:
                    evaluated = True
                else:
                    fired.setdefault(name, []).append(match)
                messages = dre.complete_and_start_action(self._handle, offset)
        finally:
            dre.delete_state(self._handle, sid)
        if not evaluated:
            raise EngineError("контрольное правило не сработало: оценка неполна")
        return fired

    @staticmethod
    def _check_ids(batch: list[Fact]) -> None:
        ids = [fact["id"] for fact in batch]
        if len(set(ids)) != len(ids) or len({fnv1a32(i) for i in ids}) != len(ids):
            raise EngineError("идентификаторы фактов повторяются (или совпадают их хэши)")


def _decode(message: str, by_id: Mapping[str, Fact]) -> tuple[str, Json]:
    """(rule name, {alias: fact}) of one firing message ``{"<name>":{"<alias>":{...}}}``."""
    end = message.find('":{"', 2)
    match: Json = {}
    if end > 2 and message.startswith('{"'):
        pos = message.find(_FACT_START, end + 3)
        while pos != -1:
            alias = message[message.rfind('"', 0, pos - 1) + 1 : pos - 1]
            start = pos + len(_FACT_START)
            fact = by_id.get(message[start : message.find('"', start)])
            if fact is None or not alias.isidentifier() or alias in match:
                break
            match[alias] = fact
            pos = message.find(_FACT_START, start)
        else:
            # every object in the message is one alias's fact (plus the match itself)
            if match and len(match) + 1 == message.count(":{"):
                return message[2:end], match
    ((name, decoded),) = json.loads(message).items()
    # the whole facts, as asserted facts may carry only the tested fields
    for alias, fact in decoded.items():
        key = fact.get("id") if isinstance(fact, dict) else None
        whole = by_id.get(key) if isinstance(key, str) else None
        if whole is not None:
            decoded[alias] = whole
    return name, decoded

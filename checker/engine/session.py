"""The only module that calls durable_rules: run one school through a compiled ruleset.

Follows the engine's research note to the letter, because every deviation gives silently
wrong answers:

* the C extension is driven directly with JSON rulesets (``checker.engine.compile``);
* one school per session, all facts in one ``assert_facts`` batch, the evaluation trigger
  fact last;
* a sentinel rule that always fires, so ``delete_state`` never frees uninitialised
  memory; ``delete_state`` always runs (``finally``) after a full drain;
* short sequential fact ids, checked (and their 32-bit hashes) for uniqueness, because the
  engine silently drops a second fact whose id hashes like an earlier one;
* values sanitised: only str, int (int64) and bool reach the engine; UTF-8 JSON.

What leaves this module is the port's ``RuleMatches`` (``checker.engine.port``): matches by
subject and role name, the whole facts, in the order they were asserted.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence

import durable_rules_engine as dre

from checker.engine.compile import (
    SENTINEL,
    TRIGGER,
    CompiledRule,
    CompiledRuleset,
    Json,
    compile_rules,
    referenced_fields,
    referenced_kinds,
)
from checker.engine.limits import limit_issues
from checker.engine.port import SUBJECT, Match, RuleMatches
from checker.engine.relevance import FactFilter
from checker.model.factkinds import Fact
from checker.model.rulepack import Rule

INT64 = 2**63 - 1
MAX_STRING_BYTES = 65_000  # the engine compares strings with 16-bit lengths


class EngineError(RuntimeError):
    """The engine refused facts or rules: a bug of ours, never the user's input."""


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


# The encoder json.dumps(ensure_ascii=False) uses for a str (C): UTF-8 text, as the engine
# needs it (escaped non-ASCII names match nothing).
_string_json: Callable[[str], str] = json.encoder.encode_basestring


def _value_json(key: str, value: object) -> str:
    """One value as JSON, as json.dumps writes it; only str, int (int64) and bool pass."""
    if type(value) is str:
        if len(value) > _SHORT_STRING and len(value.encode("utf-8")) > MAX_STRING_BYTES:
            raise EngineError(f"слишком длинная строка в поле {key}")
        return _string_json(value)
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is int:
        if not -INT64 <= value <= INT64:
            raise EngineError(f"целое вне диапазона int64 в поле {key}")
        return int.__repr__(value)
    _sanitise_other(key, value)  # a subclass of str or int; anything else is refused
    return json.dumps(value, ensure_ascii=False)


_ABSENT = object()


def field_prefix(key: str) -> str | None:
    """``, "key": `` before a field's value; ``None`` for the fields the adapter writes."""
    return None if key in ("id", "sid") else f", {_string_json(key)}: "


def fact_json(fact: Fact, fields: Sequence[tuple[str, str]] | None, tail: str) -> str:
    """The fact as asserted, as JSON text: its id first, then those of ``fields`` (name,
    the text before its value) it has — every field when ``None`` — then ``tail`` (the
    session, the closing brace).

    The text json.dumps(ensure_ascii=False) writes for that dict, built directly: a dict
    per fact and the generic encoder were two thirds of the adapter's time per asserted
    fact (tests/test_fast_paths.py compares the two texts). The order of the fields is
    the kind's, not the fact's: the engine finds a fact's fields by the hash of the name.
    """
    parts = ['{"id": ', _value_json("id", fact["id"])]
    if fields is None:
        fields = [(key, prefix) for key in fact if (prefix := field_prefix(key)) is not None]
    for key, prefix in fields:
        value = fact.get(key, _ABSENT)
        if value is not _ABSENT:
            parts.append(prefix)
            if type(value) is str and len(value) <= _SHORT_STRING:  # most values: inline
                parts.append(_string_json(value))
            else:
                parts.append(_value_json(key, value))
    parts.append(tail)
    return "".join(parts)


# A firing names, for each alias, the fact it matched. The engine hands each fact back as
# the JSON text it was given, which starts with the fact's id (see Engine.run), so the ids
# are enough: the matched facts are looked up among the asserted ones instead of decoding
# the ~600 firing messages of a school (a fifth of its evaluation). Any message that does
# not read exactly like that is decoded with json.loads.
_FACT_START = ':{"id": "'

# Engine rule name → its firings, each {engine alias: fact}. Never leaves this module.
Firings = dict[str, list[Json]]

# Roles whose matches show a subject's outcome (the letters of checker.engine.compile):
# a role is its letter, or its letter and a number.
_OUTCOME_ROLES = {"m": "met", "g": "gap", "n": "gap", "v": "violation"}
_UNKNOWN_ROLES = ("u", "w")  # not reported · a possible violation


class _SchoolMatches:
    """One school's firings, turned into the port's ``RuleMatches`` rule by rule.

    A rule compiled ``joins_only`` has no subject rule: its matches name no subjects."""

    def __init__(self, ruleset: CompiledRuleset, fired: Firings, asserted: Mapping[str, Fact]):
        self._ruleset = ruleset
        self._fired = fired
        self._asserted = asserted  # by id, in the order asserted
        self._order: dict[str, int] | None = None

    def of(self, rule_id: str) -> RuleMatches:
        compiled = self._ruleset.rules[rule_id]
        subjects = {m["s"]["id"]: m["s"] for m in self._fired.get(compiled.subject_rule, [])}
        if subjects and self._order is None:
            self._order = {fact_id: index for index, fact_id in enumerate(self._asserted)}
        order = self._order or {}
        by_role: dict[str, dict[str, list[Match]]] = {}
        for role, name in compiled.roles.items():
            outcome = _OUTCOME_ROLES.get(role[0])
            if outcome is not None:
                grouped = by_role.setdefault(outcome, {})
                for ref, matches in self._by_subject(compiled, name).items():
                    grouped.setdefault(ref, []).extend(matches)
        unknown = frozenset(
            ref
            for role, name in compiled.roles.items()
            if role.startswith(_UNKNOWN_ROLES)
            for ref in (m["s"]["ref"] for m in self._fired.get(name, []))
        )
        return RuleMatches(
            subjects=sorted(subjects.values(), key=lambda fact: order[fact["id"]]),
            met=by_role.get("met", {}),
            gap=by_role.get("gap", {}),
            violation=by_role.get("violation", {}),
            unknown=unknown,
        )

    def _by_subject(self, compiled: CompiledRule, name: str) -> dict[str, list[Match]]:
        aliases = compiled.aliases
        grouped: dict[str, list[Match]] = {}
        for firing in self._fired.get(name, []):
            match = {aliases[a]: fact for a, fact in firing.items() if a in aliases}
            grouped.setdefault(match[SUBJECT]["ref"], []).append(match)
        return grouped


class Engine:
    """A compiled ruleset; evaluates one school at a time. Not thread-safe; use processes.

    ``joins_only`` (``checker.core.direct.SplitEngine``): the ``forbid`` rules are compiled
    to their joins alone (``compile_rules``), and only the facts some of their patterns
    might match are asserted (``checker.engine.relevance``); their ``RuleMatches`` then
    hold the violations and the possible violations (``unknown``), and nothing else.
    """

    _session_counter = itertools.count(1)

    def __init__(self, rules: Iterable[Rule], parameters: Mapping[str, int],
                 joins_only: bool = False) -> None:
        self.ruleset = compile_rules(rules, parameters, joins_only)
        # Packs are checked against the limits when loaded (checker.core.check); this guard
        # keeps a ruleset built another way from hanging create_ruleset.
        issues = limit_issues(self.ruleset)
        if issues:
            raise EngineError(f"набор правил превышает пределы движка: {issues[0].rule_id}: "
                              f"{issues[0].message}")
        text = json.dumps(self.ruleset.definitions, ensure_ascii=False)
        try:
            self._handle = dre.create_ruleset("objcheck", text)
        except dre.error as exc:  # a compiler bug: the packs passed validation
            raise EngineError(f"движок отверг набор правил: {exc}") from exc
        self._kinds = referenced_kinds(self.ruleset.definitions)
        self._filter = FactFilter(self.ruleset.definitions) if joins_only else None
        fields = referenced_fields(self.ruleset.definitions)
        # by kind, the tested fields with the text before their values
        self._fields = None if fields is None else {
            kind: tuple((name, prefix) for name in sorted(names)
                        if (prefix := field_prefix(name)) is not None)
            for kind, names in fields.items()
        }

    def run(self, facts: Sequence[Fact],
            by_kind: Mapping[str, Sequence[Fact]] | None = None) -> _SchoolMatches:
        """Assert all facts of one school, then the trigger; return the matches of each rule.

        ``by_kind`` may give the same facts grouped by kind, in their order (the caller's
        index, saving a pass).

        Facts of kinds that no pattern of the ruleset can match are not asserted (a third of
        a typical school's facts: staff, organizers, results…): the engine would only store
        them; with ``joins_only``, no fact that no pattern might match (``FactFilter``). Of
        the others only the fields some test names on a fact of their kind are asserted
        (paths, dates, numbers shown in reports stay here): an untested field cannot change
        a match, and a firing's facts are looked up by id, whole. The ids are unchanged.
        """
        sid = f"s{next(self._session_counter)}"
        kinds = self._kinds
        fields = self._fields
        if self._filter is not None:
            asserted = self._filter.select(facts, by_kind)
        else:
            asserted = [fact for fact in facts if kinds is None or fact["t"] in kinds]
        # "id" first: _drain finds a matched fact by the id that starts its JSON text.
        tail = f", \"sid\": {_string_json(sid)}}}"
        texts = [
            fact_json(fact, None if fields is None else fields.get(fact["t"]), tail)
            for fact in asserted
        ]
        self._check_ids([fact["id"] for fact in asserted])
        trigger: Fact = {"id": TRIGGER, "t": TRIGGER, "sid": sid}
        texts.append(json.dumps(trigger, ensure_ascii=False))
        payload = f"[{', '.join(texts)}]"
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
        by_id[TRIGGER] = trigger
        fired = self._drain(sid, offset, by_id)
        return _SchoolMatches(self.ruleset, fired, by_id)

    def _drain(self, sid: str, offset: int, by_id: dict[str, Fact]) -> Firings:
        fired: Firings = {}
        evaluated = False
        try:
            started = dre.start_action_for_state(self._handle, offset)
            messages = started[1] if started else None
            while messages:
                name, match = decode_firing(messages, by_id)
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
    def _check_ids(ids: list[str]) -> None:
        if len(set(ids)) != len(ids) or len({fnv1a32(i) for i in ids}) != len(ids):
            raise EngineError("идентификаторы фактов повторяются (или совпадают их хэши)")


def decode_firing(message: str, by_id: Mapping[str, Fact]) -> tuple[str, Json]:
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

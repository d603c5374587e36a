"""Differential: the split evaluation (checker.core.direct) gives exactly the ``RuleMatches``
of the previous path, every rule in durable_rules (``OBJCHECK_ENGINE=durable``) — subjects,
met, gap, violation, unknown, order included — for every shipped rule on the fixtures,
synthetic schools and generated profiles, and for synthetic rules that reach each form:

* ``has`` / ``compare`` rules, evaluated in Python (each refusal form);
* ``forbid`` rules, whose joins stay in durable_rules but which the engine sees only as
  joins (``Engine(joins_only=True)``: only the facts a pattern might match asserted,
  ``checker.engine.relevance``), their subjects and unreported sections found in Python.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.core.check import Checker
from checker.core.direct import SplitEngine
from checker.core.evaluate import names_only_the_subject
from checker.core.facts import extract_facts
from checker.engine import RELATED
from checker.io.load import load_profile
from checker.io.packs import RuleBook, load_pack
from checker.model.factkinds import Fact
from checker.model.profile import Profile
from checker.model.rulepack import Rule
from checker.testing.synthetic import write_profiles
from tests.test_engine_properties import (
    _SYNTHETIC,
    _SYNTHETIC_PARAMS,
    SETTINGS,
    _Builder,
    profiles,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

_PAIRS: dict[tuple[str, ...], tuple[SplitEngine, SplitEngine, list[Rule]]] = {}


def _pair(rulebook: RuleBook, profile: Profile) -> tuple[SplitEngine, SplitEngine, list[Rule]]:
    """The shipped rules of the profile's place: all in the engine, and split."""
    school = profile.school
    selection = rulebook.select(school.region, school.municipality, school.oktmo,
                                school=school.name)
    if selection.key not in _PAIRS:
        params = {name: p.value for name, p in selection.parameters.items()}
        rules = list(selection.rules)
        _PAIRS[selection.key] = (SplitEngine(rules, params, all_in_engine=True),
                                 SplitEngine(rules, params), rules)
    return _PAIRS[selection.key]


def _assert_same(engine: SplitEngine, split: SplitEngine, rules: list[Rule],
                 facts: list[Fact]) -> None:
    assert split.direct, "the split engine evaluates no rule in Python"
    assert split.forbid, "the split engine has no forbid rule"
    by_engine, by_split = engine.run(facts), split.run(facts)
    for rule in rules:
        assert by_split.of(rule.id) == by_engine.of(rule.id), rule.id


def test_direct_rules_match_the_engine_on_fixtures_and_synthetic_schools(
    rulebook: RuleBook, tmp_path: Path
) -> None:
    paths = [p for p in FIXTURES.rglob("*.yaml") if p.name != "profile-template.yaml"]
    paths += write_profiles(tmp_path, 40, seed=5)
    for path in paths:
        profile = load_profile(path.read_text("utf-8"), str(path))
        engine, split, rules = _pair(rulebook, profile)
        _assert_same(engine, split, rules, list(extract_facts(profile).items))


@SETTINGS
@given(profile=profiles(), order=st.randoms(use_true_random=False))
def test_direct_rules_match_the_engine_on_generated_profiles(
    profile: Profile, order: random.Random, rulebook: RuleBook
) -> None:
    """Also with the facts asserted in any order: the engine's order of a subject's matches
    (related facts last asserted first) is what the Python evaluator reproduces."""
    engine, split, rules = _pair(rulebook, profile)
    facts = list(extract_facts(profile).items)
    _assert_same(engine, split, rules, facts)
    order.shuffle(facts)
    _assert_same(engine, split, rules, facts)


# Forbid rules that reach what the shipped ones do not: lists, ``ne``, ``present`` and
# bounds in a pattern (possible violations), a join to an alias that is not the subject,
# two unjoined patterns (every pair a match), a pattern on a section of the school
# (the subjects' «не сообщено» read on the school fact).
FORBID_PACK = """
pack: synthetic_forbid
title: Синтетические запреты для дифференциального теста
layer: federal
rules:
  - id: SYF-001
    title: Учитель ведёт предмет в классе процедуры
    direction: procedure
    source: {document: "seed:000", item: "1.4", quote: синтетика}
    severity: low
    check:
      each: {kind: procedure}
      forbid:
        - {as: tc, kind: teaches_class, match: {}}
        - {as: pc, kind: procedure_class, match: {procedure: subject.ref, class: tc.class}}
    remediation: {measure: м, responsible: р, due: с}
  - id: SYF-002
    title: Наблюдатель со связью со школой, о которой не заявлено
    direction: procedure
    source: {document: "seed:000", item: "1.4", quote: синтетика}
    severity: low
    check:
      each: {kind: procedure, where: {kind: [ВПР, ОГЭ, ДКР]}}
      forbid:
        - as: obs
          kind: observer
          where: {type: [public, independent], relation: {ne: none},
                  declared_relation: {present: false}}
          match: {procedure: subject.ref}
    remediation: {measure: м, responsible: р, due: с}
  - id: SYF-003
    title: Неполное видео высокого качества
    direction: procedure
    source: {document: "seed:000", item: "1.5", quote: синтетика}
    severity: low
    check:
      each: {kind: procedure}
      forbid:
        - {as: vid, kind: video, where: {coverage_pct: {lt: 60, gte: 1}, hq: true},
           match: {procedure: subject.ref}}
    remediation: {measure: м, responsible: р, due: с}
  - id: SYF-004
    title: Проверяющий ведёт предмет процедуры
    direction: procedure
    source: {document: "seed:000", item: "1.4", quote: синтетика}
    severity: low
    check:
      each: {kind: procedure, where: {classes_reported: true}}
      forbid:
        - {as: chk, kind: checker, match: {procedure: subject.ref}}
        - {as: ts, kind: teaches_subject, where: {subject: [математика, история]},
           match: {staff: chk.staff, subject: subject.subject}}
    remediation: {measure: м, responsible: р, due: с}
  - id: SYF-005
    title: Опубликованный документ у школы из перечня
    direction: prevention
    source: {document: "seed:000", item: "2", quote: синтетика}
    severity: low
    check:
      each: {kind: school}
      forbid:
        - {as: doc, kind: document, where: {published: true}}
        - {as: lst, kind: listing, where: {listed: true}}
    remediation: {measure: м, responsible: р, due: с}
"""
_FORBID = load_pack(FORBID_PACK, "synthetic-forbid.yaml")
# Packs refuse a pattern of a procedure's kind under a school subject
# (checker.io.packs._child_issue), but the two paths must agree on it all the same: its
# section flag (documents_reported) is one the school fact carries too, and in the engine
# one fact never fills two places of a match — the school is not its own witness.
_SCHOOL_OVER_PROCEDURES = Rule.model_validate({
    "id": "SYF-006", "title": "Протокол кодов относится к процедуре", "direction": "procedure",
    "source": {"document": "seed:000", "item": "1.5", "quote": "синтетика"},
    "severity": "low",
    "check": {"each": {"kind": "school"}, "forbid": [
        {"as": "pd", "kind": "procedure_document",
         "where": {"kind": "vpr_codes_protocol", "covers": True}}]},
    "remediation": {"measure": "м", "responsible": "р", "due": "с"},
})
_SYNTHETIC_RULES = [*_SYNTHETIC.rules, *_FORBID.rules, _SCHOOL_OVER_PROCEDURES]
_SYNTHETIC_ENGINE = SplitEngine(_SYNTHETIC_RULES, _SYNTHETIC_PARAMS, all_in_engine=True)
_SYNTHETIC_SPLIT = SplitEngine(_SYNTHETIC_RULES, _SYNTHETIC_PARAMS)


@SETTINGS
@given(profile=profiles(), order=st.randoms(use_true_random=False))
def test_direct_synthetic_rules_match_the_engine(profile: Profile, order: random.Random) -> None:
    facts = list(extract_facts(profile).items)
    order.shuffle(facts)
    _assert_same(_SYNTHETIC_ENGINE, _SYNTHETIC_SPLIT, _SYNTHETIC_RULES, facts)


def test_generated_profiles_reach_several_matches_per_subject() -> None:
    """The differential is worth something only if subjects get several related facts and
    explicit refusals (gap matches with a related fact): the generator reaches both."""
    several = refused = 0
    for seed in range(60):
        generated = Profile.model_validate(_Builder(random.Random(seed)).profile())
        found = _SYNTHETIC_SPLIT.run(list(extract_facts(generated).items))
        for rule in _SYNTHETIC.rules:
            matches = found.of(rule.id)
            several += sum(1 for ms in matches.met.values() if len(ms) > 1)
            refused += sum(1 for ms in matches.gap.values() for m in ms if RELATED in m)
    assert several > 0 and refused > 0


def test_generated_profiles_reach_every_part_of_a_forbid_rule() -> None:
    """The forbid half of the differential is worth something only if the generator gives
    subjects several violations, possible violations (the engine's ``w`` role), sections
    not reported (found in Python), and schools saying their documents are not reported
    (where SYF-006's school must not be its own witness)."""
    seen: Counter[str] = Counter()
    forbid = [*_FORBID.rules, _SCHOOL_OVER_PROCEDURES]
    engine = _SYNTHETIC_SPLIT.engine
    assert engine is not None
    for seed in range(60):
        generated = Profile.model_validate(_Builder(random.Random(seed)).profile())
        facts = list(extract_facts(generated).items)
        found, joined = _SYNTHETIC_SPLIT.run(facts), engine.run(facts)
        for rule in forbid:
            matches, possible = found.of(rule.id), joined.of(rule.id).unknown
            seen["several"] += sum(1 for ms in matches.violation.values() if len(ms) > 1)
            seen["possible"] += len(possible)
            seen["not reported"] += len(matches.unknown - possible)
        seen["documents not reported"] += any(
            fact["t"] == "school" and fact.get("documents_reported") is False for fact in facts
        )
    assert min(seen[key] for key in ("several", "possible", "not reported",
                                     "documents not reported")) > 0, seen


def test_environment_sends_every_rule_to_the_engine(
    rulebook: RuleBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBJCHECK_ENGINE", "durable")
    forced = Checker(rulebook)
    monkeypatch.delenv("OBJCHECK_ENGINE")
    default = Checker(rulebook)
    profile = load_profile((FIXTURES / "kamenskaya-2022.yaml").read_text("utf-8"), "k.yaml")
    selection = forced.selection_for(profile)
    assert forced.engine_for(selection).direct == {}
    assert default.engine_for(selection).direct



@given(st.lists(st.sampled_from(["выполнено: ", "{subject}", "{person}", "{{", "}}", "{subject!r}",
                                 "{subject:>3}", "{due}", " (", ")", "{subject.x}"]), max_size=5),
       st.sampled_from(["ВПР · 5 кл.", "{person}", "a{b}c", "}"]))
def test_a_message_naming_only_the_subject_reads_as_formatted(parts: list[str], subject: str
                                                              ) -> None:
    """The shortcut of checker.core.evaluate.message: where it applies, replacing
    ``{subject}`` gives what ``format_map`` gives (braces in the label included)."""
    template = "".join(parts)
    if names_only_the_subject(template):
        assert template.replace("{subject}", subject) == template.format_map({"subject": subject})
    else:
        assert any(p not in ("выполнено: ", "{subject}", " (", ")") for p in parts)

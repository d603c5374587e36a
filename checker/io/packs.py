"""Loading rule packs from disk, checking them against the fact catalogue, and layering them.

The federal pack always applies; a regional or municipal pack applies when its scope
matches the school's region (and municipality). Later layers may add rules and tighten
parameters; loosening a parameter is a load error unless the parameter allows it.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from checker.io.validation import validate
from checker.io.yamlio import load_fast, located, read_text, with_lines
from checker.model.errors import InputError, Loc, Problem, echo
from checker.model.factkinds import FACT_KINDS, FieldType, field_type
from checker.model.rulepack import Check, Condition, LevelPolicy, Parameter, Rule, RulePack, Where

MESSAGE_PLACEHOLDERS = frozenset(
    {"subject", "person", "value", "threshold", "school", "due", "done", "year"}
)
LAYER_ORDER = {"federal": 0, "regional": 1, "municipal": 2}


def default_rules_dir() -> Path:
    """Rule packs shipped with the package (wheel) or beside it (source checkout)."""
    here = Path(__file__).resolve().parent.parent  # the checker package
    packaged = here / "_rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def discover_packs(rules_dir: Path) -> list[Path]:
    """Pack files under ``federal/`` and ``regional/``, sorted; test cases are skipped."""
    found: list[Path] = []
    for layer_dir in ("federal", "regional"):
        base = rules_dir / layer_dir
        if base.is_dir():
            found.extend(
                p for p in base.rglob("*.yaml") if not p.name.endswith(".cases.yaml")
            )
    return sorted(found)


def load_pack(text: str, origin: str) -> RulePack:
    """Parse, validate and catalogue-check one pack; raise a located ``InputError``."""
    data = load_fast(text, origin)
    pack = validate(RulePack, data, text, origin)
    problems = located(origin, text, _pack_issues(pack))
    if problems:
        raise InputError(problems)
    return pack


# --- catalogue checks -------------------------------------------------------------------


def _pack_issues(pack: RulePack) -> Iterator[tuple[Loc, str]]:
    for index, rule in enumerate(pack.rules):
        base: Loc = ("rules", index)
        yield from ((base + loc, msg) for loc, msg in check_issues(rule.check))
        yield from ((base + loc, msg) for loc, msg in _message_issues(rule))
        yield from ((base + loc, msg) for loc, msg in _timing_issues(rule))


def _kind_issue(kind: str, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if kind not in FACT_KINDS:
        known = ", ".join(sorted(FACT_KINDS))
        yield loc, f"неизвестный вид факта «{echo(kind)}»; известны: {known}"


def _where_issues(kind: str, where: Where, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if kind not in FACT_KINDS:
        return
    for name, value in where.items():
        ftype = field_type(kind, name)
        if ftype is None:
            yield (*loc, name), _unknown_field(kind, name)
            continue
        for item in _values(value):
            if not _fits(item, ftype):
                yield (*loc, name), f"значение «{echo(item)}» не подходит к полю типа {ftype}"


def _values(value: object) -> list[object]:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, Condition):
        return [v for k, v in value.model_dump().items() if v is not None and k != "present"]
    return [value]


def _fits(value: object, ftype: FieldType) -> bool:
    if ftype == "bool":
        return isinstance(value, bool)
    if ftype == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def _unknown_field(kind: str, name: str) -> str:
    known = ", ".join(sorted(FACT_KINDS[kind].fields))
    return f"у факта «{echo(kind)}» нет поля «{echo(name)}»; есть: {known}"


def _child_issue(subject_kind: str, kind: str, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if kind not in FACT_KINDS or subject_kind not in FACT_KINDS:
        return
    parent = FACT_KINDS[kind].parent
    if parent not in (subject_kind, "school"):
        yield loc, (
            f"факт «{kind}» нельзя связать с субъектом «{subject_kind}»: "
            f"он относится к «{parent}»"
        )


def check_issues(check: Check) -> Iterator[tuple[Loc, str]]:
    """Every reference in a check that the fact catalogue does not know."""
    subject = check.each.kind
    yield from _kind_issue(subject, ("check", "each", "kind"))
    yield from _where_issues(subject, check.each.where, ("check", "each", "where"))
    if check.has is not None:
        yield from _kind_issue(check.has.kind, ("check", "has", "kind"))
        yield from _child_issue(subject, check.has.kind, ("check", "has", "kind"))
        yield from _where_issues(check.has.kind, check.has.where, ("check", "has", "where"))
    if check.compare is not None:
        yield from _compare_issues(subject, check)
    if check.forbid is not None:
        yield from _forbid_issues(subject, check)


def _compare_issues(subject: str, check: Check) -> Iterator[tuple[Loc, str]]:
    assert check.compare is not None
    loc: Loc = ("check", "compare")
    kind = check.compare.kind or subject
    if check.compare.kind is not None:
        yield from _kind_issue(kind, (*loc, "kind"))
        yield from _child_issue(subject, kind, (*loc, "kind"))
    if kind in FACT_KINDS:
        ftype = field_type(kind, check.compare.field)
        if ftype is None:
            yield (*loc, "field"), _unknown_field(kind, check.compare.field)
        elif ftype != "int":
            yield (*loc, "field"), f"сравнивать можно только числовые поля, «{ftype}» — нет"


def _forbid_issues(subject: str, check: Check) -> Iterator[tuple[Loc, str]]:
    assert check.forbid is not None
    aliases: dict[str, str] = {"subject": subject}
    for index, pattern in enumerate(check.forbid):
        loc: Loc = ("check", "forbid", index)
        yield from _kind_issue(pattern.kind, (*loc, "kind"))
        yield from _child_issue(subject, pattern.kind, (*loc, "kind"))
        yield from _where_issues(pattern.kind, pattern.where, (*loc, "where"))
        if pattern.alias in aliases:
            yield (*loc, "as"), f"псевдоним «{pattern.alias}» уже занят"
        for own, ref in pattern.match.items():
            if pattern.kind in FACT_KINDS and field_type(pattern.kind, own) is None:
                yield (*loc, "match", own), _unknown_field(pattern.kind, own)
            yield from _ref_issue(ref, aliases, (*loc, "match", own))
        aliases[pattern.alias] = pattern.kind
    if check.person is not None:
        yield from _ref_issue(check.person, aliases, ("check", "person"))


def _ref_issue(ref: str, aliases: dict[str, str], loc: Loc) -> Iterator[tuple[Loc, str]]:
    alias, _, name = ref.partition(".")
    if alias not in aliases or not name:
        yield loc, f"ссылка «{ref}» должна иметь вид «псевдоним.поле» с уже объявленным псевдонимом"
    elif aliases[alias] in FACT_KINDS and field_type(aliases[alias], name) is None:
        yield loc, _unknown_field(aliases[alias], name)


def _timing_issues(rule: Rule) -> Iterator[tuple[Loc, str]]:
    """The timing block names fields of the evidence fact and needs a dated subject."""
    timing = rule.timing
    if timing is None:
        return
    check = rule.check
    related = check.has.kind if check.has else check.compare.kind if check.compare else None
    if check.forbid is not None:
        yield ("timing",), "сроки нельзя задать для запрета (forbid): он не датирует исполнение"
        return
    evidence_kind = related or check.each.kind
    if evidence_kind in FACT_KINDS and field_type(evidence_kind, timing.done_on) is None:
        yield ("timing", "done_on"), _unknown_field(evidence_kind, timing.done_on)
    within = timing.within
    if within is None:
        return
    if within.after == "procedure_date" and check.each.kind != "procedure":
        yield ("timing", "within", "after"), "procedure_date — только для правил по процедурам"
    if within.event is not None and related is not None:
        yield from _where_issues(related, within.event, ("timing", "within", "event"))


def _message_issues(rule: Rule) -> Iterator[tuple[Loc, str]]:
    for key, text in rule.message.model_dump().items():
        if text is None:
            continue
        for _literal, name, _spec, _conv in string.Formatter().parse(text):
            if name is not None and name not in MESSAGE_PLACEHOLDERS:
                known = ", ".join(sorted(MESSAGE_PLACEHOLDERS))
                yield ("message", key), f"неизвестная подстановка {{{name}}}; допустимы: {known}"


# --- the rule book: all packs, and the layering for one school ------------------------


@dataclass(frozen=True)
class EffectiveParameter:
    name: str
    title: str
    value: int
    set_by: str  # pack that set the effective value
    default_by: str  # pack that declared the parameter


@dataclass(frozen=True)
class RuleSelection:
    """What applies to one school: the packs, their rules and the effective parameters."""

    packs: tuple[RulePack, ...]
    rules: tuple[Rule, ...]
    parameters: dict[str, EffectiveParameter]
    level: LevelPolicy

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(p.pack for p in self.packs)

    def pack_of(self, rule_id: str) -> RulePack:
        for pack in self.packs:
            if any(r.id == rule_id for r in pack.rules):
                return pack
        raise KeyError(rule_id)


@dataclass
class RuleBook:
    """Every pack found in a rules directory, cross-checked as a whole."""

    packs: list[RulePack]
    origins: dict[str, str] = field(default_factory=dict)

    @property
    def rules(self) -> list[Rule]:
        return [rule for pack in self.packs for rule in pack.rules]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def select(self, region: str | None, municipality: str | None) -> RuleSelection:
        """The packs that apply to a school in ``region`` / ``municipality``, layered."""
        chosen = [p for p in self.packs if _in_scope(p, region, municipality)]
        chosen.sort(key=lambda p: (LAYER_ORDER[p.layer], p.pack))
        params: dict[str, EffectiveParameter] = {}
        level: LevelPolicy | None = None
        for pack in chosen:
            for name, param in pack.parameters.items():
                params[name] = EffectiveParameter(
                    name, param.title, param.value, pack.pack, pack.pack
                )
            for name, value in pack.overrides.items():
                base = params[name]
                params[name] = EffectiveParameter(
                    name, base.title, value, pack.pack, base.default_by
                )
            level = pack.level or level
        assert level is not None, "федеральный пакет задаёт политику уровня"
        rules = tuple(rule for pack in chosen for rule in pack.rules)
        return RuleSelection(tuple(chosen), rules, params, level)


def _in_scope(pack: RulePack, region: str | None, municipality: str | None) -> bool:
    if pack.layer == "federal":
        return True
    if pack.scope.region is not None and pack.scope.region != region:
        return False
    return pack.scope.municipality is None or pack.scope.municipality == municipality


def load_rulebook(rules_dir: Path | None = None) -> RuleBook:
    """Load and cross-check every pack; all problems of all packs are reported together."""
    rules_dir = rules_dir or default_rules_dir()
    packs: list[RulePack] = []
    origins: dict[str, str] = {}
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for path in discover_packs(rules_dir):
        try:
            text = read_text(path)
            pack = load_pack(text, str(path))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        packs.append(pack)
        origins[pack.pack] = str(path)
        texts[pack.pack] = text
    if not problems:
        by_file = {origins[name]: text for name, text in texts.items()}
        problems.extend(with_lines(_book_problems(packs, origins, texts), by_file))
    if problems:
        raise InputError(problems)
    if not any(p.layer == "federal" for p in packs):
        raise InputError([Problem(str(rules_dir), None, (), "не найден федеральный пакет правил")])
    return RuleBook(packs, origins)


def _book_problems(
    packs: Iterable[RulePack], origins: dict[str, str], texts: dict[str, str]
) -> Iterator[Problem]:
    """Checks across packs: unique ids, retired ids, parameters and their layering (lines
    are added afterwards, one pass per file: ``with_lines``)."""
    seen: dict[str, str] = {}
    retired = {rid for pack in packs for rid in pack.retired}
    declared = {name: (pack, p) for pack in packs for name, p in pack.parameters.items()}
    for pack in packs:
        origin = origins[pack.pack]

        def problem(loc: Loc, message: str, origin: str = origin) -> Problem:
            return Problem(origin, None, loc, message)

        for index, rule in enumerate(pack.rules):
            loc: Loc = ("rules", index, "id")
            if rule.id in seen:
                yield problem(loc, f"id {rule.id} уже есть в пакете {seen[rule.id]}")
            if rule.id in retired:
                yield problem(loc, f"id {rule.id} выведен из употребления и не может быть занят")
            seen[rule.id] = pack.pack
            cmp = rule.check.compare
            if cmp is not None and cmp.param not in declared:
                yield problem(("rules", index, "check", "compare", "param"),
                              f"параметр «{cmp.param}» нигде не объявлен")
        for name, value in pack.overrides.items():
            yield from _override_problems(pack, name, value, declared, problem)
    all_ids = {rule.id for pack in packs for rule in pack.rules}
    for pack in packs:
        for index, conflict in enumerate(pack.conflicts):
            if conflict.overridden_by not in all_ids:
                loc = ("conflicts", index, "overridden_by")
                yield Problem(
                    origins[pack.pack], None, loc,
                    f"правило {conflict.overridden_by} не найдено ни в одном пакете",
                )


def _override_problems(
    pack: RulePack,
    name: str,
    value: int,
    declared: dict[str, tuple[RulePack, Parameter]],
    problem: Callable[[Loc, str], Problem],
) -> Iterator[Problem]:
    loc: Loc = ("overrides", name)
    if name not in declared:
        yield problem(loc, f"параметр «{name}» не объявлен ни в одном пакете")
        return
    owner, param = declared[name]
    if LAYER_ORDER[owner.layer] >= LAYER_ORDER[pack.layer]:
        yield problem(loc, f"параметр «{name}» можно менять только в пакете ниже «{owner.pack}»")
        return
    looser = value < param.value if param.stricter == "higher" else value > param.value
    if looser and not param.loosen_allowed:
        yield problem(
            loc,
            f"ослабление параметра «{name}» ({param.value} → {value}) запрещено "
            f"пакетом «{owner.pack}»",
        )

"""Loading rule packs from disk, checking them against the fact catalogue, and layering them.

The federal pack always applies; a regional or municipal pack applies when its scope
matches the school's region (and municipality). Later layers may add rules and tighten
parameters; loosening a parameter is a load error unless the parameter allows it.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from checker.io.validation import validate
from checker.io.yamlio import load_fast, located, read_text, with_lines
from checker.model.errors import InputError, Loc, Problem, echo
from checker.model.factkinds import FACT_KINDS, FieldType, field_type
from checker.model.profile import PROCEDURE_ACTIVITY_KINDS, PROCEDURE_DOCUMENT_KINDS
from checker.model.rulepack import (
    SEVERITY_ORDER,
    Check,
    Condition,
    LevelPolicy,
    Parameter,
    Rule,
    RulePack,
    Where,
)

MESSAGE_PLACEHOLDERS = frozenset(
    # person: the name of whom a forbid pattern names (check.person); place: where it happened
    # (check.place, e.g. a class). Both come only from a forbid match.
    # threshold: the value of a compare rule's parameter (after a region's overrides).
    {"subject", "person", "place", "threshold", "school", "due", "done", "year"}
)
LAYER_ORDER = {"federal": 0, "regional": 1, "municipal": 2}
# Values of one ``where`` list: the engine hangs on more than 512 distinct tests under one
# node (checker.engine.limits counts them across rules as well; this names the list).
MAX_WHERE_VALUES = 512
# Facts of a forbidden pattern besides the subject: the engine joins at most 16 per rule.
MAX_FORBID_PATTERNS = 15


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
    yield from _layer_issues(pack)
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
        if isinstance(value, list) and len(value) > MAX_WHERE_VALUES:
            yield (*loc, name), (
                f"в списке {len(value)} значений, допустимо не больше {MAX_WHERE_VALUES} "
                "(предел движка правил)"
            )
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
        yield from _link_issues(check.has.kind, check.has.where)
    if check.compare is not None:
        yield from _compare_issues(subject, check)
    if check.forbid is not None:
        yield from _forbid_issues(subject, check)


# A document or activity counts for a procedure it does not name only when it is of a kind
# made for one procedure (checker.core.facts._procedure_links); for any other kind a rule
# would read «не сделано» into a document that simply does not say which procedure it serves.
_LINKED_KINDS = {
    "procedure_document": PROCEDURE_DOCUMENT_KINDS,
    "procedure_activity": PROCEDURE_ACTIVITY_KINDS,
}


def _link_issues(kind: str, where: Where) -> Iterator[tuple[Loc, str]]:
    allowed = _LINKED_KINDS.get(kind)
    if allowed is None:
        return
    named = _values(where.get("kind"))
    if not named or any(value not in allowed for value in named):
        known = ", ".join(sorted(allowed))
        yield ("check", "has", "where", "kind"), (
            f"факт «{kind}» проверяется только по видам, которые составляют к одной процедуре: "
            f"{known}"
        )


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
    if len(check.forbid) > MAX_FORBID_PATTERNS:
        yield ("check", "forbid"), (
            f"в запрете {len(check.forbid)} фактов, допустимо не больше {MAX_FORBID_PATTERNS} "
            "(движок связывает в одном правиле не больше 16 фактов вместе с субъектом)"
        )
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
    for name, named in (("person", check.person), ("place", check.place)):
        if named is not None:
            yield from _ref_issue(named, aliases, ("check", name))


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
    """Only plain ``{name}`` placeholders: a format spec such as ``{subject:>1500000000}``
    would make every report allocate gigabytes, and ``{subject!r}`` shows Python quoting."""
    known = ", ".join(sorted(MESSAGE_PLACEHOLDERS))
    for key, text in rule.message.model_dump().items():
        if text is None:
            continue
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError:
            yield ("message", key), (
                "непарная фигурная скобка; подстановки пишутся как {subject}, "
                "а скобка как текст — {{ или }}"
            )
            continue
        for _literal, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in MESSAGE_PLACEHOLDERS:
                yield ("message", key), f"неизвестная подстановка {{{name}}}; допустимы: {known}"
            elif name == "threshold" and rule.check.compare is None:
                yield ("message", key), (
                    "подстановка {threshold} — значение параметра сравнения; у правила нет "
                    "check.compare"
                )
            elif spec or conversion:
                yield ("message", key), (
                    f"подстановка {{{name}}} с форматом или преобразованием не допускается: "
                    f"пишите просто {{{name}}}"
                )


def _layer_issues(pack: RulePack) -> Iterator[tuple[Loc, str]]:
    """A regional or municipal pack has a scope and can only tighten federal policy: the
    parameters and the level are the federal pack's (a regional ``level:`` with no caps
    would turn a critical conflict of interest into «высокий»)."""
    if pack.layer == "federal":
        if pack.scope.region is not None or pack.scope.municipality is not None:
            yield ("scope",), "федеральный пакет применяется везде и не задаёт scope"
        return
    if pack.scope.region is None:
        yield ("layer",), (
            f"у пакета слоя «{pack.layer}» не задан scope.region: неясно, к каким школам "
            "он применяется"
        )
    if pack.layer == "municipal" and pack.scope.municipality is None:
        yield ("scope",), "у муниципального пакета не задан scope.municipality"
    if pack.parameters:
        yield ("parameters",), (
            "параметры объявляет только федеральный пакет; региональный или муниципальный "
            "может лишь ужесточить их в overrides"
        )
    if pack.level is not None:
        yield ("level",), (
            "политику уровня (level) задаёт только федеральный пакет; региональный или "
            "муниципальный пакет не может её менять"
        )


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
    warnings: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(p.pack for p in self.packs)

    def pack_of(self, rule_id: str) -> RulePack:
        return self._pack_by_rule[rule_id]

    @functools.cached_property
    def _pack_by_rule(self) -> dict[str, RulePack]:
        """Each rule's pack, built once: ``pack_of`` is asked for every rule of every school
        (searching the packs was 0.16 ms of a school)."""
        return {rule.id: pack for pack in reversed(self.packs) for rule in pack.rules}

    @property
    def overridden(self) -> dict[str, str]:
        """Rule id replaced in this selection → the id of the rule that replaces it."""
        return {r.override_of: r.id for r in self.rules if r.override_of is not None}


@dataclass
class RuleBook:
    """Every pack found in a rules directory, cross-checked as a whole."""

    packs: list[RulePack]
    origins: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # pack → its YAML, to locate problems

    @property
    def rules(self) -> list[Rule]:
        return [rule for pack in self.packs for rule in pack.rules]

    @property
    def federal_level(self) -> LevelPolicy:
        """The level policy every school is judged by (the federal pack's)."""
        for pack in self.packs:
            if pack.layer == "federal" and pack.level is not None:
                return pack.level
        raise KeyError("level")

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def selections(self) -> list[RuleSelection]:
        """Every selection a school can get: federal alone and each pack's own scope."""
        scopes: set[tuple[str | None, str | None, str | None]] = {(None, None, None)} | {
            (p.scope.region, p.scope.municipality, None) for p in self.packs
            if p.layer != "federal"
        } | {
            (p.scope.region, p.scope.municipality, p.scope.schools[0]) for p in self.packs
            if p.layer != "federal" and p.scope.schools
        }
        found = {
            sel.key: sel
            for sel in (self.select(region, municipality, school=school)
                        for region, municipality, school in scopes)
        }
        return [found[key] for key in sorted(found)]

    def select(
        self, region: str | None, municipality: str | None, oktmo: str | None = None,
        school: str | None = None,
    ) -> RuleSelection:
        """The packs that apply to a school in ``region`` / ``municipality`` (named
        ``school``, for packs addressed to named schools), layered."""
        place = Place(region, municipality, oktmo, school)
        chosen = [p for p in self.packs if _in_scope(p, place)]
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
        # A lower layer's override replaces the rule it restates: one measure, one finding.
        replaced = {rule.override_of for pack in chosen for rule in pack.rules}
        rules = tuple(
            rule for pack in chosen for rule in pack.rules if rule.id not in replaced
        )
        warnings = tuple(self._unmatched_municipality(place, chosen))
        return RuleSelection(tuple(chosen), rules, params, level, warnings)

    def _unmatched_municipality(self, place: Place, chosen: list[RulePack]) -> Iterator[str]:
        """The region has municipal packs but none is the school's: say so, never silently."""
        local = [
            p for p in self.packs
            if p.layer != "federal" and p.scope.municipality is not None
            and _region_matches(p, place)
        ]
        # a pack addressed to other schools of the school's own municipality is no mismatch
        if not local or any(p in chosen or _place_matches(p, place) for p in local):
            return
        names = ", ".join(f"«{p.scope.municipality}»" for p in local)
        given = f"«{place.municipality}»" if place.municipality else "не указан"
        yield (
            f"для региона «{place.region}» есть пакеты правил муниципалитетов {names}, но "
            f"муниципалитет школы {given} ни с одним не совпал: применены только общие "
            "правила. Проверьте написание муниципалитета в профиле или укажите school.oktmo"
        )


@dataclass(frozen=True)
class Place:
    region: str | None
    municipality: str | None
    oktmo: str | None = None
    school: str | None = None


# Words that say what kind of place a name is, not which: «Нестеровский МО», «Нестеровский
# муниципальный округ» and «МО «Нестеровский район»» are one municipality. One-letter tokens
# (г., м.о., р-н, г.о. once split) are dropped too.
_PLACE_TYPE_WORDS = frozenset(
    {
        "мо", "мр", "го", "рн", "муниципальный", "муниципальное", "муниципального",
        "образование", "округ", "округа", "район", "района", "городской", "городского",
        "город", "область", "обл", "край", "республика", "респ", "автономный", "ао",
    }
)
_WORD = re.compile(r"[0-9a-zа-я]+")


def place_key(name: str) -> str:
    """The canonical key of a region or municipality name (see ``_PLACE_TYPE_WORDS``)."""
    words = _WORD.findall(name.lower().replace("ё", "е"))
    kept = [w for w in words if len(w) > 1 and w not in _PLACE_TYPE_WORDS]
    return " ".join(kept)


def _named(given: str | None, name: str, aliases: list[str]) -> bool:
    if given is None:
        return False
    key = place_key(given)
    return bool(key) and key in {place_key(n) for n in (name, *aliases)}


def _region_matches(pack: RulePack, place: Place) -> bool:
    scope = pack.scope
    return scope.region is None or _named(place.region, scope.region, scope.region_aliases)


def school_words(name: str) -> frozenset[str]:
    """The words of a school's name, for matching a pack addressed to named schools."""
    return frozenset(_WORD.findall(name.lower().replace("ё", "е")))


def _school_addressed(pack: RulePack, place: Place) -> bool:
    schools = pack.scope.schools
    if not schools:
        return True
    if place.school is None:
        return False
    words = school_words(place.school)
    return any(school_words(name) <= words for name in schools)


def _in_scope(pack: RulePack, place: Place) -> bool:
    if pack.layer == "federal":
        return True
    return _school_addressed(pack, place) and _place_matches(pack, place)


def _place_matches(pack: RulePack, place: Place) -> bool:
    scope = pack.scope
    if scope.oktmo is not None and place.oktmo is not None:
        return place.oktmo.startswith(scope.oktmo)
    if not _region_matches(pack, place):
        return False
    if scope.municipality is None:
        return True
    return _named(place.municipality, scope.municipality, scope.municipality_aliases)


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
        problems.extend(_folder_problems(pack, path, rules_dir, text))
        packs.append(pack)
        origins[pack.pack] = str(path)
        texts[pack.pack] = text
    if not problems:
        by_file = {origins[name]: text for name, text in texts.items()}
        problems.extend(with_lines(_book_problems(packs, origins, texts), by_file))
    if problems:
        raise InputError(problems)
    federal = [p for p in packs if p.layer == "federal"]
    if not federal:
        raise InputError([Problem(str(rules_dir), None, (), "не найден федеральный пакет правил")])
    if not any(p.level is not None for p in federal):
        # the pack that declares the parameters is the one meant to hold the policy
        main = next((p for p in federal if p.parameters), federal[0])
        raise InputError([Problem(
            origins[main.pack], 1, (),
            "ни один федеральный пакет не задаёт политику уровня (раздел level: "
            "min_coverage, bands, caps); без неё уровень объективности не вычислить",
        )])
    return RuleBook(packs, origins, texts)


def _folder_problems(pack: RulePack, path: Path, rules_dir: Path, text: str) -> list[Problem]:
    """The folder says the layer: ``federal/`` holds the federal packs and only them."""
    in_federal = path.relative_to(rules_dir).parts[0] == "federal"
    if in_federal == (pack.layer == "federal"):
        return []
    message = (
        f"пакет слоя «{pack.layer}» лежит в federal/: там только федеральные пакеты"
        if in_federal
        else "федеральный пакет (layer: federal) должен лежать в federal/, а не в "
        f"{path.parent.relative_to(rules_dir)}/"
    )
    return located(str(path), text, [(("layer",), message)])


def _book_problems(
    packs: Iterable[RulePack], origins: dict[str, str], texts: dict[str, str]
) -> Iterator[Problem]:
    """Checks across packs: unique ids, retired ids, parameters and their layering (lines
    are added afterwards, one pass per file: ``with_lines``)."""

    def problem(pack: RulePack, loc: Loc, message: str) -> Problem:
        return Problem(origins[pack.pack], None, loc, message)

    seen: dict[str, str] = {}
    # A renamed rule's old id is retired as well: never taken again.
    retired = {rid for pack in packs for rid in (*pack.retired, *pack.renamed)}
    declared: dict[str, tuple[RulePack, Parameter]] = {}
    level_by: str | None = None
    for pack in packs:
        for name, param in pack.parameters.items():
            if name in declared:
                owner = declared[name][0].pack
                yield problem(pack, ("parameters", name),
                              f"параметр «{name}» уже объявлен в пакете «{owner}»")
            declared.setdefault(name, (pack, param))
        if pack.level is not None:
            if level_by is not None:
                yield problem(pack, ("level",), f"политика уровня уже задана в пакете «{level_by}»")
            level_by = level_by or pack.pack
    for pack in packs:
        for index, rule in enumerate(pack.rules):
            loc: Loc = ("rules", index, "id")
            if rule.id in seen:
                yield problem(pack, loc, f"id {rule.id} уже есть в пакете {seen[rule.id]}")
            if rule.id in retired:
                yield problem(
                    pack, loc, f"id {rule.id} выведен из употребления и не может быть занят"
                )
            seen[rule.id] = pack.pack
            cmp = rule.check.compare
            if cmp is not None and cmp.param not in declared:
                yield problem(pack, ("rules", index, "check", "compare", "param"),
                              f"параметр «{cmp.param}» нигде не объявлен")
        for name, value in pack.overrides.items():
            yield from _override_problems(
                pack, name, value, declared, functools.partial(problem, pack)
            )
    all_ids = {rule.id for pack in packs for rule in pack.rules}
    yield from _override_of_problems(packs, problem)
    for pack in packs:
        for old_id, new_id in pack.renamed.items():
            if new_id not in all_ids:
                yield problem(pack, ("renamed", old_id), f"правило {new_id} (новый id для "
                              f"{old_id}) не найдено ни в одном пакете")
        for index, conflict in enumerate(pack.conflicts):
            if conflict.overridden_by not in all_ids:
                yield problem(pack, ("conflicts", index, "overridden_by"),
                              f"правило {conflict.overridden_by} не найдено ни в одном пакете")


def _override_of_problems(
    packs: Iterable[RulePack], problem: Callable[[RulePack, Loc, str], Problem]
) -> Iterator[Problem]:
    """An override restates one rule of a higher layer: same subject, same evidence, never
    a weaker severity, and one override per rule within a pack."""
    packs = list(packs)
    owners = {rule.id: (pack, rule) for pack in packs for rule in pack.rules}
    for pack in packs:
        taken: set[str] = set()
        for index, rule in enumerate(pack.rules):
            target_id = rule.override_of
            if target_id is None:
                continue
            loc: Loc = ("rules", index, "override_of")
            if target_id not in owners:
                yield problem(pack, loc, f"правило {target_id} не найдено ни в одном пакете")
                continue
            owner, target = owners[target_id]
            if LAYER_ORDER[owner.layer] >= LAYER_ORDER[pack.layer]:
                yield problem(pack, loc, f"уточнять можно только правило слоя выше: "
                              f"{target_id} из пакета «{owner.pack}» того же или нижнего слоя")
            elif target.override_of is not None:
                yield problem(pack, loc, f"{target_id} само уточняет {target.override_of}: "
                              "уточняйте исходное правило")
            elif _evidence(rule) != _evidence(target):
                yield problem(pack, loc, f"уточнение проверяет не то же, что {target_id}: "
                              "совпадать должны вид субъекта и вид доказательства (each, has/"
                              "forbid/compare)")
            elif SEVERITY_ORDER.index(rule.severity) < SEVERITY_ORDER.index(target.severity):
                yield problem(pack, ("rules", index, "severity"),
                              f"уточнение не может быть мягче {target_id} (важность "
                              f"{target.severity})")
            if target_id in taken:
                yield problem(pack, loc, f"{target_id} уже уточнено другим правилом пакета")
            taken.add(target_id)


def _evidence(rule: Rule) -> tuple[str, str]:
    """What a rule looks at: the subject kind and the kind of its evidence."""
    check = rule.check
    if check.has is not None:
        return check.each.kind, f"has:{check.has.kind}"
    if check.compare is not None:
        return check.each.kind, f"compare:{check.compare.kind}.{check.compare.field}"
    assert check.forbid is not None
    return check.each.kind, "forbid:" + ",".join(p.kind for p in check.forbid)


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

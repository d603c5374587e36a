"""The small public API: check a profile against the rule book.

``Checker`` holds the rule book and one compiled engine per combination of packs (the
federal pack alone, federal + a region, …), so a batch compiles each ruleset once.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from checker.core.cohort import reference_key, references_for
from checker.core.direct import SplitEngine
from checker.core.evaluate import SchoolMemo, evaluate_rule
from checker.core.facts import MAX_FACTS, extract_facts, people_names
from checker.core.results import results_tables
from checker.core.score import compute_level
from checker.core.self_assessment import check_self_assessment
from checker.core.timing import TimeContext
from checker.core.verdicts import apply_verdicts, unmatched_verdicts
from checker.core.waivers import apply_waivers
from checker.core.workdays import is_known_year
from checker.engine import rules_limit_issues
from checker.io.load import load_profile, located_warnings
from checker.io.packs import RuleBook, RuleSelection, load_rulebook
from checker.io.yamlio import located, read_text, with_lines
from checker.model.errors import InputError, Loc, Problem, format_loc
from checker.model.findings import Finding
from checker.model.profile import LIST_TITLES, Profile
from checker.model.reference import WorkReference
from checker.model.report import (
    ConflictInfo,
    Listing,
    ListingInfo,
    PackInfo,
    ParameterInfo,
    Report,
    SchoolInfo,
    academic_year_of,
    count_outcomes,
    upcoming_deadlines,
)


class Checker:
    """Evaluates profiles against a rule book. One per process; not thread-safe."""

    def __init__(self, rulebook: RuleBook | None = None, all_in_engine: bool | None = None
                 ) -> None:
        """``all_in_engine`` sends every rule to durable_rules, also the forms evaluated in
        Python by default (``checker.core.direct``); unset, ``OBJCHECK_ENGINE=durable``
        asks for it."""
        self.rulebook = rulebook or load_rulebook()
        ensure_engine_limits(self.rulebook)
        if all_in_engine is None:
            all_in_engine = os.environ.get("OBJCHECK_ENGINE") == "durable"
        self.all_in_engine = all_in_engine
        self._engines: dict[tuple[str, ...], SplitEngine] = {}

    def selection_for(self, profile: Profile) -> RuleSelection:
        school = profile.school
        return self.rulebook.select(
            school.region, school.municipality, school.oktmo, school=school.name
        )

    def engine_for(self, selection: RuleSelection) -> SplitEngine:
        """The compiled rules of a selection (compiled on first use)."""
        engine = self._engines.get(selection.key)
        if engine is None:
            values = {name: p.value for name, p in selection.parameters.items()}
            engine = SplitEngine(selection.rules, values, self.all_in_engine)
            self._engines[selection.key] = engine
        return engine

    def check(
        self, profile: Profile, as_of: dt.date | None = None, source_file: str | None = None,
        horizon_days: int | None = None, with_evidence: bool = True,
        source_text: str | None = None,
        references: Sequence[WorkReference] = (),
    ) -> Report:
        """Evaluate one profile as of a date (default: today).

        The academic year is the profile's, else the one containing ``as_of``; a measure is
        «due soon» within ``horizon_days`` of its deadline (default: the level policy's).
        ``with_evidence=False`` skips the evidence of each subject (the batch summary does not
        show it); everything else in the report is the same. ``source_text``, the profile's
        text, gives the load warnings (unreadable class labels…) and the warnings about the
        profile's exceptions their lines. ``references`` are the distributions of marks of
        the works in the school's municipality or region (the cohort rule RES-OUT-001).
        """
        as_of = as_of or dt.date.today()
        academic_year = profile.academic_year or academic_year_of(as_of)
        selection = self.selection_for(profile)
        horizon = selection.level.due_soon_days if horizon_days is None else horizon_days
        time = TimeContext.for_date(as_of, academic_year, horizon)
        engine = self.engine_for(selection)
        values = {name: p.value for name, p in selection.parameters.items()}
        facts = extract_facts(
            profile,
            {reference_key(r): r for r in references_for(
                profile.school.municipality, profile.school.region, references
            )},
            values,
        )
        if len(facts.items) > MAX_FACTS:
            raise InputError([Problem(
                source_file or "профиль", None, (),
                f"слишком большой профиль: {len(facts.items)} сведений для проверки, "
                f"предел — {MAX_FACTS} (разделите профиль или сократите списки)",
            )])
        found = engine.run(facts.items)
        people = people_names(profile)
        memo = SchoolMemo()
        findings = [
            evaluate_rule(
                rule,
                found.of(rule.id),
                facts,
                pack=selection.pack_of(rule.id).pack,
                people=people,
                time=time,
                memo=memo,
                with_evidence=with_evidence,
                parameters=values,
            )
            for rule in selection.rules
        ]
        # Agreed exceptions first: they are the school's (and the authority's) statements,
        # which an inspector's verdicts then override (issue 6), rejecting one included.
        waived = apply_waivers(
            findings, profile.exceptions, selection.level.waivable, as_of, horizon
        )
        findings = apply_verdicts(waived.findings, profile.inspection)
        inspection = profile.inspection
        school = profile.school
        level = compute_level(findings, selection.level)
        return Report(
            school=SchoolInfo(
                id=school.id,
                name=school.name,
                type=school.type,
                region=school.region,
                municipality=school.municipality,
            ),
            source_file=source_file,
            as_of=as_of,
            academic_year=academic_year,
            packs=[
                PackInfo(pack=p.pack, title=p.title, layer=p.layer, version=p.version,
                         retired=list(p.retired), renamed=dict(p.renamed))
                for p in selection.packs
            ],
            parameters=[
                ParameterInfo(
                    name=p.name, title=p.title, value=p.value,
                    set_by=p.set_by, default_by=p.default_by,
                )
                for p in selection.parameters.values()
            ],
            level=level,
            counts=count_outcomes(findings),
            findings=findings,
            people=people,
            conflicts=[
                ConflictInfo(
                    pack=p.pack, document=p.document, item=c.item, quote=c.quote,
                    overridden_by=c.overridden_by, note=c.note,
                )
                for p in selection.packs
                for c in p.conflicts
            ],
            deadlines=sorted(
                upcoming_deadlines(findings) + waived.deadlines,
                key=lambda d: (d.due, d.rule_id, d.subject),
            ),
            warnings=[
                *selection.warnings,
                *(str(problem) for problem in located_warnings(
                    profile, source_text, source_file or "профиль"
                )),
                *_year_warnings(profile, as_of),
                *_calendar_warnings(selection, findings),
                *_located(list(waived.notes), source_text),
                *unmatched_verdicts(findings, inspection),
            ],
            inspector=inspection.inspector if inspection else None,
            inspection_date=inspection.date if inspection else None,
            waivers=waived.statuses,
            listing=Listing(
                federal=profile.lists.federal if profile.lists else None,
                regional=profile.lists.regional if profile.lists else None,
            ),
            list_history=_list_history(profile),
            self_assessment=(
                check_self_assessment(profile.self_assessment, level, findings)
                if profile.self_assessment else None
            ),
            results_signs=results_tables(profile, findings),
        )

    def check_file(self, path: Path, as_of: dt.date | None = None,
                   references: Sequence[WorkReference] = ()) -> Report:
        """Read, validate and evaluate one profile file."""
        text = read_text(path)
        return self.check(load_profile(text, str(path)), as_of, str(path), source_text=text,
                          references=references)


def _located(notes: list[tuple[Loc, str]], source_text: str | None) -> list[str]:
    """Warnings about parts of the profile, with their lines when the text is at hand (all
    found in one pass over the text)."""
    if source_text is None:
        return [f"{format_loc(loc)}: {message}" for loc, message in notes]
    return [
        f"строка {p.line}: {p.message}" if p.line is not None
        else f"{format_loc(p.loc)}: {p.message}"
        for p in located("", source_text, notes)
    ]


def _list_history(profile: Profile) -> list[ListingInfo]:
    history = profile.lists.history if profile.lists else None
    return [
        ListingInfo(
            kind=h.kind, title=LIST_TITLES[h.kind], year=h.year, works=list(h.works or []),
            document=h.document,
        )
        for h in sorted(history or [], key=lambda h: (h.year, h.kind))
    ]


def engine_limit_problems(book: RuleBook) -> list[Problem]:
    """Where a rule set some school would get exceeds a limit of the engine, located.

    Every selection is compiled (federal alone, and with each regional or municipal pack):
    the limits count tests across rules, so a pack can be fine alone and not beside another.
    """
    problems: dict[tuple[str, Loc, str], Problem] = {}
    for selection in book.selections():
        values = {name: p.value for name, p in selection.parameters.items()}
        for issue in rules_limit_issues(selection.rules, values):
            pack = selection.pack_of(issue.rule_id)
            index = next(i for i, r in enumerate(pack.rules) if r.id == issue.rule_id)
            loc: Loc = ("rules", index, "check")
            origin = book.origins.get(pack.pack, pack.pack)
            problems.setdefault(
                (origin, loc, issue.message),
                Problem(origin, None, loc, f"{issue.rule_id}: {issue.message}"),
            )
    texts = {book.origins.get(name, name): text for name, text in book.texts.items()}
    return with_lines(problems.values(), texts)


def ensure_engine_limits(book: RuleBook) -> None:
    """Raise a located ``InputError`` if some school's rule set would break the engine."""
    problems = engine_limit_problems(book)
    if problems:
        raise InputError(problems)


def _calendar_warnings(selection: RuleSelection, findings: list[Finding]) -> list[str]:
    """Deadlines counted in working days in a year whose production calendar is unknown
    (no decree «О переносе выходных дней» in the data) may be off by the days it moves."""
    working = {
        rule.id for rule in selection.rules
        if rule.timing is not None and rule.timing.within is not None
        and rule.timing.within.working
    }
    years = sorted({
        subject.due.year
        for finding in findings if finding.rule_id in working
        for subject in finding.subjects if subject.due is not None
        if not is_known_year(subject.due.year)
    })
    if not years:
        return []
    named = ", ".join(str(year) for year in years)
    return [
        f"производственный календарь на {named} г. неизвестен программе (нет постановления "
        "Правительства о переносе выходных дней в её данных): сроки в рабочих днях посчитаны "
        "по праздникам ст. 112 ТК РФ и могут отличаться на день-два — обновите objcheck или "
        "сверьте сроки с календарём"
    ]


def _year_warnings(profile: Profile, as_of: dt.date) -> list[str]:
    """A profile of another academic year is judged with deadlines as of ``as_of``: say so."""
    current = academic_year_of(as_of)
    if profile.academic_year is None or profile.academic_year == current:
        return []
    return [
        f"профиль описывает {profile.academic_year} учебный год, а дата оценки "
        f"{as_of:%d.%m.%Y} относится к {current}; сроки оцениваются на дату оценки "
        "(задайте --as-of внутри учебного года профиля)"
    ]

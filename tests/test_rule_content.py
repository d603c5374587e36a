"""Meta-tests of rule content (issue 12): what an inspector checks before signing a pack.

* a federal rule cites a federal document, or it is only a recommendation;
* each quote says what its rule checks (a shared key word), or a reviewed note says why;
* no two rules of one selection test the same thing (one measure, one finding);
* every rule and every citable document has its effective date;
* an override (``override_of``) restates a rule of a higher layer and replaces it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from checker.core.check import Checker
from checker.core.diff import diff_reports
from checker.io.packs import RuleBook, load_rulebook
from checker.model.errors import InputError
from checker.model.findings import Outcome
from checker.model.report import Report
from checker.model.rulepack import Rule, Source
from checker.model.sources import DOCUMENT_DATES, NON_FEDERAL, SOURCES

from .conftest import FIXTURES

RULES = Path(__file__).resolve().parent.parent / "rules"
_WORD = re.compile(r"[а-яёa-z]+")


def _stems(text: str) -> set[str]:
    """Six-letter stems of the long words: «опубликовано» and «опубликовать» share one."""
    return {w[:6] for w in _WORD.findall(text.lower().replace("ё", "е")) if len(w) >= 6}


def quote_names_the_rule(rule: Rule, source: Source) -> bool:
    return bool(source.quote_supports) or bool(_stems(rule.title) & _stems(source.quote))


def test_every_federal_rule_cites_a_federal_source_or_is_a_recommendation(
    rulebook: RuleBook,
) -> None:
    """A municipal plan or a school's report cannot make a measure binding on every school
    in Russia."""
    wrong = [
        rule.id
        for pack in rulebook.packs if pack.layer == "federal"
        for rule in pack.rules
        if rule.severity != "recommendation"
        and all(source.document in NON_FEDERAL for source in rule.sources)
    ]
    assert not wrong, f"федеральное правило без федерального источника: {wrong}"


def test_a_school_report_is_never_a_norm(rulebook: RuleBook) -> None:
    """Seed 002 is a school's own справка: it shows practice, it imposes nothing."""
    for rule in rulebook.rules:
        for source in rule.sources:
            assert not (source.document == "seed:002" and source.normative), rule.id


def test_a_plan_is_a_norm_only_in_its_own_pack(rulebook: RuleBook) -> None:
    """A municipal plan binds the schools of its municipality, not those of the federal
    packs."""
    for pack in rulebook.packs:
        for rule in pack.rules:
            for source in rule.sources:
                if source.document in NON_FEDERAL and source.normative:
                    assert pack.document == source.document, (pack.pack, rule.id)


def test_a_critical_or_high_federal_rule_names_where_it_comes_from(rulebook: RuleBook) -> None:
    """Severity follows the strongest source: a critical or high federal rule cites a
    federal document (the plans restate letter 05-71, cited beside them)."""
    for pack in rulebook.packs:
        if pack.layer != "federal":
            continue
        for rule in pack.rules:
            if rule.severity in ("critical", "high"):
                federal = [s for s in rule.sources if s.document not in NON_FEDERAL]
                assert federal, rule.id


def test_each_quote_says_what_its_rule_checks(rulebook: RuleBook) -> None:
    unsupported = [
        f"{rule.id} ({source.document}, п. {source.item})"
        for rule in rulebook.rules
        for source in rule.sources
        if not quote_names_the_rule(rule, source)
    ]
    assert not unsupported, (
        "цитата не называет проверяемое и нет проверенной заметки quote_supports: "
        f"{unsupported}"
    )


def test_the_key_term_check_catches_a_quote_about_something_else(rulebook: RuleBook) -> None:
    """Regression: FED-DOC-002 (the ВСОКО regulation published) quoted a plan item about
    informing parents of results."""
    rule = rulebook.rule("FED-DOC-002")
    old = Source(
        document="seed:004",
        item="2.1",
        quote="Информирование родительской общественности о результатах оценочных процедур "
        "на официальных сайтах ОУ. Информационно-аналитическое сопровождение приоритетных "
        "направлений ВСОКО",
    )
    assert not quote_names_the_rule(rule, old)


def _evidence_key(rule: Rule) -> str:
    check = rule.check
    return json.dumps(
        [
            check.each.kind,
            check.each.where,
            check.has.model_dump(mode="json") if check.has else None,
            [p.model_dump(mode="json", by_alias=True) for p in check.forbid or []],
            check.compare.model_dump(mode="json") if check.compare else None,
            rule.applies.model_dump(mode="json"),
        ],
        sort_keys=True,
        ensure_ascii=False,
    )


def test_no_two_applicable_rules_test_the_same_thing(rulebook: RuleBook) -> None:
    """Regression: BOG-001…004 restated FED-POS-002/003, FED-DOC-001, FED-POS-001, and
    BOG-005 was met by FED-POS-005's fact — one measure counted twice."""
    doubles = []
    for selection in rulebook.selections():
        seen: dict[str, str] = {}
        for rule in selection.rules:
            key = _evidence_key(rule)
            if key in seen:
                doubles.append((selection.key, seen[key], rule.id))
            seen.setdefault(key, rule.id)
    assert not doubles, f"одна мера — два правила: {doubles}"


def test_every_citable_document_has_its_date() -> None:
    assert set(DOCUMENT_DATES) == set(SOURCES)
    unknown = {key for key, day in DOCUMENT_DATES.items() if day is None}
    # the regional indicator list of unknown parent; the ФИОКО analysis recommendations,
    # known only second-hand by the year of their edition
    assert unknown <= {"Показатели-ОО", "ФИОКО-анализ"}, unknown


def test_every_rule_has_an_effective_date_no_earlier_than_its_sources(
    rulebook: RuleBook,
) -> None:
    """A measure is not in force before the earliest text that states it."""
    for rule in rulebook.rules:
        assert rule.valid_from is not None, f"{rule.id}: нет valid_from"
        dates = [
            source.valid_from or DOCUMENT_DATES[source.document] for source in rule.sources
        ]
        known = [day for day in dates if day is not None]
        assert known, f"{rule.id}: ни у одного источника нет даты"
        assert rule.valid_from >= min(known), (
            f"{rule.id}: действует с {rule.valid_from}, раньше своих источников ({min(known)})"
        )


def test_a_regional_rule_starts_no_earlier_than_its_pack_document(rulebook: RuleBook) -> None:
    for pack in rulebook.packs:
        if pack.layer == "federal" or pack.document is None:
            continue
        adopted = DOCUMENT_DATES[pack.document]
        assert adopted is not None
        for rule in pack.rules:
            assert rule.valid_from is not None and rule.valid_from >= adopted, rule.id


# --- overrides ---------------------------------------------------------------------------


def test_an_override_replaces_the_rule_it_restates(rulebook: RuleBook) -> None:
    local = rulebook.select("Красноярский край", "Богучанский район")
    ids = {rule.id for rule in local.rules}
    assert {"BOG-003", "BOG-004"} <= ids
    assert not {"FED-DOC-001", "FED-POS-001"} & ids
    assert local.overridden == {"FED-DOC-001": "BOG-003", "FED-POS-001": "BOG-004"}
    elsewhere = {rule.id for rule in rulebook.select("Томская область", "город Томск").rules}
    assert {"FED-DOC-001", "FED-POS-001"} <= elsewhere


def _book_with(tmp_path: Path, old: str, new: str) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    pack = rules / "regional" / "krasnoyarsk" / "boguchany.yaml"
    text = pack.read_text(encoding="utf-8")
    assert old in text
    pack.write_text(text.replace(old, new, 1), encoding="utf-8")
    load_rulebook(rules)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("override_of: FED-DOC-001\n    severity: high",
         "override_of: FED-DOC-001\n    severity: medium", "не может быть мягче FED-DOC-001"),
        ("override_of: FED-DOC-001", "override_of: FED-DOC-099", "FED-DOC-099 не найдено"),
        ("override_of: FED-DOC-001", "override_of: FED-POS-004", "проверяет не то же"),
        ("override_of: FED-POS-001", "override_of: FED-DOC-001", "уже уточнено"),
        ("override_of: FED-DOC-001", "override_of: BOG-004", "только правило слоя выше"),
    ],
)
def test_a_bad_override_is_a_located_load_error(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        _book_with(tmp_path, old, new)
    text = str(caught.value)
    assert message in text
    assert "boguchany.yaml:" in text


# --- moved rules over time: «retired» / «renamed», never «resolved» ----------------------


def _with_old_finding(report: Report, old_id: str, outcome: Outcome) -> Report:
    """A report as the packs before issue 12 would have made it: ``old_id`` present."""
    template = report.findings[0]
    old = template.model_copy(update={"rule_id": old_id, "outcome": outcome, "subjects": []})
    return report.model_copy(update={"findings": [*report.findings, old]})


def test_a_rule_moved_out_of_the_federal_pack_is_retired_for_other_schools(
    checker: Checker,
) -> None:
    new = checker.check_file(FIXTURES / "school-exemplary.yaml", dt.date(2024, 5, 1))
    old = _with_old_finding(new, "FED-CHK-001", Outcome.GAP)
    by_rule = {m.rule_id: m for m in diff_reports(old, new).measures}
    assert by_rule["FED-CHK-001"].status == "retired"


def test_a_rule_moved_to_the_municipal_pack_is_renamed_for_its_schools(
    checker: Checker,
) -> None:
    path = FIXTURES / "regional" / "boguchany-sosh.yaml"
    new = checker.check_file(path, dt.date(2024, 6, 30))
    without_new_id = new.model_copy(
        update={"findings": [f for f in new.findings if f.rule_id != "BOG-006"]}
    )
    old = _with_old_finding(without_new_id, "FED-CHK-001", Outcome.GAP)
    by_rule = {m.rule_id: m for m in diff_reports(old, new).measures}
    assert by_rule["BOG-006"].renamed_from == "FED-CHK-001"
    assert by_rule["BOG-006"].status != "resolved"
    assert "FED-CHK-001" not in by_rule


def test_no_message_names_a_parameter_instead_of_its_value(rulebook: RuleBook) -> None:
    """A person reads «выше порога 20 %», not «выше порога results_raised_max_pct»: the value
    comes from {threshold}, after a region's overrides."""
    names = {name for pack in rulebook.packs for name in pack.parameters}
    found = [
        (rule.id, name)
        for pack in rulebook.packs
        for rule in pack.rules
        for text in rule.message.model_dump().values()
        if text
        for name in names
        if name in text
    ]
    assert found == []

"""The speed-ups of issue 5 give exactly what the plain paths give."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from checker.batch.xlsx import XlsxWriter, column_letter
from checker.core.check import Checker
from checker.engine.relevance import FactFilter
from checker.engine.session import decode_firing, fact_json, field_prefix
from checker.io.load import load_profile
from checker.io.yamlio import CheckedDateConstructor, load_fast
from checker.model.errors import InputError
from checker.testing.synthetic import to_yaml, write_profiles

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AS_OF = dt.date(2024, 5, 1)


def _shipped(text: str) -> Any:
    yaml = YAML(typ="safe", pure=False)
    yaml.Constructor = CheckedDateConstructor
    return yaml.load(text)


def _outcome(load: Any, text: str) -> tuple[str, Any]:
    try:
        return "ok", load(text)
    except Exception as exc:  # the error itself is compared
        return "error", (type(exc).__name__, str(exc))


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",
    "a:\n  b: 1\n  b: 2\n",
    "{a: 1, a: 1}",
    "b: &x {k: 1}\nc: *x\nd:\n  <<: *x\n  z: 2\n",
    "x: &a [1, 2]\ny: *a\n",
    "? [1, 2]\n: v\n",
    "a: 2023-02-30\n",
    "a: !!str 12\nb: !!set {x, y}\nc: !!omap [a: 1]\n",
    "- yes\n- on\n- 0x1F\n- 1_000\n- 1.5\n- ~\n- 2024-01-01\n- '2024-01-01'\n- ''\n",
    "= : x\n",
    "",
])
def test_fast_loader_matches_the_shipped_one(text: str) -> None:
    from checker.io.yamlio import FAST_YAML

    assert _outcome(FAST_YAML.load, text) == _outcome(_shipped, text)


def test_fast_loader_matches_on_fixtures_and_generated(tmp_path: Path) -> None:
    from checker.io.yamlio import FAST_YAML

    paths = [*FIXTURES.rglob("*.yaml"), *write_profiles(tmp_path, 5, seed=11)]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert _outcome(FAST_YAML.load, text) == _outcome(_shipped, text), path


def test_recursive_alias_is_a_located_error() -> None:
    with pytest.raises(InputError) as caught:
        load_fast("a: &r\n  b: *r\n", "x.yaml")
    assert caught.value.problems[0].line == 1


def test_decode_looks_facts_up_and_falls_back_to_json() -> None:
    facts = {"f1": {"id": "f1", "t": "school", "path": "school"},
             "f2": {"id": "f2", "t": "document", "path": "documents[0]"}}
    # the engine sees only the tested fields; the firing gives back the whole facts
    plain = '{"R|m":{"s":{"id": "f1", "t": "school"},"r":{"id": "f2", "t": "document"}}}'
    name, match = decode_firing(plain, facts)
    assert name == "R|m"
    assert match["s"] is facts["f1"] and match["r"] is facts["f2"]
    # a value that looks like a fact, another key order: decoded, then the whole fact
    for message in (
        '{"R|m":{"s":{"id": "f1", "t": "school", "n": "x:{y"}}}',
        '{"R|m":{"s":{"t": "school", "id": "f1"}}}',
    ):
        assert decode_firing(message, facts) == ("R|m", {"s": facts["f1"]})
    # an id the batch does not have: as decoded
    assert decode_firing('{"R|m":{"s":{"id": "f9"}}}', facts) == ("R|m", {"s": {"id": "f9"}})


def test_engine_asserts_only_tested_fields() -> None:
    from checker.engine.compile import referenced_fields

    definitions = {
        "a": {"all": [{"s": {"$and": [{"t": "procedure"}, {"$or": [{"kind": "ВПР"}]},
                                      {"$gte": {"coverage_pct": 50}}, {"$nex": {"hq": 1}}]}},
                      {"r": {"$and": [{"t": "video"}, {"procedure": {"s": "ref"}}]}}]},
    }
    assert referenced_fields(definitions) == {
        "procedure": frozenset({"id", "t", "kind", "coverage_pct", "hq", "ref"}),
        "video": frozenset({"id", "t", "procedure"}),
    }
    assert referenced_fields({"b": {"all": [{"s": {"$mt": {"name": "x"}}}]}}) is None


def test_reports_without_evidence_differ_only_in_evidence(tmp_path: Path) -> None:
    checker = Checker()
    for path in [FIXTURES / "school-exemplary.yaml", *write_profiles(tmp_path, 3, seed=5)]:
        profile = load_profile(path.read_text(encoding="utf-8"), str(path))
        full = checker.check(profile, AS_OF).model_dump()
        lean = checker.check(profile, AS_OF, with_evidence=False).model_dump()
        for finding in full["findings"]:
            for subject in finding["subjects"]:
                subject["evidence"] = []
        assert lean == full


def test_synthetic_schools_get_a_mix_of_levels() -> None:
    from checker.testing.synthetic import make_profile

    checker = Checker()
    levels = set()
    for index in range(60):
        text = to_yaml(make_profile(2024, index))
        levels.add(checker.check(load_profile(text, "x"), AS_OF).level.level)
    assert levels == {"высокий", "средний", "низкий", "не определён"}


def test_xlsx_writer_reads_back(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    rows = [["a & <b>", 1, 2.5, None, True], [" x\x01 ", -3, 0.0, "", False]]
    with XlsxWriter(path, creator="objcheck") as book:
        assert book.sheet("Лист 'один'", ["h1", "h2", "h3", "h4", "h5"], rows) == 2
        assert book.sheet("Пусто", ["h"], [], max_rows=5) == 0
        assert book.sheet("Обрезано", ["h"], ([n] for n in range(10)), max_rows=3,
                          overflow="обрезано") == 3
        assert book.sheet("Впритык", ["h"], ([n] for n in range(3)), max_rows=3,
                          overflow="обрезано") == 3
    book = load_workbook(path)
    assert book.sheetnames == ["Лист 'один'", "Пусто", "Обрезано", "Впритык"]
    first = book["Лист 'один'"]
    assert first.freeze_panes == "A2" and first.auto_filter.ref == "A1:E3"
    values = [[c.value for c in row] for row in first.iter_rows()]
    assert values[1] == ["a & <b>", 1, 2.5, None, True]
    assert values[2][:3] == [" x ", -3, 0]
    assert book["Пусто"].auto_filter.ref == "A1:A1"
    # a cut sheet says so in its last row; a sheet that fits exactly keeps every row
    assert [r[0].value for r in book["Обрезано"].iter_rows()] == ["h", 0, 1, "обрезано"]
    assert [r[0].value for r in book["Впритык"].iter_rows()] == ["h", 0, 1, 2]
    assert book.properties.creator == "objcheck"
    again = tmp_path / "again.xlsx"
    with XlsxWriter(again, creator="objcheck") as other:
        other.sheet("Лист 'один'", ["h1", "h2", "h3", "h4", "h5"], rows)
        other.sheet("Пусто", ["h"], [])
        other.sheet("Обрезано", ["h"], ([n] for n in range(10)), max_rows=3, overflow="обрезано")
        other.sheet("Впритык", ["h"], ([n] for n in range(3)), max_rows=3, overflow="обрезано")
    assert again.read_bytes() == path.read_bytes()
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


@pytest.mark.parametrize("values", [
    {"subject": "vpr-5", "label": "ВПР · математика", "outcome": "met",
     "message": "выполнено", "person": None, "evidence": []},
    {"subject": "s", "label": "школа", "outcome": "violation", "message": "нарушение: t1",
     "person": "t1", "evidence": [{"kind": "staff", "ref": "t1", "path": "people[0]",
                                  "summary": "работник (t1)"}]},
    {"subject": "vpr-5", "label": "ВПР", "outcome": "overdue", "message": "просрочено",
     "evidence": [], "due": dt.date(2024, 4, 1), "done": None},
    {"subject": "d", "label": "приказ", "outcome": "met_late", "message": "с опозданием",
     "due": dt.date(2024, 4, 1), "done": dt.date(2024, 4, 3)},
])
def test_evaluated_subject_finding_is_what_validation_makes(values: dict[str, Any]) -> None:
    """The evaluator's unvalidated subject findings: every field, in order, equal to the
    validating constructor's, and the same JSON — also after a verdict's model_copy."""
    from checker.model.findings import Evidence, Outcome, SubjectFinding, evaluated_subject_finding

    validated = SubjectFinding(**values)
    built = evaluated_subject_finding(
        values["subject"], values["label"], Outcome(values["outcome"]), values["message"],
        person=values.get("person"),
        evidence=[Evidence(**e) for e in values.get("evidence", [])],
        due=values.get("due"), done=values.get("done"),
    )
    assert list(built.__dict__) == list(SubjectFinding.model_fields)
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_dump() == validated.model_dump()
    assert built.__pydantic_extra__ is None and built.__pydantic_private__ is None
    update = {"verdict": "confirmed", "self_outcome": built.outcome}
    assert (built.model_copy(update=update).model_dump_json()
            == validated.model_copy(update=update).model_dump_json())


def test_evaluated_findings_are_what_validation_makes() -> None:
    """Every finding and subject finding the evaluator builds without validation, on the
    bundled fixtures: validating its values again gives the same instance and JSON."""
    from checker.model.findings import Finding, SubjectFinding

    checker = Checker()
    seen = 0
    for path in sorted(FIXTURES.glob("*.yaml")):
        try:
            profile = load_profile(path.read_text(encoding="utf-8"), str(path))
        except InputError:
            continue  # the fixtures of bad input
        for finding in checker.check(profile, AS_OF).findings:
            built_models: list[Finding | SubjectFinding] = [finding, *finding.subjects]
            for built in built_models:
                model = type(built)
                validated = model(**{name: getattr(built, name) for name in built.model_fields_set})
                assert list(built.__dict__) == list(model.model_fields)
                assert built == validated
                assert built.model_dump_json() == validated.model_dump_json()
                seen += 1
    assert seen > 1000


_VALUES = st.one_of(
    st.text(max_size=12), st.booleans(), st.integers(-(2**63) + 1, 2**63 - 1)
)


@given(
    st.dictionaries(st.sampled_from(["t", "ref", "kind", "Вид", 'q"\\', "n\u0001", "sid"]),
                    _VALUES, max_size=6),
    st.text(max_size=8),
    st.lists(st.sampled_from(["kind", "Вид", "n\u0001", "ref", "absent"]), unique=True),
)
def test_fact_text_is_what_json_dumps_writes(
    fields: dict[str, object], fact_id: str, tested: list[str]
) -> None:
    """The engine's payload is written field by field (checker.engine.session.fact_json):
    it is the text json.dumps(ensure_ascii=False) gives for the same dict."""
    fact = {"id": fact_id, **fields}
    tail = ', "sid": "s7"}'
    whole = {"id": fact_id, **{k: v for k, v in fields.items() if k != "sid"}, "sid": "s7"}
    assert fact_json(fact, None, tail) == json.dumps(whole, ensure_ascii=False)
    chosen = [(name, prefix) for name in tested if (prefix := field_prefix(name))]
    some = {"id": fact_id, **{k: fields[k] for k, _ in chosen if k in fields}, "sid": "s7"}
    assert fact_json(fact, chosen, tail) == json.dumps(some, ensure_ascii=False)


def _kept(definitions: dict[str, Any], facts: list[dict[str, Any]]) -> list[str]:
    return [fact["id"] for fact in FactFilter(definitions).select(facts)]


def test_fact_filter_keeps_what_the_engine_might_match() -> None:
    """Only a definite mismatch drops a fact: an absent field, or a value of the literal's
    own type that fails; the engine compares mixed types as strings, so those stay."""
    rule = {"r": {"all": [{"a": {"$and": [
        {"t": "x"}, {"$or": [{"q": "1"}, {"q": "2"}]}, {"$gte": {"n": 5}}]}}]}}
    facts: list[dict[str, Any]] = [
        {"id": "f1", "t": "x", "q": "1", "n": 5},
        {"id": "f2", "t": "x", "q": "3", "n": 5},  # fails the list
        {"id": "f3", "t": "x", "q": 1, "n": 5},  # "1" vs 1: the engine's call
        {"id": "f4", "t": "x", "q": "2"},  # no n: the bound fails
        {"id": "f5", "t": "x", "q": "2", "n": 4},
        {"id": "f6", "t": "x", "q": "2", "n": "9"},  # a string against a number: kept
        {"id": "f7", "t": "y", "q": "1", "n": 5},  # another kind
    ]
    assert _kept(rule, facts) == ["f1", "f3", "f6"]
    relaxed = {"r": {"all": [{"a": {"$and": [
        {"t": "x"}, {"$or": [{"q": "1"}, {"$nex": {"q": 1}}]}]}}]}}
    assert _kept(relaxed, facts + [{"id": "f8", "t": "x"}]) == ["f1", "f3", "f8"]


def test_fact_filter_follows_joins_and_drops_rules_that_cannot_fire() -> None:
    joined = {"v": {"all": [
        {"s": {"$and": [{"t": "procedure"}, {"kind": "ВПР"}]}},
        {"p0": {"$and": [{"t": "checker"}, {"procedure": {"s": "ref"}}]}},
        {"p1": {"$and": [{"t": "teaches_class"}, {"staff": {"p0": "staff"}}]}},
    ]}}
    facts: list[dict[str, Any]] = [
        {"id": "f1", "t": "procedure", "ref": "p1", "kind": "ВПР"},
        {"id": "f2", "t": "procedure", "ref": "p2", "kind": "ОГЭ"},
        {"id": "f3", "t": "checker", "procedure": "p1", "staff": "t1"},
        {"id": "f4", "t": "checker", "procedure": "p2", "staff": "t2"},  # not a subject's
        {"id": "f5", "t": "teaches_class", "staff": "t1", "class": "5А"},
        {"id": "f6", "t": "teaches_class", "staff": "t2", "class": "5А"},
        {"id": "f7", "t": "teaches_class", "staff": 7, "class": "5А"},  # not a string: kept
        # back along the joins: a subject no checker names, a checker who teaches nothing
        {"id": "f8", "t": "procedure", "ref": "p3", "kind": "ВПР"},
        {"id": "f9", "t": "checker", "procedure": "p1", "staff": "t9"},
    ]
    assert _kept(joined, facts) == ["f1", "f3", "f5", "f7", "f9"]  # f7 might be t9's
    assert _kept(joined, [f for f in facts if f["id"] != "f7"]) == ["f1", "f3", "f5"]
    # no checker of a subject: the rule cannot fire, none of its facts is needed
    assert _kept(joined, [f for f in facts if f["id"] not in ("f3", "f9")]) == []
    # the evaluation trigger is the engine's own fact: its element is never empty, and
    # a negated element keeps what might block the match
    negated = {"g": {"all": [
        {"go": {"t": "$eval"}},
        {"s": {"$and": [{"t": "procedure"}, {"kind": "ВПР"}]}},
        {"r$not": {"$and": [{"t": "checker"}, {"procedure": {"s": "ref"}}]}},
    ]}}
    assert _kept(negated, facts) == ["f1", "f3", "f8", "f9"]
    # a form the filter does not read: every fact is kept
    assert _kept({"a": {"any": [{"s": {"t": "procedure"}}]}}, facts) == [
        f["id"] for f in facts]

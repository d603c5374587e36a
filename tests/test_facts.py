"""The facts a profile becomes, written out by hand: the reference semantics of the property
tests (checker.testing.reference) reads the same facts as the engine, so a bug in
``extract_facts`` would pass the engine ≡ reference properties unseen. These expectations
come from the profile's meaning (checker/model/factkinds.py), not from the code's output."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given

from checker.core.facts import extract_facts
from checker.model.profile import Profile
from tests.test_engine_properties import SETTINGS, profiles


def _facts(data: dict[str, Any]) -> list[dict[str, Any]]:
    profile = Profile.model_validate({"school": {"id": "s", "name": "Школа"}, **data})
    return [{k: v for k, v in f.items() if k not in ("id", "path")}
            for f in extract_facts(profile).items]


def _of(facts: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [f for f in facts if f["t"] == kind]


def test_silent_school_reports_no_section() -> None:
    """Nothing said is nothing known: no section reported, and no count of procedures (a 0
    would say «no procedures were held»)."""
    (school,) = _facts({})
    assert school == {
        "t": "school", "ref": "s", "documents_reported": False, "staff_reported": False,
        "procedures_reported": False, "activities_reported": False, "lists_reported": False,
        "website_reported": False, "site_sections_reported": False,
        # nobody is named as an organiser or a checker: there is no teacher's load to join
        "staff_classes_reported": True, "staff_subjects_reported": True,
    }


def test_incomplete_section_is_not_reported() -> None:
    """A partial list cannot show that something is missing."""
    (school, document) = _facts({"incomplete": ["documents"],
                                 "documents": [{"id": "d1", "kind": "vsoko_regulation"}]})
    assert school["documents_reported"] is False
    assert document == {"t": "document", "ref": "d1", "kind": "vsoko_regulation",
                        "has_number": False}


def test_document_publication_and_dates() -> None:
    facts = _facts({"documents": [
        {"id": "d1", "kind": "vsoko_regulation", "number": 12, "date": dt.date(2023, 8, 30),
         "published": {"url": "https://s.ru/v", "date": dt.date(2023, 9, 4)}},
        {"id": "d2", "kind": "pay_regulation", "published": False,
         "uses_vpr_for_evaluation": False},
    ]})
    assert _of(facts, "document") == [
        {"t": "document", "ref": "d1", "kind": "vsoko_regulation", "number": "12",
         "date": "2023-08-30", "has_number": True, "published": True,
         "published_on": "2023-09-04"},
        {"t": "document", "ref": "d2", "kind": "pay_regulation", "has_number": False,
         "published": False, "uses_vpr_for_evaluation": False},
    ]


def test_staff_lists_become_one_fact_per_class_and_subject() -> None:
    facts = _facts({"staff": [{"id": "t1", "name": "Иванова А. А.", "classes": ["5а", "6б"],
                               "subjects": ["Математика"]}]})
    # classes join on their normal form; the school's spelling is kept for messages
    assert _of(facts, "teaches_class") == [
        {"t": "teaches_class", "ref": "t1", "staff": "t1", "class": "5А", "class_label": "5а"},
        {"t": "teaches_class", "ref": "t1", "staff": "t1", "class": "6Б", "class_label": "6б"},
    ]
    # subjects are compared case-insensitively with the procedure's subject
    assert _of(facts, "teaches_subject") == [
        {"t": "teaches_subject", "ref": "t1", "staff": "t1", "subject": "математика"}
    ]
    assert "name" not in str(facts)  # names never enter the engine


def test_observers_independence_and_accreditation() -> None:
    facts = _facts({"procedures": [{"id": "v1", "kind": "ВПР", "observers": [
        {"type": "public", "relation": "none", "accreditation": "ОН-1"},
        {"type": "public", "relation": "parent", "accreditation": False},
        {"type": "authority"},
    ]}]})
    link = {"t": "observer", "ref": "v1", "procedure": "v1"}
    # An inline observer has no id: its place names it. Its relation is the school's word:
    # «none» says neither employee nor parent; «parent» says nothing of employment.
    assert _of(facts, "observer") == [
        {**link, "person": "v1/observers[0]", "type": "public", "relation": "none",
         "employee": False, "parent": False, "accredited": True, "independent": True},
        {**link, "person": "v1/observers[1]", "type": "public", "relation": "parent",
         "parent": True, "accredited": False, "independent": False},
        # relation not given: independence unknown, the fields are absent (never false)
        {**link, "person": "v1/observers[2]", "type": "authority"},
    ]
    (procedure,) = _of(facts, "procedure")
    assert procedure["observers_reported"] is True and procedure["video_reported"] is False


def test_video_coverage_from_rooms_and_from_words() -> None:
    facts = _facts({"procedures": [
        {"id": "v1", "kind": "ВПР", "rooms": ["11", "12", "13", "14"],
         "video": {"rooms": ["11", "12", "13"]}},
        {"id": "v2", "kind": "ВПР", "video": {"coverage": "partial"}},
        {"id": "v3", "kind": "ВПР", "video": False},
        {"id": "o1", "kind": "ОГЭ", "date": dt.date(2024, 5, 24), "in_school_ppe": True,
         "video": {"coverage": "full", "storage_until": dt.date(2025, 3, 1)}},
    ]})
    videos = {f["ref"]: f for f in _of(facts, "video")}
    assert (videos["v1"]["coverage_pct"], videos["v1"]["during_work"]) == (75, True)
    # «частично» is only known to be above zero: 1 %, below any real threshold
    assert (videos["v2"]["coverage_pct"], videos["v2"]["during_work"]) == (1, True)
    assert videos["v3"] == {"t": "video", "ref": "v3", "procedure": "v3", "during_work": False,
                            "coverage_pct": 0, "checking_filmed": False,
                            "storage_known": False, "storage_until_march": False,
                            "hq": False, "entrance": False}
    # ГИА records are kept until 1 March of the next year: 01.03.2025 is enough for May 2024
    assert videos["o1"]["storage_until_march"] is True
    assert "hq" not in videos["o1"]  # not said: absent, not false


def test_checking_external_and_results_shares() -> None:
    facts = _facts({"procedures": [{
        "id": "v1", "kind": "ВПР", "date": dt.date(2024, 4, 10),
        "checking": {"mode": "municipal", "members": ["t1"], "agreed_on": dt.date(2024, 4, 1),
                     "recheck_share": 10},
        "results": {"participants": 20, "lowered": 5, "confirmed": 10, "raised": 5},
    }], "staff": [{"id": "t1", "name": "Иванова А. А."}]})
    (checking,) = _of(facts, "checking")
    assert checking == {"t": "checking", "ref": "v1", "procedure": "v1", "mode": "municipal",
                        "external": True, "agreed_before": True, "recheck_pct": 10}
    assert _of(facts, "checker") == [{"t": "checker", "ref": "v1", "procedure": "v1",
                                      "staff": "t1"}]
    (result,) = _of(facts, "result")
    assert (result["lowered_pct"], result["confirmed_pct"], result["raised_pct"]) == (25, 50, 25)


def _assert_numbered_without_none(profile: Profile) -> None:
    for n, fact in enumerate(extract_facts(profile).items, start=1):
        assert next(iter(fact)) == "id" and fact["id"] == f"f{n}"
        assert None not in fact.values(), fact["t"]


@SETTINGS
@given(profile=profiles())
def test_facts_are_numbered_in_order_and_hold_no_none(profile: Profile) -> None:
    """Each fact is built with its id first and numbered in place, and only the fields a
    kind names as possibly unknown are dropped when None: a field left off that list, or a
    fact left unnumbered, would reach the engine with a ``null`` or without an id. The
    generated profiles leave every optional field out somewhere."""
    _assert_numbered_without_none(profile)


def test_facts_beyond_the_table_of_ids_are_numbered_too() -> None:
    """The first 10,000 ids come from a table; a larger profile formats its own."""
    profile = Profile.model_validate({
        "school": {"id": "s", "name": "Школа"},
        "staff": [{"id": "t1", "name": "Иванова А. А.", "classes": ["5а"] * 10_050}],
    })
    assert len(extract_facts(profile).items) > 10_000
    _assert_numbered_without_none(profile)

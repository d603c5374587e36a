"""Absent ≠ not done, in both directions (issue 11, defects 4–6).

The table of README «Профиль школы» — absent / field not given / explicit false / explicit
value × section complete / not declared complete / declared incomplete — is tested here
cell by cell; then the measures that are judged per procedure, per room, and only for the
procedures the school itself held.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from checker.core.check import Checker
from checker.model.findings import Finding, Outcome
from checker.model.profile import Profile

AS_OF = dt.date(2024, 5, 1)

DECLARATIONS: dict[str, dict[str, Any]] = {
    "complete": {"complete": ["documents"]},
    "not_declared": {},
    "incomplete": {"incomplete": ["documents"]},
}

# What the documents list says of the ВСОКО regulation and its publication (FED-DOC-002).
ENTRIES: dict[str, list[dict[str, Any]]] = {
    "absent": [{"id": "o1", "kind": "order_responsible"}],
    "field_absent": [{"id": "v1", "kind": "vsoko_regulation"}],
    "explicit_false": [{"id": "v1", "kind": "vsoko_regulation", "published": False}],
    "explicit_value": [
        {"id": "v1", "kind": "vsoko_regulation", "published": {"url": "https://s.ru/v.pdf"}}
    ],
}

# The README table. Only a complete section turns an absent entry into «не сделано»; an
# explicit negative is «не сделано» whatever the section; a record that is silent on the
# field is «не сообщено» everywhere.
TABLE = {
    ("absent", "complete"): Outcome.GAP,
    ("absent", "not_declared"): Outcome.UNKNOWN,
    ("absent", "incomplete"): Outcome.UNKNOWN,
    ("field_absent", "complete"): Outcome.UNKNOWN,
    ("field_absent", "not_declared"): Outcome.UNKNOWN,
    ("field_absent", "incomplete"): Outcome.UNKNOWN,
    ("explicit_false", "complete"): Outcome.GAP,
    ("explicit_false", "not_declared"): Outcome.GAP,
    ("explicit_false", "incomplete"): Outcome.GAP,
    ("explicit_value", "complete"): Outcome.MET,
    ("explicit_value", "not_declared"): Outcome.MET,
    ("explicit_value", "incomplete"): Outcome.MET,
}


def _check(checker: Checker, **sections: Any) -> dict[str, Finding]:
    school = {"id": "s1", "name": "Школа", "type": "СОШ", **sections.pop("school", {})}
    profile = Profile.model_validate({"schema_version": 1, "school": school, **sections})
    report = checker.check(profile, AS_OF)
    return {f.rule_id: f for f in report.findings}


@pytest.mark.parametrize(("entry", "declared"), sorted(TABLE))
def test_every_cell_of_the_table(checker: Checker, entry: str, declared: str) -> None:
    found = _check(checker, documents=ENTRIES[entry], **DECLARATIONS[declared])
    assert found["FED-DOC-002"].outcome is TABLE[entry, declared]


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("complete", Outcome.GAP), ("not_declared", Outcome.GAP), ("incomplete", Outcome.UNKNOWN)],
)
def test_an_explicit_empty_list_is_no_unless_declared_incomplete(
    checker: Checker, declared: str, expected: Outcome
) -> None:
    found = _check(checker, documents=[], **DECLARATIONS[declared])
    assert found["FED-DOC-001"].outcome is expected


def test_a_listed_section_is_not_complete_by_default(checker: Checker) -> None:
    """Regression: a missing document of a listed, undeclared section was a gap."""
    found = _check(checker, documents=[{"id": "v1", "kind": "vsoko_regulation"}])
    assert found["FED-POS-001"].outcome is Outcome.UNKNOWN
    assert found["FED-SEC-001"].outcome is Outcome.UNKNOWN
    assert found["FED-DOC-001"].outcome is Outcome.MET


def test_an_explicit_negative_is_not_done_in_an_incomplete_section(checker: Checker) -> None:
    """Regression: published: false with incomplete: [documents] was «не сообщено»."""
    found = _check(
        checker,
        incomplete=["documents"],
        documents=[{"id": "a1", "kind": "assessment_regulation", "published": False}],
    )
    assert found["FED-SITE-002"].outcome is Outcome.GAP
    assert found["FED-SITE-002"].subjects[0].evidence[0].ref == "a1"


@pytest.mark.parametrize(
    ("school", "documents", "expected"),
    [
        # A website and a complete list of documents say nothing of the site's sections.
        ({"website": "https://s.ru"}, [], Outcome.UNKNOWN),
        ({"website": "https://s.ru", "site_sections": {"info": True}}, None, Outcome.MET),
        ({"website": "https://s.ru", "site_sections": {"info": False}}, None, Outcome.GAP),
        ({"website": "https://s.ru", "site_sections": {"vsoko": True}}, None, Outcome.UNKNOWN),
        ({"website": False}, None, Outcome.GAP),
        ({}, None, Outcome.UNKNOWN),
    ],
)
def test_site_sections_come_from_the_school(
    checker: Checker, school: dict[str, Any], documents: list[Any] | None, expected: Outcome
) -> None:
    sections: dict[str, Any] = {"school": school}
    if documents is not None:
        sections.update(documents=documents, complete=["documents"])
    assert _check(checker, **sections)["FED-SITE-001"].outcome is expected


# --- per procedure -----------------------------------------------------------------------

TWO_VPR = [
    {"id": "ru4", "kind": "ВПР", "subject": "Русский язык", "grade": 4},
    {"id": "ma5", "kind": "ВПР", "subject": "Математика", "grade": 5},
]


def _subjects(finding: Finding) -> dict[str, Outcome]:
    return {s.subject: s.outcome for s in finding.subjects}


def test_a_comparison_for_4_ru_does_not_pass_5_ma(checker: Checker) -> None:
    """Regression: one journal comparison passed FED-ANL-002 for every ВПР."""
    activities = [{"kind": "journal_comparison", "date": dt.date(2023, 10, 16),
                   "procedure": "ru4"}]
    found = _check(checker, procedures=TWO_VPR, activities=activities)
    assert _subjects(found["FED-ANL-002"]) == {"ru4": Outcome.MET, "ma5": Outcome.UNKNOWN}
    found = _check(checker, procedures=TWO_VPR, activities=activities, complete=["activities"])
    assert _subjects(found["FED-ANL-002"]) == {"ru4": Outcome.MET, "ma5": Outcome.GAP}
    assert found["FED-ANL-002"].outcome is Outcome.GAP


def test_a_school_wide_document_counts_for_the_procedures_it_names(checker: Checker) -> None:
    """Regression: one codes protocol passed FED-VPR-001 for every ВПР."""
    protocol = {"id": "d1", "kind": "vpr_codes_protocol", "date": dt.date(2024, 2, 15)}
    named = _check(checker, procedures=TWO_VPR, complete=["documents"],
                   documents=[{**protocol, "procedures": ["ma5"]}])
    assert _subjects(named["FED-VPR-001"]) == {"ru4": Outcome.GAP, "ma5": Outcome.MET}
    every = _check(checker, procedures=TWO_VPR, complete=["documents"],
                   documents=[{**protocol, "procedures": "all"}])
    assert every["FED-VPR-001"].outcome is Outcome.MET
    unsaid = _check(checker, procedures=TWO_VPR, complete=["documents"], documents=[protocol])
    assert unsaid["FED-VPR-001"].outcome is Outcome.UNKNOWN


def test_one_observer_for_three_rooms_is_not_met(checker: Checker) -> None:
    """Regression: a single observer made FED-OBS-001 met for a ВПР in three rooms."""
    observer = {"type": "public", "relation": "none"}
    procedures = [
        {"id": "v1", "kind": "ВПР", "rooms": ["11", "12", "13"], "observers": [observer]},
        {"id": "v2", "kind": "ВПР", "rooms": ["11", "12"],
         "observers": [{**observer, "room": "11"}, {**observer, "room": "12"}]},
    ]
    found = _check(checker, procedures=procedures)
    assert _subjects(found["FED-OBS-001"]) == {"v1": Outcome.GAP, "v2": Outcome.MET}


def test_gia_sat_elsewhere_is_not_unfilmed(checker: Checker) -> None:
    """Regression: an ЕГЭ in another school's ППЭ gave «видеонаблюдение не велось»."""
    procedures = [{"id": "e1", "kind": "ЕГЭ", "in_school_ppe": False, "video": False,
                   "rooms": ["1"], "organizers": []}]
    found = _check(checker, procedures=procedures, complete=["procedures"])
    for rule_id in ("FED-VID-001", "FED-VID-002", "FED-GIA-001", "FED-GIA-004", "FED-GIA-005",
                    "FED-ORG-002"):
        assert found[rule_id].outcome is Outcome.NOT_APPLICABLE, rule_id
        assert found[rule_id].subjects == [], rule_id

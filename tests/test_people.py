"""Issue 11, defects 1–3: class labels join on their normal form, people are registered once
and an observer's conflict of interest is derived from the register, messages name who and
where. Each test here failed before the change it guards."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from checker.cli.main import app
from checker.core.check import Checker
from checker.core.facts import extract_facts
from checker.io.load import load_profile
from checker.io.packs import load_pack
from checker.model.errors import InputError
from checker.model.findings import Finding, Outcome
from checker.model.labels import ClassLabel, class_key, name_key
from checker.model.profile import Profile
from checker.model.report import Report

AS_OF = dt.date(2024, 5, 1)
SCHOOL = {"id": "s1", "name": "МБОУ «СОШ № 5»", "type": "СОШ"}


def _profile(**sections: Any) -> Profile:
    return Profile.model_validate({"schema_version": 2, "school": SCHOOL, **sections})


def _finding(report: Report, rule_id: str) -> Finding:
    return next(f for f in report.findings if f.rule_id == rule_id)


# --- defect 1: class labels -------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("5А", "5А"), ("5а", "5А"), ("5 А", "5А"), ("5-А", "5А"), ("5 - а", "5А"),
        ("5A", "5А"), ("5a", "5А"),  # Latin look-alikes
        ("11б", "11Б"), ("  7  в ", "7В"), ("5ё", "5Е"), ("9", "9"), ("5 А класс", "5А"),
        ("4 кл.", "4"), ("10-C", "10С"),
    ],
)
def test_class_labels_have_one_normal_form(written: str, normal: str) -> None:
    assert class_key(written) == normal


@pytest.mark.parametrize("written", ["5b", "12А", "0А", "5 АБ", "пятый", "5 углублённый", ""])
def test_unreadable_class_labels_have_no_normal_form(written: str) -> None:
    # A Latin «b» reads as «б», not as the look-alike «В»: guessing would join wrong classes.
    assert class_key(written) is None


def test_a_label_keeps_the_school_spelling_and_survives_the_cache() -> None:
    profile = _profile(staff=[{"id": "t1", "name": "Иванова А. А.", "classes": ["5 а"]}])
    label = profile.staff[0].classes[0]  # type: ignore[index]
    assert isinstance(label, ClassLabel)
    assert (str(label), label.key) == ("5 а", "5А")
    again = pickle.loads(pickle.dumps(profile))
    assert again == profile and again.staff[0].classes[0].key == "5А"


def test_each_spelling_keeps_its_own_label_though_labels_are_reused() -> None:
    # Labels are read once per spelling and reused: «5а» and «5А» are one class but two
    # spellings, and a report quotes the one the school wrote at that place.
    classes = ["5а", "5А", "5а", "5 углублённый", "5 углублённый"]
    profile = _profile(staff=[{"id": "t1", "name": "Иванова А. А.", "classes": classes}])
    labels = profile.staff[0].classes or []  # type: ignore[index]
    assert [(str(label), label.key) for label in labels] == [
        ("5а", "5А"), ("5А", "5А"), ("5а", "5А"), ("5 углублённый", None), ("5 углублённый", None)
    ]


def test_names_join_without_case_yo_and_repeated_spaces() -> None:
    assert name_key("  Русский   язык ") == name_key("русский язык")
    assert name_key("Чёрчение") == name_key("ЧЕРЧЕНИЕ")


@pytest.mark.parametrize("spelling", ["5а", "5 А", "5-А", "5A"])
def test_checker_teaching_the_class_is_a_conflict_whatever_the_spelling(
    checker: Checker, spelling: str
) -> None:
    profile = _profile(
        staff=[{"id": "t1", "name": "Морозова Светлана Ивановна", "classes": [spelling]}],
        procedures=[{"id": "v1", "kind": "ВПР", "classes": ["5А"],
                     "checking": {"mode": "school", "members": ["t1"]}}],
    )
    coi = _finding(checker.check(profile, AS_OF), "FED-COI-001")
    assert coi.outcome is Outcome.VIOLATION
    # defect 3: the message names who and where (the class in its normal form)
    assert "Морозова Светлана Ивановна ведёт уроки в 5А и проверяет работы 5А" in coi.message


def test_subjects_join_whatever_the_case_and_yo(checker: Checker) -> None:
    profile = _profile(
        staff=[{"id": "t1", "name": "Иванова А. А.", "subjects": ["Чёрчение"]}],
        procedures=[{"id": "e1", "kind": "ОГЭ", "subject": "черчение  ", "organizers": ["t1"]}],
    )
    assert _finding(checker.check(profile, AS_OF), "FED-GIA-004").outcome is Outcome.VIOLATION


UNREADABLE = """\
schema_version: 2
school: {id: s1, name: Школа}
staff:
  - id: t1
    name: Иванова Анна Петровна
    classes: [5А, 5 углублённый]
"""


def test_an_unreadable_label_is_a_warning_with_file_line_and_field(
    checker: Checker, tmp_path: Path
) -> None:
    path = tmp_path / "school.yaml"
    path.write_text(UNREADABLE, encoding="utf-8")
    report = checker.check_file(path, AS_OF)
    [warning] = report.warnings
    assert warning.startswith(f"{path}:6: staff[0].classes[1]: класс «5 углублённый» не распознан")
    assert "Иванова" not in warning  # the location names a field, never a person
    result = CliRunner().invoke(app, ["check", str(path), "--as-of", "2024-05-01"],
                                env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "staff[0].classes[1]: класс «5 углублённый» не распознан" in result.output


# --- defect 2: the people register ------------------------------------------------------

PROCEDURE = {"id": "v1", "kind": "ВПР", "classes": ["5А"]}


def _observer_report(checker: Checker, person: dict[str, Any], **observer: Any) -> Report:
    profile = _profile(
        people=[{"id": "o1", "name": "Зайцева Ольга Петровна", "role": "public_observer",
                 **person}],
        procedures=[{**PROCEDURE, "observers": [{"person": "o1", **observer}]}],
    )
    return checker.check(profile, AS_OF)


def test_a_parent_observer_is_found_by_join_although_the_school_declares_none(
    checker: Checker,
) -> None:
    report = _observer_report(checker, {"children": ["5 а"]}, relation="none")
    coi = _finding(report, "FED-COI-002")
    assert coi.outcome is Outcome.VIOLATION
    assert "наблюдатель Зайцева Ольга Петровна" in coi.message  # defect 3: names the observer
    [evidence] = coi.subjects[0].evidence
    # in words, not «parent=True, child_class=5А» (issue 15)
    assert "родитель ученика класса, писавшего работу — да" in evidence.summary
    assert "класс процедуры, где учится ребёнок наблюдателя — 5А" in evidence.summary
    assert "=" not in evidence.summary
    # the profile's codes by their Russian titles: not «связь со школой — parent»
    assert "связь со школой — родитель участника" in evidence.summary
    assert "вид наблюдателя — общественный наблюдатель" in evidence.summary
    assert "— none" not in evidence.summary and "— public" not in evidence.summary
    contradiction = _finding(report, "FED-COI-004")
    assert contradiction.outcome is Outcome.VIOLATION
    assert "Зайцева Ольга Петровна" in contradiction.message
    assert _finding(report, "FED-OBS-001").outcome is Outcome.GAP


def test_an_observer_employed_by_the_school_by_name_is_an_employee(checker: Checker) -> None:
    report = _observer_report(checker, {"employer": "мбоу «сош  № 5»", "children": []})
    assert _finding(report, "FED-COI-002").outcome is Outcome.VIOLATION


def test_a_member_of_staff_as_observer_is_an_employee(checker: Checker) -> None:
    profile = _profile(
        staff=[{"id": "t1", "name": "Иванова А. А."}],
        procedures=[{**PROCEDURE, "observers": [{"person": "t1", "relation": "none"}]}],
    )
    report = checker.check(profile, AS_OF)
    assert _finding(report, "FED-COI-002").outcome is Outcome.VIOLATION
    assert _finding(report, "FED-COI-004").outcome is Outcome.VIOLATION


@pytest.mark.parametrize(
    ("person", "declared", "conflict", "contradiction"),
    [
        ({"children": ["7В"], "employer": "СОШ № 2"}, "none", Outcome.MET, Outcome.MET),
        ({"children": ["7В"], "employer": "СОШ № 2"}, "parent", Outcome.MET, Outcome.VIOLATION),
        ({"children": ["5А"]}, "parent", Outcome.VIOLATION, Outcome.MET),
        ({"children": ["5А"]}, None, Outcome.VIOLATION, Outcome.MET),
        # children not reported: neither the conflict nor the declaration can be checked
        ({"employer": "СОШ № 2"}, "none", Outcome.UNKNOWN, Outcome.UNKNOWN),
        ({"employer": "СОШ № 2"}, None, Outcome.UNKNOWN, Outcome.MET),
    ],
)
def test_the_register_decides_and_a_contradicting_declaration_is_a_finding(
    checker: Checker, person: dict[str, Any], declared: str | None, conflict: Outcome,
    contradiction: Outcome,
) -> None:
    observer = {} if declared is None else {"relation": declared}
    report = _observer_report(checker, person, **observer)
    assert _finding(report, "FED-COI-002").outcome is conflict
    assert _finding(report, "FED-COI-004").outcome is contradiction


def test_a_registered_observer_takes_type_and_accreditation_from_the_register() -> None:
    profile = _profile(
        people=[{"id": "o1", "name": "Лебедева Н. П.", "role": "independent_observer",
                 "accreditation": "ОН-1", "children": []}],
        procedures=[{**PROCEDURE, "observers": [{"person": "o1"}]}],
    )
    [observer] = extract_facts(profile).of_kind("observer")
    assert observer["type"] == "independent" and observer["accredited"] is True
    assert observer["person"] == "o1" and observer["independent"] is True
    assert "Лебедева" not in repr(observer)  # names never enter the engine


@pytest.mark.parametrize(
    ("declared", "employee", "parent", "relation"),
    [("none", False, False, "none"), ("parent", None, True, "parent"),
     ("employee", True, None, "employee"), (None, None, None, None)],
)
def test_an_inline_observer_is_what_the_school_declares_and_no_more(
    declared: str | None, employee: bool | None, parent: bool | None, relation: str | None
) -> None:
    observer: dict[str, Any] = {"type": "public"}
    if declared is not None:
        observer["relation"] = declared
    profile = _profile(procedures=[{**PROCEDURE, "observers": [observer]}])
    [fact] = extract_facts(profile).of_kind("observer")
    assert (fact.get("employee"), fact.get("parent"), fact.get("relation")) == (
        employee, parent, relation)
    assert "declared_relation" not in fact  # nothing to contradict without the register


def test_an_inline_observer_is_named_in_the_message(checker: Checker) -> None:
    profile = _profile(procedures=[{**PROCEDURE, "observers": [
        {"name": "Петров П. П.", "type": "public", "relation": "employee"}]}])
    coi = _finding(checker.check(profile, AS_OF), "FED-COI-002")
    assert coi.outcome is Outcome.VIOLATION and "наблюдатель Петров П. П." in coi.message


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as raised:
        load_profile(text, "p.yaml")
    return [str(p) for p in raised.value.problems]


def test_a_reference_to_an_unregistered_person_is_a_located_error() -> None:
    text = """\
schema_version: 2
school: {id: s1, name: Школа}
people:
  - {id: o1, name: Зайцева Ольга Петровна, role: public_observer}
procedures:
  - id: v1
    kind: ВПР
    observers: [{person: o2}]
"""
    assert _problems(text) == [
        "p.yaml:8: procedures[0].observers[0].person: нет человека с id «o2» в разделах "
        "people и staff"
    ]


def test_one_id_per_person_across_staff_and_people() -> None:
    text = """\
school: {id: s1, name: Школа}
staff: [{id: p1, name: Иванова Анна Петровна}]
people:
  - {id: p1, name: Зайцева Ольга Петровна, role: expert}
"""
    [problem] = _problems(text)
    assert problem.startswith("p.yaml:4: people[0].id: id «p1» уже занят работником")
    assert "Зайцева" not in problem and "Иванова" not in problem


def test_an_observer_needs_a_person_or_a_type() -> None:
    text = "school: {id: s1, name: Школа}\nprocedures: [{id: v1, kind: ВПР, observers: [{}]}]\n"
    [problem] = _problems(text)
    assert "procedures[0].observers[0]" in problem and "person" in problem


# --- the schema version ----------------------------------------------------------------

V1 = """\
schema_version: 1
school: {id: s1, name: Школа}
procedures:
  - {id: v1, kind: ВПР, classes: [5а], observers: [{type: public, relation: none}]}
"""


def test_a_version_1_profile_loads_and_the_report_says_how_to_migrate(
    checker: Checker, tmp_path: Path
) -> None:
    path = tmp_path / "v1.yaml"
    path.write_text(V1, encoding="utf-8")
    report = checker.check_file(path, AS_OF)
    assert _finding(report, "FED-COI-002").outcome is Outcome.MET
    [warning] = report.warnings
    assert warning.startswith(f"{path}:1: schema_version: профиль в формате версии 1")
    assert "schema_version: 2" in warning and "people" in warning


def test_a_version_1_profile_may_not_use_the_register() -> None:
    text = V1 + "people:\n  - {id: o1, name: Зайцева Ольга Петровна, role: parent}\n"
    assert _problems(text) == [
        "p.yaml:5: people: раздел people есть только в версии 2 схемы профиля: укажите "
        "schema_version: 2"
    ]


def test_a_profile_without_a_version_is_read_as_the_current_one(checker: Checker) -> None:
    profile = load_profile("school: {id: s1, name: Школа}\n", "p.yaml")
    assert profile.schema_version == 2
    assert checker.check(profile, AS_OF).warnings == []


# --- objcheck migrate ----------------------------------------------------------------------

V1_NAMED = """\
# Школа пишет наблюдателей прямо в процедурах.
schema_version: 1
school: {id: s1, name: Школа}
staff: [{id: obs-1, name: Иванова Анна Петровна}]
procedures:
  - id: v1
    kind: ВПР
    classes: [5а]
    observers:
      - {name: Кузнецова Ольга Ивановна, type: public, relation: none}  # мама из 7б
      - {type: authority, relation: none}
  - id: v2
    kind: ВПР
    observers: [{name: КУЗНЕЦОВА  Ольга Ивановна, type: public, accreditation: ОН-1}]
"""


def test_migrate_moves_named_observers_into_the_register(tmp_path: Path) -> None:
    path = tmp_path / "school.yaml"
    path.write_text(V1_NAMED, encoding="utf-8")
    result = CliRunner().invoke(app, ["migrate", str(path)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "obs-2" in result.output and "Кузнецова" not in result.output  # ids, not names
    assert (tmp_path / "school.yaml.bak").read_text(encoding="utf-8") == V1_NAMED
    text = path.read_text(encoding="utf-8")
    assert "# мама из 7б" in text and "# Школа пишет" in text  # comments kept
    profile = load_profile(text, str(path))
    assert profile.schema_version == 2
    # one person for both spellings of the name; «obs-1» is taken by staff
    assert [(p.id, p.name, p.role) for p in profile.people or []] == [
        ("obs-2", "Кузнецова Ольга Ивановна", "public_observer")]
    first, second = profile.procedures or []
    assert [(o.person, o.relation, o.type) for o in first.observers or []] == [
        ("obs-2", "none", None), (None, "none", "authority")]
    assert [(o.person, o.accreditation) for o in second.observers or []] == [("obs-2", "ОН-1")]
    again = CliRunner().invoke(app, ["migrate", str(path)])
    assert again.exit_code == 0 and "уже в версии 2" in again.output
    assert path.read_text(encoding="utf-8") == text


def test_migrated_register_without_children_is_not_reported_not_met(checker: Checker,
                                                                    tmp_path: Path) -> None:
    """Before: «relation: none» passed on the school's word. After migration the register
    decides, and it does not yet know the observer's children: «не сообщено»."""
    path = tmp_path / "school.yaml"
    path.write_text(V1_NAMED, encoding="utf-8")
    assert _finding(checker.check_file(path, AS_OF), "FED-COI-002").subjects[0].outcome is (
        Outcome.MET)
    CliRunner().invoke(app, ["migrate", str(path)])
    coi = _finding(checker.check_file(path, AS_OF), "FED-COI-002")
    assert coi.subjects[0].outcome is Outcome.UNKNOWN


def test_migrate_refuses_a_bad_profile_with_its_location(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    bad = "schema_version: 1\nschool: {id: s1}\n"
    path.write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(app, ["migrate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2: school.name: обязательное поле не заполнено" in result.output
    assert path.read_text(encoding="utf-8") == bad


def test_an_id_from_the_file_is_printed_as_written_never_as_markup(tmp_path: Path) -> None:
    path = tmp_path / "school.yaml"
    path.write_text("school: {id: s1, name: Школа}\nprocedures:\n"
                    "  - {id: v1, kind: ВПР, observers: [{person: '[bold]o9'}]}\n",
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "нет человека с id «[bold]o9»" in result.output


PLACE_PACK = """\
pack: placed
title: Пакет с местом нарушения
layer: regional
scope: {region: Нигде}
rules:
  - id: PLC-001
    title: Организатор не ведёт уроки в классе процедуры
    direction: procedure
    source: {document: "seed:000", item: "1.4", quote: Контроль отсутствия конфликта интересов}
    severity: low
    check:
      each: {kind: procedure}
      forbid:
        - {as: org, kind: organizer, match: {procedure: subject.ref}}
        - {as: tch, kind: teaches_class, match: {staff: org.staff}}
        - {as: cls, kind: procedure_class, match: {procedure: subject.ref, class: tch.class}}
      person: org.staff
      place: cls.class
    message: {violation: "{person} учит {place}"}
    remediation: {measure: м, responsible: р, due: с}
"""


def test_a_pack_names_the_place_of_a_forbidden_pattern() -> None:
    assert load_pack(PLACE_PACK, "p.yaml").rules[0].check.place == "cls.class"
    for wrong, phrase in (("cls.room", "нет поля «room»"), ("room.class", "псевдоним")):
        with pytest.raises(InputError) as raised:
            load_pack(PLACE_PACK.replace("place: cls.class", f"place: {wrong}"), "p.yaml")
        [problem] = raised.value.problems
        assert problem.loc == ("rules", 0, "check", "place") and phrase in problem.message

"""Profile → flat facts for the rule engine (pure; no I/O).

Lists are exploded into one fact per item (a teacher's classes become ``teaches_class``
facts) so rules can join on them; ``None`` values are left out so the engine never sees
``null``; derived metrics are integer percentages so no float reaches the engine.

Built for speed (~970 facts a synthetic school, issue 18): each fact is a dict literal
whose first key is a blank ``id``, set when all facts are numbered (a key assigned in place
keeps its place: no copy of the fact); a kind made per item names the fields it may not
know and drops those that are None in place (``_drop_unknown``), instead of a filtered copy;
a procedure's documents and activities are sorted out once per school (``_Links``), not
once per procedure; the class results of a work share its fields (checker.core.results).
Measured in a worker's setting (``check_content`` over 60 synthetic schools of seed 2024,
GC tuned as in a worker, extract_facts timed apart), CPU ms a school: 3.99 / 4.02 before,
2.12 / 1.97 after (two runs each, alternating); facts and reports byte-identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from checker.core.cohort import WorkKey, work_result_facts
from checker.core.results import class_result_facts
from checker.model.factkinds import Fact, Facts
from checker.model.labels import ClassLabel, name_key
from checker.model.profile import (
    OBSERVER_TYPE_OF_ROLE,
    PROCEDURE_ACTIVITY_KINDS,
    PROCEDURE_DOCUMENT_KINDS,
    Activity,
    Document,
    Observer,
    Person,
    Procedure,
    Profile,
    Staff,
    Video,
)
from checker.model.reference import WorkReference


def _known(fact: Fact) -> Fact:
    """The fact without its None fields (unreported: no field), for the facts made once a
    school; the kinds made per item name the fields they may not know (``_drop_unknown``)."""
    if None in fact.values():
        return {k: v for k, v in fact.items() if v is not None}
    return fact


def _drop_unknown(fact: Fact, fields: tuple[str, ...]) -> Fact:
    """The fact without those of ``fields`` (the ones its kind may not know) that are None.

    Deleted in place, so the other fields keep their order: ~0.2 µs a fact against ~2 µs
    for a filtered copy of a fact of twenty fields. The kind's list must name every field
    that can be None (tests/test_facts.py checks that no fact holds one)."""
    for name in fields:
        if fact.get(name, False) is None:
            del fact[name]
    return fact


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# The most facts one profile may give. The engine tells facts apart by a 32-bit hash of
# their ids (``f1``, ``f2``, …): the first two that collide are f6059 and f264602, and the
# engine guard then refused the whole profile with an internal error. Below this bound
# the ids never collide (tests/test_batch_hardening.py checks it); a real school gives
# a few thousand facts.
MAX_FACTS = 250_000


def extract_facts(
    profile: Profile,
    references: Mapping[WorkKey, WorkReference] | None = None,
    params: Mapping[str, int] | None = None,
) -> Facts:
    """Every fact the rules can see, school fact first.

    ``references`` (the distribution of each work in the municipality or region) and the
    pack's ``params`` feed the cohort rule's ``work_result`` facts (checker.core.cohort).
    """
    register = Register.of(profile)
    raw = [_school_fact(profile, register)]
    lists = profile.lists
    # One fact per list the section names; ``listed`` is left out when the school did not
    # say (a profile that names only the regional list says nothing of the federal one).
    for name in ("federal", "regional"):
        if lists is not None:
            raw.append(_known({"id": "", "t": "listing", "ref": name, "path": f"lists.{name}",
                               "list": name, "listed": getattr(lists, name)}))
    raw.extend(_site_facts(profile))
    raw.extend(_document_facts(profile.documents or []))
    raw.extend(_staff_facts(profile.staff or []))
    links = _Links.of(profile)
    sections = {
        "documents_reported": profile.section_complete("documents"),
        "activities_reported": profile.section_complete("activities"),
    }
    for index, procedure in enumerate(profile.procedures or []):
        raw.extend(_procedure_facts(index, procedure, register, sections))
        raw.extend(links.facts(procedure.id))
    for index, activity in enumerate(profile.activities or []):
        raw.append(_drop_unknown({
            "id": "",
            "t": "activity",
            "ref": f"activity{index + 1}",
            "path": f"activities[{index}]",
            "kind": activity.kind,
            "date": _iso(activity.date),
            "procedure": activity.procedure,
        }, ("date", "procedure")))
    raw.extend(work_result_facts(profile, references or {}, params or {}))
    # Every fact was built with a blank ``id`` as its first key: numbered in place.
    ids = _IDS if len(raw) <= len(_IDS) else [f"f{n}" for n in range(1, len(raw) + 1)]
    for fact, fact_id in zip(raw, ids, strict=False):  # the table may be longer
        fact["id"] = fact_id
    return Facts(profile.school.id, tuple(raw))


# The ids of the first facts, formatted once: numbering a school's ~1,000 facts took 0.15 ms
# with an f-string each, 0.04 ms from this table (~0.5 MB). Larger profiles format theirs.
_IDS = tuple(f"f{n}" for n in range(1, 10_001))


def _school_fact(profile: Profile, register: Register) -> Fact:
    school = profile.school
    lists = profile.lists
    staff_classes, staff_subjects = _load_known(profile, register.staff)
    return _known({
        "id": "",
        "t": "school",
        "ref": school.id,
        "path": "school",
        "type": school.type,
        "region": school.region,
        "municipality": school.municipality,
        "has_website": None if school.website is None else bool(school.website),
        "on_federal_list": lists.federal if lists else None,
        "on_regional_list": lists.regional if lists else None,
        # not reported is not «none held»: no count then (None facts are left out)
        "procedures_count": None if profile.procedures is None else len(profile.procedures),
        "documents_reported": profile.section_complete("documents"),
        "staff_reported": profile.section_complete("staff"),
        "staff_classes_reported": staff_classes,
        "staff_subjects_reported": staff_subjects,
        "procedures_reported": profile.section_complete("procedures"),
        "activities_reported": profile.section_complete("activities"),
        "lists_reported": lists is not None,
        "website_reported": school.website is not None,
        # A school without a website has none of its sections; with one, only the sections
        # it names are known.
        "site_sections_reported": school.website is False,
    })


def _load_known(profile: Profile, listed: dict[str, Staff]) -> tuple[bool, bool]:
    """Whether the classes, and the subjects, of everyone a procedure names are known.

    A conflict of interest joins an organizer or a checker to what they teach. That join is
    complete when each of them is listed in ``staff`` with the list given — a person's own
    list is complete as written — whether or not the staff list names everyone else.
    """
    named: set[str] = set()
    for proc in profile.procedures or []:
        named.update(proc.organizers or [])
        if proc.checking is not None:
            named.update(proc.checking.members or [])
    return (
        all(name in listed and listed[name].classes is not None for name in named),
        all(name in listed and listed[name].subjects is not None for name in named),
    )


def _site_facts(profile: Profile) -> Iterator[Fact]:
    """One fact per website section the school states (``school.site_sections``).

    A listed «Сведения об ОО» document (the older way to say it) states the section too:
    published — it is there, ``published: false`` — it is not.
    """
    sections = profile.school.site_sections
    stated = sections.model_dump(exclude_none=True) if sections is not None else {}
    for name, present in stated.items():
        yield {"id": "", "t": "site_section", "ref": f"site.{name}",
               "path": f"school.site_sections.{name}", "section": name, "present": present}
    for index, doc in enumerate(profile.documents or []):
        if doc.kind == "site_info_section" and doc.published is not None:
            yield {"id": "", "t": "site_section", "ref": doc.id, "path": f"documents[{index}]",
                   "section": "info", "present": doc.published is not False}


_DOCUMENT_UNKNOWN = ("number", "date", "published", "published_on", "uses_vpr_for_evaluation",
                     "compares_external_internal", "covers_collegial_agreement")


def _document_facts(documents: list[Document]) -> Iterator[Fact]:
    for index, doc in enumerate(documents):
        published = doc.published
        yield _drop_unknown({
            "id": "",
            "t": "document",
            "ref": doc.id,
            "path": f"documents[{index}]",
            "kind": doc.kind,
            "number": None if doc.number is None else str(doc.number),
            "date": _iso(doc.date),
            "has_number": doc.number is not None,
            "published": None if published is None else published is not False,
            "published_on": _iso(published.date) if published else None,
            "uses_vpr_for_evaluation": doc.uses_vpr_for_evaluation,
            "compares_external_internal": doc.compares_external_internal,
            "covers_collegial_agreement": doc.collegial_agreement,
        }, _DOCUMENT_UNKNOWN)


def _staff_facts(staff: list[Staff]) -> Iterator[Fact]:
    for index, person in enumerate(staff):
        path = f"staff[{index}]"
        ref = person.id
        yield _drop_unknown({"id": "", "t": "staff", "ref": ref, "path": path,
                             "position": person.position}, ("position",))
        # A class joins on its normal form; the school's spelling is kept for messages.
        for cls in person.classes or []:
            yield {"id": "", "t": "teaches_class", "ref": ref, "path": path, "staff": ref,
                   "class": cls.join_key, "class_label": str(cls)}
        for subject in person.subjects or []:
            yield {"id": "", "t": "teaches_subject", "ref": ref, "path": path, "staff": ref,
                   "subject": name_key(subject)}


@dataclass(frozen=True)
class Register:
    """The people of a profile by id: staff (employees by definition) and outside persons."""

    staff: dict[str, Staff]
    people: dict[str, Person]
    school_keys: frozenset[str]

    @classmethod
    def of(cls, profile: Profile) -> Register:
        school = profile.school
        return cls(
            staff={s.id: s for s in profile.staff or []},
            people={p.id: p for p in profile.people or []},
            school_keys=frozenset({name_key(school.name), name_key(school.id)}),
        )

    def employee(self, person_id: str) -> bool | None:
        """Works at the school: a member of staff, or an outside person whose employer is the
        school by name or id. ``None`` for an id the register lacks."""
        if person_id in self.staff:
            return True
        person = self.people.get(person_id)
        if person is None:
            return None
        return person.employer is not None and name_key(person.employer) in self.school_keys

    def children(self, person_id: str) -> list[ClassLabel] | None:
        """Classes of the person's children at this school (``None``: not reported)."""
        member = self.staff.get(person_id) or self.people.get(person_id)
        return None if member is None else member.children


def observer_fields(obs: Observer, proc: Procedure, register: Register) -> Fact:
    """Who an observer is to the school, derived from the register when the procedure refers
    to a person, else taken from the school's declaration (the legacy inline form).

    ``parent`` is the join of the person's children's classes with the classes that sat the
    procedure, on their normal forms; it stays unknown when either list is not reported.
    """
    declared = obs.relation
    if obs.person is None:
        # A declaration says one thing: «parent» says nothing of employment, and vice versa.
        employee = declared == "employee" if declared in ("employee", "none") else None
        parent = declared == "parent" if declared in ("parent", "none") else None
        inline = _relation_fields(employee, parent)
        inline["type"] = obs.type
        return inline
    employee = register.employee(obs.person)
    children = register.children(obs.person)
    parent = _parent_of_participant(children, proc.classes)
    fields = _relation_fields(employee, parent)
    if parent:
        shared = {c.join_key for c in children or []} & {c.join_key for c in proc.classes or []}
        fields["child_class"] = min(shared)  # where the conflict is, for the report
    person = register.people.get(obs.person)
    role_type = OBSERVER_TYPE_OF_ROLE.get(person.role) if person is not None else None
    fields["type"] = obs.type or role_type
    fields["declared_relation"] = declared
    fields["relation_matches"] = _declaration_holds(declared, employee, parent)
    return fields


def _parent_of_participant(
    children: list[ClassLabel] | None, classes: list[ClassLabel] | None
) -> bool | None:
    if children is not None and not children:
        return False  # no children at this school: whatever the classes, not a parent
    if children is None or classes is None:
        return None
    return bool({c.join_key for c in children} & {c.join_key for c in classes})


def _relation_fields(employee: bool | None, parent: bool | None) -> Fact:
    """``relation`` and ``independent`` from the two facts they summarise (None: unknown)."""
    if employee or parent:
        relation: str | None = "employee" if employee else "parent"
    elif employee is False and parent is False:
        relation = "none"
    else:
        relation = None
    return {
        "employee": employee,
        "parent": parent,
        "relation": relation,
        "independent": None if relation is None else relation == "none",
    }


def _declaration_holds(
    declared: str | None, employee: bool | None, parent: bool | None
) -> bool | None:
    """Whether the school's declared relation agrees with the register (None: cannot tell)."""
    if declared is None:
        return None
    if declared == "employee":
        return employee
    if declared == "parent":
        return parent
    # «none»: contradicted by either relation; confirmed only when both are known to be absent
    if employee or parent:
        return False
    return None if employee is None or parent is None else True


@dataclass(frozen=True, slots=True)
class _Link:
    """A document or an activity that counts for procedures: for those ``named`` (``None``:
    for every procedure) and with the fields its fact has beside the join (``tail``)."""

    kind: str  # procedure_document or procedure_activity
    ref: str
    named: frozenset[str] | None
    tail: Fact


@dataclass(frozen=True, slots=True)
class _Links:
    """The documents and activities that count for each procedure (their facts are
    ``procedure_document`` and ``procedure_activity``), sorted out once per school.

    A document counts for the procedures it names (``procedures``) or for all
    (``procedures: all``); an activity for its ``procedure``. A document or activity made
    for one procedure that does not say which (``PROCEDURE_*_KINDS``) might be for any
    one: its fact has no ``covers`` («не сообщено»). Documents first, then activities,
    each in profile order.
    """

    links: tuple[_Link, ...]

    @classmethod
    def of(cls, profile: Profile) -> _Links:
        documents = (_document_link(i, doc) for i, doc in enumerate(profile.documents or []))
        activities = (
            _activity_link(i, activity) for i, activity in enumerate(profile.activities or [])
        )
        return cls(tuple(link for link in (*documents, *activities) if link is not None))

    def facts(self, procedure: str) -> Iterator[Fact]:
        # ``ref`` names the document or activity (the evidence); ``procedure`` is the join.
        for link in self.links:
            if link.named is None or procedure in link.named:
                yield {"id": "", "t": link.kind, "ref": link.ref, "procedure": procedure,
                       **link.tail}


def _document_link(index: int, doc: Document) -> _Link | None:
    named: frozenset[str] | None
    if doc.procedures == "all":
        named, covers = None, True
    elif doc.procedures is not None:
        named, covers = frozenset(doc.procedures), True
    elif doc.kind in PROCEDURE_DOCUMENT_KINDS:
        named, covers = None, None
    else:
        return None  # a document of the school's, not of a procedure
    tail = _known({"path": f"documents[{index}]", "kind": doc.kind, "date": _iso(doc.date),
                   "covers": covers})
    return _Link("procedure_document", doc.id, named, tail)


def _activity_link(index: int, activity: Activity) -> _Link | None:
    named: frozenset[str] | None
    if activity.procedure is not None:
        named, covers = frozenset({activity.procedure}), True
    elif activity.kind in PROCEDURE_ACTIVITY_KINDS:
        named, covers = None, None
    else:
        return None
    tail = _known({"path": f"activities[{index}]", "kind": activity.kind,
                   "date": _iso(activity.date), "covers": covers})
    return _Link("procedure_activity", f"activity{index + 1}", named, tail)


def _rooms_covered(proc: Procedure, verdicts: list[tuple[Observer, bool | None]]) -> bool | None:
    """Whether an independent observer sat in every room of the procedure.

    With one room or none listed, any independent observer will do. With several, an
    observer counts for the room assigned to them (``room``); an observer without a room
    might be in any one room, so the answer is «не сообщено» while the observers who might
    fill the uncovered rooms are enough in number, and «нет» once they are not.
    ``verdicts`` pairs each observer with its independence (from the register).
    """
    independent = [o for o, free in verdicts if free is True]
    undecided = [o for o, free in verdicts if free is None]
    rooms = set(proc.rooms or [])
    if len(rooms) <= 1:
        return True if independent else None if undecided else False
    uncovered = rooms - {o.room for o in independent}
    if not uncovered:
        return True
    assigned = {o.room for o in undecided if o.room in uncovered}
    unassigned = sum(1 for o in independent + undecided if o.room is None)
    return None if len(uncovered) <= len(assigned) + unassigned else False


_PROCEDURE_UNKNOWN = ("subject", "grade", "date", "federal_control", "in_school_ppe", "remote_ppe")
_CHECKING_UNKNOWN = ("criteria_agreed", "agreed_before", "recheck_pct")
_VIDEO_UNKNOWN = ("during_work", "coverage_pct", "checking_filmed", "storage_until",
                  "storage_until_march", "hq", "entrance")
# the relation fields (observer_fields) may all be unknown; ``person`` never is
_OBSERVER_UNKNOWN = ("accredited", "employee", "parent", "relation", "independent", "type",
                     "declared_relation", "relation_matches")


def _procedure_facts(
    index: int, proc: Procedure, register: Register, sections: dict[str, bool]
) -> Iterator[Fact]:
    path = f"procedures[{index}]"
    ref = proc.id
    checking = proc.checking
    yield _drop_unknown({
        "id": "",
        "t": "procedure",
        "ref": ref,
        "path": path,
        "kind": proc.kind,
        "subject": name_key(proc.subject) if proc.subject else None,
        "grade": proc.grade,
        "date": _iso(proc.date),
        "federal_control": proc.federal_control,
        "in_school_ppe": proc.in_school_ppe,
        "remote_ppe": proc.remote_ppe,
        # ГИА sat in another school's ППЭ: the school films and staffs nothing there.
        "held_at_school": proc.in_school_ppe is not False,
        "classes_reported": proc.classes is not None,
        "rooms_reported": proc.rooms is not None,
        "organizers_reported": proc.organizers is not None,
        "observers_reported": proc.observers is not None,
        "video_reported": proc.video is not None,
        "checking_reported": checking is not None,
        "checkers_reported": checking is not None and checking.members is not None,
        "results_reported": proc.results is not None,
        "class_results_reported": proc.results is not None and proc.results.classes is not None,
        **sections,
    }, _PROCEDURE_UNKNOWN)
    # The facts below are of the procedure's sections: ``ref`` and the join are its id.
    classes_path = f"{path}.classes"
    for cls in proc.classes or []:
        yield {"id": "", "t": "procedure_class", "ref": ref, "procedure": ref,
               "path": classes_path, "class": cls.join_key, "class_label": str(cls)}
    organizers_path = f"{path}.organizers"
    for staff_id in proc.organizers or []:
        yield {"id": "", "t": "organizer", "ref": ref, "procedure": ref,
               "path": organizers_path, "staff": staff_id}
    yield from _observer_facts(proc, path, register)
    if proc.video is not None:
        yield _drop_unknown(_video_fact(proc, f"{path}.video"), _VIDEO_UNKNOWN)
    if checking is not None:
        yield _drop_unknown({
            "id": "",
            "t": "checking",
            "ref": ref,
            "procedure": ref,
            "path": f"{path}.checking",
            "mode": checking.mode,
            "external": checking.mode != "school",
            "criteria_agreed": checking.criteria_agreed,
            "agreed_before": _agreed_before(checking.agreed_on, proc.date),
            "recheck_pct": checking.recheck_share,
        }, _CHECKING_UNKNOWN)
        checkers_path = f"{path}.checking.members"
        for staff_id in checking.members or []:
            yield {"id": "", "t": "checker", "ref": ref, "procedure": ref,
                   "path": checkers_path, "staff": staff_id}
    if proc.results is not None:
        yield _drop_unknown(_result_fact(proc, f"{path}.results"), ("participants",))
        yield from class_result_facts(proc, path)


def _observer_facts(proc: Procedure, path: str, register: Register) -> Iterator[Fact]:
    """A fact per observer, then whether they covered the rooms (``observation``)."""
    ref = proc.id
    independence: list[tuple[Observer, bool | None]] = []
    for obs_index, obs in enumerate(proc.observers or []):
        obs_path = f"{path}.observers[{obs_index}]"
        relation = observer_fields(obs, proc, register)
        independence.append((obs, relation["independent"]))
        accreditation = obs.accreditation
        if accreditation is None and obs.person in register.people:
            accreditation = register.people[obs.person].accreditation
        yield _drop_unknown({
            "id": "",
            "t": "observer",
            "ref": ref,
            "procedure": ref,
            "path": obs_path,
            # An inline observer has no id: its place in the profile names it in messages.
            "person": obs.person or observer_key(proc.id, obs_index),
            "accredited": None if accreditation is None else bool(accreditation),
            **relation,
        }, _OBSERVER_UNKNOWN)
    if proc.observers is not None:
        yield _drop_unknown({"id": "", "t": "observation", "ref": ref, "procedure": ref,
                             "path": f"{path}.observers",
                             "rooms_covered": _rooms_covered(proc, independence)},
                            ("rooms_covered",))


def people_names(profile: Profile) -> dict[str, str]:
    """Person id → name for the school's own report (names never enter the engine): staff,
    outside persons and observers written inline, who have no id of their own."""
    names = {s.id: s.name for s in profile.staff or []}
    names.update({p.id: p.name for p in profile.people or []})
    for proc in profile.procedures or []:
        for index, obs in enumerate(proc.observers or []):
            if obs.person is None:
                names[observer_key(proc.id, index)] = obs.name or f"без ФИО (№ {index + 1})"
    return names


def observer_key(procedure_id: str, index: int) -> str:
    """The id of an observer written inline (without the register) in messages."""
    return f"{procedure_id}/observers[{index}]"


def _agreed_before(agreed_on: dt.date | None, held_on: dt.date | None) -> bool | None:
    if agreed_on is None or held_on is None:
        return None
    return agreed_on <= held_on


def _video_fact(proc: Procedure, path: str) -> Fact:
    video = proc.video
    ref = proc.id
    if video is False:  # «не велось»: nothing was filmed anywhere, nothing is stored
        return {
            "id": "", "t": "video", "ref": ref, "procedure": ref, "path": path,
            "during_work": False,
            "coverage_pct": 0,
            "checking_filmed": False,
            "storage_known": False,
            "storage_until_march": False,
            "hq": False,
            "entrance": False,
        }
    assert video is not None
    during_work = bool(video.rooms) if video.rooms is not None else None
    if video.coverage is not None:
        during_work = during_work or video.coverage != "none"
    return {
        "id": "", "t": "video", "ref": ref, "procedure": ref, "path": path,
        "during_work": during_work,
        "coverage_pct": _coverage_pct(video, proc.rooms),
        "checking_filmed": video.checking_filmed,
        "storage_known": bool(video.storage) or video.storage_until is not None,
        "storage_until": _iso(video.storage_until),
        "storage_until_march": _kept_until_march(video.storage_until, proc.date),
        "hq": video.hq,
        "entrance": video.entrance,
    }


def _kept_until_march(until: dt.date | None, held_on: dt.date | None) -> bool | None:
    """ГИА records are kept until 1 March of the year after the exam (GIA-2)."""
    if until is None or held_on is None:
        return None
    return until >= dt.date(held_on.year + 1, 3, 1)


def _coverage_pct(video: Video, rooms: list[str] | None) -> int | None:
    """Share of the procedure's rooms filmed, %.

    From the room lists when both are known. Otherwise from the report's own words:
    «все» is 100 and «ни одной» 0; «частично» is counted as 1 % — the only sure lower
    bound — so it fails any threshold above 1 %.
    """
    if video.rooms is not None and rooms:
        held = set(rooms)
        return _pct(len(held.intersection(video.rooms)), len(held))
    return _COVERAGE_PCT[video.coverage]


_COVERAGE_PCT = {"full": 100, "none": 0, "partial": 1, None: None}


def _result_fact(proc: Procedure, path: str) -> Fact:
    results = proc.results
    assert results is not None
    parts = [results.lowered, results.confirmed, results.raised]
    total = sum(p for p in parts if p is not None) if None not in parts else None
    fact: Fact = {
        "id": "",
        "t": "result",
        "ref": proc.id,
        "procedure": proc.id,
        "path": path,
        "participants": results.participants,
    }
    if total:
        fact["lowered_pct"] = _pct(results.lowered or 0, total)
        fact["confirmed_pct"] = _pct(results.confirmed or 0, total)
        fact["raised_pct"] = _pct(results.raised or 0, total)
    return fact

"""Profile → flat facts for the rule engine (pure; no I/O).

Lists are exploded into one fact per item (a teacher's classes become ``teaches_class``
facts) so rules can join on them; ``None`` values are left out so the engine never sees
``null``; derived metrics are integer percentages so no float reaches the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from checker.model.factkinds import Fact, Facts
from checker.model.profile import Document, Procedure, Profile, Staff, Video


def _clean(fact: Fact) -> Fact:
    return {k: v for k, v in fact.items() if v is not None}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def extract_facts(profile: Profile) -> Facts:
    """Every fact the rules can see, school fact first."""
    raw = [_school_fact(profile)]
    lists = profile.lists
    for name in ("federal", "regional"):
        if lists is not None and getattr(lists, name):
            raw.append({"t": "listing", "ref": name, "path": f"lists.{name}", "list": name})
    raw.extend(_document_facts(profile.documents or []))
    raw.extend(_staff_facts(profile.staff or []))
    for index, procedure in enumerate(profile.procedures or []):
        raw.extend(_procedure_facts(index, procedure))
    for index, activity in enumerate(profile.activities or []):
        raw.append(
            {
                "t": "activity",
                "ref": f"activity{index + 1}",
                "path": f"activities[{index}]",
                "kind": activity.kind,
                "date": _iso(activity.date),
                "procedure": activity.procedure,
            }
        )
    items = tuple({"id": f"f{n}", **_clean(fact)} for n, fact in enumerate(raw, start=1))
    return Facts(profile.school.id, items)


def _school_fact(profile: Profile) -> Fact:
    school = profile.school
    lists = profile.lists
    return {
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
        "documents_reported": _complete(profile, "documents"),
        "staff_reported": _complete(profile, "staff"),
        "procedures_reported": _complete(profile, "procedures"),
        "activities_reported": _complete(profile, "activities"),
        "lists_reported": lists is not None,
        "website_reported": school.website is not None,
    }


def _complete(profile: Profile, section: str) -> bool:
    """A section counts as reported when present and not declared incomplete."""
    return getattr(profile, section) is not None and section not in profile.incomplete


def _document_facts(documents: list[Document]) -> Iterator[Fact]:
    for index, doc in enumerate(documents):
        published = doc.published
        yield {
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
        }


def _staff_facts(staff: list[Staff]) -> Iterator[Fact]:
    for index, person in enumerate(staff):
        path = f"staff[{index}]"
        yield {"t": "staff", "ref": person.id, "path": path, "position": person.position}
        for cls in person.classes or []:
            yield {"t": "teaches_class", "ref": person.id, "path": path,
                   "staff": person.id, "class": cls}
        for subject in person.subjects or []:
            yield {"t": "teaches_subject", "ref": person.id, "path": path,
                   "staff": person.id, "subject": subject.lower()}


def _procedure_facts(index: int, proc: Procedure) -> Iterator[Fact]:
    path = f"procedures[{index}]"
    checking = proc.checking
    yield {
        "t": "procedure",
        "ref": proc.id,
        "path": path,
        "kind": proc.kind,
        "subject": proc.subject.lower() if proc.subject else None,
        "grade": proc.grade,
        "date": _iso(proc.date),
        "federal_control": proc.federal_control,
        "in_school_ppe": proc.in_school_ppe,
        "classes_reported": proc.classes is not None,
        "rooms_reported": proc.rooms is not None,
        "organizers_reported": proc.organizers is not None,
        "observers_reported": proc.observers is not None,
        "video_reported": proc.video is not None,
        "checking_reported": checking is not None,
        "checkers_reported": checking is not None and checking.members is not None,
        "results_reported": proc.results is not None,
    }
    link = {"ref": proc.id, "procedure": proc.id}
    for cls in proc.classes or []:
        yield {"t": "procedure_class", **link, "path": f"{path}.classes", "class": cls}
    for staff_id in proc.organizers or []:
        yield {"t": "organizer", **link, "path": f"{path}.organizers", "staff": staff_id}
    for obs_index, obs in enumerate(proc.observers or []):
        yield {
            "t": "observer",
            **link,
            "path": f"{path}.observers[{obs_index}]",
            "type": obs.type,
            "relation": obs.relation,
            "accredited": None if obs.accreditation is None else bool(obs.accreditation),
            # Independent means: not a member of the school and not a parent of a participant.
            "independent": None if obs.relation is None else obs.relation == "none",
        }
    if proc.video is not None:
        yield _video_fact(proc, f"{path}.video")
    if checking is not None:
        yield {
            "t": "checking",
            **link,
            "path": f"{path}.checking",
            "mode": checking.mode,
            "external": checking.mode != "school",
            "criteria_agreed": checking.criteria_agreed,
            "agreed_before": _agreed_before(checking.agreed_on, proc.date),
            "recheck_pct": checking.recheck_share,
        }
        for staff_id in checking.members or []:
            yield {"t": "checker", **link, "path": f"{path}.checking.members", "staff": staff_id}
    if proc.results is not None:
        yield _result_fact(proc, f"{path}.results")


def _agreed_before(agreed_on: dt.date | None, held_on: dt.date | None) -> bool | None:
    if agreed_on is None or held_on is None:
        return None
    return agreed_on <= held_on


def _video_fact(proc: Procedure, path: str) -> Fact:
    video = proc.video
    base: Fact = {"t": "video", "ref": proc.id, "procedure": proc.id, "path": path}
    if video is False:  # «не велось»: nothing was filmed anywhere, nothing is stored
        return {
            **base,
            "during_work": False,
            "coverage_pct": 0,
            "checking_filmed": False,
            "storage_known": False,
            "storage_until_march": False,
            "hq": False,
            "entrance": False,
        }
    assert video is not None
    filmed = set(video.rooms or [])
    during_work = bool(filmed) if video.rooms is not None else None
    if video.coverage is not None:
        during_work = during_work or video.coverage != "none"
    return {
        **base,
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
        return _pct(len(set(video.rooms) & set(rooms)), len(set(rooms)))
    return {"full": 100, "none": 0, "partial": 1, None: None}[video.coverage]


def _result_fact(proc: Procedure, path: str) -> Fact:
    results = proc.results
    assert results is not None
    parts = [results.lowered, results.confirmed, results.raised]
    total = sum(p for p in parts if p is not None) if None not in parts else None
    fact: Fact = {
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

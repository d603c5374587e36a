"""Profile text → validated ``Profile``, with located Russian errors."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

from checker.io.validation import validate, validate_json
from checker.io.yamlio import load_fast, located, read_text
from checker.model.errors import InputError, Loc, Problem
from checker.model.labels import ClassLabel
from checker.model.profile import SCHEMA_VERSION, Profile

JSON_SUFFIX = ".json"
YAML_SUFFIXES = (".yaml", ".yml")
PROFILE_SUFFIXES = (*YAML_SUFFIXES, JSON_SUFFIX)


def is_json(origin: str) -> bool:
    """A profile named ``*.json`` is JSON (same schema); any other name is read as YAML."""
    return origin.lower().endswith(JSON_SUFFIX)


def load_profile(text: str, origin: str) -> Profile:
    """Parse and validate one profile (JSON when ``origin`` ends in ``.json``, else YAML);
    every problem found is reported at once."""
    if is_json(origin):
        profile = validate_json(Profile, text, origin)
    else:
        profile = validate(Profile, load_fast(text, origin), text, origin)
    problems = located(origin, text, reference_issues(profile))
    if problems:
        raise InputError(problems)
    return profile


def read_profile(path: Path) -> Profile:
    """Read and load a profile file; unreadable, special or too big files become an
    ``InputError`` too."""
    return load_profile(read_text(path), str(path))


def reference_issues(profile: Profile) -> Iterator[tuple[Loc, str]]:
    """Duplicate ids, references to people or procedures that the profile lacks, and fields
    of a later schema version than the profile declares."""
    staff_ids = yield from _unique_ids("staff", [s.id for s in profile.staff or []])
    people_ids = yield from _unique_ids("people", [p.id for p in profile.people or []])
    for index, person in enumerate(profile.people or []):
        if person.id in staff_ids:
            yield ("people", index, "id"), (
                f"id «{person.id}» уже занят работником в разделе staff: у каждого человека "
                "один id"
            )
    proc_ids = yield from _unique_ids("procedures", [p.id for p in profile.procedures or []])
    yield from _unique_ids("documents", [d.id for d in profile.documents or []])
    yield from _version_issues(profile)
    person_ids = staff_ids | people_ids
    for index, proc in enumerate(profile.procedures or []):
        base: Loc = ("procedures", index)
        for pos, observer in enumerate(proc.observers or []):
            ref = observer.person
            if ref is not None and ref not in person_ids:
                yield base + ("observers", pos, "person"), (
                    f"нет человека с id «{ref}» в разделах people и staff"
                )
        if profile.staff is None:
            continue
        for pos, staff_id in enumerate(proc.organizers or []):
            if staff_id not in staff_ids:
                yield base + ("organizers", pos), f"нет работника с id «{staff_id}» в разделе staff"
        members = proc.checking.members if proc.checking else None
        for pos, staff_id in enumerate(members or []):
            if staff_id not in staff_ids:
                yield base + ("checking", "members", pos), (
                    f"нет работника с id «{staff_id}» в разделе staff"
                )
    for index, doc in enumerate(profile.documents or []):
        named = doc.procedures if isinstance(doc.procedures, list) else []
        for pos, proc_id in enumerate(named):
            if proc_id not in proc_ids:
                yield ("documents", index, "procedures", pos), (
                    f"нет процедуры с id «{proc_id}» в разделе procedures"
                )
    for index, activity in enumerate(profile.activities or []):
        if activity.procedure is not None and activity.procedure not in proc_ids:
            yield ("activities", index, "procedure"), (
                f"нет процедуры с id «{activity.procedure}» в разделе procedures"
            )


_V2 = "есть только в версии 2 схемы профиля: укажите schema_version: 2"


def _version_issues(profile: Profile) -> Iterator[tuple[Loc, str]]:
    """A version-1 profile may not use what version 2 added (the people register)."""
    if profile.schema_version != 1:
        return
    if profile.people is not None:
        yield ("people",), f"раздел people {_V2}"
    for index, member in enumerate(profile.staff or []):
        if member.children is not None:
            yield ("staff", index, "children"), f"поле children {_V2}"
    for index, proc in enumerate(profile.procedures or []):
        for pos, observer in enumerate(proc.observers or []):
            if observer.person is not None:
                yield ("procedures", index, "observers", pos, "person"), f"поле person {_V2}"


def profile_warnings(profile: Profile) -> Iterator[tuple[Loc, str]]:
    """What loads but deserves a word: unreadable class labels, an old schema version."""
    if profile.schema_version < SCHEMA_VERSION:
        yield ("schema_version",), (
            f"профиль в формате версии {profile.schema_version}: связь наблюдателей со школой "
            "принята со слов школы. Чтобы конфликт интересов проверялся по реестру, выполните "
            "objcheck migrate с этим файлом (наблюдатели с ФИО перейдут в раздел people) и "
            "укажите у них место работы (employer) и классы детей (children) — или вручную: "
            f"schema_version: {SCHEMA_VERSION}, раздел people, в процедурах observers: "
            "[{person: id}]"
        )
    labelled: list[tuple[Loc, list[ClassLabel] | None]] = []
    for index, member in enumerate(profile.staff or []):
        labelled += [(("staff", index, "classes"), member.classes),
                     (("staff", index, "children"), member.children)]
    for index, person in enumerate(profile.people or []):
        labelled.append((("people", index, "children"), person.children))
    for index, proc in enumerate(profile.procedures or []):
        labelled.append((("procedures", index, "classes"), proc.classes))
    for loc, labels in labelled:
        for pos, label in enumerate(labels or []):
            if label.key is None:
                yield loc + (pos,), (
                    f"класс «{label}» не распознан: ожидаются номер (1–11) и буква, например "
                    "«5А»; он совпадёт только с тем же написанием"
                )


def located_warnings(profile: Profile, text: str | None, origin: str) -> list[Problem]:
    """``profile_warnings`` with the file and, when the text is at hand, the line."""
    found = list(profile_warnings(profile))
    if text is None:
        return [Problem(origin, None, loc, message) for loc, message in found]
    return located(origin, text, found)


def _unique_ids(section: str, ids: list[str]) -> Generator[tuple[Loc, str], None, set[str]]:
    seen = set(ids)
    if len(seen) == len(ids):  # no repeats: nothing to locate, item by item
        return seen
    seen = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            yield (section, index, "id"), f"id «{item_id}» повторяется"
        seen.add(item_id)
    return seen

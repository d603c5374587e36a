"""Profile text → validated ``Profile``, with located Russian errors."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

from checker.io.validation import validate
from checker.io.yamlio import load_fast, located, read_text
from checker.model.errors import InputError, Loc
from checker.model.profile import Profile


def load_profile(text: str, origin: str) -> Profile:
    """Parse and validate one profile; every problem found is reported at once."""
    data = load_fast(text, origin)
    profile = validate(Profile, data, text, origin)
    problems = located(origin, text, reference_issues(profile))
    if problems:
        raise InputError(problems)
    return profile


def read_profile(path: Path) -> Profile:
    """Read and load a profile file; unreadable, special or too big files become an
    ``InputError`` too."""
    return load_profile(read_text(path), str(path))


def reference_issues(profile: Profile) -> Iterator[tuple[Loc, str]]:
    """Duplicate ids and references to staff or procedures that the profile lacks."""
    staff_ids = yield from _unique_ids("staff", [s.id for s in profile.staff or []])
    proc_ids = yield from _unique_ids("procedures", [p.id for p in profile.procedures or []])
    yield from _unique_ids("documents", [d.id for d in profile.documents or []])
    for index, proc in enumerate(profile.procedures or []):
        base: Loc = ("procedures", index)
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
    for index, activity in enumerate(profile.activities or []):
        if activity.procedure is not None and activity.procedure not in proc_ids:
            yield ("activities", index, "procedure"), (
                f"нет процедуры с id «{activity.procedure}» в разделе procedures"
            )


def _unique_ids(section: str, ids: list[str]) -> Generator[tuple[Loc, str], None, set[str]]:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            yield (section, index, "id"), f"id «{item_id}» повторяется"
        seen.add(item_id)
    return seen

"""Writing the inspection section into a profile file, leaving the rest byte-identical;
and migrating a version-1 profile to version 2 (``objcheck migrate``).

The school's statements are never rewritten: only the top-level ``inspection:`` section is
produced (with the ruamel round-trip dumper, so the comments inside it survive too) and
spliced into the original text in place of the old section, or appended at the end.

Every write is atomic (a temporary file in the same directory, then ``os.replace``), keeps
the version from before the session as ``<file>.bak``, and is refused when the file changed
on disk since it was read (someone else edited it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from checker.io.load import load_profile
from checker.io.yamlio import round_trip_yaml
from checker.model.labels import name_key
from checker.model.profile import (
    OBSERVER_TYPE_OF_ROLE,
    SCHEMA_VERSION,
    VERDICT_TITLES,
    InspectionVerdict,
    Profile,
)

SECTION = "inspection"
_TOP_KEY = re.compile(r"^[^\s#\-][^:]*:")
_SECTION_KEY = re.compile(rf"^{SECTION}\s*:")


class ConcurrentEditError(Exception):
    """The file changed on disk since it was read; nothing was written."""


def verdict_text(verdict: InspectionVerdict) -> str:
    """One verdict as a line for the inspector to re-enter (shown when a write is refused)."""
    parts = [verdict.rule]
    if verdict.subject:
        parts.append(verdict.subject)
    parts.append(VERDICT_TITLES[verdict.verdict])
    if verdict.note:
        parts.append(f"примечание: {verdict.note}")
    if verdict.evidence is not None:
        ev = verdict.evidence
        shown = [str(x) for x in (ev.number, ev.date, ev.file) if x is not None]
        parts.append(f"подтверждение: {', '.join(shown)}")
    return "  – " + "; ".join(parts)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def section_span(text: str) -> tuple[int, int] | None:
    """Character offsets of the top-level inspection section (its key line to its last line)."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    start = next((i for i, line in enumerate(lines) if _SECTION_KEY.match(line)), None)
    if start is None:
        return None
    end = start + 1
    last = start + 1
    while end < len(lines):
        line = lines[end]
        if _TOP_KEY.match(line) or line.startswith(("---", "...")):
            break
        end += 1
        if line.strip() and not line.startswith("#"):
            last = end
    return offsets[start], offsets[last]


def outside_section(text: str) -> str:
    """The text of the file without its inspection section (for comparisons in tests)."""
    span = section_span(text)
    return text if span is None else text[: span[0]] + text[span[1] :]


def _yaml() -> Any:
    yaml = round_trip_yaml()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _verdict_map(verdict: InspectionVerdict) -> CommentedMap:
    data = verdict.model_dump(mode="python", exclude_none=True)
    node = CommentedMap()
    for key, value in data.items():
        if isinstance(value, dict):
            inner = CommentedMap()
            inner.update(value)
            node[key] = inner
        else:
            node[key] = value
    return node


def _same_target(node: Any, verdict: InspectionVerdict) -> bool:
    return (
        isinstance(node, CommentedMap)
        and node.get("rule") == verdict.rule
        and node.get("subject") == verdict.subject
    )


def render_section(
    text: str,
    verdicts: list[InspectionVerdict],
    inspector: str | None = None,
    date: dt.date | None = None,
) -> str:
    """The inspection section with ``verdicts`` recorded (a verdict on the same rule and
    subject replaces the earlier one), as YAML text ending with a newline."""
    document = _yaml().load(text)
    existing = document.get(SECTION) if isinstance(document, CommentedMap) else None
    section = existing if isinstance(existing, CommentedMap) else CommentedMap()
    if inspector:
        section["inspector"] = inspector
    if date is not None and "date" not in section:
        section["date"] = date
    items = section.get("verdicts")
    if not isinstance(items, CommentedSeq):
        items = CommentedSeq()
        section["verdicts"] = items
    for verdict in verdicts:
        node = _verdict_map(verdict)
        for index, old in enumerate(items):
            if _same_target(old, verdict):
                items[index] = node
                break
        else:
            items.append(node)
    wrapper = CommentedMap()
    wrapper[SECTION] = section
    out = io.StringIO()
    _yaml().dump(wrapper, out)
    return out.getvalue()


def with_section(text: str, section: str) -> str:
    """``text`` with its inspection section replaced by ``section`` (or appended)."""
    span = section_span(text)
    if span is not None:
        return text[: span[0]] + section + text[span[1] :]
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "\n" + section


class ProfileFile:
    """A profile file open for recording an inspection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        data = path.read_bytes()
        self.text = data.decode("utf-8")
        self.hash = digest(data)
        self.backed_up = False
        self.profile: Profile = load_profile(self.text, str(path))

    def record(
        self,
        verdicts: list[InspectionVerdict],
        inspector: str | None = None,
        date: dt.date | None = None,
    ) -> None:
        """Write the verdicts into the file, or raise ``ConcurrentEditError``."""
        new_text = with_section(self.text, render_section(self.text, verdicts, inspector, date))
        profile = load_profile(new_text, str(self.path))  # never write an invalid profile
        current = self.path.read_bytes()
        if digest(current) != self.hash:
            raise ConcurrentEditError(str(self.path), *(verdict_text(v) for v in verdicts))
        if not self.backed_up:
            backup = self.path.with_name(self.path.name + ".bak")
            shutil.copy2(self.path, backup)
            self.backed_up = True
        encoded = new_text.encode("utf-8")
        _atomic_write(self.path, encoded)
        self.text, self.hash, self.profile = new_text, digest(encoded), profile


def _atomic_write(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        shutil.copymode(path, temp)
        Path(temp).replace(path)  # atomic rename (os.replace)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# --- objcheck migrate: a version-1 profile → version 2 (the people register) ---------------

_PEOPLE_NOTE = (
    "\nРеестр людей (objcheck migrate): укажите место работы (employer) и классы детей в этой\n"
    "школе (children; [] — детей в школе нет), иначе конфликт интересов — «не сообщено»"
)
_ROLE_OF_TYPE = {observer: role for role, observer in OBSERVER_TYPE_OF_ROLE.items()}


@dataclass(frozen=True)
class Migration:
    """What ``migrate_text`` did: the new text and the ids of the people it registered."""

    text: str
    registered: tuple[str, ...]
    changed: bool


def migrate_text(text: str, origin: str) -> Migration:
    """A version-1 profile rewritten as version 2, comments and order kept.

    Inline observers with a name move to the ``people`` register (one person per name, ё/е,
    case and spaces ignored; the role from the observer type) and the procedure refers to
    them by id, keeping the school's declared ``relation`` and the accreditation. Observers
    without a name stay inline. The result is validated before it is returned.
    """
    profile = load_profile(text, origin)
    if profile.schema_version == SCHEMA_VERSION:
        return Migration(text, (), False)
    document = _yaml().load(text)
    taken = {s.id for s in profile.staff or []}
    people: CommentedSeq = CommentedSeq()
    by_name: dict[str, str] = {}
    for proc in document.get("procedures") or []:
        for index, observer in enumerate(proc.get("observers") or []):
            name = observer.get("name") if isinstance(observer, CommentedMap) else None
            if not isinstance(name, str):
                continue
            key = name_key(name)
            if key not in by_name:
                by_name[key] = _new_id(taken)
                people.append(_person_node(by_name[key], name, observer.get("type")))
            proc["observers"][index] = _reference_node(by_name[key], observer, people)
    if "schema_version" in document:
        document["schema_version"] = SCHEMA_VERSION
    else:
        document.insert(0, "schema_version", SCHEMA_VERSION)
    if people:
        position = list(document).index("procedures")
        document.insert(position, "people", people)
        document.yaml_set_comment_before_after_key("people", before=_PEOPLE_NOTE)
    out = io.StringIO()
    _yaml().dump(document, out)
    new_text = out.getvalue()
    load_profile(new_text, origin)  # never hand back an invalid profile
    return Migration(new_text, tuple(by_name.values()), True)


def _new_id(taken: set[str]) -> str:
    number = 1
    while f"obs-{number}" in taken:
        number += 1
    taken.add(f"obs-{number}")
    return f"obs-{number}"


def _person_node(person_id: str, name: str, observer_type: object) -> CommentedMap:
    node = CommentedMap()
    node["id"] = person_id
    node["name"] = name
    node["role"] = _ROLE_OF_TYPE.get(str(observer_type), "other")
    node.fa.set_flow_style()
    return node


def _reference_node(person_id: str, observer: CommentedMap, people: CommentedSeq) -> CommentedMap:
    """``{person: id}`` with what the procedure itself said: the declared relation, the
    accreditation, and the type when it differs from the person's role."""
    node = CommentedMap()
    node["person"] = person_id
    role = next(p["role"] for p in people if p["id"] == person_id)
    if "type" in observer and _ROLE_OF_TYPE.get(str(observer["type"])) != role:
        node["type"] = observer["type"]
    for key in ("accreditation", "relation"):
        if key in observer:
            node[key] = observer[key]
    node.fa.set_flow_style()
    return node


def migrate_file(path: Path) -> Migration:
    """Migrate a profile file in place: atomic, the old version kept as ``<file>.bak``."""
    data = path.read_bytes()
    migration = migrate_text(data.decode("utf-8"), str(path))
    if migration.changed:
        if digest(path.read_bytes()) != digest(data):
            raise ConcurrentEditError(str(path))
        shutil.copy2(path, path.with_name(path.name + ".bak"))
        _atomic_write(path, migration.text.encode("utf-8"))
    return migration

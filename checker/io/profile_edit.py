"""Writing the inspection section into a profile file, leaving the rest byte-identical;
and migrating a version-1 profile to version 2 (``objcheck migrate``).

The school's statements are never rewritten: only the top-level ``inspection:`` section is
produced (with the ruamel round-trip dumper, so the comments inside it survive too) and
spliced into the original text in place of the old section, or appended at the end.

The section is found with the YAML parser, not by its spelling, so a quoted key, a flow
value, a BOM, ``---`` and ``...`` markers all work; the new text is loaded back and must hold
the verdicts and the same school statements, or nothing is written (``UnwritableError``, and the
command prints the verdicts as YAML to paste).

Writes go to the real file behind a symlink and keep its owner and mode. A file with one
link is replaced atomically (temporary file in the same directory, ``chmod``/``chown`` as
the old one, ``os.replace``). A file with hard links, or whose owner cannot be given back,
is written in place so every link sees the new text: space is reserved first, the old text
is kept in a temporary copy beside it until the write is done, and restored on failure.
The version from before the session is kept as ``<file>.bak``; a write is refused when the
file changed on disk since it was read (someone else edited it).
"""

from __future__ import annotations

import datetime as dt
import errno
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
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode

from checker.io.load import is_json, load_profile
from checker.io.yamlio import compose, read_text, round_trip_yaml
from checker.model.errors import InputError, Problem
from checker.model.labels import name_key
from checker.model.profile import (
    OBSERVER_TYPE_OF_ROLE,
    SCHEMA_VERSION,
    VERDICT_TITLES,
    InspectionVerdict,
    Profile,
)

SECTION = "inspection"
_DOCUMENT_MARKER = re.compile(r"^(?:---|\.\.\.)(?:\s|$)")
BOM = "\ufeff"


class ConcurrentEditError(Exception):
    """The file changed on disk since it was read; nothing was written."""

    def __init__(self, path: str, verdicts: list[InspectionVerdict]) -> None:
        super().__init__(path, *(verdict_text(v) for v in verdicts))
        self.verdicts = verdicts


class UnwritableError(Exception):
    """The verdicts cannot be written into this file; nothing was written. The message
    says why, in Russian."""


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


def _offset(text: str, line_starts: list[int], line: int, column: int) -> int:
    """Character offset of a parser mark (the parser does not count a leading BOM)."""
    if line >= len(line_starts):
        return len(text)
    bom = 1 if line == 0 and text.startswith(BOM) else 0
    return min(line_starts[line] + bom + column, len(text))


def _line_starts(text: str) -> list[int]:
    """Offsets where lines start, as the parser counts them (after «\\n»; unlike
    ``splitlines``, which also breaks at characters YAML keeps inside a line)."""
    return [0, *(match.end() for match in re.finditer("\n", text))]


def _root(text: str) -> MappingNode:
    try:
        root = compose(text)
    except YAMLError:
        root = None
    if not isinstance(root, MappingNode):
        raise UnwritableError("профиль не разобрать как словарь YAML")
    if root.flow_style:
        raise UnwritableError("профиль записан целиком в фигурных скобках { … }: раздел "
                              "inspection в него не вставить, не переписав весь файл")
    if any(key.start_mark.column != 0 for key, _value in root.value):
        raise UnwritableError("разделы профиля начинаются не с первого столбца")
    return root


def section_span(text: str) -> tuple[int, int] | None:
    """Character offsets of the top-level inspection section: from the start of its key's
    line to the end of its last line with content. Blank and comment lines after it stay
    outside (they may introduce the next section)."""
    root = _root(text)
    starts = _line_starts(text)
    keys = list(root.value)
    for index, (key, _value) in enumerate(keys):
        if isinstance(key, ScalarNode) and key.value == SECTION:
            start = _offset(text, starts, key.start_mark.line, 0)
            if index + 1 < len(keys):
                following = keys[index + 1][0].start_mark
                end = _offset(text, starts, following.line, 0)
            else:
                end = _document_end(text, root, starts)
            return start, _content_end(text, start, end)
    return None


def _content_end(text: str, start: int, end: int) -> int:
    """The end of the last line in ``text[start:end]`` that is neither blank nor a comment
    (the first line, the key's own, always counts)."""
    lines = text[start:end].splitlines(keepends=True)
    kept = 1
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            kept = number
    return start + sum(len(line) for line in lines[:kept])


def _document_end(text: str, root: MappingNode, starts: list[int]) -> int:
    """Where the root mapping ends: before a ``...``/``---`` line, else the end of text."""
    end = _offset(text, starts, root.end_mark.line, root.end_mark.column)
    line = text[end:].split("\n", 1)[0]
    return end if _DOCUMENT_MARKER.match(line) else len(text)


def outside_section(text: str) -> str:
    """The text of the file without its inspection section (for comparisons in tests)."""
    span = section_span(text)
    return text if span is None else text[: span[0]] + text[span[1] :]


def _yaml() -> Any:
    yaml = round_trip_yaml()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    # the inspection date and an answer's ``at`` are one date object: written once with an
    # anchor and then as «*id001», which a person editing the file cannot read
    aliased = yaml.representer.ignore_aliases
    yaml.representer.ignore_aliases = lambda data: (
        isinstance(data, dt.date) or aliased(data)
    )
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
    _block_style(section)
    return _section_text(section)


def _block_style(node: Any) -> None:
    """Write the section in block style even if it was ``{…}``: the round-trip dumper
    writes a date-time in flow style as a plain ``10:00:00`` that no parser reads back."""
    if isinstance(node, CommentedMap | CommentedSeq):
        node.fa.set_block_style()
        for child in node.values() if isinstance(node, CommentedMap) else node:
            _block_style(child)


def with_section(text: str, section: str) -> str:
    """``text`` with its inspection section replaced by ``section`` (or added at the end of
    the document, before a ``...`` marker if there is one)."""
    span = section_span(text)
    if span is not None:
        head, tail = text[: span[0]], text[span[1] :]
    else:
        end = _document_end(text, _root(text), _line_starts(text))
        head, tail = text[:end], text[end:]
        if head.strip(BOM) and not head.endswith("\n"):
            head += "\n"
        head += "\n"
    return head + section + tail


def paste_yaml(verdicts: list[InspectionVerdict], inspector: str | None = None) -> str:
    """The verdicts as an ``inspection:`` section to paste into the profile by hand."""
    section = CommentedMap()
    if inspector:
        section["inspector"] = inspector
    section["verdicts"] = CommentedSeq(_verdict_map(v) for v in verdicts)
    return _section_text(section)


def _section_text(section: CommentedMap) -> str:
    """``inspection:`` with ``section`` under it, as YAML text."""
    wrapper = CommentedMap()
    wrapper[SECTION] = section
    out = io.StringIO()
    _yaml().dump(wrapper, out)
    return out.getvalue()


def _without_inspection(profile: Profile) -> Profile:
    return profile.model_copy(update={"inspection": None})


def _holds(profile: Profile, verdicts: list[InspectionVerdict]) -> bool:
    recorded = profile.inspection.verdicts if profile.inspection else []
    return all(v in recorded for v in verdicts)


def refuse_json(origin: str) -> None:
    """Edits keep comments and order, which only YAML has: a JSON profile is converted
    first (a machine that wrote it can write it again)."""
    if is_json(origin):
        raise InputError([Problem(origin, None, (), (
            "этот профиль в JSON, а записывать в профиль можно только YAML: переведите его "
            "командой objcheck convert ПРОФИЛЬ.json ПРОФИЛЬ.yaml и работайте с YAML"))])


class ProfileFile:
    """A profile file open for recording an inspection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        refuse_json(str(path))
        self.text = read_text(path)  # a regular UTF-8 file within the size limit
        self.hash = digest(self.text.encode("utf-8"))
        self.backed_up = False
        self.profile: Profile = load_profile(self.text, str(path))

    def record(
        self,
        verdicts: list[InspectionVerdict],
        inspector: str | None = None,
        date: dt.date | None = None,
    ) -> None:
        """Write the verdicts into the file, or raise ``ConcurrentEditError`` (someone else
        changed it), ``UnwritableError`` (this file cannot take them) or ``OSError``; in
        each case the file is as it was."""
        new_text = self._new_text(verdicts, inspector, date)
        try:
            profile = load_profile(new_text, str(self.path))  # never write an invalid profile
        except InputError as error:
            raise UnwritableError(f"после записи профиль стал бы ошибочным: {error.first}"
                                  ) from None
        if not _holds(profile, verdicts) or _without_inspection(profile) != _without_inspection(
            self.profile
        ):
            raise UnwritableError("раздел inspection не удалось записать, не затронув "
                                  "остальной текст профиля")
        current = self.path.read_bytes()
        if digest(current) != self.hash:
            raise ConcurrentEditError(str(self.path), verdicts)
        if not self.backed_up:
            _atomic_replace(self.path.with_name(self.path.name + ".bak"), current, None)
            self.backed_up = True
        encoded = new_text.encode("utf-8")
        write_preserving(self.path, encoded)
        self.text, self.hash, self.profile = new_text, digest(encoded), profile

    def _new_text(
        self, verdicts: list[InspectionVerdict], inspector: str | None, date: dt.date | None
    ) -> str:
        try:
            return with_section(self.text, render_section(self.text, verdicts, inspector, date))
        except (YAMLError, ValueError, TypeError) as exc:
            raise UnwritableError(f"раздел inspection не разобрать: {type(exc).__name__}"
                                  ) from None


def write_preserving(path: Path, data: bytes) -> None:
    """Write ``data`` to the file behind ``path`` keeping its links, owner and mode."""
    real = path.resolve(strict=True)
    info = real.stat()
    if info.st_nlink == 1 and (info.st_uid == os.geteuid() or os.geteuid() == 0):
        _atomic_replace(real, data, info)
    else:
        _write_in_place(real, data)


def _atomic_replace(target: Path, data: bytes, like: os.stat_result | None) -> None:
    """Replace ``target`` by a new file holding ``data`` (a symlink at ``target`` itself is
    replaced, not followed); with ``like``, the new file gets its mode and owner."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if like is not None:
            Path(temp).chmod(like.st_mode & 0o7777)
            if (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid()):
                os.chown(temp, like.st_uid, like.st_gid)
        Path(temp).replace(target)  # atomic rename (os.replace)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _write_in_place(real: Path, data: bytes) -> None:
    """Overwrite the file's own inode: every hard link sees the new text, the owner stays."""
    old = real.read_bytes()
    fd, safe_copy = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".old", dir=real.parent)
    with os.fdopen(fd, "wb") as handle:  # the old text, until the new one is complete
        handle.write(old)
        handle.flush()
        os.fsync(handle.fileno())
    with real.open("r+b") as handle:
        _reserve(handle.fileno(), len(data))  # a full disk fails here, before any change
        try:
            handle.write(data)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            handle.seek(0)
            handle.write(old)
            handle.truncate()
            handle.flush()
            raise
    Path(safe_copy).unlink()


def _reserve(fd: int, size: int) -> None:
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
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
    refuse_json(origin)
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
    """Migrate a profile file in place — through links, owner and mode kept, as ``inspect``
    writes — the old version kept as ``<file>.bak``."""
    text = read_text(path)
    data = text.encode("utf-8")
    migration = migrate_text(text, str(path))
    if migration.changed:
        if digest(path.read_bytes()) != digest(data):
            raise ConcurrentEditError(str(path), [])
        shutil.copy2(path, path.with_name(path.name + ".bak"))
        write_preserving(path, migration.text.encode("utf-8"))
    return migration

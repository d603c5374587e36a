"""Writing the inspection section into a profile file, leaving the rest byte-identical.

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
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from checker.io.load import load_profile
from checker.io.yamlio import round_trip_yaml
from checker.model.profile import VERDICT_TITLES, InspectionVerdict, Profile

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

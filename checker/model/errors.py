"""Input errors: a Russian message with the file, the line and the field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

Loc = tuple[str | int, ...]

ECHO_LIMIT = 80
# C0 and C1 controls (the terminal's escape sequences start with them) and the bidi
# overrides that make text read differently from what it is; newline and tab included,
# since an echoed value is always shown within one line.
CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A value from an input file as shown inside a message: one line, cut to ``limit``.

    Controls become «?»; a longer value is cut and ends with «…». Callers echo only
    scalars: a list or a mapping may hold names, and a message names its location instead.
    """
    text = CONTROL_CHARS.sub("?", str(value)[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_loc(loc: Loc) -> str:
    """``('procedures', 0, 'video')`` → ``procedures[0].video``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    line: int | None
    loc: Loc
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = format_loc(self.loc)
        return f"{where}: {field}: {self.message}" if field else f"{where}: {self.message}"


class InputError(Exception):
    """A profile or a rule pack that cannot be used. Carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def first(self) -> Problem:
        return self.problems[0]

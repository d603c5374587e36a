"""Text from input files on its way to a terminal: no escape sequences, no rich markup.

A name like ``\x1b[2J`` would clear the user's screen and ``[link=…]`` would become a
clickable link. ``clean`` removes control characters (newlines and tabs stay: they are
layout); ``plain`` wraps a value in a ``Text`` so that rich never reads it as markup;
``SafeConsole`` is the console of the command line: markup off and controls removed from
everything it prints except rich's own control codes (cursor moves of the progress bar).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from checker.model.report import Report

# C0 (but newline and tab), DEL, C1, the bidi overrides that reorder what is shown, and
# the two non-characters XML refuses (DOCX and XLSX are XML).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def clean(value: object) -> str:
    """``value`` as text without control characters (newlines and tabs kept)."""
    return _CONTROLS.sub("", str(value))


def plain(value: object, style: str = "") -> Text:
    """A value from a file as rich ``Text``: shown literally, never parsed as markup."""
    return Text(clean(value), style=style)


def clean_report(report: Report) -> Report:
    """The report with every string (names, labels, messages, pack texts) cleaned."""
    return Report.model_validate(clean_tree(report.model_dump(mode="python")))


def clean_tree(data: Any) -> Any:
    """Every string in nested dicts and lists cleaned (for a report about to be shown)."""
    if isinstance(data, str):
        return clean(data)
    if isinstance(data, dict):
        return {key: clean_tree(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [clean_tree(value) for value in data]
    return data


# The one CSV convention of objcheck (batch CSVs and plan.csv alike): «;» between columns
# and UTF-8 with a BOM, so Excel in a Russian locale opens the file in columns with the
# Cyrillic intact; rows end in CRLF, as RFC 4180 and Excel write them.
CSV_DELIMITER = ";"
CSV_ENCODING = "utf-8-sig"
CSV_LINE_END = "\r\n"

# Characters that make a spreadsheet read a cell as a formula (OWASP «CSV injection»).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell that Excel or LibreOffice will not run as a formula.

    Text starting with ``= + - @``, tab or CR gets a leading «'», as OWASP recommends: a
    school named «=HYPERLINK(…)» stays text. Numbers (a negative score too) are unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class SafeConsole(Console):
    """A console that prints input-file text as it is, and nothing the terminal obeys.

    Markup and emoji codes are off by default, so ``[red]…`` or ``:x:`` in a value is
    printed, not interpreted; styled output is built with ``Text`` and ``style=``.
    Control characters are removed from every text segment when the buffer is rendered.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)  # «:x:» in a note stays «:x:»
        super().__init__(*args, **kwargs)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        safe = (
            segment if segment.control else Segment(clean(segment.text), segment.style)
            for segment in buffer
        )
        return super()._render_buffer(safe)

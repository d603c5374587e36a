"""A small streaming XLSX writer for the batch summary: a bold, frozen, filterable header
row, column widths, percent-formatted columns and a print set-up (A4 landscape, fitted to
the page width, the header row repeated on every page) per sheet, nothing else.

openpyxl (even in write-only mode) spent ~6 ms per school on the ~50 finding rows of each
school, more than the whole re-run with a warm cache; writing the sheet XML directly is
~4× faster. Strings go in inline (no shared-string table to hold in memory), rows are
streamed into the zip as they come, and every zip entry carries a fixed date, so the same
rows give the same bytes. tests/test_batch.py reads the file back with openpyxl. The plan
of one school (a few dozen rows, merged-looking section rows) stays with openpyxl
(checker/render/documents.py): there speed does not matter and its API is clearer.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from xml.sax.saxutils import quoteattr

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_FIXED_DATE = (2000, 1, 1, 0, 0, 0)
# Characters XML 1.0 cannot carry at all (openpyxl refuses them too): dropped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

PERCENT_FORMAT = "0.0%"  # 0.999 shown as «99,9%» in a Russian Excel
# Cell styles (indexes into cellXfs): 0 plain, 1 the bold wrapped header, 2 percent.
_HEADER_STYLE, _PERCENT_STYLE = 1, 2
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{PERCENT_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The end of a text cell after its reference, by text: a batch repeats the same texts
# (rule titles, a school's name on each of its rows) hundreds of thousands of times, and
# escaping them again was a third of the time of the findings sheet. Emptied when full.
_TEXT_TAILS: dict[str, str] = {}
_TEXT_TAILS_MAX = 4096  # ~2 MiB at most; a school's rows and the rule titles fit


def _text_tail(text: str) -> str:
    tail = _TEXT_TAILS.get(text)
    if tail is None:
        if len(_TEXT_TAILS) >= _TEXT_TAILS_MAX:
            _TEXT_TAILS.clear()
        tail = _TEXT_TAILS[text] = \
            f' t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>'
    return tail


def _cell(ref: str, value: Any, style: str = "") -> str:
    """``style`` (« s="N"») applies to numbers only: a text in a percent column stays text."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return f'<c r="{ref}"{style if style == _HEADER else ""}{_text_tail(value)}'
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float:
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    return f'<c r="{ref}"{style if style == _HEADER else ""}{_text_tail(str(value))}'


_HEADER = f' s="{_HEADER_STYLE}"'
_PERCENT = f' s="{_PERCENT_STYLE}"'
# Printed on A4 landscape, all columns on one page wide, as many pages long as needed.
_PRINT = (
    '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    "<headerFooter><oddFooter>&amp;CСтр. &amp;P из &amp;N</oddFooter></headerFooter>"
)


class XlsxWriter:
    """``with XlsxWriter(path, creator) as book: book.sheet(title, header, rows)``."""

    def __init__(self, path: Path, creator: str = "") -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._creator = creator
        self._sheets: dict[int, tuple[str, str]] = {}  # number → (title, autofilter range)
        self._open: SheetStream | None = None

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self._finish()
            self._zip.close()
        else:
            self.abandon()

    def abandon(self) -> None:
        """Close the file unfinished (the batch failed or was interrupted; it is discarded)."""
        if self._open is not None:
            self._open.abandon()
        self._zip.close()

    def _entry(self, name: str) -> IO[bytes]:
        info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        # The ZipFile's compresslevel=1 reaches only entries named by a string; an entry given
        # as a ZipInfo (for the fixed date) brings its own level, zlib's 6 unless set. Private
        # name until Python 3.13 (compress_level, the old name kept). Measured on the 64 MB
        # findings sheet of 1,000 real-sized schools: 0.96 → 0.26 s CPU, 5.9 → 7.7 MB.
        info._compresslevel = 1  # type: ignore[attr-defined]
        return self._zip.open(info, "w")

    def _write(self, name: str, text: str) -> None:
        with self._entry(name) as handle:
            handle.write(text.encode("utf-8"))

    def sheet(self, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
              max_rows: int | None = None, overflow: str = "",
              widths: Sequence[float] | None = None,
              percent_columns: frozenset[int] = frozenset()) -> int:
        """A sheet with a frozen, filterable bold header row; returns the number of data rows.

        ``widths`` are column widths in characters; numbers in the ``percent_columns``
        (0-based) are shown as percent. At most ``max_rows`` rows: if there are more, the
        last of them is ``overflow`` in the first column, so whoever opens the sheet sees
        that it is cut short.
        """
        stream = self.open_sheet(title, header, max_rows, overflow, widths, percent_columns)
        stream.add(rows)
        return stream.close()

    def open_sheet(self, title: str, header: Sequence[str], max_rows: int | None = None,
                   overflow: str = "", widths: Sequence[float] | None = None,
                   percent_columns: frozenset[int] = frozenset(),
                   number: int | None = None) -> SheetStream:
        """A sheet whose rows come later, in any number of ``add`` calls (``sheet``'s
        arguments). ``number`` places it among the sheets (1 = first tab): a sheet streamed
        while the others are not known yet keeps its place. Only one sheet is open at a time
        (one zip entry); the next free number is taken when none is given."""
        if number is None:
            number = next(n for n in range(1, len(self._sheets) + 2) if n not in self._sheets)
        if number in self._sheets:
            raise ValueError(f"sheet {number} is already written")
        self._sheets[number] = (title, "")
        handle = self._entry(f"xl/worksheets/sheet{number}.xml")

        def done(area: str) -> None:
            self._sheets[number] = (title, area)
            self._open = None

        self._open = SheetStream(handle, header, max_rows, overflow, widths, percent_columns,
                                 done)
        return self._open

    def _finish(self) -> None:
        sheets = [self._sheets[n] for n in sorted(self._sheets)]
        if [*sorted(self._sheets)] != list(range(1, len(sheets) + 1)):
            raise ValueError(f"sheets are numbered with gaps: {sorted(self._sheets)}")
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        self._write("[Content_Types].xml", (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/'
            'vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{overrides}</Types>"
        ))
        self._write("_rels/.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        ))
        self._write("docProps/core.xml", (
            f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
            '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{_text(self._creator)}</dc:creator>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
            "</cp:coreProperties>"
        ))
        self._write("docProps/app.xml", (
            f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>objcheck</Application></Properties>'
        ))
        entries = "".join(
            f"<sheet name={quoteattr(title)} sheetId=\"{n}\" r:id=\"rId{n}\"/>"
            for n, (title, _area) in enumerate(sheets, start=1)
        )
        filters = "".join(
            '<definedName name="_xlnm._FilterDatabase" localSheetId="{}" hidden="1">'
            "{}</definedName>".format(
                n, _text("'" + title.replace("'", "''") + "'!" + _absolute(area))
            )
            for n, (title, area) in enumerate(sheets)
        )
        # the header row printed at the top of every page
        filters += "".join(
            '<definedName name="_xlnm.Print_Titles" localSheetId="{}">{}</definedName>'.format(
                n, _text("'" + title.replace("'", "''") + "'!$1:$1")
            )
            for n, (title, _area) in enumerate(sheets)
        )
        self._write("xl/workbook.xml", (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{entries}</sheets><definedNames>{filters}</definedNames></workbook>"
        ))
        rels = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        self._write("xl/_rels/workbook.xml.rels", (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" '
            'Target="styles.xml"/></Relationships>'
        ))
        self._write("xl/styles.xml", _STYLES)


class SheetStream:
    """The rows of one open sheet (``XlsxWriter.open_sheet``), written as they come.

    The row cap needs to know whether rows follow the last one that fits, so that row is
    held back until the next row (then the overflow text takes its place) or ``close``.
    """

    def __init__(self, handle: IO[bytes], header: Sequence[str], max_rows: int | None,
                 overflow: str, widths: Sequence[float] | None,
                 percent_columns: frozenset[int], done: Callable[[str], None]) -> None:
        self._handle = handle
        self._max_rows = max_rows
        self._overflow = overflow
        self._done = done
        self._letters = [column_letter(i) for i in range(1, len(header) + 1)]
        self._styles = [_PERCENT if i in percent_columns else "" for i in range(len(header))]
        self._count = 0
        self._held: Sequence[Any] | None = None  # the last row that fits, while unknown
        self._full = False  # more rows came than fit: the rest are dropped
        handle.write(
            f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            f"</sheetView></sheetViews>{_columns(widths)}<sheetData>".encode()
        )
        cells = "".join(_cell(f"{c}1", v, _HEADER)
                        for c, v in zip(self._letters, header, strict=True))
        self._chunk = [f'<row r="1">{cells}</row>']

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        if self._full:
            return
        for row in rows:
            if self._held is not None:  # more rows than fit: the overflow text is last
                self._held = [self._overflow]
                self._full = True
                return
            if self._max_rows is not None and self._count == self._max_rows - 1:
                self._held = row
                continue
            self._row(row)

    def _row(self, row: Sequence[Any]) -> None:
        self._count += 1
        r = self._count + 1
        cells = "".join(_cell(f"{c}{r}", v, s)
                        for c, v, s in zip(self._letters, row, self._styles, strict=False))
        self._chunk.append(f'<row r="{r}">{cells}</row>')
        if len(self._chunk) >= 512:
            self._handle.write("".join(self._chunk).encode("utf-8"))
            self._chunk.clear()

    def close(self) -> int:
        """End the sheet; the number of data rows."""
        if self._held is not None:
            self._row(self._held)
            self._held = None
        area = f"A1:{self._letters[-1]}{self._count + 1}"
        self._chunk.append(f'</sheetData><autoFilter ref="{area}"/>{_PRINT}</worksheet>')
        self._handle.write("".join(self._chunk).encode("utf-8"))
        self._chunk.clear()
        self._handle.close()
        self._done(area)
        return self._count

    def abandon(self) -> None:
        self._handle.close()


def _columns(widths: Sequence[float] | None) -> str:
    if not widths:
        return ""
    cols = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
                   for n, w in enumerate(widths, start=1))
    return f"<cols>{cols}</cols>"


def _absolute(area: str) -> str:
    """A1:M10 → $A$1:$M$10."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in area.split(":"))

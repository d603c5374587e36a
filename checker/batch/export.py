"""Files written by ``objcheck batch``: CSV for Excel, XLSX with one sheet per view, JSON.

CSV defaults to UTF-8 with BOM and ``;`` so Excel with a Russian locale opens it with
Cyrillic intact (the convention of every CSV objcheck writes, ``checker.render.safe``);
scores and shares read «99,9 %», rounded as in the text and XLSX (``checker.render.numbers``);
severities are Russian words wherever a person reads them, codes only in JSON.
Nothing time-dependent is written: the same inputs give byte-identical CSV and JSON
(XLSX carries a fixed creation date). The rows per rule are written while schools are
checked (``BatchStream``); ``write_all`` writes the rest once every school is in.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from checker.batch.run import (
    BatchResult,
    ErrorRow,
    FindingRow,
    LevelChange,
    MissingMeasure,
    Municipality,
    SchoolRow,
    level_counts,
    municipalities,
    schools_by_level,
)
from checker.batch.since import MunicipalityTrend, RegressedMeasure, SchoolTrend, SinceResult
from checker.batch.xlsx import SheetStream, XlsxWriter
from checker.io.files import os_reason as russian_os_reason
from checker.model.diff import TREND_TITLES
from checker.model.findings import OUTCOME_TITLES, Outcome
from checker.model.profile import LIST_TITLES
from checker.model.report import REPORT_VERSION
from checker.model.rulepack import SEVERITY_TITLES
from checker.render.numbers import percent, percent_value
from checker.render.safe import csv_cell

SUMMARY_VERSION = "1.2"  # 1.1: scale_note; the «since» block and columns (--since)
# 1.2: each school's list_history (the lists of schools with signs it was on)
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header


def _outcome_title(value: str) -> str:
    try:
        return OUTCOME_TITLES[Outcome(value)]
    except ValueError:
        return value


def _severity_title(value: str) -> str:
    return SEVERITY_TITLES.get(value, value)


class _Number:
    """Fractions as percent text: «99,9 %», or «99.9 %» when «,» separates the columns."""

    def __init__(self, decimal_comma: bool) -> None:
        self.comma = decimal_comma

    def __call__(self, value: float | None) -> str:
        text = percent(value)
        return text if self.comma else text.replace(",", ".")


SCHOOL_HEADER = [
    "файл", "код школы", "школа", "тип", "регион", "муниципалитет", "уровень", "балл",
    "полнота сведений", *(OUTCOME_TITLES[o] for o in Outcome),
    "маркеры (признаки в результатах)", "количество маркеров", "история перечней",
]
FINDING_HEADER = [
    "файл", "код школы", "школа", "регион", "муниципалитет", "правило", "мера", "важность",
    "результат", "выполнено", "известно", "всего", "сообщение",
]
MISSING_HEADER = ["правило", "мера", "важность", "школ", "доля школ", "нарушение",
                  "просрочено", "не выполнено"]
MUNICIPALITY_HEADER = ["регион", "муниципалитет", "школ", "высокий", "средний", "низкий",
                       "не определён", "средний балл", "ОО с признаками в результатах",
                       "доля ОО с признаками"]
ERROR_HEADER = ["файл", "строка", "поле", "ошибка"]
CHANGE_HEADER = ["файл", "код школы", "школа", "уровень было", "уровень стало", "балл было",
                 "балл стало", "изменились правила"]


def school_values(s: SchoolRow, num: _Number) -> list[Any]:
    return [s.file, s.school_id, s.name, s.type or "", s.region or "", s.municipality or "",
            s.level, num(s.score), num(s.coverage), *(s.counts.get(o.value, 0) for o in Outcome),
            ", ".join(s.markers), len(s.markers), list_history_text(s.history)]


# «федеральный перечень» → «федеральный»: the column already says «перечней»
_LIST_WORDS = {kind: title.split()[0] for kind, title in LIST_TITLES.items()}


def list_history_text(history: Iterable[tuple[str, int, Sequence[str]]]) -> str:
    """«региональный 2023: 5 МА; федеральный 2024: 4 РУ, 5 МА» (by year, as in the report)."""
    parts = []
    for kind, year, works in history:
        entry = f"{_LIST_WORDS.get(kind, kind)} {year}"
        parts.append(f"{entry}: {', '.join(works)}" if works else entry)
    return "; ".join(parts)


def finding_values(s: SchoolRow, findings: Iterable[FindingRow]) -> Iterable[list[Any]]:
    for f in findings:
        yield [s.file, s.school_id, s.name, s.region or "", s.municipality or "", f.rule_id,
               f.title, _severity_title(f.severity), _outcome_title(f.outcome), f.met,
               f.known, f.total, f.message]


def missing_values(m: MissingMeasure, num: _Number) -> list[Any]:
    return [m.rule_id, m.title, _severity_title(m.severity), m.schools, num(m.share),
            m.by_outcome.get("violation", 0), m.by_outcome.get("overdue", 0),
            m.by_outcome.get("gap", 0)]


def municipality_values(m: Municipality, num: _Number) -> list[Any]:
    return [m.region, m.municipality, m.schools, m.levels.get("высокий", 0),
            m.levels.get("средний", 0), m.levels.get("низкий", 0),
            m.levels.get("не определён", 0), num(m.mean_score), m.with_signs,
            num(m.share_with_signs)]


def error_values(e: ErrorRow) -> list[Any]:
    return [e.file, "" if e.line is None else e.line, e.field, e.message]


def change_text(c: LevelChange) -> str:
    """Why the school moved: the rules whose outcome changed, then the parameters."""
    return "; ".join([
        *(f"{r.rule_id}: {_outcome_title(r.old)} → {_outcome_title(r.new)}" for r in c.rules),
        *c.parameters,
    ])


def change_values(c: LevelChange, num: _Number) -> list[Any]:
    return [c.file, c.school_id, c.name, c.old_level, c.new_level, num(c.old_score),
            num(c.new_score), change_text(c)]


SINCE_HEADER = ["уровень в прошлый раз", "балл в прошлый раз", "динамика",
                "ухудшились меры", "устранены недостатки", "новые недостатки"]
SINCE_MUNICIPALITY_HEADER = ["регион", "муниципалитет", "улучшились", "ухудшились",
                             "без изменений", "впервые в проверке"]
REGRESSED_HEADER = ["правило", "мера", "важность", "ухудшилась в школах"]


def since_values(trend: SchoolTrend | None, num: _Number) -> list[Any]:
    """The «since» columns of a school row: blank when the earlier run lacked the school."""
    if trend is None or trend.trend is None:
        return ["", "", "впервые в проверке", "", "", ""]
    return [trend.old_level, num(trend.old_score), TREND_TITLES[trend.trend],
            ", ".join(trend.regressed), ", ".join(trend.resolved), ", ".join(trend.new)]


def _since_by_file(result: BatchResult) -> dict[str, SchoolTrend]:
    return {t.file: t for t in result.since.schools} if result.since else {}


def _summary_rows(result: BatchResult, num: _Number) -> Iterable[list[Any]]:
    """School rows, with the «since» columns when the run compares with an earlier one."""
    trends = _since_by_file(result)
    for school in schools_by_level(result.schools):
        values = school_values(school, num)
        if result.since is not None:
            values.extend(since_values(trends.get(school.file), num))
        yield values


def _summary_header(result: BatchResult) -> list[str]:
    return SCHOOL_HEADER + SINCE_HEADER if result.since is not None else SCHOOL_HEADER


def since_municipality_values(m: MunicipalityTrend) -> list[Any]:
    return [m.region, m.municipality, m.improved, m.worsened, m.unchanged, m.first_time]


def regressed_values(m: RegressedMeasure) -> list[Any]:
    return [m.rule_id, m.title, _severity_title(m.severity), m.schools]


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
               delimiter: str, encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        # every CSV cell goes through csv_cell: text from a file is never run as a formula
        writer.writerows([csv_cell(value) for value in row] for row in rows)


def write_csv(result: BatchResult, out: Path, stream: BatchStream) -> list[Path]:
    """The CSV files; ``findings.csv`` is the stream's (written while schools were checked)."""
    delimiter, encoding = stream.delimiter, stream.encoding
    num = _Number(decimal_comma=delimiter != ",")
    written = [out / "summary.csv", stream.findings_csv, out / "errors.csv"]
    _write_csv(written[0], _summary_header(result), _summary_rows(result, num),
               delimiter, encoding)
    _write_csv(written[2], ERROR_HEADER, (error_values(e) for e in result.errors),
               delimiter, encoding)
    if result.since is not None:
        written.append(out / "since-municipalities.csv")
        _write_csv(written[-1], SINCE_MUNICIPALITY_HEADER,
                   (since_municipality_values(m) for m in result.since.municipalities()),
                   delimiter, encoding)
        written.append(out / "since-regressed.csv")
        _write_csv(written[-1], REGRESSED_HEADER,
                   (regressed_values(m) for m in result.since.regressed_most),
                   delimiter, encoding)
    if result.compared:
        written.append(out / "compare.csv")
        _write_csv(written[-1], CHANGE_HEADER,
                   (change_values(c, num) for c in result.changes), delimiter, encoding)
    return written


def _school_data(s: SchoolRow, findings: Iterable[FindingRow]) -> dict[str, Any]:
    return {
        "file": s.file, "school_id": s.school_id, "name": s.name, "type": s.type,
        "region": s.region, "municipality": s.municipality, "level": s.level,
        "score": s.score, "coverage": s.coverage, "counts": s.counts,
        "markers": list(s.markers),
        "list_history": [
            {"kind": kind, "year": year, "works": list(works)} for kind, year, works in s.history
        ],
        "findings": [
            {"rule_id": f.rule_id, "outcome": f.outcome, "severity": f.severity,
             "met": f.met, "known": f.known, "total": f.total}
            for f in findings
        ],
    }


def summary_data(result: BatchResult, schools: bool = True) -> dict[str, Any]:
    """The summary as plain data: the ``summary.json`` structure (schools last)."""
    data: dict[str, Any] = {
        "summary_version": SUMMARY_VERSION,
        "report_version": REPORT_VERSION,
        "as_of": result.as_of.isoformat(),
        "scale_note": result.scale_note,
        "files": result.files,
        "schools_checked": len(result.schools),
        "files_with_errors": len({e.file for e in result.errors}),
        "levels": level_counts(result.schools),
        "most_missing": [
            {"rule_id": m.rule_id, "title": m.title, "severity": m.severity,
             "schools": m.schools, "share": m.share, "by_outcome": m.by_outcome}
            for m in result.most_missing()
        ],
        "municipalities": [
            {"region": m.region, "municipality": m.municipality, "schools": m.schools,
             "levels": m.levels, "mean_score": m.mean_score, "with_signs": m.with_signs,
             "share_with_signs": m.share_with_signs}
            for m in municipalities(result.schools)
        ],
        "errors": [
            {"file": e.file, "line": e.line, "field": e.field, "message": e.message}
            for e in result.errors
        ],
    }
    if result.compared:
        data["compare"] = [
            {"file": c.file, "school_id": c.school_id, "name": c.name,
             "old_level": c.old_level, "new_level": c.new_level, "old_score": c.old_score,
             "new_score": c.new_score,
             "rules": [{"rule_id": r.rule_id, "old": r.old, "new": r.new} for r in c.rules],
             "parameters": list(c.parameters)}
            for c in result.changes
        ]
    if result.since is not None:
        data["since"] = since_data(result.since)
    if schools:
        data["schools"] = [_school_data(s, result.findings_of(s))
                           for s in schools_by_level(result.schools)]
    return data


def since_data(since: SinceResult) -> dict[str, Any]:
    """The ``since`` block of summary.json: trends per school and municipality."""
    return {
        "old_as_of": since.old_as_of,
        "trends": since.counts(),
        "municipalities": [
            {"region": m.region, "municipality": m.municipality, "improved": m.improved,
             "worsened": m.worsened, "unchanged": m.unchanged, "first_time": m.first_time}
            for m in since.municipalities()
        ],
        "regressed_most": [
            {"rule_id": m.rule_id, "title": m.title, "severity": m.severity,
             "schools": m.schools}
            for m in since.regressed_most
        ],
        "schools": [
            {"file": t.file, "school_id": t.school_id, "old_level": t.old_level,
             "old_score": t.old_score, "new_level": t.new_level, "new_score": t.new_score,
             "trend": t.trend, "regressed": list(t.regressed), "resolved": list(t.resolved),
             "new": list(t.new)}
            for t in since.schools
        ],
        "not_in_this_run": since.gone,
    }


def _school_json(school: SchoolRow, findings: Iterable[FindingRow]) -> str:
    return json.dumps(_school_data(school, findings), ensure_ascii=False)


def write_json(result: BatchResult, out: Path, stream: BatchStream) -> Path:
    """``summary.json``, written school by school so the whole text is never in memory;
    each school's entry was written to the stream's spool while schools were checked."""
    path = out / "summary.json"
    data = summary_data(result, schools=False)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("{\n")
        for key, value in data.items():
            handle.write(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        handle.write(' "schools": [')
        for index, school in enumerate(schools_by_level(result.schools)):
            handle.write(",\n  " if index else "\n  ")
            handle.write(stream.school_json(school))
        handle.write("\n ]\n}\n")
    return path


# Column widths (characters) of the XLSX sheets: texts wide, codes and figures narrow.
_WIDE = {"школа": 40, "мера": 50, "сообщение": 60, "ошибка": 60, "файл": 24,
         "муниципалитет": 22, "изменились правила": 50, "ухудшились меры": 30,
         "устранены недостатки": 30, "новые недостатки": 30, "поле": 24, "регион": 18}
# Columns holding fractions, shown as percent.
_PERCENT_COLUMNS = frozenset({"балл", "полнота сведений", "доля школ", "средний балл",
                              "балл было", "балл стало", "балл в прошлый раз"})


def _widths(header: Sequence[str]) -> list[float]:
    return [_WIDE.get(name, max(len(name) + 3, 9)) for name in header]


def _percent_columns(header: Sequence[str]) -> frozenset[int]:
    return frozenset(i for i, name in enumerate(header) if name in _PERCENT_COLUMNS)


_XLSX_OVERFLOW = (f"Показаны первые {XLSX_MAX_ROWS - 1} строк (предел Excel); "
                  "полный список — в CSV-файлах рядом")
FINDINGS_SHEET = "Результаты по правилам"  # the second tab, streamed (BatchStream)


def write_xlsx(result: BatchResult, out: Path, stream: BatchStream) -> Path:
    """One sheet per view, each with an autofilter, a frozen bold header row, widths,
    percent formats and a print set-up (checker.batch.xlsx). The stream's workbook already
    holds the findings sheet (the second tab); the other sheets need the whole batch."""
    plain = _Number(decimal_comma=False)

    def number(value: float | None) -> float | str:
        return "" if value is None else percent_value(value)

    path = stream.summary_xlsx
    with stream.workbook() as book:

        def sheet(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
            book.sheet(title, header, rows, max_rows=XLSX_MAX_ROWS, overflow=_XLSX_OVERFLOW,
                       widths=_widths(header), percent_columns=_percent_columns(header))

        trends = _since_by_file(result)

        def school_row(s: SchoolRow) -> list[Any]:
            values = school_values(s, plain)
            values[7:9] = [number(s.score), number(s.coverage)]
            if result.since is not None:
                extra = since_values(trends.get(s.file), plain)
                trend = trends.get(s.file)
                extra[1] = number(trend.old_score) if trend and trend.trend else ""
                values.extend(extra)
            return values

        def missing_row(m: MissingMeasure) -> list[Any]:
            values = missing_values(m, plain)
            values[4] = number(m.share)
            return values

        # Scores and shares go in as numbers, not text, so Excel can sort and sum them.
        sheet("Школы", _summary_header(result),
              (school_row(s) for s in schools_by_level(result.schools)))
        sheet("Чаще всего не выполнено", MISSING_HEADER,
              (missing_row(m) for m in result.most_missing()))
        sheet("Муниципалитеты", MUNICIPALITY_HEADER, (
            [*municipality_values(m, plain)[:7], number(m.mean_score), m.with_signs,
             number(m.share_with_signs)]
            for m in municipalities(result.schools)
        ))
        sheet("Ошибки", ERROR_HEADER, (error_values(e) for e in result.errors))
        if result.since is not None:
            sheet("Динамика по муниципалитетам", SINCE_MUNICIPALITY_HEADER,
                  (since_municipality_values(m) for m in result.since.municipalities()))
            sheet("Чаще всего ухудшились", REGRESSED_HEADER,
                  (regressed_values(m) for m in result.since.regressed_most))
        if result.compared:
            sheet("Сравнение правил", CHANGE_HEADER, (
                [c.file, c.school_id, c.name, c.old_level, c.new_level, number(c.old_score),
                 number(c.new_score), change_text(c)]
                for c in result.changes
            ))
    return path


def write_all(result: BatchResult, out: Path, delimiter: str = ";",
              encoding: str = "utf-8-sig", with_reports: bool = False,
              stream: BatchStream | None = None) -> list[Path]:
    """Every summary file into ``out`` (an ``OutputSet``'s staging folder, in the CLI),
    the dashboard ``index.html`` too (linking to the справки when ``with_reports``).

    ``stream`` is the ``BatchStream`` the run fed (``run_batch(…, sink=stream)``); without
    one — or when the cohort step re-checked schools after their rows were streamed — the
    same stream is fed here from the result, which gives the same bytes.
    """
    from checker.batch.dashboard import write_dashboard

    if stream is not None and result.streamed_rows_stale:
        # the cohort step checked schools again after their rows were streamed: write the
        # streamed files anew from the final rows (the old tail, for such batches only)
        stream.close()
        stream = None
    if stream is None:
        stream = BatchStream(out, delimiter, encoding)
        for school in result.schools:
            stream.school(school, result.findings_of(school))
    elif (stream.out, stream.delimiter, stream.encoding) != (out, delimiter, encoding):
        raise ValueError("the stream writes elsewhere or otherwise")
    try:
        stream.end_of_rows()
        return [*write_csv(result, out, stream), write_json(result, out, stream),
                write_xlsx(result, out, stream), write_dashboard(result, out, with_reports)]
    finally:
        stream.close()


class BatchStream:
    """The rows that need not wait for the whole batch, written while schools are checked.

    ``run_batch`` gives it every school as soon as the files before it are done, so the
    order is the files' order at any worker count. It writes ``findings.csv`` and the sheet
    «Результаты по правилам» of ``summary.xlsx`` (both in file order, as they always were)
    and each school's ``summary.json`` entry to a spool; ``write_all`` then writes only
    what needs every school: the level order, the municipalities, the other sheets, the
    dashboard. All of it goes into ``out`` — the staging folder of an ``OutputSet`` in the
    CLI, so an interrupted run leaves the old outputs. A failure to write (a full disk, a
    character the CSV encoding cannot carry) stops the streaming and is raised by
    ``end_of_rows``, where ``write_all`` would have met it.
    """

    def __init__(self, out: Path, delimiter: str = ";", encoding: str = "utf-8-sig") -> None:
        self.out = out
        self.delimiter = delimiter
        self.encoding = encoding
        self.findings_csv = out / "findings.csv"
        self.summary_xlsx = out / "summary.xlsx"
        self.failed: OSError | UnicodeEncodeError | None = None
        self._csv_file: IO[str] | None = None
        self._book: XlsxWriter | None = None
        self._sheet: SheetStream | None = None
        self._spool: IO[bytes] | None = None
        self._json_places: dict[str, tuple[int, int]] = {}  # file → offset, length
        try:
            out.mkdir(parents=True, exist_ok=True)
            self._csv_file = self.findings_csv.open("w", encoding=encoding, newline="")
            self._csv = csv.writer(self._csv_file, delimiter=delimiter, lineterminator="\r\n")
            self._csv.writerow(FINDING_HEADER)
            self._book = XlsxWriter(self.summary_xlsx, creator="objcheck")
            self._sheet = self._book.open_sheet(
                FINDINGS_SHEET, FINDING_HEADER, max_rows=XLSX_MAX_ROWS, overflow=_XLSX_OVERFLOW,
                widths=_widths(FINDING_HEADER), percent_columns=_percent_columns(FINDING_HEADER),
                number=2)
            self._spool = tempfile.TemporaryFile(dir=out)  # noqa: SIM115 - closed by close()
        except (OSError, UnicodeEncodeError) as exc:
            self._fail(exc)

    def school(self, school: SchoolRow, findings: Sequence[FindingRow]) -> None:
        """Write one school's rows (``SchoolSink``)."""
        if self.failed is not None:
            return
        assert self._sheet is not None and self._spool is not None
        try:
            rows = list(finding_values(school, findings))
            # every CSV cell goes through csv_cell: text from a file is never run as a formula
            self._csv.writerows([csv_cell(value) for value in row] for row in rows)
            self._sheet.add(rows)
            entry = _school_json(school, findings).encode("utf-8")
            self._json_places[school.file] = (self._spool.tell(), len(entry))
            self._spool.write(entry)
        except (OSError, UnicodeEncodeError) as exc:
            self._fail(exc)

    def end_of_rows(self) -> None:
        """Every school is in: finish the streamed files, or raise what stopped them."""
        if self.failed is None:
            assert self._sheet is not None and self._csv_file is not None
            try:
                self._sheet.close()
                self._sheet = None
                self._csv_file.close()
            except OSError as exc:
                self._fail(exc)
        if self.failed is not None:
            raise self.failed

    def school_json(self, school: SchoolRow) -> str:
        """A school's ``summary.json`` entry, from the spool."""
        assert self._spool is not None
        offset, length = self._json_places[school.file]
        self._spool.seek(offset)
        text = self._spool.read(length).decode("utf-8")
        self._spool.seek(0, os.SEEK_END)
        return text

    def workbook(self) -> XlsxWriter:
        """``summary.xlsx`` with the findings sheet done, for the other sheets."""
        assert self._book is not None and self._sheet is None
        return self._book

    def _fail(self, exc: OSError | UnicodeEncodeError) -> None:
        self.failed = exc
        self.close()

    def close(self) -> None:
        """Close every file (after ``write_all``, or when the run fails or is interrupted:
        the staging folder is discarded then)."""
        book, self._book = self._book, None
        self._sheet = None
        closers = [handle.close for handle in (self._csv_file, self._spool) if handle]
        if book is not None:  # closed already when write_xlsx finished it
            closers.append(book.abandon)
        self._spool = None
        for close in closers:
            with suppress(OSError, ValueError):  # a full disk again: the files are discarded
                close()


class OutputError(Exception):
    """The output folder cannot be used; the message is in Russian."""


STAGING_PREFIX = ".objcheck-tmp-"
REPORTS = "reports"


class OutputSet:
    """The files of one batch run, replaced in ``out`` as one set or not at all.

    Everything is written into a hidden staging folder inside ``out`` (so the final
    renames stay on one file system); ``commit`` moves the files into place with Ctrl-C
    held back, so an interruption leaves either every old file or every new one, never a
    file cut in half or a mixture. ``discard`` removes the staging folder. Creating the set
    checks ``out`` before any school is checked: a file in its place or a folder that
    cannot be written is an ``OutputError`` at once, not after the whole run.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.committed: list[Path] = []
        if out.exists() and not out.is_dir():
            raise OutputError(f"--out: «{out}» — это файл, а нужен каталог")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"--out: не удалось создать каталог «{out}»: "
                              f"{os_reason(exc)}") from None
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as exc:
            raise OutputError(f"--out: в каталог «{out}» нельзя записать: "
                              f"{os_reason(exc)}") from None

    @property
    def reports_dir(self) -> Path:
        return self.staging / REPORTS

    def commit(self, staged: Sequence[Path]) -> list[Path]:
        """Move the staged files (and the reports folder, if any) into ``out``."""
        for path in staged:
            _flush_to_disk(path)
        with _ctrl_c_deferred():
            for path in staged:
                target = self.out / path.name
                path.replace(target)
                self.committed.append(target)
            if self.reports_dir.is_dir():
                self._swap_reports()
        self.discard()
        return self.committed

    def _swap_reports(self) -> None:
        target = self.out / REPORTS
        old = self.staging / f"{REPORTS}.old"
        if target.is_dir() and not target.is_symlink():
            target.replace(old)
        self.reports_dir.replace(target)
        self.committed.append(target)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def os_reason(exc: OSError) -> str:
    """A Russian reason for the errors one meets writing files."""
    reasons = {
        errno.ENOSPC: "на диске нет места",
        errno.EDQUOT: "превышена дисковая квота",
        errno.EACCES: "нет прав на запись",
        errno.EPERM: "нет прав на запись",
        errno.EROFS: "файловая система только для чтения",
        errno.ENOTDIR: "часть пути — файл, а не каталог",
        errno.EEXIST: "файл с таким именем уже есть",
    }
    return reasons.get(exc.errno or 0) or russian_os_reason(exc)


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Hold Ctrl-C back while the set is moved into place; deliver it afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt

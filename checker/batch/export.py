"""Files written by ``objcheck batch``: CSV for Excel, XLSX with one sheet per view, JSON.

CSV defaults to UTF-8 with BOM and ``;`` so Excel with a Russian locale opens it with
Cyrillic intact; decimals then use a comma. Nothing time-dependent is written: the same
inputs give byte-identical CSV and JSON (XLSX carries a fixed creation date).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

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
from checker.model.findings import OUTCOME_TITLES, Outcome
from checker.model.report import REPORT_VERSION
from checker.render.safe import csv_cell

SUMMARY_VERSION = "1.0"
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header


def _outcome_title(value: str) -> str:
    try:
        return OUTCOME_TITLES[Outcome(value)]
    except ValueError:
        return value


class _Number:
    def __init__(self, decimal_comma: bool) -> None:
        self.comma = decimal_comma

    def __call__(self, value: float | None) -> str:
        if value is None:
            return ""
        text = f"{value:.3f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if self.comma else text


SCHOOL_HEADER = [
    "файл", "код школы", "школа", "тип", "регион", "муниципалитет", "уровень", "балл",
    "полнота сведений", *(OUTCOME_TITLES[o] for o in Outcome),
]
FINDING_HEADER = [
    "файл", "код школы", "школа", "регион", "муниципалитет", "правило", "мера", "важность",
    "результат", "выполнено", "известно", "всего", "сообщение",
]
MISSING_HEADER = ["правило", "мера", "важность", "школ", "доля школ", "нарушение",
                  "просрочено", "не выполнено"]
MUNICIPALITY_HEADER = ["регион", "муниципалитет", "школ", "высокий", "средний", "низкий",
                       "не определён", "средний балл"]
ERROR_HEADER = ["файл", "строка", "поле", "ошибка"]
CHANGE_HEADER = ["файл", "код школы", "школа", "уровень было", "уровень стало", "балл было",
                 "балл стало", "изменились правила"]


def school_values(s: SchoolRow, num: _Number) -> list[Any]:
    return [s.file, s.school_id, s.name, s.type or "", s.region or "", s.municipality or "",
            s.level, num(s.score), num(s.coverage), *(s.counts.get(o.value, 0) for o in Outcome)]


def finding_values(s: SchoolRow, findings: Iterable[FindingRow]) -> Iterable[list[Any]]:
    for f in findings:
        yield [s.file, s.school_id, s.name, s.region or "", s.municipality or "", f.rule_id,
               f.title, f.severity, _outcome_title(f.outcome), f.met, f.known, f.total,
               f.message]


def missing_values(m: MissingMeasure, num: _Number) -> list[Any]:
    return [m.rule_id, m.title, m.severity, m.schools, num(m.share),
            m.by_outcome.get("violation", 0), m.by_outcome.get("overdue", 0),
            m.by_outcome.get("gap", 0)]


def municipality_values(m: Municipality, num: _Number) -> list[Any]:
    return [m.region, m.municipality, m.schools, m.levels.get("высокий", 0),
            m.levels.get("средний", 0), m.levels.get("низкий", 0),
            m.levels.get("не определён", 0), num(m.mean_score)]


def error_values(e: ErrorRow) -> list[Any]:
    return [e.file, "" if e.line is None else e.line, e.field, e.message]


def change_text(c: LevelChange) -> str:
    return "; ".join(
        f"{r.rule_id}: {_outcome_title(r.old)} → {_outcome_title(r.new)}" for r in c.rules
    )


def change_values(c: LevelChange, num: _Number) -> list[Any]:
    return [c.file, c.school_id, c.name, c.old_level, c.new_level, num(c.old_score),
            num(c.new_score), change_text(c)]


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
               delimiter: str, encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        # every CSV cell goes through csv_cell: text from a file is never run as a formula
        writer.writerows([csv_cell(value) for value in row] for row in rows)


def _finding_rows(result: BatchResult) -> Iterable[list[Any]]:
    for school in result.schools:
        yield from finding_values(school, result.findings_of(school))


def write_csv(result: BatchResult, out: Path, delimiter: str = ";",
              encoding: str = "utf-8-sig") -> list[Path]:
    num = _Number(decimal_comma=delimiter != ",")
    written = [out / "summary.csv", out / "findings.csv", out / "errors.csv"]
    _write_csv(written[0], SCHOOL_HEADER,
               (school_values(s, num) for s in schools_by_level(result.schools)),
               delimiter, encoding)
    _write_csv(written[1], FINDING_HEADER,
               _finding_rows(result), delimiter, encoding)
    _write_csv(written[2], ERROR_HEADER, (error_values(e) for e in result.errors),
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
             "levels": m.levels, "mean_score": m.mean_score}
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
             "rules": [{"rule_id": r.rule_id, "old": r.old, "new": r.new} for r in c.rules]}
            for c in result.changes
        ]
    if schools:
        data["schools"] = [_school_data(s, result.findings_of(s))
                           for s in schools_by_level(result.schools)]
    return data


def write_json(result: BatchResult, out: Path) -> Path:
    """``summary.json``, written school by school so the whole text is never in memory."""
    path = out / "summary.json"
    data = summary_data(result, schools=False)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("{\n")
        for key, value in data.items():
            handle.write(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        handle.write(' "schools": [')
        for index, school in enumerate(schools_by_level(result.schools)):
            handle.write(",\n  " if index else "\n  ")
            handle.write(json.dumps(_school_data(school, result.findings_of(school)),
                                    ensure_ascii=False))
        handle.write("\n ]\n}\n")
    return path


def write_xlsx(result: BatchResult, out: Path) -> Path:
    """One sheet per view, each with an autofilter and a frozen header row."""
    from checker.batch.xlsx import XlsxWriter

    plain = _Number(decimal_comma=False)

    def number(value: float | None) -> float | str:
        return "" if value is None else round(value, 4)

    path = out / "summary.xlsx"
    with XlsxWriter(path, creator="objcheck") as book:

        def sheet(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
            book.sheet(title, header, rows, max_rows=XLSX_MAX_ROWS, overflow=(
                f"Показаны первые {XLSX_MAX_ROWS - 1} строк (предел Excel); "
                "полный список — в CSV-файлах рядом"))

        def school_row(s: SchoolRow) -> list[Any]:
            values = school_values(s, plain)
            values[7:9] = [number(s.score), number(s.coverage)]
            return values

        def missing_row(m: MissingMeasure) -> list[Any]:
            values = missing_values(m, plain)
            values[4] = m.share
            return values

        # Scores and shares go in as numbers, not text, so Excel can sort and sum them.
        sheet("Школы", SCHOOL_HEADER, (school_row(s) for s in schools_by_level(result.schools)))
        sheet("Результаты по правилам", FINDING_HEADER, _finding_rows(result))
        sheet("Чаще всего не выполнено", MISSING_HEADER,
              (missing_row(m) for m in result.most_missing()))
        sheet("Муниципалитеты", MUNICIPALITY_HEADER, (
            [*municipality_values(m, plain)[:7], number(m.mean_score)]
            for m in municipalities(result.schools)
        ))
        sheet("Ошибки", ERROR_HEADER, (error_values(e) for e in result.errors))
        if result.compared:
            sheet("Сравнение правил", CHANGE_HEADER, (
                [c.file, c.school_id, c.name, c.old_level, c.new_level, number(c.old_score),
                 number(c.new_score), change_text(c)]
                for c in result.changes
            ))
    return path


def write_all(result: BatchResult, out: Path, delimiter: str = ";",
              encoding: str = "utf-8-sig") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [*write_csv(result, out, delimiter, encoding), write_json(result, out),
            write_xlsx(result, out)]

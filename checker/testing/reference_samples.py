"""Sample reference files for ``check --reference`` (issue 13).

The ФИС ОКО «Статистика по отметкам» layout — a title line naming the work, a header
``Группы участников`` / ``Кол-во ОО`` / ``Кол-во участников`` over a merged «Распределение
отметок в %» with ``2``…``5`` under it, a row per group — as XLSX and as CSV, and the simple
YAML form. Invented numbers for Тверская область (the fixture school
fixtures/school-results-outlier.yaml is in «город Тверь»).
``python -m checker.testing.reference_samples DIR`` writes them (samples/reference/).
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook

from checker.testing.vpr_samples import one_sheet_book

# work title → rows (group, ОО, participants, % «2», «3», «4», «5»)
WORKS: dict[str, list[tuple[str, int, int, float, float, float, float]]] = {
    "ВПР 2024 Математика 5 класс": [
        ("Вся выборка", 36812, 1402117, 11.2, 40.6, 34.9, 13.3),
        ("Тверская область", 402, 10512, 12.0, 42.1, 33.6, 12.3),
        ("город Тверь", 41, 3180, 12.4, 41.3, 33.5, 12.8),
    ],
    "ВПР 2024 Русский язык 6 класс": [
        ("Вся выборка", 36650, 1388420, 14.6, 42.0, 32.4, 11.0),
        ("Тверская область", 398, 10230, 15.1, 43.2, 31.2, 10.5),
        ("город Тверь", 41, 3102, 13.9, 42.8, 32.6, 10.7),
    ],
}
HEADER: list[object] = ["Группы участников", "Кол-во ОО", "Кол-во участников",
          "Распределение отметок в %", None, None, None]
MARKS: list[object] = [None, None, None, 2, 3, 4, 5]


def statistics_rows() -> list[list[object]]:
    """The sheet as a coordinator downloads it: the works one under another."""
    rows: list[list[object]] = [["Статистика по отметкам"]]
    for title, groups in WORKS.items():
        rows += [[title], HEADER, MARKS]
        rows += [list(group) for group in groups]
        rows.append([])
    return rows


def statistics_book() -> Workbook:
    book, sheet = one_sheet_book("Статистика по отметкам")
    for row in statistics_rows():
        sheet.append(row)
    return book


def _csv_cell(value: object) -> str:
    return "" if value is None else str(value).replace(".", ",")


def statistics_csv() -> str:
    lines = [";".join(_csv_cell(v) for v in row) for row in statistics_rows()]
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


def simple_yaml() -> str:
    lines = ["# Распределение отметок по работам, город Тверь, ВПР 2024 (числа выдуманы)",
             "references:"]
    for title, groups in WORKS.items():
        words = title.split()
        subject = " ".join(words[2:-2]).lower()
        group, schools, participants, *shares = groups[-1]
        marks = ", ".join(f"{m}: {s}" for m, s in zip((2, 3, 4, 5), shares, strict=True))
        lines += [f"  - subject: {subject}", f"    grade: {words[-2]}",
                  f"    group: {group}", f"    schools: {schools}",
                  f"    participants: {participants}", f"    marks_pct: {{{marks}}}"]
    return "\n".join(lines) + "\n"


def write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    xlsx = folder / "statistika-otmetok-2024.xlsx"
    statistics_book().save(xlsx)
    csv_path = folder / "statistika-otmetok-2024.csv"
    csv_path.write_bytes(statistics_csv().encode("utf-8"))
    yaml_path = folder / "etalon-tver-2024.yaml"
    yaml_path.write_text(simple_yaml(), encoding="utf-8")
    return [xlsx, csv_path, yaml_path]


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    for written in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "samples/reference")):
        print(written)

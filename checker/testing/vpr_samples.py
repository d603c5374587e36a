"""Sample ВПР result files in the three layouts ``objcheck import vpr`` reads.

Built from the documented column names (ФИС ОКО «Индивидуальные результаты», the school's
protocol, a class table) with fixed, small data so the expected class counts can be worked
out by hand. ``python -m checker.testing.vpr_samples DIR`` writes them (samples/vpr/).
Participant codes only — no names, as in the real files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# (class, primary score, ВПР mark, journal mark): 5А inflates, 5Б does not.
# 5А: 12 pupils, marks 4,4,5,5,4,5,4,5,3,4,5,4 against the journal's 3,3,4,3,4,4,3,5,3,4,4,3:
# 8 raised, 4 confirmed, none lowered; one pupil (5 against 3) differs by 2.
# 5Б: 10 pupils, 3 lowered, 6 confirmed, 1 raised.
FIS_OKO_PUPILS: list[tuple[str, int, int, int]] = [
    ("5А", 12, 4, 3), ("5А", 11, 4, 3), ("5А", 15, 5, 4), ("5А", 16, 5, 3),
    ("5А", 11, 4, 4), ("5А", 15, 5, 4), ("5А", 11, 4, 3), ("5А", 17, 5, 5),
    ("5А", 8, 3, 3), ("5А", 11, 4, 4), ("5А", 15, 5, 4), ("5А", 11, 4, 3),
    ("5Б", 5, 2, 3), ("5Б", 8, 3, 3), ("5Б", 9, 3, 4), ("5Б", 10, 3, 3),
    ("5Б", 12, 4, 4), ("5Б", 13, 4, 5), ("5Б", 7, 3, 3), ("5Б", 14, 4, 4),
    ("5Б", 16, 5, 4), ("5Б", 9, 3, 3),
]

# (class name, total score, previous-term mark or None for an absent pupil)
PROTOCOL_PUPILS: list[tuple[str, int | None, int | None]] = [
    ("6А", 30, 4), ("6А", 22, 3), ("6А", 41, 5), ("6А", 18, 3), ("6А", None, None),
    ("6А", 35, 4), ("6А", 27, 4), ("6А", 12, 2), ("6А", 33, 3), ("6А", 25, 3),
    ("6А", 38, 5),
]
PROTOCOL_SCALE = (20, 30, 39)  # «3» from 20, «4» from 30, «5» from 39 (sample scale)


def one_sheet_book(title: str) -> tuple[Workbook, Worksheet]:
    """A new workbook whose only sheet is named ``title``."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = title
    return book, sheet


def fis_oko_book() -> Workbook:
    book, sheet = one_sheet_book("Индивидуальные результаты")
    sheet.append(["ВПР 2024 Математика 5 класс"])
    sheet.append([f"Кол-во участников: {len(FIS_OKO_PUPILS)}", "edu690009"])
    sheet.append([])
    sheet.append([None] * 6 + ["Б", "Б", "П"])
    sheet.append(["ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант",
                  "1 (1б)", "2 (1б)", "3 (2б)", "Первичный балл", "Отметка",
                  "Отметка по журналу"])
    for number, (cls, score, mark, journal) in enumerate(FIS_OKO_PUPILS, start=1):
        sheet.append(["edu690009", "город Тверь", "МБОУ СОШ № 9", f"{10000 + number}", cls,
                      1 + number % 2, 1, 1, 2, score, mark, journal])
    return book


def protocol_book() -> Workbook:
    book, sheet = one_sheet_book("Протокол")
    sheet.append(["Код участника", "Вариант", "1", "2", "3", "Наименование класса", "Пол",
                  "Отметка за предыдущий триместр", "Итого баллов"])
    for number, (cls, score, journal) in enumerate(PROTOCOL_PUPILS, start=1):
        if score is None:
            sheet.append([f"{20000 + number}", 1, None, None, None, cls, "ж",
                          "не присутствовал", None])
        else:
            sheet.append([f"{20000 + number}", 1, 1, 0, 1, cls, "м", journal, score])
    return book


def class_table_book() -> Workbook:
    book, sheet = one_sheet_book("Классы")
    sheet.append(["Результаты ВПР 2024 математика 5 класс по классам"])
    sheet.append(["КЛАСС", "Кол-во  участников", "% «2»", "% «3»", "% «4»", "% «5»",
                  "Понизили (Отметка < Отметка по журналу)",
                  "Подтвердили (Отметка = Отметке по журналу)",
                  "Повысили (Отметка > Отметка по журналу)"])
    sheet.append(["5 а", 20, 0, 20, 40, 40, 0, 10, 10])
    sheet.append(["5 б", 25, 12, 40, 36, 12, 6, 17, 2])
    sheet.append(["Итого", 45, None, None, None, None, None, None, None])
    return book


SAMPLES = {
    "fis-oko-matematika-5.xlsx": fis_oko_book,
    "protokol-russkiy-6.xlsx": protocol_book,
    "klassy-matematika-5.xlsx": class_table_book,
}


def write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in SAMPLES.items():
        path = folder / name
        build().save(path)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    for written_path in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "samples/vpr")):
        print(written_path)

"""``check --reference FILE``: the ФИС ОКО «Статистика по отметкам» layout in XLSX and CSV,
the simple YAML form, tolerant headers and bad files (sheet, row, column, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from checker.cli.main import app
from checker.io.reference_import import read_reference_rows
from checker.io.vpr_import import Rows, VprFileError
from checker.testing.reference_samples import statistics_rows, write_samples

from .conftest import ROOT

SAMPLES_DIR = ROOT / "samples" / "reference"
OUTLIER = ROOT / "fixtures" / "school-results-outlier.yaml"
AS_OF = "2024-05-01"


def _check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", str(OUTLIER), "--as-of", AS_OF, *args])
    return result.exit_code, result.output


def _outlier_finding(reference: Path) -> dict[str, tuple[str, str]]:
    result = CliRunner().invoke(app, ["check", str(OUTLIER), "--as-of", AS_OF, "--format",
                                      "json", "--reference", str(reference)])
    assert result.exit_code == 0, result.output  # no --fail-on
    report = json.loads(result.output)
    [finding] = [f for f in report["findings"] if f["rule_id"] == "RES-OUT-001"]
    return {s["subject"]: (s["outcome"], s["label"]) for s in finding["subjects"]}


def test_committed_samples_are_the_generated_ones(tmp_path: Path) -> None:
    for written in write_samples(tmp_path):
        committed = SAMPLES_DIR / written.name
        assert committed.exists(), written.name
        if written.suffix != ".xlsx":  # a workbook stores the time it was saved
            assert committed.read_bytes() == written.read_bytes(), written.name


@pytest.mark.parametrize("name", ["statistika-otmetok-2024.xlsx", "statistika-otmetok-2024.csv",
                                  "etalon-tver-2024.yaml"])
def test_every_form_gives_the_same_comparison(name: str) -> None:
    """The school is in «город Тверь»: its row (46,3 % «4»+«5»), not the region's or РФ's."""
    subjects = _outlier_finding(SAMPLES_DIR / name)
    outcome, label = subjects["vpr-ma-5:работа"]
    assert outcome == "gap"
    assert "«4»+«5» 84 % против 46 % (город Тверь), +38 п. п., z = 5,4" in str(label)
    assert subjects["vpr-ru-6:работа"][0] == "few_data"


def test_headers_are_matched_tolerantly() -> None:
    rows: Rows = [
        ("Результаты ВПР 2024 математика 5 кл.",),
        ("ГРУППЫ  УЧАСТНИКОВ", "Количество ОО", "Кол-во участников", "«2»", "«3»", "«4»", "«5»"),
        ("город Тверь", "41", "3 180".replace(" ", ""), "12,4", "41,3 %", 33.5, 12.8),
    ]
    [reference] = read_reference_rows([("Лист1", rows)])
    assert (reference.kind, reference.subject, reference.grade) == ("ВПР", "математика", 5)
    assert (reference.participants, reference.schools) == (3180, 41)
    assert reference.marks_pct == {2: 12.4, 3: 41.3, 4: 33.5, 5: 12.8}


def _sheet_with(row: int, col: int, value: object) -> list[tuple[str, Rows]]:
    rows = [list(r) for r in statistics_rows()]
    rows[row][col] = value
    return [("Статистика по отметкам", [tuple(r) for r in rows])]


def test_text_in_a_share_cell_names_sheet_row_and_column() -> None:
    # row 6 of the sheet is «Тверская область» of the first work; column F is «4»
    with pytest.raises(VprFileError) as error:
        read_reference_rows(_sheet_with(5, 5, "много"))
    assert str(error.value) == ("лист «Статистика по отметкам», строка 6, столбец F: доля «4»: "
                                "ожидалось число, а в ячейке текст")


def test_counts_instead_of_percents_are_refused() -> None:
    rows = _sheet_with(4, 3, 120)  # «2» of «Вся выборка» as a count: the shares exceed 100 %
    with pytest.raises(VprFileError, match="столбец D: доля «2» должна быть от 0 до 100 %"):
        read_reference_rows(rows)
    rows = _sheet_with(4, 3, 50)
    with pytest.raises(VprFileError, match=r"строка 5: доли «2»…«5» в сумме 138,8 %"):
        read_reference_rows(rows)


def test_a_table_without_the_works_title_is_refused() -> None:
    rows = [r for r in statistics_rows() if not (r and str(r[0]).startswith("ВПР"))]
    with pytest.raises(VprFileError, match="строка 2: над таблицей нет строки с названием"):
        read_reference_rows([("Лист", [tuple(r) for r in rows])])


def test_bad_files_exit_2_with_a_russian_message(tmp_path: Path) -> None:
    text = tmp_path / "note.txt"
    text.write_text("ничего", "utf-8")
    assert _check("--reference", str(text)) == (
        2, f"ошибка: {text}: --reference: ожидался файл .xlsx, .csv, .yaml или .json\n")

    fake = tmp_path / "fake.xlsx"
    fake.write_text("не книга", "utf-8")
    code, output = _check("--reference", str(fake))
    assert code == 2 and "это не книга Excel .xlsx" in output and "Traceback" not in output

    empty = tmp_path / "empty.csv"
    empty.write_text("a;b\n1;2\n", "utf-8")
    code, output = _check("--reference", str(empty))
    assert code == 2 and "не найдена таблица «Статистика по отметкам»" in output

    bad = tmp_path / "bad.yaml"
    bad.write_text("references:\n  - subject: математика\n    grade: 15\n    group: г. N\n"
                   "    participants: 10\n    marks_pct: {2: 10, 3: 40, 4: 35, 5: 15}\n",
                   "utf-8")
    code, output = _check("--reference", str(bad))
    assert code == 2 and "bad.yaml:3: references[0].grade" in output

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in statistics_rows():
        sheet.append(row)
    sheet["E6"] = "сорок"
    broken = tmp_path / "broken.xlsx"
    book.save(broken)
    code, output = _check("--reference", str(broken))
    assert code == 2
    assert "строка 6, столбец E: доля «3»: ожидалось число" in output.replace("\n", " ")

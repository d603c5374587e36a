"""``objcheck import vpr``: the three layouts, tolerant headers and bad files.

Expected counts are worked out by hand from the sample data (checker/testing/vpr_samples.py
says how each class was built).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from checker.cli.main import app
from checker.io.load import read_profile
from checker.io.vpr_import import Rows, VprFileError, header_key, read_sheets
from checker.model.profile import ClassResult
from checker.testing.vpr_samples import SAMPLES, class_table_book, fis_oko_book, write_samples

from .conftest import ROOT

FIXTURES = ROOT / "fixtures"
SAMPLES_DIR = ROOT / "samples" / "vpr"  # workbooks, kept out of fixtures/ (profiles only)
PROFILE = FIXTURES / "school-results-signs.yaml"


@pytest.fixture()
def profile(tmp_path: Path) -> Path:
    target = tmp_path / "school.yaml"
    shutil.copyfile(PROFILE, target)
    return target


def _import(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import", "vpr", *args])
    return result.exit_code, result.output


def _classes(profile: Path, procedure: str) -> dict[str, ClassResult]:
    proc = next(p for p in read_profile(profile).procedures or [] if p.id == procedure)
    assert proc.results is not None and proc.results.classes is not None
    return {str(c.name): c for c in proc.results.classes}


def _save(book: Workbook, path: Path) -> Path:
    book.save(path)
    return path


def test_committed_samples_are_the_generated_ones(tmp_path: Path) -> None:
    """samples/vpr holds what the builder makes (re-run it after changing the samples)."""
    for written in write_samples(tmp_path):
        committed = SAMPLES_DIR / written.name
        assert committed.exists(), written.name
    assert set(SAMPLES) == {p.name for p in (SAMPLES_DIR).glob("*.xlsx")}


def test_fis_oko_rows_become_class_counts(profile: Path) -> None:
    code, output = _import(str(SAMPLES_DIR / "fis-oko-matematika-5.xlsx"),
                           "--profile", str(profile))
    assert code == 0, output
    classes = _classes(profile, "vpr-ma-5")
    a, b = classes["5А"], classes["5Б"]
    assert (a.participants, a.marks) == (12, {3: 1, 4: 6, 5: 5})
    assert (a.lowered, a.confirmed, a.raised, a.differ_by_two) == (0, 4, 8, 1)
    assert a.scores == {8: 1, 11: 5, 12: 1, 15: 3, 16: 1, 17: 1}
    assert (b.participants, b.lowered, b.confirmed, b.raised) == (10, 3, 6, 1)
    text = profile.read_text("utf-8")
    assert "10001" not in text  # participant codes are never kept
    assert "# Школа с образцовыми мерами" in text  # comments kept
    # the scale written by hand stays; the other procedure is untouched
    proc = next(p for p in read_profile(profile).procedures or [] if p.id == "vpr-ma-5")
    assert proc.results is not None and proc.results.scale is not None
    assert _classes(profile, "vpr-ru-6")["6а"].participants == 8


def test_protocol_skips_absent_pupils_and_uses_the_scale(profile: Path) -> None:
    code, output = _import(str(SAMPLES_DIR / "protokol-russkiy-6.xlsx"), "--subject",
                           "Русский язык", "--grade", "6", "--scale", "20,30,39",
                           "--profile", str(profile))
    assert code == 0, output
    c = _classes(profile, "vpr-ru-6")["6А"]
    assert c.participants == 10  # 11 rows, one «не присутствовал»
    assert c.marks == {2: 2, 3: 3, 4: 4, 5: 1}
    assert (c.lowered, c.confirmed, c.raised) == (3, 6, 1)
    assert c.journal_period == "триместр"


def test_protocol_without_marks_or_scale_keeps_counts_only(profile: Path) -> None:
    code, output = _import(str(SAMPLES_DIR / "protokol-russkiy-6.xlsx"), "--subject",
                           "русский язык", "--grade", "6", "--profile", str(profile))
    assert code == 0, output
    c = _classes(profile, "vpr-ru-6")["6А"]
    assert c.marks is None and c.raised is None and c.participants == 10


def test_class_table_with_percentages_and_loose_headers(profile: Path) -> None:
    code, output = _import(str(SAMPLES_DIR / "klassy-matematika-5.xlsx"),
                           "--profile", str(profile))
    assert code == 0, output
    classes = _classes(profile, "vpr-ma-5")
    assert set(classes) == {"5А", "5Б"}  # «Итого» is not a class
    assert classes["5А"].marks == {2: 0, 3: 4, 4: 8, 5: 8}
    assert classes["5Б"].marks == {2: 3, 3: 10, 4: 9, 5: 3}
    assert (classes["5А"].lowered, classes["5А"].confirmed, classes["5А"].raised) == (0, 10, 10)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Кол-во участников", "количество участников"),
        ("  КОЛИЧЕСТВО   УЧАСТНИКОВ ", "количество участников"),
        ("Отметка по журналу (четвёрть)", "отметка по журналу четверть"),
        ("«Повысили»", "повысили"),
    ],
)
def test_headers_are_matched_tolerantly(written: str, key: str) -> None:
    assert header_key(written) == key


def _bad_mark_book() -> Workbook:
    book = fis_oko_book()
    sheet = book.active
    assert sheet is not None
    sheet["K7"] = 7  # the second pupil's mark
    return book


def test_bad_mark_names_sheet_row_and_column(profile: Path, tmp_path: Path) -> None:
    before = profile.read_bytes()
    code, output = _import(str(_save(_bad_mark_book(), tmp_path / "bad.xlsx")),
                           "--profile", str(profile))
    assert code == 2
    assert "лист «Индивидуальные результаты», строка 7, столбец K" in output
    assert "отметка должна быть от 2 до 5" in output
    assert "Traceback" not in output
    assert profile.read_bytes() == before


def test_text_in_a_count_cell_is_located(tmp_path: Path, profile: Path) -> None:
    book = class_table_book()
    sheet = book.active
    assert sheet is not None
    sheet["B4"] = "двадцать пять"
    before = profile.read_bytes()
    code, output = _import(str(_save(book, tmp_path / "t.xlsx")), "--profile", str(profile))
    assert code == 2
    assert "лист «Классы», строка 4, столбец B" in output
    assert profile.read_bytes() == before


def test_not_a_workbook(tmp_path: Path, profile: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("Код участника;Отметка\n", "utf-8")
    code, output = _import(str(fake), "--profile", str(profile))
    assert code == 2 and "не книга Excel" in output


def test_workbook_without_a_results_table(tmp_path: Path, profile: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Список литературы"])
    code, output = _import(str(_save(book, tmp_path / "x.xlsx")), "--profile", str(profile))
    assert code == 2 and "не найдена таблица результатов ВПР" in output


def test_work_missing_from_the_profile(tmp_path: Path, profile: Path) -> None:
    book = fis_oko_book()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "ВПР 2024 История 7 класс"
    before = profile.read_bytes()
    code, output = _import(str(_save(book, tmp_path / "h.xlsx")), "--profile", str(profile))
    assert code == 2 and "нет процедуры ВПР «История», 7 класс" in output
    assert profile.read_bytes() == before


def test_a_json_profile_is_refused_with_the_way_out(tmp_path: Path, profile: Path) -> None:
    """The import keeps comments and order, which only YAML has. A JSON profile was edited as
    YAML and the text refused as JSON, reported as a syntax error of the user's own file
    («…json:1: ожидался ключ в двойных кавычках (столбец 4058)»)."""
    target = tmp_path / "school.json"
    assert CliRunner().invoke(app, ["convert", str(profile), str(target)]).exit_code == 0
    before = target.read_bytes()
    code, output = _import(str(SAMPLES_DIR / "fis-oko-matematika-5.xlsx"),
                           "--profile", str(target))
    assert code == 2
    assert "objcheck convert" in output and "ожидался ключ" not in output
    assert target.read_bytes() == before


def test_protocol_without_title_needs_subject_and_grade(profile: Path) -> None:
    code, output = _import(str(SAMPLES_DIR / "protokol-russkiy-6.xlsx"),
                           "--profile", str(profile))
    assert code == 2 and "--subject и --grade" in output


def test_more_marks_than_participants_is_refused() -> None:
    rows: list[list[object]] = [["ВПР 2024 Математика 5 класс"],
            ["Класс", "Количество участников", "2", "3", "4", "5"],
            ["5А", 3, 1, 1, 1, 1]]
    with pytest.raises(VprFileError, match="строка 3: отметок больше, чем участников"):
        sheet: Rows = rows
        read_sheets([("Лист1", sheet)])

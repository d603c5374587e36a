"""The Excel questionnaire: template → filled by a school (openpyxl here) → import →
the profile a person would write by hand → check; bad workbooks give located Russian errors."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from checker.cli.main import app
from checker.core.check import Checker
from checker.io.load import load_profile, read_profile
from checker.io.questionnaire import SERVICE_SHEET, SHEETS, TEMPLATE_VERSION
from checker.render.questionnaire import questionnaire_workbook

from .conftest import RULES

runner = CliRunner()
DATA = Path(__file__).parent / "data"

# Sheet → rows of {column title: value}, as a deputy director would type or pick them.
ANSWERS: dict[str, list[dict[str, Any]]] = {
    "Школа": [{
        "Код школы": "2466001234", "Наименование": "МБОУ «СОШ № 1»",
        "Тип школы": "средняя общеобразовательная школа", "Сайт": "нет",
        "Учебный год": "2024/2025", "В федеральном перечне": "нет",
        "Документы перечислены полностью": "да", "Мероприятия перечислены полностью": "нет",
        "Самооценка объективности": "высокий", "Дата самооценки": "01.06.2025",
    }],
    "Документы": [
        {"Код документа": "order-obj",
         "Вид документа": "Приказ об обеспечении объективности оценочных процедур",
         "Номер": "01-15/45", "Дата утверждения": dt.datetime(2024, 8, 29),
         "К процедурам": "все", "Опубликован на сайте": "да",
         "Адрес публикации": "https://school.example.ru/45", "Дата публикации": "02.09.2024"},
        {"Код документа": "pay", "Вид документа": "Положение о стимулирующих выплатах",
         "Опубликован на сайте": "нет", "ВПР в оценке учителей": "нет"},
    ],
    "Сотрудники": [
        {"Код работника": "t01", "ФИО": "Иванова Анна Петровна", "Предметы": "математика",
         "Классы": "5А, 6Б", "Классы детей": "нет"},
        {"Код работника": "t02", "ФИО": "Смирнов Олег Ильич", "Классы детей": "5А"},
    ],
    "Люди вне школы": [
        {"Код человека": "p01", "ФИО": "Петров Пётр Петрович", "Роль": "общественный наблюдатель",
         "Удостоверение наблюдателя": "ОН-123"},
    ],
    "Процедуры": [
        {"Код процедуры": "vpr-ma-5", "Вид": "Всероссийские проверочные работы",
         "Предмет": "математика", "Параллель": 5, "Классы": "5А, 5Б",
         "Дата": dt.datetime(2025, 4, 15), "Организатор 1": "t01", "Организатор 2": "t02"},
        {"Код процедуры": "oge-ru-9", "Вид": "основной государственный экзамен",
         "Предмет": "русский язык", "Параллель": 9, "ППЭ ГИА в школе": "да"},
    ],
    "Наблюдатели": [
        {"Процедура": "vpr-ma-5", "Человек из реестра": "p01", "Аудитория": "12",
         "Связь со школой": "нет связи со школой"},
    ],
    "Видео": [
        {"Процедура": "vpr-ma-5", "Видеонаблюдение велось": "нет"},
        {"Процедура": "oge-ru-9", "Штаб ППЭ": "да", "Вход в ППЭ": "да"},
    ],
    "Проверка работ": [
        {"Процедура": "vpr-ma-5", "Кто проверяет": "школьная комиссия",
         "Член комиссии 1": "t02", "Подходы согласованы": "да", "Перепроверено, %": 10},
    ],
    "Мероприятия": [
        {"Вид мероприятия": "анализ результатов оценочной процедуры",
         "Дата": dt.datetime(2025, 5, 20), "Процедура": "vpr-ma-5"},
    ],
    "Результаты": [
        {"Процедура": "vpr-ma-5", "Участников": 48, "Понизили": 5, "Подтвердили": 40,
         "Повысили": 3},
    ],
}


def _filled(answers: dict[str, list[dict[str, Any]]], edit: Any = None) -> bytes:
    book = load_workbook(io.BytesIO(questionnaire_workbook(
        region="Красноярский край", municipality="Богучанский район")))
    for name, rows in answers.items():
        sheet = book[name]
        titles = {sheet.cell(1, col).value: col for col in range(1, sheet.max_column + 1)}
        for number, row in enumerate(rows, start=3):
            for title, value in row.items():
                sheet.cell(number, titles[title], value)
    if edit is not None:
        edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(tmp_path: Path, content: bytes, *extra: str) -> tuple[int, str, Path]:
    workbook = tmp_path / "анкета.xlsx"
    workbook.write_bytes(content)
    target = tmp_path / "school.yaml"
    result = runner.invoke(app, ["import", "questionnaire", str(workbook), "--output",
                                 str(target), *extra])
    return result.exit_code, result.output, target


def test_round_trip_gives_the_hand_written_profile_and_checks(
    tmp_path: Path, checker: Checker
) -> None:
    code, output, target = _import(tmp_path, _filled(ANSWERS))
    assert code == 0, output
    imported = read_profile(target)
    expected = read_profile(DATA / "questionnaire-expected.yaml")
    assert imported == expected
    report = checker.check(imported, as_of=dt.date(2025, 6, 30))
    assert report.findings
    check = runner.invoke(app, ["check", str(target), "--rules", str(RULES),
                                "--as-of", "2025-06-30"])
    assert check.exit_code == 0, check.output


def test_import_writes_json_when_the_target_is_named_json(tmp_path: Path) -> None:
    """Issue 18: «the questionnaire import can write either». A ``*.json`` target holds JSON
    (it was YAML text in a file named .json, which every command then refused)."""
    workbook = tmp_path / "анкета.xlsx"
    workbook.write_bytes(_filled(ANSWERS))
    target = tmp_path / "school.json"
    result = runner.invoke(app, ["import", "questionnaire", str(workbook), "-o", str(target)])
    assert result.exit_code == 0, result.output
    json.loads(target.read_text("utf-8"))  # JSON indeed, not YAML under a .json name
    assert read_profile(target) == read_profile(DATA / "questionnaire-expected.yaml")


def test_import_refuses_to_overwrite_a_profile(tmp_path: Path) -> None:
    (tmp_path / "school.yaml").write_text("мой профиль\n", encoding="utf-8")
    code, output, target = _import(tmp_path, _filled(ANSWERS))
    assert code == 2 and "уже есть" in output
    assert target.read_text("utf-8") == "мой профиль\n"
    code, output, target = _import(tmp_path, _filled(ANSWERS), "--force")
    assert code == 0
    assert load_profile(target.read_text("utf-8"), "school.yaml").school.id == "2466001234"


def test_every_sheet_has_headers_notes_frozen_panes_and_print_setup() -> None:
    book = load_workbook(io.BytesIO(questionnaire_workbook()))
    assert book[SERVICE_SHEET].sheet_state == "hidden"
    assert str(book[SERVICE_SHEET]["B1"].value) == TEMPLATE_VERSION
    for spec in SHEETS:
        sheet = book[spec.name]
        assert [sheet.cell(1, i + 1).value for i in range(len(spec.columns))] == [
            c.title for c in spec.columns]
        assert all(sheet.cell(2, i + 1).value is not None for i in range(len(spec.columns)))
        assert sheet.freeze_panes == "A3"
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.page_setup.orientation == "landscape"


def _validations(sheet: Any) -> dict[str, Any]:
    """First cell of each validated range → its rule."""
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for cells in str(rule.sqref).split():
            found[cells.split(":")[0]] = rule
    return found


def test_drop_downs_and_validation_read_back() -> None:
    book = load_workbook(io.BytesIO(questionnaire_workbook()))
    service = book[SERVICE_SHEET]
    documents = _validations(book["Документы"])
    kind = documents["B3"]
    assert kind.type == "list" and kind.formula1.startswith(f"='{SERVICE_SHEET}'!")
    column = kind.formula1.split("!$")[1].split("$")[0]
    listed = [service[f"{column}{row}"].value for row in range(3, 30)]
    assert "Приказ об обеспечении объективности оценочных процедур" in listed
    assert documents["G3"].formula1 == '"да,нет"'
    assert documents["D3"].type == "date"
    procedures = _validations(book["Процедуры"])
    assert procedures["D3"].type == "whole"
    assert (procedures["D3"].formula1, procedures["D3"].formula2) == ("1", "11")
    organizer = procedures["J3"]  # «Организатор 1»: picks a code from the staff sheet
    assert organizer.type == "list" and organizer.formula1 == "='Сотрудники'!$A$3:$A$302"
    observers = _validations(book["Наблюдатели"])
    assert observers["A3"].formula1 == "='Процедуры'!$A$3:$A$302"
    assert observers["B3"].formula1 == "='Люди вне школы'!$A$3:$A$302"


def _errors(tmp_path: Path, content: bytes) -> str:
    code, output, target = _import(tmp_path, content)
    assert code == 2, output
    assert "Traceback" not in output
    assert not target.exists()
    return " ".join(output.split())


def test_a_workbook_of_another_template_version_is_refused(tmp_path: Path) -> None:
    def old(book: Any) -> None:
        book[SERVICE_SHEET]["B1"] = "0"

    assert "анкета версии «0», а читается версия 1" in _errors(tmp_path, _filled(ANSWERS, old))


def test_a_value_outside_the_drop_down_names_sheet_row_column_and_title(tmp_path: Path) -> None:
    answers = {**ANSWERS, "Документы": [{**ANSWERS["Документы"][0], "Вид документа": "Приказ"}]}
    message = _errors(tmp_path, _filled(answers))
    assert "лист «Документы», строка 3, столбец B («Вид документа»): значение «Приказ» не из " \
           "списка" in message


def test_a_date_that_does_not_exist_is_located(tmp_path: Path) -> None:
    answers = {**ANSWERS, "Процедуры": [{**ANSWERS["Процедуры"][0], "Дата": "31.02.2025"},
                                        ANSWERS["Процедуры"][1]]}
    message = _errors(tmp_path, _filled(answers))
    assert "лист «Процедуры», строка 3, столбец F («Дата»): несуществующая дата «31.02.2025»" \
        in message


def test_a_reference_to_an_unknown_staff_id_is_located(tmp_path: Path) -> None:
    answers = {**ANSWERS, "Процедуры": [{**ANSWERS["Процедуры"][0], "Организатор 2": "t99"},
                                        ANSWERS["Процедуры"][1]]}
    message = _errors(tmp_path, _filled(answers))
    assert "лист «Процедуры», строка 3, столбец K («Организатор 2»): нет работника с id «t99»" \
        in message


def test_merged_cells_are_refused(tmp_path: Path) -> None:
    def merge(book: Any) -> None:
        book["Сотрудники"].merge_cells("B3:C3")

    message = _errors(tmp_path, _filled(ANSWERS, merge))
    assert "лист «Сотрудники», ячейки B3:C3: объединённые ячейки" in message


def test_a_row_for_an_unknown_procedure_is_located(tmp_path: Path) -> None:
    answers = {**ANSWERS, "Видео": [{"Процедура": "vpr-xx", "Штаб ППЭ": "да"}]}
    message = _errors(tmp_path, _filled(answers))
    assert "лист «Видео», строка 3, столбец A («Процедура»): нет процедуры с кодом «vpr-xx»" \
        in message


def test_a_missing_required_cell_names_its_column(tmp_path: Path) -> None:
    answers = {**ANSWERS, "Сотрудники": [{"Код работника": "t03"}]}
    message = _errors(tmp_path, _filled(answers))
    assert "лист «Сотрудники», строка 3, столбец B («ФИО»): обязательное поле не заполнено" \
        in message


def test_not_a_workbook_is_a_russian_error(tmp_path: Path) -> None:
    assert "не читается как книга Excel" in _errors(tmp_path, b"not a zip")


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "anketa.xlsx"
    assert runner.invoke(app, ["template", "--output", str(target)]).exit_code == 0
    again = runner.invoke(app, ["template", "--output", str(target)])
    assert again.exit_code == 2 and "уже есть" in again.output


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"нет {name}: запустите scripts/ensure-system-tools.sh (или ./dev test)"
    return path


@pytest.mark.system_tools
def test_libreoffice_opens_the_questionnaire(tmp_path: Path) -> None:
    workbook = tmp_path / "anketa.xlsx"
    workbook.write_bytes(questionnaire_workbook())
    done = subprocess.run(
        [_tool("soffice"), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    pdf = tmp_path / "anketa.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= len(SHEETS)  # every sheet printed, the hidden service sheet aside
    text = " ".join(subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    for spec in SHEETS:
        assert spec.columns[0].title in text
    assert "objcheck: версия анкеты" not in text


def test_batch_reads_questionnaires_beside_profiles_with_error_rows_for_bad_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    monkeypatch.setenv("OBJCHECK_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "school-1.xlsx").write_bytes(_filled(ANSWERS))
    bad = {**ANSWERS, "Процедуры": [{**ANSWERS["Процедуры"][0], "Дата": "31.02.2025"},
                                    ANSWERS["Процедуры"][1]]}
    (folder / "school-2.xlsx").write_bytes(_filled(bad))
    (folder / "~$school-1.xlsx").write_bytes(b"Excel lock file")
    shutil.copy(DATA / "questionnaire-expected.yaml", folder / "school-3.yaml")
    out = tmp_path / "out"
    run = runner.invoke(app, ["batch", str(folder), "--out", str(out), "--workers", "1",
                              "--as-of", "2025-06-30", "--rules", str(RULES)])
    assert run.exit_code == 2, run.output  # a file with errors
    summary = list(csv.reader((out / "summary.csv").read_text("utf-8-sig").splitlines(),
                              delimiter=";"))
    assert sorted(Path(row[0]).name for row in summary[1:]) == ["school-1.xlsx", "school-3.yaml"]
    assert summary[1][3:] == summary[2][3:]  # the same school, from either form
    errors = list(csv.reader((out / "errors.csv").read_text("utf-8-sig").splitlines(),
                             delimiter=";"))
    assert [Path(row[0]).name for row in errors[1:]] == ["school-2.xlsx"]
    assert "лист «Процедуры», строка 3, столбец F («Дата»): несуществующая дата" in errors[1][-1]

"""The Excel questionnaire a school fills in without training (``objcheck template``).

One sheet per section (``checker.io.questionnaire.SHEETS``): Russian headers, a notes row
under them, drop-downs in Russian for every choice, date and number validation, drop-downs of
the ids of another sheet where a sheet refers to it, a frozen header, column widths and a
print set-up. A hidden service sheet holds the lists and the template version.
"""

from __future__ import annotations

import io
from typing import Any

from checker.io.packs import RuleSelection
from checker.io.questionnaire import (
    DATA_ROWS,
    FIRST_ROW,
    HEADER_ROW,
    NO,
    NOTES_ROW,
    SERVICE_SHEET,
    SHEETS,
    TEMPLATE_VERSION,
    VERSION_LABEL,
    YES,
    Column,
    Grid,
    column_letter,
    load_questionnaire,
)
from checker.model.errors import InputError, Problem
from checker.model.profile import Profile

_LAST_ROW = FIRST_ROW + DATA_ROWS - 1


def questionnaire_workbook(selection: RuleSelection | None = None,
                           region: str | None = None,
                           municipality: str | None = None) -> bytes:
    """The questionnaire as .xlsx bytes; region and municipality are filled in when given."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    service = book.create_sheet(SERVICE_SHEET)
    lists = _service_lists(service)
    for spec in SHEETS:
        worksheet = book.create_sheet(spec.name)
        _layout(worksheet, spec.columns, one_row=spec.one_row)
        for index, column in enumerate(spec.columns):
            _validate(worksheet, index, column, lists, one_row=spec.one_row)
    school = book["Школа"]
    for key, value in (("region", region), ("municipality", municipality)):
        if value:
            index = [c.key for c in SHEETS[0].columns].index(key)
            school.cell(FIRST_ROW, index + 1, value)
    if selection is not None:
        _checklist(book, selection)
    service.sheet_state = "hidden"
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _service_lists(service: Any) -> dict[str, str]:
    """The drop-down lists on the service sheet; column key → the range formula."""
    service["A1"] = VERSION_LABEL
    service["B1"] = TEMPLATE_VERSION
    formulas: dict[str, str] = {}
    place = 0
    for spec in SHEETS:
        for column in spec.columns:
            if column.choices is None:
                continue
            name = f"{spec.name}/{column.key}"
            letter = column_letter(place)
            service.cell(2, place + 1, name)
            for row, title in enumerate(column.choices.values(), start=3):
                service.cell(row, place + 1, title)
            last = 2 + len(column.choices)
            formulas[name] = f"'{SERVICE_SHEET}'!${letter}$3:${letter}${last}"
            place += 1
    return formulas


def _layout(worksheet: Any, columns: tuple[Column, ...], one_row: bool) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        header = worksheet.cell(HEADER_ROW, index, column.title)
        header.font = Font(bold=True)
        header.fill = header_fill
        header.alignment = Alignment(wrap_text=True, vertical="top")
        note = worksheet.cell(NOTES_ROW, index, column.note or "")
        note.font = Font(italic=True, color="595959", size=9)
        note.alignment = Alignment(wrap_text=True, vertical="top")
        worksheet.column_dimensions[column_letter(index - 1)].width = column.width
        if column.kind == "date":
            for row in range(FIRST_ROW, FIRST_ROW + (1 if one_row else DATA_ROWS)):
                worksheet.cell(row, index).number_format = "DD.MM.YYYY"
        elif column.kind in ("text", "ref", "list", "ids", "text_or_no"):
            for row in range(FIRST_ROW, FIRST_ROW + (1 if one_row else DATA_ROWS)):
                worksheet.cell(row, index).number_format = "@"  # «5А», «04701000» stay text
    worksheet.row_dimensions[HEADER_ROW].height = 45
    worksheet.row_dimensions[NOTES_ROW].height = 40
    worksheet.freeze_panes = worksheet.cell(FIRST_ROW, 1)
    worksheet.print_title_rows = f"{HEADER_ROW}:{NOTES_ROW}"
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_options.gridLines = True


def _validate(worksheet: Any, index: int, column: Column, lists: dict[str, str],
              one_row: bool) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = column_letter(index)
    last = FIRST_ROW if one_row else _LAST_ROW
    cells = f"{letter}{FIRST_ROW}:{letter}{last}"
    title = column.title[:32]
    rule: DataValidation | None = None
    if column.choices is not None:
        formula = lists[f"{worksheet.title}/{column.key}"]
        rule = DataValidation(type="list", formula1=f"={formula}", allow_blank=True)
        rule.error = "Выберите значение из списка"
    elif column.kind == "bool":
        rule = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        rule.error = f"Введите «{YES}» или «{NO}» (пусто — не сообщено)"
    elif column.kind == "ref" and column.ref is not None:
        source = f"'{column.ref}'!$A${FIRST_ROW}:$A${_LAST_ROW}"
        rule = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
        rule.error = f"Выберите код с листа «{column.ref}»"
    elif column.kind == "date":
        rule = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                              formula2="DATE(2100,12,31)", allow_blank=True)
        rule.error = "Введите дату ДД.ММ.ГГГГ"
    elif column.kind == "int" and column.bounds is not None:
        low, high = column.bounds
        rule = DataValidation(type="whole", operator="between", formula1=str(low),
                              formula2=str(high), allow_blank=True)
        rule.error = f"Введите целое число от {low} до {high}"
    if rule is None:
        return
    rule.errorTitle = title
    rule.showErrorMessage = True
    rule.prompt = column.note[:250] if column.note else None
    rule.promptTitle = title
    rule.showInputMessage = bool(column.note)
    worksheet.add_data_validation(rule)
    rule.add(cells)


def _checklist(book: Any, selection: RuleSelection) -> None:
    """The measures of the school's regional and municipal packs, for reference."""
    from openpyxl.styles import Font

    local = [pack for pack in selection.packs if pack.layer != "federal"]
    worksheet = book.create_sheet("Меры пакетов")
    worksheet["A1"] = "Меры региональных и муниципальных пакетов для школы (справочно)"
    worksheet["A1"].font = Font(bold=True)
    worksheet.column_dimensions["A"].width = 14
    worksheet.column_dimensions["B"].width = 100
    row = 2
    for warning in selection.warnings:
        worksheet.cell(row, 1, "Внимание")
        worksheet.cell(row, 2, warning).data_type = "s"
        row += 1
    if not local:
        worksheet.cell(row, 2, "для этого места пакетов нет: применяются только федеральные меры")
    for pack in local:
        worksheet.cell(row, 1, "Пакет").font = Font(bold=True)
        worksheet.cell(row, 2, " ".join(pack.title.split())).data_type = "s"
        row += 1
        for rule in pack.rules:
            worksheet.cell(row, 1, rule.id)
            worksheet.cell(row, 2, " ".join(rule.title.split())).data_type = "s"
            row += 1
    worksheet.page_setup.orientation = "landscape"


def read_workbook(content: bytes, origin: str) -> Grid:
    """The cell values and merged ranges of a workbook (openpyxl lives in this layer)."""
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise InputError([Problem(origin, None, (), "файл не читается как книга Excel "
                                  "(.xlsx): повреждён или другого формата")]) from None
    sheets = {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)]
              for ws in book.worksheets}
    merged = {ws.title: [str(rng.coord) for rng in ws.merged_cells.ranges]
              for ws in book.worksheets}
    return Grid(sheets, merged)


def read_questionnaire(content: bytes, origin: str) -> tuple[Profile, dict[str, Any]]:
    """A filled questionnaire (.xlsx bytes) → the profile and its data; see
    ``checker.io.questionnaire.load_questionnaire``."""
    return load_questionnaire(read_workbook(content, origin), origin)

"""The documents people hand in: the справка (layout of seed 002) and the plan of measures
(layout of the seed plans), built from a ``Report``.

The content is assembled once (``spravka_data`` / ``plan_data``) and rendered as Markdown
and HTML (jinja2 templates in ``checker/render/templates``), DOCX (python-docx), CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from checker.core.verdicts import disagreements
from checker.model.findings import OUTCOME_TITLES, PROBLEMS, Finding, Outcome, WaiverInfo
from checker.model.profile import VERDICT_TITLES
from checker.model.report import Report
from checker.model.rulepack import DIRECTION_TITLES, UNDETERMINED
from checker.render.changes import ChangeSummary, change_summary
from checker.render.safe import CSV_DELIMITER, CSV_LINE_END, clean, clean_report, csv_cell
from checker.render.text import listing_text

NO_EXECUTOR = "________________________"


@dataclass
class Line:
    measure: str
    result: str


@dataclass
class Row:
    number: str
    title: str
    lines: list[Line] = field(default_factory=list)
    measure: str = ""
    due: str = ""
    responsible: str = ""


@dataclass
class Section:
    number: str
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Conclusion:
    head: str
    lines: list[str]


@dataclass
class Disagreement:
    rule: str
    where: str
    self_outcome: str
    outcome: str
    note: str


@dataclass
class Document:
    school: str
    as_of: str
    academic_year: str
    sections: list[Section]
    level: str = ""
    scale_note: str = ""  # whose scale the level is on: printed right under the level
    reasons: list[str] = field(default_factory=list)
    listings: str = ""  # «федеральный перечень 2023 (5 МА), …», empty when never listed
    self_assessment: str = ""  # the verdict on the school's own level, if it gave one
    self_reasons: list[str] = field(default_factory=list)
    conclusions: list[Conclusion] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    executor: str = NO_EXECUTOR
    changes: ChangeSummary | None = None  # «Изменения с прошлой проверки» (--since)


def _direction_title(direction: str) -> str:
    """«1. Обеспечение …» → «Обеспечение …»."""
    title = DIRECTION_TITLES[direction]
    return title.split(". ", 1)[1] if ". " in title else title


def _result(outcome: Outcome, verdict: str | None, waiver: WaiverInfo | None = None) -> str:
    text = OUTCOME_TITLES[outcome].capitalize()
    if waiver is not None and outcome is Outcome.WAIVED:
        text += f" ({waiver.reason}; согласовано: {waiver.agreed_by}, {waiver.document}; " \
            f"до {waiver.until:%d.%m.%Y})"
    if verdict is not None:
        text += f" (проверка: {VERDICT_TITLES[verdict]})"
    return text


def _lines(finding: Finding) -> list[Line]:
    if not finding.subjects:
        return [Line(finding.message, _result(finding.outcome, None, finding.waiver))]
    # A school-wide measure has the school as its subject: its message says more than «школа».
    # A problem says what is wrong (who checked their own class), not only where.
    return [
        Line(s.message if s.label == "школа" or s.outcome in PROBLEMS else s.label,
             _result(s.outcome, s.verdict, s.waiver))
        for s in finding.subjects
    ]


def _applicable(report: Report, direction: str) -> list[Finding]:
    return [
        f for f in report.findings
        if f.direction == direction and f.outcome is not Outcome.NOT_APPLICABLE
    ]


def _table_rows(report: Report, direction: str) -> list[Finding]:
    """The measures the справка's table shows: all that apply but recommendations nobody
    reported on (weight 0, «не сообщено»): they add rows that say nothing, and the
    conclusions still name them under «Нет сведений о выполнении мер»."""
    return [
        f for f in _applicable(report, direction)
        if not (f.weight == 0 and f.outcome is Outcome.UNKNOWN)
    ]


def spravka_data(report: Report, executor: str | None = None) -> Document:
    """The справка's content. Control characters from the files are dropped: DOCX and XLSX
    (XML) cannot hold them, and nobody wants them in a document."""
    report = clean_report(report)
    sections = []
    for index, direction in enumerate(DIRECTION_TITLES, start=1):
        section = Section(f"{index}.", _direction_title(direction))
        for number, finding in enumerate(_table_rows(report, direction), start=1):
            section.rows.append(Row(f"{index}.{number}.", finding.title, _lines(finding)))
        sections.append(section)
    applicable = [f for f in report.findings if f.outcome is not Outcome.NOT_APPLICABLE]
    met = [f.title for f in applicable if f.outcome in (Outcome.MET, Outcome.MET_LATE)]
    problems = [f"{f.title}: {f.message}" for f in report.problems()]
    unknown = [f.title for f in applicable if f.outcome is Outcome.UNKNOWN]
    conclusions = []
    if met:
        conclusions.append(Conclusion(
            "Объективность проведения оценочных процедур в школе обеспечивается за счёт:", met
        ))
    if problems:
        conclusions.append(Conclusion("Требуют устранения недостатки:", problems))
    if unknown:
        conclusions.append(Conclusion("Нет сведений о выполнении мер:", unknown))
    level = report.level.level
    return Document(
        school=report.school.name,
        as_of=f"{report.as_of:%d.%m.%Y}",
        academic_year=report.academic_year,
        sections=sections,
        level="не определён" if level == UNDETERMINED else level,
        scale_note=report.level.scale_note,
        reasons=list(report.level.reasons),
        listings=listing_text(report),
        self_assessment=report.self_assessment.verdict if report.self_assessment else "",
        self_reasons=list(report.self_assessment.reasons) if report.self_assessment else [],
        conclusions=conclusions,
        disagreements=[
            Disagreement(
                rule=f"{f.rule_id} {f.title}",
                where=s.label if s else "мера в целом",
                self_outcome=OUTCOME_TITLES[(s or f).self_outcome or f.outcome],
                outcome=OUTCOME_TITLES[(s or f).outcome],
                note=(s.note if s else None) or "",
            )
            for f, s in disagreements(report.findings)
        ],
        executor=clean(executor or report.inspector or NO_EXECUTOR),
        changes=change_summary(report.changes) if report.changes is not None else None,
    )


def plan_data(report: Report) -> Document:
    """A measure for every problem finding, grouped by direction as in the seed plans."""
    report = clean_report(report)
    sections = []
    problems = {f.rule_id for f in report.problems()}
    index = 0
    for direction in DIRECTION_TITLES:
        chosen = [f for f in _applicable(report, direction) if f.rule_id in problems]
        if not chosen:
            continue
        index += 1
        section = Section(f"{index}.", _direction_title(direction))
        for number, finding in enumerate(chosen, start=1):
            where = [s.label for s in finding.subjects if s.outcome in PROBLEMS]
            measure = finding.remediation.measure
            if where:
                measure += f" ({'; '.join(where)})"
            section.rows.append(Row(
                f"{index}.{number}.", finding.title, measure=measure,
                due=finding.remediation.due, responsible=finding.remediation.responsible,
            ))
        sections.append(section)
    return Document(
        school=report.school.name,
        as_of=f"{report.as_of:%d.%m.%Y}",
        academic_year=report.academic_year,
        sections=sections,
    )


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


_MD_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;",  # raw HTML passes through Markdown
    "[": "\\[", "]": "\\]", "`": "\\`",  # links, images and code spans
})


def _md_text(value: Any) -> str:
    """Every value written into Markdown: HTML and link syntax shown as text, not obeyed."""
    return "" if value is None else str(value).translate(_MD_ESCAPES)


def _environment(html: bool) -> Environment:
    """HTML escapes every value (autoescape on for all its templates, which end in .j2,
    not .html); Markdown escapes HTML and link syntax in every value (``finalize``)."""
    env = Environment(
        loader=PackageLoader("checker.render", "templates"),
        autoescape=html,
        finalize=None if html else _md_text,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md_cell
    return env


def _css() -> str:
    css = resources.files("checker.render").joinpath("templates/base.css")
    return css.read_text(encoding="utf-8")


def spravka_markdown(doc: Document) -> str:
    return _environment(False).get_template("spravka.md.j2").render(d=doc)


def spravka_html(doc: Document) -> str:
    # the stylesheet is the package's own file, not input: inserted as is (escaping would
    # turn its quotes into entities, which CSS does not read)
    css = Markup(_css())
    return _environment(True).get_template("spravka.html.j2").render(d=doc, css=css)


def plan_markdown(doc: Document) -> str:
    return _environment(False).get_template("plan.md.j2").render(d=doc)


PLAN_HEADER = ("№", "Мероприятие", "Сроки", "Ответственные")


def plan_rows(doc: Document) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for section in doc.sections:
        rows.append((section.number, section.title, "", ""))
        rows.extend((r.number, r.measure, r.due, r.responsible) for r in section.rows)
    return rows


def plan_section_rows(doc: Document) -> frozenset[int]:
    """Indexes (in ``plan_rows``) of the section headings."""
    indexes, index = set(), 0
    for section in doc.sections:
        indexes.add(index)
        index += 1 + len(section.rows)
    return frozenset(indexes)


def plan_csv(doc: Document) -> str:
    """The plan as CSV text in objcheck's CSV convention (the BOM is added when written
    to a file, ``CSV_ENCODING``)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator=CSV_LINE_END)
    writer.writerow(PLAN_HEADER)
    writer.writerows([csv_cell(value) for value in row] for row in plan_rows(doc))
    return out.getvalue()


PLAN_XLSX_WIDTHS = (8, 80, 28, 34)


def plan_xlsx(doc: Document, path: Path) -> None:
    """The plan as one sheet: bold title and header, section rows merged across, widths,
    wrapped text, and printed on A4 landscape fitted to the page width with the header
    row repeated on every page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.properties import PageSetupProperties

    book = Workbook()
    sheet = book.active
    sheet.title = "План мероприятий"
    sheet.append([f"План мероприятий по обеспечению объективности: {doc.school}, "
                  f"{doc.academic_year} учебный год"])
    sheet["A1"].font = Font(bold=True)
    sheet.merge_cells("A1:D1")
    sheet.append(list(PLAN_HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    headings = plan_section_rows(doc)
    for index, row in enumerate(plan_rows(doc)):
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, even when it starts with «=» (openpyxl: a formula)
        if index in headings:
            sheet[f"A{sheet.max_row}"].value = f"{row[0]} {row[1]}"
            sheet[f"B{sheet.max_row}"].value = None
            sheet[f"A{sheet.max_row}"].font = Font(bold=True)
            sheet.merge_cells(f"A{sheet.max_row}:D{sheet.max_row}")
    for column, width in zip("ABCD", PLAN_XLSX_WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    for row_cells in sheet.iter_rows(min_row=1):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.oddFooter.center.text = "Стр. &P из &N"
    book.save(path)


TABLE_FONT_PT = 10  # tables in 10 pt, the text in 12 pt: a typical справка on 2–4 pages
LIST_FONT_PT = 11  # the numbered lists of the conclusions, without space between items
LIST_STYLE = "Перечень"
SPRAVKA_HEADER = ("№", "Направление", "Мероприятие", "Результат")
# Column shares: «№» narrow, the texts wide (python-docx would give every column the same).
SPRAVKA_SHARES = (14, 66, 55, 30)
DISAGREEMENT_SHARES = (7, 40, 22, 22, 22, 32)
PLAN_SHARES = (11, 120, 40, 55)


def _cell_text(cell: Any, text: str, bold: bool = False) -> None:
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(TABLE_FONT_PT)


def _grouped(lines: list[Line]) -> list[Line]:
    """Subjects with the same result on one line («ВПР, ДКР, ВсОШ — Не сообщено»), in the
    order of their first appearance: a row per procedure ran the справка to 7–9 pages.
    A problem's line (its message says what is wrong) stays on its own."""
    merged: dict[str, list[str]] = {}
    order: list[tuple[str, str]] = []  # (result, measure or "" for a merged group)
    for line in lines:
        if len(line.measure) > 30 or "\n" in line.measure:
            order.append((line.result, line.measure))
            continue
        if line.result not in merged:
            merged[line.result] = []
            order.append((line.result, ""))
        merged[line.result].append(line.measure)
    return [Line(measure or ", ".join(merged[result]), result) for result, measure in order]


def _docx_table(document: Any, header: tuple[str, ...], rows: list[tuple[str, ...]],
                shares: tuple[float, ...], text_width: float,
                sections: frozenset[int] = frozenset(),
                spans: list[tuple[int, int]] | None = None) -> Any:
    """A grid table with the header row repeated on every page; the rows whose index is in
    ``sections`` are section headings merged across the table; each ``spans`` (first, last)
    row range has its first two cells (number and title) merged down."""
    from checker.render import docx_layout

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True)
    docx_layout.repeat_header(table.rows[0])
    for index, values in enumerate(rows):
        row = table.add_row()
        if index in sections:
            docx_layout.merge_row(row, f"{values[0]} {values[1]}")
            for run in row.cells[0].paragraphs[0].runs:
                run.font.size = _points(TABLE_FONT_PT)
            docx_layout.keep_row_on_one_page(row)
            continue
        for cell, text in zip(row.cells, values, strict=True):
            _cell_text(cell, text)
    for first, last in spans or []:
        if last > first:  # +1: the header row
            for column in (0, 1):
                table.cell(first + 1, column).merge(table.cell(last + 1, column))
    docx_layout.apply_widths(table, docx_layout.column_widths(shares, text_width))
    return table


def _points(size: float) -> Any:
    from docx.shared import Pt

    return Pt(size)


def _docx_base(landscape: bool = False) -> tuple[Any, float]:
    """A new A4 document (margins of seed 002, page numbers); returns it and the text
    width in mm."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    from checker.render import docx_layout

    document = docx.Document()
    text_width = docx_layout.page_setup(document, landscape)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    style.paragraph_format.space_after = Pt(2)
    style.paragraph_format.line_spacing = 1.0
    items = document.styles.add_style(LIST_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    items.base_style = style
    items.font.size = Pt(LIST_FONT_PT)
    items.paragraph_format.space_after = Pt(0)
    docx_layout.page_numbers(document)
    return document, text_width


def _docx_title(document: Any, title: str, subtitle: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    head = document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.add_run(title).bold = True
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run(subtitle).bold = True


def spravka_docx(doc: Document, path: Path) -> None:
    document, text_width = _docx_base()
    _docx_title(document, "Справка", f"о результатах обеспечения в {doc.school} объективности "
                f"проведения оценочных процедур (на {doc.as_of})")
    rows: list[tuple[str, ...]] = []
    headings: set[int] = set()
    spans: list[tuple[int, int]] = []
    for section in doc.sections:
        headings.add(len(rows))
        rows.append((section.number, section.title, "", ""))
        for row in section.rows:
            start = len(rows)
            for index, line in enumerate(_grouped(row.lines)):
                first = index == 0
                rows.append((row.number if first else "", row.title if first else "",
                             line.measure, line.result))
            spans.append((start, len(rows) - 1))
    _docx_table(document, SPRAVKA_HEADER, rows, SPRAVKA_SHARES, text_width,
                frozenset(headings), spans)
    if doc.disagreements:
        document.add_paragraph().add_run("Расхождения с самооценкой").bold = True
        _docx_table(
            document,
            ("№", "Мера", "Где", "По данным школы", "По итогам проверки", "Примечание"),
            [(str(i), x.rule, x.where, x.self_outcome, x.outcome, x.note)
             for i, x in enumerate(doc.disagreements, start=1)],
            DISAGREEMENT_SHARES, text_width,
        )
    if doc.changes is not None:
        _docx_changes(document, doc.changes)
    document.add_paragraph().add_run("Выводы:").bold = True
    for index, block in enumerate(doc.conclusions, start=1):
        document.add_paragraph(f"{index}). {block.head}")
        for number, text in enumerate(block.lines, start=1):
            document.add_paragraph(f"{number}. {text}", style=LIST_STYLE)
    level = document.add_paragraph()
    level.add_run(
        f"{len(doc.conclusions) + 1}). Уровень объективности – {doc.level}."
    ).bold = True
    document.add_paragraph().add_run(f"({doc.scale_note})").italic = True
    for reason in doc.reasons:
        document.add_paragraph(f"– {reason}", style=LIST_STYLE)
    if doc.listings:
        document.add_paragraph(f"Перечни ОО с признаками необъективности: {doc.listings}.")
    if doc.self_assessment:
        document.add_paragraph(doc.self_assessment)
        for reason in doc.self_reasons:
            document.add_paragraph(f"– {reason}", style=LIST_STYLE)
    document.add_paragraph(f"Исполнитель: {doc.executor}")
    document.save(str(path))


def _docx_changes(document: Any, changes: ChangeSummary) -> None:
    document.add_paragraph().add_run("Изменения с прошлой проверки").bold = True
    document.add_paragraph(changes.headline)
    document.add_paragraph(changes.counts)
    for title, lines in changes.groups:
        document.add_paragraph().add_run(f"{title}:").italic = True
        for line in lines:
            document.add_paragraph(f"– {line}")
    for heading, lines in (("Изменились наборы правил:", changes.packs),
                           ("История проверок:", changes.history)):
        if lines:
            document.add_paragraph().add_run(heading).italic = True
            for line in lines:
                document.add_paragraph(f"– {line}")


def plan_docx(doc: Document, path: Path) -> None:
    # landscape: the measure column gets the width its long texts need
    document, text_width = _docx_base(landscape=True)
    _docx_title(document, "План мероприятий", f"по обеспечению объективности оценки "
                f"образовательных результатов в {doc.school} на {doc.academic_year} учебный год")
    rows = plan_rows(doc) or [("", "Недостатков не выявлено: мероприятия не требуются", "", "")]
    headings = plan_section_rows(doc)
    _docx_table(document, PLAN_HEADER, list(rows), PLAN_SHARES, text_width, headings)
    document.save(str(path))

"""Page and table layout of the DOCX documents: what Word users otherwise fix by hand.

python-docx covers widths and margins; the header row repeated on each page
(``w:tblHeader``), the page number field and a fixed table layout need a few raw
WordprocessingML elements, built here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# A4 with the smallest margins of Russian office documents (ГОСТ Р 7.0.97-2016, п. 5.3:
# left 20 mm for the binding, right 10 mm, top and bottom 20 mm). The seed справка (002)
# survives as text only, so its margins are those of the standard it was written to.
A4_SHORT_MM, A4_LONG_MM = 210, 297
MARGINS_MM = {"left": 20, "right": 10, "top": 20, "bottom": 20}


def page_setup(document: Any, landscape: bool = False) -> float:
    """A4 in the given orientation with the office margins; returns the text width in mm."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section = document.sections[0]
    width, height = (A4_LONG_MM, A4_SHORT_MM) if landscape else (A4_SHORT_MM, A4_LONG_MM)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    return float(width - MARGINS_MM["left"] - MARGINS_MM["right"])


def column_widths(shares: Sequence[float], text_width_mm: float) -> list[float]:
    """Widths in mm proportional to ``shares``, filling the text width."""
    total = sum(shares)
    return [text_width_mm * share / total for share in shares]


def apply_widths(table: Any, widths_mm: Sequence[float]) -> None:
    """Fixed column widths: Word and LibreOffice honour a cell's width, not the column's,
    and only with a fixed layout (autofit would give every column the same width)."""
    from docx.shared import Mm

    table.autofit = False
    _fixed_layout(table)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _fixed_layout(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    layout = properties.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        properties.append(layout)
    layout.set(qn("w:type"), "fixed")


def repeat_header(row: Any) -> None:
    """The row is printed again at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def keep_row_on_one_page(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    properties.append(cant_split)


def merge_row(row: Any, text: str) -> None:
    """One cell across the whole row, bold: a section heading of the table."""
    merged = row.cells[0].merge(row.cells[-1])
    merged.text = ""
    merged.paragraphs[0].add_run(text).bold = True


def page_numbers(document: Any) -> None:
    """«Стр. N из M» centred in the footer, as Word fields (updated on opening/printing)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Стр. ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" из ")
    _field(paragraph, "NUMPAGES", "1")


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    begin = paragraph.add_run()
    begin._r.append(char("begin"))
    code = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    code._r.append(text)
    paragraph.add_run()._r.append(char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(char("end"))

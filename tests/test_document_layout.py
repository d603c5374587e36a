"""The documents as a reader gets them: page counts, widths, bold headers, print set-up.

Each artefact is checked in its file (DOCX / XLSX XML read back) and, where a defect only
shows on paper, printed: LibreOffice → PDF (pdfinfo, pdftotext) → PNG (pdftoppm). The
defects guarded against are those of issue 15: equal column widths, unmerged section rows,
no header row on the next page, no page numbers, a справка of 7–9 pages, a plan squeezed
in portrait, XLSX without widths / bold header / print set-up (page 1 held only «№»).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

AS_OF = "2022-04-01"
SAMPLE = FIXTURES / "kamenskaya-2022.yaml"
A4_PORTRAIT = r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)"
A4_LANDSCAPE = r"Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)"


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"нет {name}: запустите scripts/ensure-system-tools.sh (или ./dev test)"
    return path


def run(*args: str | Path) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def objcheck(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", *map(str, args)],
                          capture_output=True, text=True, check=False)


def pages(pdf: Path) -> tuple[int, str]:
    info = run(tool("pdfinfo"), pdf)
    found = re.search(r"Pages:\s+(\d+)", info)
    assert found, info
    return int(found.group(1)), info


def to_pdf(document: Path, workdir: Path) -> Path:
    out = workdir / f"pdf-{document.suffix[1:]}"
    run(tool("soffice"), f"-env:UserInstallation={(workdir / 'lo').as_uri()}", "--headless",
        "--convert-to", "pdf", "--outdir", out, document)
    return out / f"{document.stem}.pdf"


def png(pdf: Path, stem: Path) -> Path:
    """Page 1 as PNG (what docs/img holds); asserts it is a real, non-empty image."""
    run(tool("pdftoppm"), "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, stem)
    image = stem.with_suffix(".png")
    data = image.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5_000
    return image


def docx_widths(path: Path, table: int = 0) -> list[int]:
    from docx import Document

    grid = Document(str(path)).tables[table]._tbl.tblGrid
    return [int(col.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w")) for col in grid]


@pytest.mark.system_tools
def test_spravka_docx_fits_two_to_four_pages_with_layout(tmp_path: Path) -> None:
    from docx import Document

    docx_path = tmp_path / "spravka.docx"
    assert objcheck("report", SAMPLE, "-f", "docx", "-o", docx_path, "--as-of",
                    AS_OF).returncode == 0
    document = Document(str(docx_path))
    table = document.tables[0]
    xml = table._tbl.xml
    # widths to content: «№» narrow, «Направление» the widest (was: four equal columns)
    widths = docx_widths(docx_path)
    assert widths[0] * 4 < widths[1] and widths[0] < widths[3]
    assert 'w:tblHeader w:val="true"' in table.rows[0]._tr.xml  # header on each page
    assert 'w:gridSpan w:val="4"' in xml  # section rows merged across
    assert 'w:vMerge' in xml  # a measure's number and title merged down its lines
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    section = document.sections[0]
    assert (section.page_width or 0) < (section.page_height or 0)  # portrait

    pdf = to_pdf(docx_path, tmp_path)
    count, info = pages(pdf)
    assert re.search(A4_PORTRAIT, info), info
    assert 2 <= count <= 4, f"справка на {count} страницах"
    text = run(tool("pdftotext"), "-layout", pdf, "-")
    assert f"Стр. 1 из {count}" in text
    # the header row printed again where the table runs onto page 2
    page_two = text.split("\f")[1]
    assert re.search(r"№\s+Направление\s+Мероприятие\s+Результат", page_two)
    png(pdf, tmp_path / "spravka")


@pytest.mark.system_tools
def test_pdf_format_of_spravka_and_plan(tmp_path: Path) -> None:
    spravka = tmp_path / "spravka.pdf"
    done = objcheck("report", SAMPLE, "-f", "pdf", "-o", spravka, "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    count, info = pages(spravka)
    assert re.search(A4_PORTRAIT, info) and 2 <= count <= 4

    plan = tmp_path / "plan.pdf"
    assert objcheck("plan", SAMPLE, "-f", "pdf", "-o", plan, "--as-of", AS_OF).returncode == 0
    count, info = pages(plan)
    assert re.search(A4_LANDSCAPE, info), info  # the plan in landscape: the texts fit
    assert count == 1
    text = run(tool("pdftotext"), "-layout", plan, "-")
    assert re.search(r"№\s+Мероприятие\s+Сроки\s+Ответственные", text)
    png(plan, tmp_path / "plan")


def test_pdf_without_libreoffice_is_a_russian_message(tmp_path: Path) -> None:
    env_path = str(Path(sys.executable).parent)  # python, but no soffice
    done = subprocess.run(
        [sys.executable, "-m", "checker", "report", str(SAMPLE), "-f", "pdf", "-o",
         str(tmp_path / "x.pdf"), "--as-of", AS_OF],
        capture_output=True, text=True, check=False, env={"PATH": env_path},
    )
    assert done.returncode == 2
    assert "нужен LibreOffice" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_plan_docx_widths_and_landscape(tmp_path: Path) -> None:
    from docx import Document

    path = tmp_path / "plan.docx"
    assert objcheck("plan", SAMPLE, "-f", "docx", "-o", path, "--as-of", AS_OF).returncode == 0
    section = Document(str(path)).sections[0]
    assert (section.page_width or 0) > (section.page_height or 0)
    widths = docx_widths(path)
    assert widths[1] == max(widths) and widths[0] * 5 < widths[1]


@pytest.mark.system_tools
def test_plan_xlsx_prints_on_one_page_wide(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "plan.xlsx"
    assert objcheck("plan", SAMPLE, "-f", "xlsx", "-o", path, "--as-of", AS_OF).returncode == 0
    sheet = load_workbook(path).active
    assert sheet is not None
    assert all(cell.font.bold for cell in sheet[2])  # the header row
    assert sheet.column_dimensions["B"].width > 3 * sheet.column_dimensions["A"].width
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$2"
    assert "A3:D3" in {str(r) for r in sheet.merged_cells.ranges}  # the first section row

    pdf = to_pdf(path, tmp_path)
    count, info = pages(pdf)
    assert re.search(A4_LANDSCAPE, info) and count == 1
    text = run(tool("pdftotext"), "-layout", pdf, "-")
    # page 1 holds every column (was: only «№»)
    assert re.search(r"№\s+Мероприятие\s+Сроки\s+Ответственные", text)
    png(pdf, tmp_path / "plan-xlsx")


@pytest.mark.system_tools
def test_summary_xlsx_and_csv_read_in_russian(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from checker.batch.xlsx import PERCENT_FORMAT
    from checker.model.rulepack import SEVERITY_TITLES

    out = tmp_path / "out"
    done = objcheck("batch", FIXTURES / "kamenskaya-2022.yaml", FIXTURES / "regional",
                    "--out", out, "--no-cache", "--as-of", AS_OF)
    assert done.returncode in (0, 2), done.stderr
    book = load_workbook(out / "summary.xlsx")
    schools = book["Школы"]
    header = [c.value for c in schools[1]]
    assert all(c.font.bold for c in schools[1])
    score = schools.cell(row=2, column=header.index("балл") + 1)
    assert isinstance(score.value, float) and score.number_format == PERCENT_FORMAT
    assert round(score.value, 3) == score.value  # rounded as the text shows it
    assert schools.column_dimensions["C"].width >= 30  # the school's name
    assert schools.page_setup.orientation == "landscape" and schools.page_setup.fitToWidth == 1
    assert schools.print_title_rows == "$1:$1"
    findings = book["Результаты по правилам"]
    severities = {row[7] for row in findings.iter_rows(min_row=2, values_only=True)}
    assert severities <= set(SEVERITY_TITLES.values())

    rows = list(csv.reader((out / "findings.csv").read_text(encoding="utf-8-sig").splitlines(),
                           delimiter=";"))
    assert {r[7] for r in rows[1:]} == severities
    summary = list(csv.reader((out / "summary.csv").read_text(encoding="utf-8-sig")
                              .splitlines(), delimiter=";"))
    scores = [r[summary[0].index("балл")] for r in summary[1:]]
    assert all(re.fullmatch(r"\d{1,3},\d %", s) for s in scores if s), scores

    pdf = to_pdf(out / "summary.xlsx", tmp_path)
    first = run(tool("pdftotext"), "-layout", "-f", "1", "-l", "1", pdf, "-")
    # fitted to the page width: the first and the last column on page 1
    assert "файл" in first and header[-1] in first
    png(pdf, tmp_path / "summary-xlsx")

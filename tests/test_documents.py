"""The справка and the plan in every format, checked as a reader would see them:
HTML printed by headless Chromium, DOCX converted by LibreOffice.

The system tools come from scripts/ensure-system-tools.sh (run by ./dev test); a missing
tool fails the test: the checks are never skipped. The tests that need them are marked
``system_tools``: ``./dev test-rules`` deselects them (``-m "not system_tools"``) for rule
authors without Chromium / LibreOffice / poppler; ``./dev test`` runs them all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker.io.profile_edit import ProfileFile
from checker.model.profile import InspectionVerdict
from tests.conftest import FIXTURES

AS_OF = "2022-04-01"
AT = dt.datetime(2022, 4, 1, 10, 0, 0)
SCHOOL = "МКОУ «Каменская средняя общеобразовательная школа»"
LONG_NOTE = "Акт" + "№" * 150 + " — без пробелов, чтобы проверить перенос в ячейке"
# The printable width of A4 with the margins of base.css (210 − 20 − 15 mm) at 96 px per inch.
A4_CONTENT_PX = round((210 - 35) / 25.4 * 96)
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"нет {name}: запустите scripts/ensure-system-tools.sh (или ./dev test)"
    return path


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, cwd=cwd
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def objcheck(*args: str | Path) -> str:
    return run(sys.executable, "-m", "checker", *args, "--as-of", AS_OF)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture()
def inspected(tmp_path: Path) -> Path:
    """A copy of the fixture with an inspection that disagrees with the school."""
    path = tmp_path / "school.yaml"
    shutil.copy(FIXTURES / "kamenskaya-2022.yaml", path)
    ProfileFile(path).record(
        [
            InspectionVerdict(rule="FED-VID-001", subject="vpr", verdict="rejected",
                              note=LONG_NOTE, at=AT),
            InspectionVerdict(rule="FED-ORG-001", verdict="confirmed", at=AT),
        ],
        inspector="Проверяющая А.А.",
        date=dt.date(2022, 4, 1),
    )
    return path


def soffice_text(document: Path, workdir: Path) -> str:
    run(
        tool("soffice"), f"-env:UserInstallation=file://{workdir}/lo-profile", "--headless",
        "--convert-to", "txt:Text (encoded):UTF8", "--outdir", workdir / "txt", document,
    )
    return (workdir / "txt" / f"{document.stem}.txt").read_text(encoding="utf-8-sig")


def chromium(workdir: Path, *args: str) -> str:
    profile = workdir / "chromium-profile"
    return run(tool("chromium"), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args)


def test_spravka_markdown(inspected: Path) -> None:
    text = objcheck("report", inspected, "--format", "md")
    assert "| № | Направление | Мероприятие | Результат |" in text
    assert text.index("| № |") < text.index("## Выводы") < text.index("Уровень объективности –")
    assert "## Расхождения с самооценкой" in text
    assert "Исполнитель: Проверяющая А.А." in text
    assert "(на 01.04.2022)" in text


@pytest.mark.system_tools
def test_spravka_html_prints_on_a4_in_chromium(inspected: Path, tmp_path: Path) -> None:
    html_path = tmp_path / "spravka.html"
    objcheck("report", inspected, "--format", "html", "--output", html_path)
    html = html_path.read_text(encoding="utf-8")
    # Self-contained: no external assets.
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", html)
    assert "size: A4" in html

    pdf = tmp_path / "spravka.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html_path.as_uri())
    info = run(tool("pdfinfo"), pdf)
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    text = flat(run(tool("pdftotext"), pdf, "-"))
    for expected in (
        "Справка", SCHOOL, "(на 01.04.2022)", "Направление", "Мероприятие", "Результат",
        "Выводы", "Уровень объективности – не определён", "Расхождения с самооценкой",
        "Исполнитель: Проверяющая А.А.",
    ):
        assert expected in text, expected
    # The long note is wrapped inside its cell, so all of it is on the pages.
    assert "№" * 30 in run(tool("pdftotext"), pdf, "-").replace("\n", "")

    # Nothing wider than the printable A4 width: measure every element in the browser.
    probe = html_path.with_name("probe.html")
    probe.write_text(html.replace("</body>", PROBE_SCRIPT + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, f"--window-size={A4_CONTENT_PX},1200", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="overflow">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run"
    result = json.loads(found.group(1))
    assert result["page"] <= A4_CONTENT_PX, result
    assert result["overflowing"] == [], result


PROBE_SCRIPT = """<script>
(function () {
  const overflowing = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      overflowing.push(el.tagName + ": " + el.textContent.slice(0, 40));
    }
  }
  const pre = document.createElement("pre");
  pre.id = "overflow";
  pre.textContent = JSON.stringify({
    page: document.documentElement.scrollWidth, overflowing: overflowing });
  document.body.appendChild(pre);
})();
</script>
"""


@pytest.mark.system_tools
def test_spravka_docx_opens_in_libreoffice(inspected: Path, tmp_path: Path) -> None:
    docx_path = tmp_path / "spravka.docx"
    objcheck("report", inspected, "--format", "docx", "--output", docx_path)
    text = flat(soffice_text(docx_path, tmp_path))
    for expected in (
        "Справка", SCHOOL, "Направление", "Мероприятие", "Результат", "Выводы:",
        "Уровень объективности – не определён", "Расхождения с самооценкой",
        "Исполнитель: Проверяющая А.А.", "Не выполнено (проверка: не подтверждено)",
    ):
        assert expected in text, expected


PLAN_MEASURE = "Оборудовать видеонаблюдением все аудитории"


def test_plan_markdown_and_csv(inspected: Path, tmp_path: Path) -> None:
    md = objcheck("plan", inspected, "--format", "md")
    assert "| № | Мероприятие | Сроки | Ответственные |" in md
    assert PLAN_MEASURE in md
    # The CSV convention of the batch files too: «;» and a BOM, so a Russian Excel opens it
    # in columns (with «,» and no BOM it opened as one column of mojibake).
    path = tmp_path / "plan.csv"
    objcheck("plan", inspected, "--format", "csv", "--output", path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["№", "Мероприятие", "Сроки", "Ответственные"]
    shown = objcheck("plan", inspected, "--format", "csv")
    assert list(csv.reader(io.StringIO(shown), delimiter=";")) == rows
    measures = [r for r in rows[1:] if r[2]]
    assert any(r[1].startswith(PLAN_MEASURE) for r in measures)
    # The inspector's «не подтверждено» (video at the ВПР) is a gap to plan for.
    assert any("видеонаблюдение" in r[1].lower() and "ВПР" in r[1] for r in measures)
    assert all(r[3] for r in measures)


@pytest.mark.system_tools
def test_plan_xlsx_and_docx(inspected: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    xlsx = tmp_path / "plan.xlsx"
    objcheck("plan", inspected, "--format", "xlsx", "--output", xlsx)
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ["№", "Мероприятие", "Сроки", "Ответственные"]
    assert any(str(row[1]).startswith(PLAN_MEASURE) for row in values[2:])

    docx_path = tmp_path / "plan.docx"
    objcheck("plan", inspected, "--format", "docx", "--output", docx_path)
    text = flat(soffice_text(docx_path, tmp_path))
    for expected in ("План мероприятий", "Сроки", "Ответственные", PLAN_MEASURE, SCHOOL):
        assert expected in text, expected

"""``batch --out DIR`` writes DIR/index.html: self-contained, charts as inline SVG, a table
that sorts, filters and pages — checked in headless Chromium (the ``system_tools`` tests)
and, for what needs no browser, by reading the page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker.batch.dashboard import PAGE_SIZE
from checker.testing.synthetic import write_profiles
from tests.conftest import FIXTURES

AS_OF = "2024-05-01"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
HOSTILE = "Школа </script><img src=x onerror=alert(1)> №1"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dash")
    schools = root / "schools"
    shutil.copytree(FIXTURES, schools / "fixtures")
    write_profiles(schools / "generated", PAGE_SIZE + 20, seed=11)  # more than one page
    hostile = (schools / "fixtures" / "school-silent.yaml").read_text(encoding="utf-8")
    name = re.search(r"^  name: (.*)$", hostile, re.M)
    assert name
    (schools / "hostile.yaml").write_text(
        hostile.replace(name.group(0), f"  name: {json.dumps(HOSTILE, ensure_ascii=False)}"),
        encoding="utf-8")
    target = root / "out"
    done = subprocess.run(
        [sys.executable, "-m", "checker", "batch", str(schools), "--out", str(target),
         "--reports", "--no-cache", "--as-of", AS_OF],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode in (0, 2), done.stderr
    return target


def test_page_is_self_contained_and_escapes_names(out: Path) -> None:
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Уровни по муниципалитетам" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # no network
    assert "@import" not in page and "url(" not in page
    assert HOSTILE not in page and "</script><img" not in page  # the name stays text
    assert page.count("<script") == 2


def test_works_with_signs_are_counted_per_work(out: Path) -> None:
    """The chart «работы с признаками» counts the schools with each marker, as summary.json
    gives them; the marker filter offers every work found."""
    page = (out / "index.html").read_text(encoding="utf-8")
    schools = json.loads((out / "summary.json").read_text("utf-8"))["schools"]
    counts: dict[str, int] = {}
    for school in schools:
        for marker in school["markers"]:
            counts[marker] = counts.get(marker, 0) + 1
    assert counts, "в данных нет школ с признаками — тест ничего бы не проверил"
    chart = page.split("Работы с признаками необъективности результатов", 1)[1]
    chart = chart.split("<h2>", 1)[0]
    top = max(counts.items(), key=lambda item: (item[1], item[0]))
    assert f">{top[0]}</text>" in chart and f">{top[1]} ОО (" in chart
    for marker in counts:
        assert f"<option>{marker}</option>" in page


def _chromium(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    chromium = shutil.which("chromium")
    assert chromium, "нет chromium: запустите scripts/ensure-system-tools.sh (или ./dev test)"
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={workdir / 'chromium-profile'}", *args],
        capture_output=True, text=True, check=False,
    )


PROBE = """<script>
(function () {
  function column(i) {
    return Array.from(document.querySelectorAll("#schools tbody tr"))
      .map(function (tr) { return tr.children[i].textContent; });
  }
  var result = { errors: window.__errors, rows: column(0).length };
  var th = document.querySelectorAll("#schools th");
  th[5].click();  // «Недостатков», ascending
  result.problemsUp = column(5).map(Number);
  th[5].click();  // descending
  result.problemsDown = column(5).map(Number);
  var filter = document.getElementById("filter");
  filter.value = "№1"; filter.dispatchEvent(new Event("input"));
  result.filtered = column(0);
  filter.value = ""; filter.dispatchEvent(new Event("input"));
  var level = document.getElementById("level");
  level.value = "не определён"; level.dispatchEvent(new Event("change"));
  result.levels = column(2);
  result.link = document.querySelector("#schools tbody a") &&
    document.querySelector("#schools tbody a").getAttribute("href");
  level.value = ""; level.dispatchEvent(new Event("change"));
  var markers = document.getElementById("markers");
  markers.value = "*"; markers.dispatchEvent(new Event("change"));
  result.withSigns = column(6);
  markers.value = "-"; markers.dispatchEvent(new Event("change"));
  result.withoutSigns = column(6);
  markers.value = "5 МА"; markers.dispatchEvent(new Event("change"));
  result.oneWork = column(6);
  markers.value = ""; markers.dispatchEvent(new Event("change"));
  document.getElementById("next").click();
  result.secondPage = column(0).length;
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
})();
</script>"""
CATCH = ("<script>window.__errors = []; window.addEventListener('error', function (e) "
         "{ window.__errors.push(e.message); });</script>")


@pytest.mark.system_tools
def test_dashboard_sorts_filters_and_pages_in_chromium(out: Path, tmp_path: Path) -> None:
    page = (out / "index.html").read_text(encoding="utf-8")
    probe = out / "probe.html"  # beside index.html: the report links resolve the same
    probe.write_text(page.replace("<head>", "<head>" + CATCH, 1)
                     .replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = _chromium(tmp_path, "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    result = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                        .replace("&lt;", "<").replace("&gt;", ">"))
    assert result["errors"] == []
    assert result["rows"] == PAGE_SIZE  # the first page, not every school at once
    assert result["problemsUp"] == sorted(result["problemsUp"])
    assert result["problemsDown"] == sorted(result["problemsDown"], reverse=True)
    assert result["problemsUp"] != result["problemsDown"]
    assert result["filtered"] and all("№1" in name for name in result["filtered"])
    assert HOSTILE in result["filtered"]  # shown as text, intact
    assert result["levels"] and set(result["levels"]) == {"не определён"}
    assert result["link"] and (out / result["link"]).is_file()  # the school's справка
    assert 0 < result["secondPage"] <= PAGE_SIZE
    assert result["withSigns"] and all(result["withSigns"])
    assert result["withoutSigns"] and not any(result["withoutSigns"])
    assert result["oneWork"] and all("5 МА" in m.split(", ") for m in result["oneWork"])

    pdf = tmp_path / "index.pdf"
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
              (out / "index.html").as_uri())
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"Page size:\s+841\.\d+ x 59[45]\.\d+ pts \(A4\)", info.stdout)

"""``DIR/index.html`` of ``objcheck batch --out DIR``: one self-contained page for a
coordinator — levels overall and per municipality, the measures most often missing (inline
SVG bars, no chart library, no network) and a sortable, filterable, paginated table of the
schools linking to each school's справка (``--reports`` writes them as HTML).

Size: the charts are aggregated (at most ``MAX_MUNICIPALITIES`` bars and
``MAX_MEASURES`` measures); the table's data is one compact JSON array (about 150 bytes a
school) that the script pages through ``PAGE_SIZE`` rows at a time, so 40,000 schools make a
page of a few megabytes, not a DOM of 40,000 rows. Every value from a file reaches the page
either escaped by ``html.escape`` or as JSON text put into the DOM with ``textContent``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from checker.batch.run import (
    LEVEL_ORDER,
    BatchResult,
    Municipality,
    level_counts,
    municipalities,
    report_names,
    schools_by_level,
)
from checker.model.rulepack import SEVERITY_TITLES
from checker.render.numbers import percent

DASHBOARD = "index.html"
MAX_MUNICIPALITIES = 40
MAX_MEASURES = 15
PAGE_SIZE = 100
LEVEL_COLOURS = {"высокий": "#2e7d32", "средний": "#f9a825", "низкий": "#c62828",
                 "не определён": "#9e9e9e"}
BAR_WIDTH = 460


LABEL_CHARS = 42  # what fits the 300 px before the bars


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def _bar_chart(rows: list[tuple[str, float, str]], unit: str = "") -> str:
    """Horizontal bars: (label, value 0…1 of the longest bar, text after the bar)."""
    height = 22
    parts = [f'<svg class="bars" viewBox="0 0 {BAR_WIDTH + 560} {height * len(rows) + 4}" '
             f'role="img" width="100%">']
    for index, (label, share, text) in enumerate(rows):
        y = index * height + 2
        width = max(1.0, share * BAR_WIDTH)
        parts.append(
            f'<text x="0" y="{y + 15}" class="label">{html.escape(_short(label))}</text>'
            f'<rect x="300" y="{y + 3}" width="{width:.1f}" height="15" fill="#1565c0"/>'
            f'<text x="{300 + width + 6:.1f}" y="{y + 15}">{html.escape(text)}{unit}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _stacked(rows: list[tuple[str, dict[str, int]]]) -> str:
    """One stacked bar per row: the schools of each level, widths by share of the row."""
    height = 22
    parts = [f'<svg class="bars" viewBox="0 0 {BAR_WIDTH + 360} {height * len(rows) + 4}" '
             f'role="img" width="100%">']
    for index, (label, levels) in enumerate(rows):
        y = index * height + 2
        total = sum(levels.values()) or 1
        x = 300.0
        parts.append(f'<text x="0" y="{y + 15}" class="label">{html.escape(_short(label))}</text>')
        for level in LEVEL_ORDER:
            count = levels.get(level, 0)
            if not count:
                continue
            width = count / total * BAR_WIDTH
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="15" '
                         f'fill="{LEVEL_COLOURS.get(level, "#777")}"><title>'
                         f'{html.escape(level)}: {count}</title></rect>')
            x += width
        parts.append(f'<text x="{300 + BAR_WIDTH + 6}" y="{y + 15}">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    return "".join(
        f'<span class="key"><i style="background:{colour}"></i>{html.escape(level)}</span>'
        for level, colour in LEVEL_COLOURS.items()
    )


def _municipality_rows(items: list[Municipality]) -> list[tuple[str, dict[str, int]]]:
    """The largest municipalities; the rest summed into one row, so the chart stays short."""
    ranked = sorted(items, key=lambda m: (-m.schools, m.region, m.municipality))
    rows = [(f"{m.municipality} ({m.region})", m.levels) for m in ranked[:MAX_MUNICIPALITIES]]
    rest = ranked[MAX_MUNICIPALITIES:]
    if rest:
        summed: dict[str, int] = {}
        for m in rest:
            for level, count in m.levels.items():
                summed[level] = summed.get(level, 0) + count
        rows.append((f"остальные ({len(rest)} муниципалитетов)", summed))
    return rows


def _school_links(result: BatchResult, with_reports: bool) -> dict[str, str]:
    if not with_reports:
        return {}
    files = [s.file for s in result.schools]
    files += [e.file for e in result.errors if Path(e.file).is_file()]
    stems = report_names(sorted(set(files)))
    return {s.file: f"reports/{stems[s.file]}.html" for s in result.schools}


def work_signs(result: BatchResult) -> list[tuple[str, int]]:
    """Each work with a sign (the federal lists' «5 МА») and how many schools have it, most
    first."""
    counts: dict[str, int] = {}
    for school in result.schools:
        for marker in school.markers:
            counts[marker] = counts.get(marker, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _work_signs_chart(works: list[tuple[str, int]], schools: int) -> str:
    if not works:
        return "<p>Признаков в результатах не найдено.</p>"
    return _bar_chart([
        (marker, count / schools, f"{count} ОО ({percent(count / schools)})")
        for marker, count in works[:MAX_MEASURES]
    ])


def _marker_options(works: list[tuple[str, int]]) -> str:
    return "".join(f"<option>{html.escape(marker)}</option>" for marker, _ in sorted(works))


def _table_data(result: BatchResult, links: dict[str, str]) -> str:
    # [name, municipality, level, score, score text, coverage, coverage text, problems,
    #  link, level rank, markers, number of markers]: numbers to sort by, texts to show
    # (rounded as everywhere else)
    rank = {level: index for index, level in enumerate(LEVEL_ORDER)}
    rows = [
        [s.name, s.municipality or "", s.level, s.score, percent(s.score, "—"), s.coverage,
         percent(s.coverage), sum(s.counts.get(o, 0) for o in ("violation", "gap", "overdue")),
         links.get(s.file, ""), rank.get(s.level, len(rank)), list(s.markers), len(s.markers)]
        for s in schools_by_level(result.schools)
    ]
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    # inside <script>: «</script>» or «<!--» in a name must not end or change the script
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def dashboard_html(result: BatchResult, with_reports: bool = False) -> str:
    counts = level_counts(result.schools)
    total = len(result.schools) or 1
    levels = _bar_chart([(level, counts.get(level, 0) / total, str(counts.get(level, 0)))
                         for level in counts])
    by_municipality = _stacked(_municipality_rows(municipalities(result.schools)))
    missing = result.most_missing()[:MAX_MEASURES]
    measures = _bar_chart([
        (f"{m.rule_id} {m.title}", m.share,
         f"{percent(m.share)} школ ({m.schools}; {SEVERITY_TITLES.get(m.severity, m.severity)})")
        for m in missing
    ]) if missing else "<p>Недостатков не найдено.</p>"
    data = _table_data(result, _school_links(result, with_reports))
    errors = len({e.file for e in result.errors})
    works = work_signs(result)
    return _PAGE.format(
        as_of=f"{result.as_of:%d.%m.%Y}", schools=len(result.schools), errors=errors,
        scale=html.escape(result.scale_note), levels=levels, legend=_legend(),
        municipalities=by_municipality, measures=measures, data=data, page=PAGE_SIZE,
        works=_work_signs_chart(works, total), marker_options=_marker_options(works),
    )


def write_dashboard(result: BatchResult, out: Path, with_reports: bool = False) -> Path:
    path = out / DASHBOARD
    path.write_text(dashboard_html(result, with_reports), encoding="utf-8")
    return path


_PAGE = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Объективность оценочных процедур: сводка на {as_of}</title>
<style>
@page {{ size: A4 landscape; margin: 12mm; }}
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 16px; color: #222; }}
h1 {{ font-size: 20px; }} h2 {{ font-size: 16px; margin-top: 24px; }}
.note {{ color: #555; font-size: 12px; }}
svg.bars {{ font-size: 12px; max-width: 900px; display: block; }}
svg .label {{ fill: #333; }}
.key {{ margin-right: 12px; font-size: 12px; }}
.key i {{ display: inline-block; width: 10px; height: 10px; margin-right: 4px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
th, td {{ border: 1px solid #ccc; padding: 3px 6px; text-align: left; }}
th {{ background: #eee; cursor: pointer; user-select: none; }}
th.num, td.num {{ text-align: right; white-space: nowrap; }}
#controls {{ margin: 8px 0; }}
@media print {{ #controls, #pager {{ display: none; }} th {{ cursor: default; }} }}
</style></head><body>
<h1>Объективность оценочных процедур: сводка на {as_of}</h1>
<p>Школ проверено: {schools}; файлов с ошибками: {errors}.</p>
<p class="note">{scale}</p>
<h2>Уровни объективности</h2>{levels}
<h2>Уровни по муниципалитетам</h2><p>{legend}</p>{municipalities}
<h2>Чаще всего не выполнены</h2>{measures}
<h2>Работы с признаками необъективности результатов</h2>
<p class="note">Сколько школ с признаком в работе (маркеры, как в федеральных перечнях).</p>
{works}
<h2>Школы</h2>
<div id="controls"><label>Поиск: <input id="filter" type="search"
 placeholder="школа или муниципалитет"></label>
<label>Уровень: <select id="level"><option value="">все</option>
<option>высокий</option><option>средний</option><option>низкий</option>
<option>не определён</option></select></label>
<label>Признаки в результатах: <select id="markers"><option value="">все школы</option>
<option value="*">есть</option><option value="-">нет</option>{marker_options}</select>
</label></div>
<table id="schools"><thead><tr>
<th data-key="0">Школа</th><th data-key="1">Муниципалитет</th><th data-key="9">Уровень</th>
<th data-key="3" class="num">Балл</th><th data-key="5" class="num">Полнота</th>
<th data-key="7" class="num">Недостатков</th><th data-key="11">Маркеры</th></tr></thead>
<tbody></tbody></table>
<p id="pager"><button id="prev">←</button> <span id="where"></span>
<button id="next">→</button></p>
<script type="application/json" id="data">{data}</script>
<script>
(function () {{
  "use strict";
  var rows = JSON.parse(document.getElementById("data").textContent);
  var body = document.querySelector("#schools tbody");
  var state = {{ key: null, up: true, page: 0, shown: rows }};
  var PAGE = {page};
  function cell(tr, text, cls) {{
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }}
  function draw() {{
    var pages = Math.max(1, Math.ceil(state.shown.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    body.textContent = "";
    state.shown.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (r) {{
      var tr = document.createElement("tr");
      var name = cell(tr, "");
      if (r[8]) {{
        var a = document.createElement("a");
        a.href = r[8]; a.textContent = r[0]; name.appendChild(a);
      }} else {{ name.textContent = r[0]; }}
      cell(tr, r[1]); cell(tr, r[2]); cell(tr, r[4], "num"); cell(tr, r[6], "num");
      cell(tr, String(r[7]), "num"); cell(tr, r[10].join(", "));
      body.appendChild(tr);
    }});
    document.getElementById("where").textContent = "строки " +
      (state.shown.length ? state.page * PAGE + 1 : 0) + "–" +
      Math.min((state.page + 1) * PAGE, state.shown.length) + " из " + state.shown.length;
  }}
  function apply() {{
    var text = document.getElementById("filter").value.toLowerCase();
    var level = document.getElementById("level").value;
    var marker = document.getElementById("markers").value;
    state.shown = rows.filter(function (r) {{
      return (!level || r[2] === level) &&
        (!marker || (marker === "*" ? r[11] > 0 : marker === "-" ? r[11] === 0 :
                     r[10].indexOf(marker) >= 0)) &&
        (!text || (r[0] + " " + r[1]).toLowerCase().indexOf(text) >= 0);
    }});
    if (state.key !== null) {{
      var k = state.key, up = state.up ? 1 : -1;
      state.shown.sort(function (a, b) {{
        var x = a[k], y = b[k];
        if (x === null) return 1;
        if (y === null) return -1;
        return (typeof x === "number" ? x - y : String(x).localeCompare(String(y), "ru")) * up;
      }});
    }}
    state.page = 0;
    draw();
  }}
  document.querySelectorAll("#schools th").forEach(function (th) {{
    th.addEventListener("click", function () {{
      var key = Number(th.dataset.key);
      state.up = state.key === key ? !state.up : true;
      state.key = key;
      apply();
    }});
  }});
  document.getElementById("filter").addEventListener("input", apply);
  document.getElementById("level").addEventListener("change", apply);
  document.getElementById("markers").addEventListener("change", apply);
  document.getElementById("prev").addEventListener("click", function () {{
    if (state.page > 0) {{ state.page -= 1; draw(); }}
  }});
  document.getElementById("next").addEventListener("click", function () {{
    state.page += 1; draw();
  }});
  draw();
}})();
</script></body></html>
"""

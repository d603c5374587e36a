"""Report → rich terminal output: the level and its reasons first, then the findings by
direction, gaps and violations first, each with its source and remediation."""

from __future__ import annotations

import io
from collections.abc import Iterator

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from checker.model.diff import ReportDiff
from checker.model.findings import OUTCOME_TITLES, PROBLEMS, SEVERITY_OF_OUTCOME, Finding, Outcome
from checker.model.report import Report, ResultRowInfo, WorkResultsInfo
from checker.model.rulepack import DIRECTION_TITLES, SEVERITY_TITLES, UNDETERMINED
from checker.model.sources import SOURCES, cite
from checker.render.changes import change_summary
from checker.render.numbers import percent
from checker.render.safe import clean_report, plain

LEVEL_STYLES = {"высокий": "bold green", "средний": "bold yellow", "низкий": "bold red"}
OUTCOME_STYLES = {
    Outcome.VIOLATION: "bold red",
    Outcome.GAP: "red",
    Outcome.OVERDUE: "red",
    Outcome.STALE: "yellow",
    Outcome.DUE_SOON: "yellow",
    Outcome.UNKNOWN: "blue",
    Outcome.FEW_DATA: "dim",
    Outcome.MET: "green",
    Outcome.MET_LATE: "green",
    Outcome.NOT_APPLICABLE: "dim",
    Outcome.NOT_YET_DUE: "dim",
    Outcome.WAIVED: "magenta",
}

TREND_STYLES = {"improved": "bold green", "worsened": "bold red", "unchanged": "bold"}


def source_text(finding: Finding) -> str:
    """«seed:000, п. 1.5: «…»» with a warning when the source is unconfirmed."""
    return cite(**finding.source.model_dump(exclude={"title"}))


def _header(report: Report) -> Panel:
    level = report.level
    style = LEVEL_STYLES.get(level.level, "bold blue")
    lines = Text()
    lines.append(f"{report.school.name}\n", style="bold")
    lines.append(f"На дату: {report.as_of:%d.%m.%Y} · учебный год {report.academic_year}\n")
    lines.append("Уровень объективности: ")
    lines.append(level.level if level.level != UNDETERMINED else "не определён", style=style)
    lines.append(f"\n({level.scale_note})\n", style="italic")
    for reason in level.reasons:
        lines.append(f"• {reason}\n")
    if report.list_history:
        lines.append(f"Перечни ОО с признаками необъективности: {listing_text(report)}\n")
    packs = ", ".join(p.title for p in report.packs)
    lines.append(f"Наборы правил: {packs}", style="dim")
    return Panel(lines, title="objcheck", expand=True)


def _summary(report: Report) -> Text:
    parts = [
        f"{OUTCOME_TITLES[Outcome(k)]}: {v}"
        for k, v in report.counts.items()
        if v and Outcome(k) is not Outcome.NOT_APPLICABLE
    ]
    return Text("Итого по мерам — " + "; ".join(parts), style="bold")


def _deadlines(report: Report) -> Iterator[RenderableType]:
    """«Ближайшие сроки»: overdue and due-soon measures with their dates."""
    if not report.deadlines:
        return
    yield Text("\nБлижайшие сроки", style="bold underline")
    table = Table(show_header=False, box=None, padding=(0, 1))
    for item in report.deadlines:
        table.add_row(
            plain(f"{item.due:%d.%m.%Y}"),
            Text(OUTCOME_TITLES[item.outcome], style=OUTCOME_STYLES[item.outcome]),
            plain(f"{item.rule_id} {item.message}"),
        )
    yield table


def _finding_block(finding: Finding, report: Report) -> RenderableType:
    style = OUTCOME_STYLES.get(finding.outcome, "")
    head = Text()
    head.append(f"[{OUTCOME_TITLES[finding.outcome]}] ", style=style)
    head.append(f"{finding.rule_id} {finding.title}", style="bold")
    head.append(f"  ({SEVERITY_TITLES.get(finding.severity, finding.severity)})", style="dim")
    body = Text()
    for subject in finding.subjects:
        if subject.outcome is finding.outcome or subject.outcome in PROBLEMS:
            body.append(f"  – {subject.message}", style=OUTCOME_STYLES.get(subject.outcome, ""))
            body.append("\n")
    if not finding.subjects:
        body.append(f"  – {finding.message}\n")
    body.append(f"  Источник: {source_text(finding)}\n", style="dim")
    if finding.outcome in PROBLEMS or finding.outcome is Outcome.UNKNOWN:
        rem = finding.remediation
        body.append(f"  Что сделать: {rem.measure} — {rem.responsible}, {rem.due}\n", style="cyan")
    return Group(head, body)


def _direction_section(report: Report, direction: str) -> Iterator[RenderableType]:
    chosen = [
        f for f in report.findings
        if f.direction == direction and f.outcome is not Outcome.NOT_APPLICABLE
    ]
    if not chosen:
        return
    chosen.sort(key=lambda f: (SEVERITY_OF_OUTCOME.index(f.outcome), f.rule_id))
    yield Text(f"\n{DIRECTION_TITLES[direction]}", style="bold underline")
    attention = [f for f in chosen if f.outcome not in (Outcome.MET, Outcome.WAIVED)]
    for finding in attention:
        yield _finding_block(finding, report)
    met = [f for f in chosen if f.outcome in (Outcome.MET, Outcome.WAIVED)]
    if met:
        table = Table(show_header=False, box=None, padding=(0, 1))
        for finding in met:
            table.add_row(
                Text(OUTCOME_TITLES[finding.outcome], style=OUTCOME_STYLES[finding.outcome]),
                plain(f"{finding.rule_id} {finding.title}"),
            )
        yield table


def _parameters(report: Report) -> Iterator[RenderableType]:
    """Effective parameter values that a regional or municipal layer set."""
    federal = {p.pack for p in report.packs if p.layer == "federal"}
    changed = [p for p in report.parameters if p.set_by not in federal]
    if not changed:
        return
    yield Text("\nПараметры, заданные региональным или муниципальным набором", style="bold")
    for param in changed:
        yield Text(
            f"  {param.title}: {param.value} — задано набором «{param.set_by}» "
            f"(объявлено в «{param.default_by}»)"
        )


def _conflicts(report: Report) -> Iterator[RenderableType]:
    if not report.conflicts:
        return
    yield Text("\nПротиворечия источников", style="bold underline")
    for conflict in report.conflicts:
        document = SOURCES.get(conflict.document or "", conflict.document or conflict.pack)
        line = Text()
        line.append(f"  – {document}, п. {conflict.item}: «{conflict.quote}»\n", style="yellow")
        line.append(
            f"    Не применяется: приоритет у {conflict.overridden_by}. {conflict.note}",
            style="dim",
        )
        yield line


def _share(count: int | None, pct: int | None) -> str:
    return "—" if count is None or pct is None else f"{count}\n{pct} %"


def _signs_cell(row: ResultRowInfo) -> Text:
    if row.flags:
        return Text(f"есть: {len(row.flags)}", style="red")
    if row.few_data:
        return Text("мало данных", style="dim")
    return Text("нет", style="green")


def _results_table(work: WorkResultsInfo) -> Table:
    table = Table(title=Text(work.title), title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True)
    for header in ("Класс", "N", "«2»", "«3»", "«4»", "«5»", "Пониз.", "Подтв.", "Повыс.",
                   "Признаки"):
        table.add_column(header, min_width={"Класс": 9, "Признаки": 11}.get(header))
    for row in work.rows:
        marks = row.mark_pct or {}
        table.add_row(
            Text(row.name, style="bold" if row.parallel else ""),
            Text(str(row.participants)),
            *(Text(f"{marks[m]} %" if m in marks else "—") for m in ("2", "3", "4", "5")),
            Text(_share(row.lowered, row.lowered_pct)),
            Text(_share(row.confirmed, row.confirmed_pct)),
            Text(_share(row.raised, row.raised_pct)),
            _signs_cell(row),
        )
    return table


def _results_signs(report: Report) -> Iterator[RenderableType]:
    """«Признаки необъективности результатов»: a table per work (N beside every share),
    then each sign with its reason."""
    if not report.results_signs:
        return
    yield Text("\nПризнаки необъективности результатов", style="bold underline")
    for work in report.results_signs:
        yield _results_table(work)
        if work.comparison and not work.work_flags:
            yield Text(f"  Все классы: {work.comparison}", style="dim")
        for flag in work.work_flags:
            yield Text(f"  Все классы: {flag}", style="red")
        for row in work.rows:
            for flag in row.flags:
                yield Text(f"  {row.name}: {flag}", style="red")
    yield Text(
        "  Класс, где писали меньше 10 учеников, — «мало данных»: доли показаны, признаки не "
        "выносятся. Пороги — параметры пакета results (условные, см. README).",
        style="dim",
    )


def render_report(report: Report) -> Group:
    """The whole terminal report as one rich renderable.

    Every string of the report (names, labels, messages, pack texts) is cleaned of control
    characters first, and none of them is read as rich markup (``Text``, not ``str``), so
    the report is safe on any console, in a terminal or in a ``.txt`` file.
    """
    report = clean_report(report)
    parts: list[RenderableType] = [_header(report), *_self_assessment(report), _summary(report)]
    parts.extend(Text(f"Предупреждение: {w}", style="yellow") for w in report.warnings)
    if report.changes is not None:
        parts.extend(_changes(report.changes))
    parts.extend(_parameters(report))
    parts.extend(_conflicts(report))
    parts.extend(_deadlines(report))
    parts.extend(_results_signs(report))
    parts.extend(_waivers(report))
    for direction in DIRECTION_TITLES:
        parts.extend(_direction_section(report, direction))
    parts.extend(_disagreement_section(report))
    not_applicable = [
        _not_applicable_text(f) for f in report.findings if f.outcome is Outcome.NOT_APPLICABLE
    ]
    if not_applicable:
        parts.append(Text(f"\nНе применимо: {', '.join(not_applicable)}", style="dim"))
    return Group(*parts)


def listing_text(report: Report) -> str:
    """«федеральный перечень 2023 (5 МА), 2024 (4 РУ, 5 МА); региональный перечень 2024»."""
    by_list: dict[str, list[str]] = {}
    for item in report.list_history:
        works = f" ({', '.join(item.works)})" if item.works else ""
        by_list.setdefault(item.title, []).append(f"{item.year}{works}")
    return "; ".join(f"{title} {', '.join(years)}" for title, years in by_list.items())


def _self_assessment(report: Report) -> Iterator[RenderableType]:
    check = report.self_assessment
    if check is None:
        return
    text = Text(check.verdict, style="green" if check.confirmed else "bold yellow")
    for reason in check.reasons:
        text.append(f"\n  – {reason}", style="default")
    yield text


def _not_applicable_text(finding: Finding) -> str:
    """«FED-X», or with the reason when there is one: «FED-X (мера действует с …)»."""
    reason = finding.message.removeprefix("не применимо: ")
    return finding.rule_id if reason == finding.message else f"{finding.rule_id} ({reason})"


def render_report_plain(report: Report, width: int = 100) -> str:
    """The terminal report as plain text (no colours), for a report file."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False, soft_wrap=False
    )
    console.print(render_report(report))
    return buffer.getvalue()


def _disagreement_section(report: Report) -> Iterator[RenderableType]:
    """Where an inspector's verdict changed what the school's statements led to (issue 6)."""
    from checker.core.verdicts import disagreements

    found = disagreements(report.findings)
    if not found:
        return
    yield Text("\nРасхождения с самооценкой", style="bold underline")
    for finding, subject in found:
        node = subject or finding
        self_outcome = node.self_outcome or node.outcome
        where = subject.label if subject else "мера в целом"
        line = Text(f"  – {finding.rule_id} {finding.title} · {where}: по данным школы — ")
        line.append(OUTCOME_TITLES[self_outcome], style=OUTCOME_STYLES[self_outcome])
        line.append(", по итогам проверки — ")
        line.append(OUTCOME_TITLES[node.outcome], style=OUTCOME_STYLES[node.outcome])
        if subject is not None and subject.note:
            line.append(f" ({subject.note})")
        yield line


def _waivers(report: Report) -> Iterator[RenderableType]:
    """«Исключения»: the profile's exceptions that apply (ignored ones are warnings)."""
    applied = [w for w in report.waivers if w.status == "applied"]
    if not applied:
        return
    yield Text("\nИсключения (согласованы, не входят в расчёт уровня)", style="bold underline")
    for waiver in applied:
        where = f" · {waiver.subject}" if waiver.subject else ""
        line = Text(f"  – {waiver.rule_id}{where}: {waiver.reason}\n", style="magenta")
        line.append(f"    согласовано: {waiver.agreed_by}, {waiver.document}; действует до "
                    f"{waiver.until:%d.%m.%Y}", style="dim")
        yield line


def _changes(diff: ReportDiff) -> Iterator[RenderableType]:
    """«Изменения с прошлой проверки» (``check --since``, ``objcheck diff``)."""
    summary = change_summary(diff)
    yield Text("\nИзменения с прошлой проверки", style="bold underline")
    style = TREND_STYLES[diff.trend]
    yield Text(summary.headline, style=style)
    yield Text(summary.counts)
    for warning in summary.warnings:
        yield Text(f"Предупреждение: {warning}", style="yellow")
    for title, lines in summary.groups:
        yield Text(f"{title}:", style="bold")
        yield from (Text(f"  – {line}") for line in lines)
    if summary.packs:
        yield Text("Изменились наборы правил:", style="bold")
        yield from (Text(f"  – {line}", style="yellow") for line in summary.packs)
    if summary.history:
        yield Text("История проверок:", style="bold")
        yield from (Text(f"  – {line}", style="dim") for line in summary.history)


def render_diff(diff: ReportDiff, school: str) -> Group:
    """``objcheck diff``: the changes between two reports of one school."""
    return Group(Text(school, style="bold"), *_changes(diff))


def render_quiet(report: Report) -> Text:
    """``check --quiet``: one line per problem, then one summary line; nothing else."""
    report = clean_report(report)
    lines = Text()
    for finding in report.problems():
        lines.append(f"{finding.rule_id} ", style="bold")
        lines.append(f"[{SEVERITY_TITLES[finding.severity]}] ", style=OUTCOME_STYLES.get(
            finding.outcome, ""))
        lines.append(f"{finding.title}: {finding.message}\n")
    level = report.level
    shown = level.level if level.level != UNDETERMINED else "не определён"
    lines.append(f"{report.school.name}: уровень {shown} ({percent(level.score, 'балл —')}); "
                 f"недостатков: {len(report.problems())}", style="bold")
    return lines

"""The ``objcheck`` command: a thin layer over ``checker.core.check``.

Exit codes: 0 — done; 1 — findings at or above ``--fail-on``; 2 — usage or input error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import signal
import sys
import textwrap
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from pydantic import BaseModel
from rich.text import Text

import checker.cli.import_questionnaire  # noqa: F401 - registers «import questionnaire»
from checker.cli.help_ru import russian_help
from checker.cli.imports import import_app, read_references
from checker.core.check import Checker, ensure_engine_limits
from checker.io.files import os_reason as russian_os_reason
from checker.io.packs import RuleBook, load_rulebook
from checker.model.errors import InputError
from checker.model.findings import PROBLEMS
from checker.model.profile import Profile
from checker.model.profile_schema import profile_json_schema
from checker.model.report import Report
from checker.model.rulepack import DIRECTION_TITLES, SEVERITY_ORDER, SEVERITY_TITLES, RulePack
from checker.model.sources import SOURCES, cite, short_title
from checker.render.safe import CSV_ENCODING, SafeConsole
from checker.render.text import render_quiet, render_report, source_text

if TYPE_CHECKING:
    from checker.batch.dask_run import DaskOptions
    from checker.batch.export import OutputSet
    from checker.batch.run import BatchOptions
    from checker.batch.since import PastRun
    from checker.model.profile import InspectionVerdict

russian_help()  # before the app is built: «Использование», «Параметры», «[обязательно]»

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C

app = typer.Typer(
    name="objcheck",
    help="Проверка мер по обеспечению объективности оценочных процедур (ВПР, ОГЭ/ЕГЭ, РПР/ДКР, "
    "НИКО, ВсОШ) по федеральным и региональным правилам.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish)
    pretty_exceptions_enable=False,
)
def _version(show: bool) -> None:
    if show:
        from importlib.metadata import version

        stdout.print(f"objcheck {version('objcheck')}", highlight=False)
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Показать версию objcheck и выйти"),
    ] = False,
) -> None:
    """Проверка мер по обеспечению объективности оценочных процедур (ВПР, ОГЭ/ЕГЭ, РПР/ДКР,
    НИКО, ВсОШ) по федеральным и региональным правилам."""


rules_app = typer.Typer(
    help="Правила: список, описание, покрытие источников, каталог.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")
app.add_typer(import_app, name="import")
cache_app = typer.Typer(help="Кэш пакетной проверки: сведения и очистка.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")

# Markup off and control characters removed: names and values from files are printed as
# they are, never obeyed (checker.render.safe).
stdout = SafeConsole(soft_wrap=False)
SUMMARY_WIDTH = 140  # of the batch summary when stdout is not a terminal
stderr = SafeConsole(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class Executor(StrEnum):
    local = "local"
    dask = "dask"


class FailOn(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    recommendation = "recommendation"


RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Каталог с пакетами правил (по умолчанию — встроенные)"),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Дата оценки ГГГГ-ММ-ДД (по умолчанию — сегодня)"),
]
ReferenceOption = Annotated[
    Path | None,
    typer.Option(
        "--reference",
        help="Распределение отметок муниципалитета или региона по работам (ФИС ОКО "
        "«Статистика по отметкам» .xlsx/.csv или YAML/JSON): для признака «выброс "
        "относительно муниципалитета» (RES-OUT-001)",
    ),
]
ProfileArgument = Annotated[Path, typer.Argument(
    metavar="ПРОФИЛЬ", help="Профиль школы (YAML или JSON)",
)]


def fail_input(error: InputError) -> NoReturn:
    """Print every problem of a bad input in Russian and exit with code 2."""
    for problem in error.problems:
        stderr.print(Text.assemble(("ошибка:", "red"), f" {problem}"), highlight=False)
    raise typer.Exit(EXIT_INPUT)


def parse_as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        stderr.print(f"ошибка: --as-of: «{value}» — не дата в формате ГГГГ-ММ-ДД", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


def open_rulebook(rules: Path | None) -> RuleBook:
    """Load and cross-check the packs, and check them against the engine's limits."""
    try:
        book = load_rulebook(rules)
        ensure_engine_limits(book)
    except InputError as error:
        fail_input(error)
    return book


def exit_code_for(report: Report, fail_on: FailOn | None) -> int:
    """1 when a problem finding is at or above the ``--fail-on`` severity."""
    if fail_on is None:
        return EXIT_OK
    threshold = SEVERITY_ORDER.index(fail_on.value)
    for finding in report.findings:
        if finding.outcome in PROBLEMS and SEVERITY_ORDER.index(finding.severity) >= threshold:
            return EXIT_FINDINGS
    return EXIT_OK


SinceOption = Annotated[
    Path | None,
    typer.Option(
        "--since",
        help="JSON-отчёт прошлой проверки (objcheck check --format json): показать, что "
        "изменилось",
    ),
]


def _read_report(path: Path) -> Report:
    from checker.io.reports import read_report

    try:
        return read_report(path)
    except InputError as error:
        fail_input(error)


def _report_for(
    profile: Path, as_of: str | None, rules: Path | None, since: Path | None = None,
    reference: Path | None = None,
) -> Report:
    """Evaluate one profile file (compared with the report ``since``, if given; against the
    distributions of ``reference``), or exit 2 with located Russian messages."""
    from checker.core.diff import with_changes

    previous = _read_report(since) if since is not None else None
    references = read_references(reference) if reference is not None else []
    checker = Checker(open_rulebook(rules))
    try:
        report = checker.check_file(profile, parse_as_of(as_of), references)
    except InputError as error:
        fail_input(error)
    return report if previous is None else with_changes(report, previous)


def _rule_filter(select: list[str], ignore: list[str], book: RuleBook) -> Callable[[str], bool]:
    """Which rule ids to show: ``--select`` (all when empty) minus ``--ignore``; an id or
    a prefix («FED-VID» — every FED-VID-…). A selector no rule matches is a typo: exit 2."""
    ids = [rule.id for rule in book.rules]

    def matches(rule_id: str, selector: str) -> bool:
        return rule_id == selector or rule_id.startswith(selector.rstrip("-") + "-")

    for selector in [*select, *ignore]:
        if not any(matches(rule_id, selector) for rule_id in ids):
            stderr.print(f"ошибка: --select/--ignore: правил «{selector}» нет (список: "
                         "objcheck rules list)", markup=False, highlight=False)
            raise typer.Exit(EXIT_INPUT)

    def chosen(rule_id: str) -> bool:
        picked = not select or any(matches(rule_id, s) for s in select)
        return picked and not any(matches(rule_id, s) for s in ignore)

    return chosen


def _only(report: Report, chosen: Callable[[str], bool]) -> Report:
    from checker.model.report import count_outcomes

    findings = [f for f in report.findings if chosen(f.rule_id)]
    return report.model_copy(update={"findings": findings, "counts": count_outcomes(findings)})


@app.command()
def check(
    profiles: Annotated[list[Path], typer.Argument(
        metavar="ПРОФИЛЬ", help="Профили школ (YAML), один или несколько",
    )],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text — на экран; json — для программ "
                                   "(несколько профилей — JSON-массив отчётов)")
    ] = OutputFormat.text,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Код 1, если есть недостатки этой важности или выше"),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Только недостатки и строка итога")
    ] = False,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", metavar="ID", help="Показать только эти правила: id или "
                     "начало id (FED-VID); можно несколько раз. Уровень считается по всем"),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="ID", help="Не показывать эти правила (id или начало "
                     "id); можно несколько раз. Уровень считается по всем"),
    ] = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    since: SinceOption = None,
    reference: ReferenceOption = None,
) -> None:
    """Проверить школу (или несколько) и вывести отчёт: уровень, причины, недостатки и что
    сделать."""
    chosen = _rule_filter(select or [], ignore or [], open_rulebook(rules))
    reports = [_only(_report_for(p, as_of, rules, since, reference), chosen) for p in profiles]
    if output_format is OutputFormat.json:
        if len(reports) == 1:
            sys.stdout.write(reports[0].model_dump_json(indent=2) + "\n")
        else:
            texts = ",\n".join(r.model_dump_json(indent=2) for r in reports)
            sys.stdout.write(f"[\n{texts}\n]\n")
    else:
        for index, report in enumerate(reports):
            if index:
                stdout.print()
            stdout.print(render_quiet(report) if quiet else render_report(report))
    raise typer.Exit(max(exit_code_for(report, fail_on) for report in reports))


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(metavar="БЫЛО", help="JSON-отчёт прошлой проверки")],
    new: Annotated[Path, typer.Argument(metavar="СТАЛО", help="JSON-отчёт новой проверки")],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text — на экран; json — для программ")
    ] = OutputFormat.text,
) -> None:
    """Что изменилось между двумя проверками школы: новые, устранённые, ухудшившиеся меры."""
    from checker.core.diff import diff_reports
    from checker.render.text import render_diff

    before, after = _read_report(old), _read_report(new)
    changes = diff_reports(before, after)
    if output_format is OutputFormat.json:
        sys.stdout.write(changes.model_dump_json(indent=2) + "\n")
    else:
        stdout.print(render_diff(changes, after.school.name))


@app.command()
def schema(
    what: Annotated[
        str, typer.Argument(
            metavar="ЧТО", help="profile — схема профиля; pack — схема пакета; report — отчёта",
        )
    ] = "profile",
) -> None:
    """Вывести JSON Schema профиля (или пакета правил, или отчёта) для проверки в редакторе."""
    models: dict[str, type[BaseModel]] = {"profile": Profile, "pack": RulePack, "report": Report}
    if what not in models:
        stderr.print(f"ошибка: неизвестная схема «{what}»; есть: {', '.join(models)}")
        raise typer.Exit(EXIT_INPUT)
    # The profile schema is the editors' one: Russian titles of values, Russian dates.
    document = profile_json_schema() if what == "profile" else models[what].model_json_schema()
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
    sys.stdout.write("\n")


@rules_app.command("list")
def rules_list(rules: RulesOption = None) -> None:
    """Список всех правил: id, важность, пакет, название."""
    book = open_rulebook(rules)
    from rich.table import Table

    table = Table("id", "важность", "пакет", "название", "источник")
    for pack in book.packs:
        for rule in pack.rules:
            src = rule.source
            mark = "" if src.confirmed else " (не подтверждён)"
            table.add_row(
                rule.id, SEVERITY_TITLES[rule.severity], pack.pack, rule.title,
                f"{short_title(src.document)}, п. {src.item}{mark}",
            )
    stdout.print(table)


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(
        metavar="ID", help="id правила",
    )], rules: RulesOption = None
) -> None:
    """Полное описание одного правила: источник, применимость, сроки, проверка, что сделать."""
    from checker.io.yamlio import round_trip_yaml
    from checker.render.catalogue import applicability, timing_text
    from checker.render.numbers import decimal

    book = open_rulebook(rules)
    try:
        rule = book.rule(rule_id)
    except KeyError:
        stderr.print(f"ошибка: правила {rule_id} нет")
        raise typer.Exit(EXIT_INPUT) from None
    pack = next(p for p in book.packs if any(r.id == rule_id for r in p.rules))
    out = stdout.print
    out(Text.assemble((rule.id, "bold"), f" {rule.title}"), highlight=False)
    out(f"Набор: {pack.title} ({pack.pack})", highlight=False)
    out(f"Направление: {DIRECTION_TITLES[rule.direction]}", highlight=False)
    out(f"Важность: {SEVERITY_TITLES[rule.severity]}; вес {decimal(rule.effective_weight)}",
        highlight=False)
    src = rule.source
    cited = cite(src.document, src.item, src.quote, src.confirmed, src.conflicts_with)
    out(f"Источник: {cited}", highlight=False)
    out(f"Применимость: {applicability(rule)}", highlight=False)
    if rule.valid_from is not None:
        until = f" по {rule.valid_to:%d.%m.%Y}" if rule.valid_to else ""
        out(f"Действует: с {rule.valid_from:%d.%m.%Y}{until}", highlight=False)
    if rule.override_of is not None:
        out(f"Уточняет {rule.override_of} и заменяет его для школ области пакета",
            highlight=False)
    timing = timing_text(rule)
    if timing:
        out(f"Сроки: {timing}", highlight=False)
    # the check as its author wrote it in the pack (YAML), not as a Python dict
    check = rule.check.model_dump(mode="json", exclude_none=True, by_alias=True)
    text = io.StringIO()
    round_trip_yaml().dump(check, text)
    out("Проверка:", highlight=False)
    out(textwrap.indent(text.getvalue().rstrip(), "  "), highlight=False)
    rem = rule.remediation
    out(f"Что сделать: {rem.measure}", highlight=False)
    out(f"Ответственный: {rem.responsible}; срок: {rem.due}", highlight=False)


@rules_app.command("catalogue")
def rules_catalogue(rules: RulesOption = None) -> None:
    """Каталог правил в Markdown (для docs/rules.md)."""
    from checker.render.catalogue import render_catalogue

    sys.stdout.write(render_catalogue(open_rulebook(rules)) + "\n")


@rules_app.command("guide")
def rules_guide() -> None:
    """Руководство автора правил в Markdown (для docs/rules-authoring.md)."""
    from checker.render.authoring import render_authoring_guide

    sys.stdout.write(render_authoring_guide())


@rules_app.command("coverage")
def rules_coverage(rules: RulesOption = None) -> None:
    """Покрытие пунктов исходных документов правилами, с итогами по документам."""
    from rich.table import Table

    from checker.io.packs import default_rules_dir
    from checker.render.coverage import load_coverage, unknown_rules

    book = open_rulebook(rules)
    try:
        maps = load_coverage(rules or default_rules_dir())
    except InputError as error:
        fail_input(error)
    for cov in maps:
        table = Table("пункт", "мера (цитата)", "правила / причина", title=SOURCES[cov.document])
        for item in cov.items:
            if item.rules:
                target = "правила: " + ", ".join(item.rules)
            elif item.reason:
                target = f"не проверяется: {item.reason}"
            else:
                target = "не сопоставлено"
            if item.note:
                target += f" ({item.note})"
            table.add_row(item.item, item.quote, target)
        stdout.print(table)
        stdout.print(cov.totals_line())
    totals = Table(
        "документ", "пунктов", "правилами", "с причиной", "не сопоставлено", title="Итого"
    )
    for cov in maps:
        totals.add_row(
            short_title(cov.document), str(len(cov.items)), str(cov.mapped), str(cov.reasoned),
            str(cov.unmapped),
        )
    stdout.print(totals)
    missing = unknown_rules(maps, book)
    for document, number, rule_id in missing:
        stderr.print(f"ошибка: {document}, п. {number}: правила {rule_id} нет")
    if missing:
        raise typer.Exit(EXIT_INPUT)


def _cache_limit() -> int:
    """The cache's size limit in bytes ($OBJCHECK_CACHE_MAX_MB); a bad value: exit 2."""
    from checker.io.cache import CacheLimitError, cache_limit_bytes

    try:
        return cache_limit_bytes()
    except CacheLimitError as error:
        stderr.print(f"ошибка: {error}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f}".replace(".", ",")


@cache_app.command("info")
def cache_info_command() -> None:
    """Где кэш, сколько в нём записей, сколько места он занимает и его предел."""
    from checker.io.cache import CACHE_LIMIT_ENV, cache_info, default_cache_dir

    limit = _cache_limit()
    base = default_cache_dir()
    entries, size = cache_info(base)
    limit_text = (
        f"{_megabytes(limit)} МБ (задаётся {CACHE_LIMIT_ENV}; при превышении удаляются "
        "записи, которые дольше всех не использовались)"
        if limit else f"0 — кэш выключен ({CACHE_LIMIT_ENV}=0)"
    )
    stdout.print(
        f"Кэш: {base}\nЗаписей: {entries}; размер: {_megabytes(size)} МБ\nПредел: {limit_text}",
        highlight=False, markup=False,
    )


@cache_app.command("clear")
def cache_clear_command() -> None:
    """Удалить все записи кэша (следующий batch разберёт профили заново)."""
    from checker.io.cache import cache_clear, default_cache_dir

    base = default_cache_dir()
    stdout.print(f"Удалено записей кэша: {cache_clear(base)} ({base})", highlight=False,
                 markup=False)


# --- issue 6: the inspector's workflow and the documents people hand in -------------------

EXIT_CONFLICT = 3


class SpravkaFormat(StrEnum):
    md = "md"
    html = "html"
    docx = "docx"
    pdf = "pdf"


class PlanFormat(StrEnum):
    md = "md"
    csv = "csv"
    xlsx = "xlsx"
    docx = "docx"
    pdf = "pdf"


SpravkaOutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Файл, куда записать справку (без него md и html "
                 "выводятся на экран, docx и pdf пишутся рядом с профилем: "
                 "ИМЯ.spravka.docx / .pdf)"),
]
PlanOutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Файл, куда записать план (без него md и csv "
                 "выводятся на экран, xlsx, docx и pdf пишутся рядом с профилем: "
                 "ИМЯ.plan.xlsx / .docx / .pdf)"),
]


@app.command()
def inspect(
    profile: Annotated[
        Path, typer.Argument(
            metavar="ПРОФИЛЬ", help="Профиль школы (YAML); вердикты записываются в него",
        )
    ],
    inspector: Annotated[
        str | None, typer.Option("--inspector", help="ФИО проверяющего")
    ] = None,
    redo: Annotated[
        bool, typer.Option("--all", help="Пройти и уже проверенные меры")
    ] = False,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
) -> None:
    """Выездная проверка: пройти меры (сначала неизвестные и невыполненные) и записать вердикты."""
    from checker.cli.inspect import NotWrittenError, Quit, Session
    from checker.io.profile_edit import ConcurrentEditError, ProfileFile

    day = parse_as_of(as_of)
    checker = Checker(open_rulebook(rules))
    try:
        file = ProfileFile(profile)
    except InputError as error:
        fail_input(error)
    session = Session(file, checker, day, stdout, inspector, redo)
    try:
        session.run()
    except Quit:
        stdout.print(f"Проверка прервана. Записано ответов: {session.recorded}; продолжить — "
                     f"снова objcheck inspect {profile}.")
    except ConcurrentEditError as conflict:
        stderr.print(
            "ошибка: файл профиля изменён другим пользователем после того, как был прочитан; "
            "ответ НЕ записан, чтобы не затереть чужие изменения. Запустите проверку заново; "
            "незаписанный ответ:", highlight=False,
        )
        for verdict in conflict.args[1:]:
            stderr.print(verdict, highlight=False)
        _print_paste(conflict.verdicts, inspector)
        raise typer.Exit(EXIT_CONFLICT) from None
    except NotWrittenError as failure:
        stderr.print(f"ошибка: ответ НЕ записан в {profile}: {failure.reason}. Файл профиля "
                     f"не изменён. Записано ответов до этого: {session.recorded}.",
                     highlight=False)
        _print_paste(failure.verdicts, inspector)
        raise typer.Exit(EXIT_CONFLICT) from None
    except (EOFError, KeyboardInterrupt):
        stdout.print(f"\nПроверка прервана. Записано ответов: {session.recorded}.")
    else:
        stdout.print(f"Готово. Записано ответов: {session.recorded}.")


@app.command()
def init(
    region: Annotated[
        str | None, typer.Option(help="Субъект РФ школы: меры его пакетов — списком в шаблоне")
    ] = None,
    municipality: Annotated[
        str | None, typer.Option(help="Муниципалитет школы (вместе с --region)")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Куда записать шаблон (без параметра — на экран)"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Перезаписать существующий файл")
    ] = False,
    rules: RulesOption = None,
) -> None:
    """Шаблон профиля школы с пояснениями по-русски к каждому полю (заполнить в редакторе)."""
    from checker.io.files import write_new
    from checker.model.profile_schema import profile_json_schema
    from checker.render.profile_template import SCHEMA_FILE, profile_template

    selection = None
    if region is not None or municipality is not None:
        selection = open_rulebook(rules).select(region, municipality)
    text = profile_template(region, municipality, selection)
    if output is None:
        sys.stdout.write(text)
        return
    _write_new_or_exit(output, text.encode("utf-8"), force)
    schema = output.parent / SCHEMA_FILE
    schema_text = json.dumps(profile_json_schema(), ensure_ascii=False, indent=2) + "\n"
    with contextlib.suppress(OSError):  # an old schema beside it is refreshed, never a must
        write_new(schema, schema_text.encode("utf-8"), overwrite=True)
        stderr.print(f"Схема для подсказок редактора: {schema}", highlight=False, markup=False)


def _write_new_or_exit(target: Path, data: bytes, force: bool) -> None:
    """Write a new file atomically; an existing one only with --force; any failure is a
    Russian message and exit 2."""
    from checker.io.files import write_new

    try:
        write_new(target, data, overwrite=force)
    except FileExistsError:
        stderr.print(f"ошибка: файл {target} уже есть; чтобы заменить его, добавьте --force",
                     highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    except OSError as exc:
        stderr.print(f"ошибка: не удалось записать {target}: {russian_os_reason(exc)}",
                     highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    stderr.print(f"Записано: {target}", highlight=False, markup=False)


class TemplateFormat(StrEnum):
    xlsx = "xlsx"
    yaml = "yaml"


@app.command()
def template(
    format_: Annotated[
        TemplateFormat,
        typer.Option("--format", help="xlsx — анкета Excel; yaml — шаблон профиля (как init)"),
    ] = TemplateFormat.xlsx,
    region: Annotated[str | None, typer.Option(help="Субъект РФ школы")] = None,
    municipality: Annotated[str | None, typer.Option(help="Муниципалитет школы")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Куда записать (по умолчанию "
                                  "anketa.xlsx)")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Перезаписать существующий файл")] = False,
    rules: RulesOption = None,
) -> None:
    """Анкета Excel для школы: листы по разделам, списки для выбора, проверка дат и чисел."""
    if format_ is TemplateFormat.yaml:
        init(region, municipality, output, force, rules)
        return
    from checker.render.questionnaire import questionnaire_workbook

    selection = None
    if region is not None or municipality is not None:
        selection = open_rulebook(rules).select(region, municipality)
    target = output or Path("anketa.xlsx")
    data = questionnaire_workbook(selection, region, municipality)
    _write_new_or_exit(target, data, force)


@app.command()
def migrate(
    profile: Annotated[Path, typer.Argument(
        metavar="ПРОФИЛЬ", help="Профиль школы версии 1 (YAML); переписывается",
    )],
) -> None:
    """Перевести профиль на версию 2 схемы: наблюдатели — в реестр людей (people)."""
    from checker.io.profile_edit import ConcurrentEditError, migrate_file

    try:
        migration = migrate_file(profile)
    except InputError as error:
        fail_input(error)
    except OSError as exc:
        reason = russian_os_reason(exc)
        stderr.print(f"ошибка: не удалось прочитать или записать файл {profile}: {reason}",
                     highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    except ConcurrentEditError:
        stderr.print("ошибка: файл изменён во время перевода; ничего не записано",
                     highlight=False)
        raise typer.Exit(EXIT_CONFLICT) from None
    if not migration.changed:
        stdout.print(f"{profile}: профиль уже в версии 2, менять нечего.", highlight=False,
                     markup=False)
        return
    # Ids only: names stay in the profile and the school's report, never in messages.
    people = ", ".join(migration.registered) or "нет"
    stdout.print(
        f"{profile}: переведён на версию 2 (прежний — {profile.name}.bak). Наблюдатели в "
        f"реестре people: {people}. Укажите их место работы (employer) и классы детей "
        "(children; [] — детей в школе нет): до этого конфликт интересов наблюдателя — "
        "«не сообщено».",
        highlight=False, markup=False,
    )


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(metavar="ОТКУДА", help="Профиль школы (YAML или JSON)")],
    target: Annotated[Path, typer.Argument(
        metavar="КУДА", help="Куда записать: *.json — JSON, иначе YAML",
    )],
    force: Annotated[
        bool, typer.Option("--force", help="Перезаписать существующий файл")
    ] = False,
) -> None:
    """Перевести профиль из YAML в JSON или обратно (проверяется, что смысл не изменился)."""
    from checker.io.convert import TargetExistsError, convert_file
    from checker.io.load import is_json

    if is_json(str(source)) == is_json(str(target)):
        stderr.print("ошибка: исходный и новый файл в одном формате: укажите новый файл "
                     "с расширением .json (из YAML) или .yaml (из JSON)", highlight=False)
        raise typer.Exit(EXIT_INPUT)
    try:
        convert_file(source, target, overwrite=force)
    except InputError as error:
        fail_input(error)
    except TargetExistsError:
        stderr.print(f"ошибка: {target} уже существует; ничего не записано (перезаписать — "
                     "--force)", highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    except OSError as exc:
        stderr.print(f"ошибка: не удалось записать {target}: {exc.strerror}",
                     highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    stdout.print(f"Записано: {target}", highlight=False, markup=False)


def _print_paste(verdicts: list[InspectionVerdict], inspector: str | None) -> None:
    """The verdict typed but not written, as YAML to paste: it is never lost."""
    from checker.io.profile_edit import paste_yaml

    stderr.print("Вставьте в профиль (раздел inspection) вручную:", highlight=False)
    stderr.print(paste_yaml(verdicts, inspector), highlight=False, end="")


def _emit(text: str, output: Path | None, encoding: str = "utf-8") -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        _write_file(output, lambda path: path.write_text(text, encoding=encoding))


def _write_file(path: Path, write: Callable[[Path], object]) -> None:
    """Write one output file, or exit 2 with a Russian reason (never a traceback and
    never exit 1, which means «findings found»)."""
    from checker.batch.export import os_reason

    if path.is_dir():
        stderr.print(f"ошибка: --output: «{path}» — это каталог, а нужен файл",
                     markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT)
    folder = path.parent
    if not folder.is_dir():  # found before any work (a PDF takes seconds to make)
        reason = "это файл, а не каталог" if folder.exists() else "такого каталога нет"
        stderr.print(f"ошибка: --output: не удалось записать «{path}»: «{folder}» — {reason}",
                     markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT)
    try:
        write(path)
    except OSError as exc:
        reason = "каталога нет" if isinstance(exc, FileNotFoundError) else os_reason(exc)
        stderr.print(f"ошибка: --output: не удалось записать «{path}»: {reason}",
                     markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    stderr.print(f"Записано: {path}", highlight=False, markup=False)


def _write_pdf(path: Path, write_docx: Callable[[Path], None]) -> None:
    """The DOCX converted to PDF by LibreOffice; exit 2 with a Russian message without it."""
    from checker.render.pdf import PdfError, docx_to_pdf

    try:
        _write_file(path, lambda target: docx_to_pdf(write_docx, target))
    except PdfError as error:
        stderr.print(f"ошибка: {error}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


def _binary_output(output: Path | None, profile: Path, suffix: str) -> Path:
    return output or profile.with_name(f"{profile.stem}.{suffix}")


@app.command()
def report(
    profile: ProfileArgument,
    output_format: Annotated[
        SpravkaFormat,
        typer.Option("--format", "-f", help="md, html, docx или pdf (pdf — через LibreOffice)"),
    ] = SpravkaFormat.md,
    output: SpravkaOutputOption = None,
    executor: Annotated[
        str | None,
        typer.Option("--executor", help="Строка «Исполнитель» (по умолчанию — проверяющий)"),
    ] = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    since: SinceOption = None,
    reference: ReferenceOption = None,
) -> None:
    """Справка о результатах обеспечения объективности (таблица, выводы, уровень)."""
    from checker.render import documents

    doc = documents.spravka_data(_report_for(profile, as_of, rules, since, reference),
                                 executor)
    if output_format is SpravkaFormat.md:
        _emit(documents.spravka_markdown(doc), output)
    elif output_format is SpravkaFormat.html:
        _emit(documents.spravka_html(doc), output)
    elif output_format is SpravkaFormat.docx:
        _write_file(_binary_output(output, profile, "spravka.docx"),
                    lambda path: documents.spravka_docx(doc, path))
    else:
        _write_pdf(_binary_output(output, profile, "spravka.pdf"),
                   lambda path: documents.spravka_docx(doc, path))


@app.command()
def plan(
    profile: ProfileArgument,
    output_format: Annotated[
        PlanFormat,
        typer.Option("--format", "-f", help="md, csv, xlsx, docx или pdf (pdf — LibreOffice)"),
    ] = PlanFormat.md,
    output: PlanOutputOption = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    reference: ReferenceOption = None,
) -> None:
    """План мероприятий по каждому недостатку: № / Мероприятие / Сроки / Ответственные."""
    from checker.render import documents

    doc = documents.plan_data(_report_for(profile, as_of, rules, reference=reference))
    if output_format is PlanFormat.md:
        _emit(documents.plan_markdown(doc), output)
    elif output_format is PlanFormat.csv:
        _emit(documents.plan_csv(doc), output, encoding=CSV_ENCODING)
    elif output_format is PlanFormat.pdf:
        _write_pdf(_binary_output(output, profile, "plan.pdf"),
                   lambda path: documents.plan_docx(doc, path))
    else:
        write = documents.plan_xlsx if output_format is PlanFormat.xlsx else documents.plan_docx
        _write_file(_binary_output(output, profile, f"plan.{output_format.value}"),
                    lambda path: write(doc, path))


@app.command()
def batch(
    paths: Annotated[
        list[str], typer.Argument(
            metavar="ПУТЬ", help="Каталоги (ищутся *.yaml, *.yml, *.json), файлы или шаблоны",
        )
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Каталог для summary.csv/xlsx/json и "
                                  "index.html (сводка с диаграммами для браузера)")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-j", min=1, help="Процессов (по умолчанию — ядер)")
    ] = None,
    reports: Annotated[
        bool, typer.Option("--reports", help="Отчёт по каждой школе в OUT/reports: JSON, текст "
                           "и HTML-справка (на неё ссылается OUT/index.html)")
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Не использовать кэш")] = False,
    compare_rules: Annotated[
        Path | None,
        typer.Option(
            "--compare-rules", help="Старый каталог правил: у каких школ сменится уровень"
        ),
    ] = None,
    since: Annotated[
        Path | None,
        typer.Option("--since", help="Каталог (--out) прошлой пакетной проверки: кто улучшился, "
                     "кто ухудшился"),
    ] = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    csv_delimiter: Annotated[str, typer.Option("--csv-delimiter", help="Разделитель CSV")] = ";",
    csv_encoding: Annotated[
        str, typer.Option("--csv-encoding", help="Кодировка CSV (utf-8-sig — с BOM для Excel)")
    ] = "utf-8-sig",
    executor: Annotated[
        Executor, typer.Option("--executor", help="local — процессы этой машины; dask — "
                               "кластер dask (pip install 'objcheck\\[dask]')")
    ] = Executor.local,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Адрес планировщика dask: "
                                 "tcp://ХОСТ:8786 или tls://…; без него — кластер на этой машине")
    ] = None,
    chunk: Annotated[
        int, typer.Option("--chunk", min=1, max=10_000, help="Файлов в одной задаче dask")
    ] = 100,
) -> None:
    """Проверить все школы муниципалитета или региона: сводка, CSV/XLSX/JSON.

    Код выхода 2, если хотя бы один файл не удалось прочитать или проверить (остальные
    школы всё равно проверены и записаны).
    """
    from checker.batch.export import OutputError, OutputSet
    from checker.batch.run import BatchOptions
    from checker.io.cache import default_cache_dir

    day = parse_as_of(as_of)
    _cache_limit()  # a bad OBJCHECK_CACHE_MAX_MB is said before anything runs
    if reports and out is None:
        stderr.print("ошибка: --reports требует --out")
        raise typer.Exit(EXIT_INPUT)
    if len(csv_delimiter) != 1:
        stderr.print("ошибка: --csv-delimiter — ровно один символ")
        raise typer.Exit(EXIT_INPUT)
    _check_csv_encoding(csv_encoding)
    open_rulebook(rules)  # report bad packs once, here, not in every worker
    past = None
    if since is not None:
        from checker.batch.since import read_past_run

        try:
            past = read_past_run(since)
        except InputError as error:
            fail_input(error)
    if compare_rules is not None:
        open_rulebook(compare_rules)
    outputs: OutputSet | None = None
    if out is not None:  # checked before the run, not found wrong after it
        try:
            outputs = OutputSet(out)
        except OutputError as error:
            stderr.print(f"ошибка: {error}", markup=False, highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
    options = BatchOptions(
        rules_dir=rules, old_rules_dir=compare_rules, as_of=day,
        reports_dir=outputs.reports_dir if reports and outputs is not None else None,
        cache_dir=None if no_cache else default_cache_dir(),
        cache_max_bytes=_cache_limit(),
    )
    if scheduler is not None and executor is not Executor.dask:
        stderr.print("ошибка: --scheduler действует только с --executor dask")
        raise typer.Exit(EXIT_INPUT)
    dask = None
    if executor is Executor.dask:
        from checker.batch.dask_run import DaskOptions

        dask = DaskOptions(scheduler=scheduler, chunk=chunk)
    _run_and_write(paths, options, workers, outputs, csv_delimiter, csv_encoding, past, dask)


def _check_csv_encoding(encoding: str) -> None:
    """An encoding that exists and can write Russian text, or exit 2 before the run."""
    try:
        "Уровень объективности: ё".encode(encoding)
    except LookupError:
        stderr.print(f"ошибка: --csv-encoding: неизвестная кодировка «{encoding}» (например, "
                     "utf-8-sig, utf-8, cp1251)", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except UnicodeEncodeError:
        stderr.print(f"ошибка: --csv-encoding: в кодировке «{encoding}» нельзя записать "
                     "русский текст (например, utf-8-sig, utf-8, cp1251)",
                     markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


def _run_and_write(paths: list[str], options: BatchOptions, workers: int | None,
                   outputs: OutputSet | None, delimiter: str, encoding: str,
                   past: PastRun | None, dask: DaskOptions | None = None) -> None:
    """Run, write the outputs as one set, print the summary; Ctrl-C exits 130 at once."""
    from checker.batch.dask_run import DaskError
    from checker.batch.export import BatchStream, os_reason, write_all
    from checker.batch.run import WorkersFailedError, run_batch
    from checker.cli.batch import interrupted_message, print_summary, progress_reporter

    seen = [0, 0]  # files done, files in all (for the message on Ctrl-C)

    def track(done: int, total: int) -> None:
        seen[:] = [done, total]

    # findings.csv, the findings sheet and the JSON entries are written while schools are
    # checked, into the staging folder (README «Скорость»)
    stream = (BatchStream(outputs.staging, delimiter, encoding)
              if outputs is not None else None)
    try:
        with progress_reporter(stderr, track) as progress:
            try:
                result = run_batch(paths, options, workers, progress, past, dask, stream)
            except (WorkersFailedError, DaskError) as error:
                if outputs is not None and stream is not None:
                    stream.close()
                    outputs.discard()
                stderr.print(f"ошибка: {error}", markup=False, highlight=False)
                raise typer.Exit(EXIT_INPUT) from None
        written: list[Path] = []
        if outputs is not None:
            try:
                written = outputs.commit(write_all(
                    result, outputs.staging, delimiter, encoding,
                    with_reports=options.reports_dir is not None, stream=stream))
            except (OSError, UnicodeEncodeError) as exc:
                outputs.discard()
                reason = os_reason(exc) if isinstance(exc, OSError) else (
                    f"символ «{exc.object[exc.start:exc.end]}» нельзя записать в кодировке "
                    f"«{encoding}» (--csv-encoding)")
                stderr.print(f"ошибка: не удалось записать результаты в {outputs.out}: {reason}; "
                             "прежние файлы не изменены", markup=False, highlight=False)
                raise typer.Exit(EXIT_INPUT) from None
        # Written to a file or a pipe, rich would assume 80 columns and squeeze the tables.
        console = (stdout if stdout.is_terminal
                   else SafeConsole(soft_wrap=False, width=SUMMARY_WIDTH))
        print_summary(result, console, outputs.out if outputs else None, written)
    except KeyboardInterrupt:
        # A second Ctrl-C must not cut the cleanup short.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if stream is not None:
                stream.close()
            if outputs is not None and not outputs.committed:
                outputs.discard()
            stderr.print(interrupted_message(seen[0], seen[1], outputs.out if outputs else None,
                                             outputs.committed if outputs else []),
                         markup=False, highlight=False)
        finally:
            signal.signal(signal.SIGINT, previous)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    raise typer.Exit(EXIT_INPUT if result.errors else EXIT_OK)


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main", "source_text"]

"""Terminal side of ``objcheck batch``: progress and the coordinator's summary.

Progress lines carry counts only — never a school's staff or any other personal data.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from checker.batch.export import change_text
from checker.batch.run import (
    BatchResult,
    Progress,
    level_counts,
    municipalities,
    schools_by_level,
)
from checker.batch.since import SinceResult
from checker.model.diff import TREND_TITLES
from checker.render.numbers import distinct_percents, percent
from checker.render.safe import plain

SCHOOLS_SHOWN = 40
MISSING_SHOWN = 15


def _eta(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} ч {seconds % 3600 // 60} мин"
    if seconds >= 60:
        return f"{seconds // 60} мин {seconds % 60} с"
    return f"{seconds} с"


def _left(done: int, total: int, rate: float) -> str:
    if done >= total:
        return "0 с"
    # nothing to estimate from before the first school is done
    return f"~{_eta((total - done) / rate)}" if rate else "—"


@contextmanager
def progress_reporter(console: Console, track: Progress | None = None) -> Iterator[Progress]:
    """A rich progress bar on a terminal, plain lines (about every 5 %) otherwise.

    ``track`` also receives every update (the caller's count for a message on Ctrl-C).
    """
    with _reporter(console) as show:
        if track is None:
            yield show
            return

        def both(done: int, total: int) -> None:
            track(done, total)
            show(done, total)

        yield both


def interrupted_message(done: int, total: int, out: Path | None,
                        committed: Sequence[Path]) -> str:
    """What a Ctrl-C left behind: which files were written, which were not."""
    head = f"Прервано (Ctrl-C): проверено {done} из {total} файлов."
    if out is None:
        return f"{head} Файлы не записывались (не задан --out)."
    if committed:
        return f"{head} Все выходные файлы уже записаны: {', '.join(map(str, committed))}."
    return (f"{head} Выходные файлы не записаны; прежние файлы в {out} не изменены "
            "(незаконченные удалены).")


@contextmanager
def _reporter(console: Console) -> Iterator[Progress]:
    if console.is_terminal:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        bar = RichProgress(
            TextColumn("Проверка школ"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} школ/с"), TextColumn("осталось"),
            TimeRemainingColumn(), console=console, transient=True,
        )
        task = bar.add_task("batch", total=None, rate="—")
        started = time.perf_counter()

        def update(done: int, total: int) -> None:
            elapsed = time.perf_counter() - started
            rate = f"{done / elapsed:.0f}" if elapsed > 0 and done else "—"
            bar.update(task, completed=done, total=total, rate=rate)

        with bar:
            yield update
        return

    state = {"started": time.perf_counter(), "shown": -1.0}

    def lines(done: int, total: int) -> None:
        elapsed = time.perf_counter() - state["started"]
        step = max(1, total // 20)
        if done not in (0, total) and done // step == state["shown"]:
            return
        state["shown"] = done // step
        rate = done / elapsed if elapsed > 0 else 0.0
        left = _left(done, total, rate)
        share = 100 * done // total if total else 100
        console.print(f"проверено {done} из {total} ({share} %), {rate:.0f} школ/с, "
                      f"осталось {left}", highlight=False)

    yield lines


def _score(value: float | None) -> str:
    return percent(value, empty="—")


# Columns that must never wrap or be cut: identifiers and short figures. Long texts wrap.
_KEEP_WHOLE = frozenset({"правило", "уровень", "балл", "полнота", "школ", "доля", "строка",
                         "было", "стало"})
# Columns of figures, aligned right so that they read down the column.
_FIGURES = frozenset({
    "балл", "полнота", "школ", "доля", "недостатков", "нарушение", "просрочено",
    "не выполнено", "высокий", "средний", "низкий", "не определён", "средний балл", "строка",
    "улучшились", "ухудшились", "без изменений", "впервые",
})


# Control characters (an escape sequence can clear the screen or retitle the terminal).
def _plain(value: str) -> Text:
    """A cell as literal text: a «[/red]» in a school's name is shown, never parsed as
    markup (which failed the whole summary with a MarkupError), and no control character
    reaches the terminal."""
    return plain(value)


def _add_row(table: Table, *values: str) -> None:
    table.add_row(*map(_plain, values))


def _table(title: str, *headers: str) -> Table:
    table = Table(title=title)
    for header in headers:
        table.add_column(header, no_wrap=header in _KEEP_WHOLE,
                         justify="right" if header in _FIGURES else "left")
    return table


def print_summary(result: BatchResult, console: Console, out: Path | None,
                  written: list[Path]) -> None:
    checked = len(result.schools)
    console.print(Text.assemble((f"Проверено школ: {checked}", "bold"),
                                f" из {result.files} файлов; дата оценки {result.as_of:%d.%m.%Y}"),
                  highlight=False)

    levels = _table("Уровни объективности", "уровень", "школ", "доля")
    levels.caption = f"({result.scale_note})" if result.scale_note else None
    for level, count in level_counts(result.schools).items():
        _add_row(levels, level, str(count), f"{100 * count / checked:.0f} %" if checked else "—")
    console.print(levels)

    schools = _table("Школы (по уровню и баллу)", "уровень", "балл", "полнота", "школа",
                     "муниципалитет", "недостатков")
    ordered = schools_by_level(result.schools)
    for s in ordered[:SCHOOLS_SHOWN]:
        problems = sum(s.counts.get(k, 0) for k in ("violation", "gap", "overdue", "stale"))
        _add_row(schools, s.level, _score(s.score), percent(s.coverage), s.name,
                 s.municipality or "—", str(problems))
    console.print(schools)
    if len(ordered) > SCHOOLS_SHOWN:
        console.print(f"…и ещё {len(ordered) - SCHOOLS_SHOWN} школ — полный список в "
                      "summary.csv / summary.xlsx", highlight=False)

    missing = _table("Чаще всего не выполняемые меры", "правило", "мера", "школ", "доля",
                     "нарушение", "просрочено", "не выполнено")
    for m in result.most_missing()[:MISSING_SHOWN]:
        _add_row(missing, m.rule_id, m.title, str(m.schools), percent(m.share),
                        str(m.by_outcome.get("violation", 0)),
                        str(m.by_outcome.get("overdue", 0)), str(m.by_outcome.get("gap", 0)))
    console.print(missing)

    munis = _table("По муниципалитетам", "регион", "муниципалитет", "школ", "высокий",
                   "средний", "низкий", "не определён", "средний балл")
    for mu in municipalities(result.schools):
        _add_row(munis, mu.region, mu.municipality, str(mu.schools),
                      *(str(mu.levels.get(k, 0)) for k in ("высокий", "средний", "низкий",
                                                          "не определён")),
                      _score(mu.mean_score))
    console.print(munis)

    if result.compared:
        moved = [c for c in result.changes if c.old_level != c.new_level]
        changes = _table(f"Сравнение правил: уровень изменится у {len(moved)} школ",
                         "школа", "было", "стало", "почему (изменились правила)")
        for c in moved:
            old, new = distinct_percents(c.old_score, c.new_score)
            _add_row(changes, c.name, f"{c.old_level} ({old})", f"{c.new_level} ({new})",
                     change_text(c))
        console.print(changes)
        other = len(result.changes) - len(moved)
        if other:
            console.print(f"Ещё у {other} школ изменились результаты правил без смены уровня "
                          "(см. compare.csv).", highlight=False)

    if result.since is not None:
        _print_since(result.since, console)

    if result.errors:
        errors = _table(f"Ошибки во входных файлах: {len(result.errors)}",
                        "файл", "строка", "поле", "ошибка")
        for e in result.errors[:50]:
            _add_row(errors, e.file, "" if e.line is None else str(e.line), e.field, e.message)
        console.print(errors)
    if out is not None:
        console.print(_plain(f"Файлы: {', '.join(str(p) for p in written)}"))


def _print_since(since: SinceResult, console: Console) -> None:
    """«С прошлой проверки»: who improved, who worsened, and the measures that slipped."""
    counts = since.counts()
    first = sum(1 for t in since.schools if t.trend is None)
    line = "; ".join(f"{TREND_TITLES[k]}: {v}" for k, v in counts.items())
    console.print(_plain(f"С прошлой проверки (на {since.old_as_of}) — {line}; "
                         f"впервые в проверке: {first}; нет в этой проверке: {len(since.gone)}"))
    munis = _table("Динамика по муниципалитетам", "регион", "муниципалитет", "улучшились",
                   "ухудшились", "без изменений", "впервые")
    for mu in since.municipalities():
        _add_row(munis, mu.region, mu.municipality, str(mu.improved), str(mu.worsened),
                 str(mu.unchanged), str(mu.first_time))
    console.print(munis)
    worse = [t for t in since.schools if t.trend == "worsened"]
    if worse:
        schools = _table("Ухудшились", "школа", "было", "стало", "ухудшились меры")
        for t in worse[:SCHOOLS_SHOWN]:
            _add_row(schools, t.name, f"{t.old_level} ({_score(t.old_score)})",
                     f"{t.new_level} ({_score(t.new_score)})", ", ".join(t.regressed))
        console.print(schools)
    if since.regressed_most:
        measures = _table("Чаще всего ухудшились (были выполнены, теперь нет)", "правило",
                          "мера", "школ")
        for m in since.regressed_most[:MISSING_SHOWN]:
            _add_row(measures, m.rule_id, m.title, str(m.schools))
        console.print(measures)

"""Time outcomes of a measure as of a date (pure; no I/O, no engine).

The engine decides *whether* the evidence exists (met / gap); this module decides *when*:
given a rule's ``timing``, the as-of date, the academic year and the dates of the evidence,
it turns met / gap into one of

* ``not_yet_due`` — not done, the deadline is after the as-of date and beyond the horizon;
* ``due_soon``    — not done, the deadline is within the horizon (default 14 days);
* ``overdue``     — not done and the deadline has passed (the deadline day itself is open);
* ``met_late``    — done, but after the deadline;
* ``stale``       — done, but the evidence is of an earlier academic year (or period) and
  the rule does not keep it valid ``until_replaced``;
* ``met`` / ``gap`` unchanged when time changes nothing (no deadline can be computed, or the
  evidence is undated: an undated document is taken as valid and on time).

Evidence dated after the as-of date does not exist yet as of that date: a plan approved
on 20.10.2023 is «not done» when checked as of 01.10.2023.

Periods: the academic year runs 1 September – 31 August; quarters are calendar quarters;
half-years are the academic ones (1 September – 31 December, 1 January – 31 August).
A periodic measure (``quarter`` / ``half_year``) is due by the end of each period: when
the current period has no evidence yet, it is open until the period ends, unless the
previous period of the same academic year had none either (then it is overdue).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from checker.core.workdays import add_working_days
from checker.model.findings import Outcome
from checker.model.rulepack import Timing

DEFAULT_HORIZON_DAYS = 14


def fmt(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


@dataclass(frozen=True)
class AcademicYear:
    """1 September of ``start`` – 31 August of the next year."""

    start_year: int

    @classmethod
    def of(cls, day: dt.date) -> AcademicYear:
        return cls(day.year if day.month >= 9 else day.year - 1)

    @classmethod
    def parse(cls, label: str) -> AcademicYear:
        first, _, second = label.partition("/")
        if not (first.isdigit() and second.isdigit()) or int(second) != int(first) + 1:
            raise ValueError(f"учебный год должен иметь вид 2023/2024, а не «{label}»")
        return cls(int(first))

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 9, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.start_year + 1, 8, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{self.start_year + 1}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class TimeContext:
    """The as-of date of an evaluation, its academic year and the due-soon horizon."""

    as_of: dt.date
    year: AcademicYear
    horizon_days: int = DEFAULT_HORIZON_DAYS

    @classmethod
    def for_date(
        cls, as_of: dt.date, academic_year: str | None = None,
        horizon_days: int = DEFAULT_HORIZON_DAYS,
    ) -> TimeContext:
        year = AcademicYear.parse(academic_year) if academic_year else AcademicYear.of(as_of)
        return cls(as_of, year, horizon_days)


@dataclass(frozen=True)
class Dated:
    """One piece of evidence: the event that starts its clock and the day it was done."""

    anchor: dt.date | None = None
    done: dt.date | None = None


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    due: dt.date | None = None
    done: dt.date | None = None
    note: str = ""


def end_of_month(text: str) -> dt.date:
    year, month = (int(part) for part in text.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def fixed_deadline(timing: Timing) -> dt.date | None:
    if timing.deadline is not None:
        return timing.deadline
    if timing.deadline_month is not None:
        return end_of_month(timing.deadline_month)
    return None


def in_force_timing(timing: Timing, valid_from: dt.date | None) -> Timing:
    """A deadline set before the act that imposes it (order №525 of 17.11.2023: «до
    01.11.2023») cannot be missed before the act exists: the duty is due on adoption. Done
    by then — met; done later — met_late (the act wanted it done already); not done after
    adoption — overdue."""
    fixed = fixed_deadline(timing)
    if fixed is None or valid_from is None or fixed >= valid_from:
        return timing
    return timing.model_copy(update={"deadline": valid_from, "deadline_month": None})


def due_after(timing: Timing, anchor: dt.date) -> dt.date:
    """The last on-time day of «within N (working) days after ``anchor``»."""
    within = timing.within
    assert within is not None
    if within.working:
        return add_working_days(anchor, within.days)
    return anchor + dt.timedelta(days=within.days)


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The quarter / half-year / academic year that contains ``day``."""
    if period == "quarter":
        first = 3 * ((day.month - 1) // 3) + 1
        return dt.date(day.year, first, 1), end_of_month(f"{day.year}-{first + 2:02d}")
    if period == "half_year":
        if day.month >= 9:
            return dt.date(day.year, 9, 1), dt.date(day.year, 12, 31)
        return dt.date(day.year, 1, 1), dt.date(day.year, 8, 31)
    year = AcademicYear.of(day)
    return year.start, year.end


def _open(due: dt.date, ctx: TimeContext, note: str = "") -> Verdict:
    """Not done: overdue after the due day, due soon within the horizon, else not yet due."""
    if ctx.as_of > due:
        return Verdict(Outcome.OVERDUE, due, note=note or f"срок истёк {fmt(due)}")
    if (due - ctx.as_of).days <= ctx.horizon_days:
        return Verdict(Outcome.DUE_SOON, due, note=note or f"срок — до {fmt(due)}")
    return Verdict(Outcome.NOT_YET_DUE, due, note=note or f"срок — до {fmt(due)}")


def judge(
    timing: Timing,
    outcome: Outcome,
    ctx: TimeContext,
    evidence: list[Dated],
    anchors: list[dt.date] | None = None,
    subject_date: dt.date | None = None,
) -> Verdict:
    """The time outcome of one subject.

    ``outcome`` is the engine's (only met and gap are refined); ``evidence`` the dated facts
    that met the rule; ``anchors`` the dates of events that start a «within N days after
    the document» clock when nothing met the rule yet; ``subject_date`` the date of the
    subject (the procedure, for «within N days after the procedure»).
    """
    if outcome not in (Outcome.MET, Outcome.GAP):
        return Verdict(outcome)
    as_of = ctx.as_of
    # Evidence adopted after the as-of date does not exist yet; evidence done after it
    # is not done yet, but its adoption still starts the clock.
    existing = [e for e in evidence if e.anchor is None or e.anchor <= as_of]
    done = [e for e in existing if e.done is None or e.done <= as_of]
    clock = sorted(
        {a for a in anchors or [] if a <= as_of}
        | {e.anchor for e in existing if e.anchor is not None and e not in done}
    )
    if timing.occurrences is not None:
        return _judge_occurrences(timing.occurrences, timing.year_from_month, ctx, done)
    if outcome is Outcome.MET and done:
        return _judge_done(timing, ctx, done, subject_date)
    return _judge_open(timing, ctx, clock, subject_date)


_MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
           "сентябрь", "октябрь", "ноябрь", "декабрь")


def occurrence_ends(
    months: list[int], year: AcademicYear, from_month: int = 9
) -> list[dt.date]:
    """The last day of each listed month within the academic year, in order (a year that
    opens in ``from_month`` — August for «август, сентябрь» — keeps that month in it)."""
    def end(month: int) -> dt.date:
        calendar_year = year.start_year if month >= from_month else year.start_year + 1
        return end_of_month(f"{calendar_year}-{month:02d}")

    return sorted(end(month) for month in months)


def _judge_occurrences(
    months: list[int], from_month: int, ctx: TimeContext, done: list[Dated]
) -> Verdict:
    """A measure asked several times a year («январь, май»): each occurrence is due by the
    end of its month and met by evidence dated since the previous one. Missed ones that
    have passed make it overdue (named in the note); otherwise the next is open."""
    if any(e.done is None for e in done):
        return Verdict(Outcome.MET)  # undated evidence: done, but for which time is unknown
    days = sorted(e.done for e in done if e.done is not None)
    ends = occurrence_ends(months, ctx.year, from_month)
    start = dt.date(ctx.year.start_year, from_month, 1)
    missed: list[dt.date] = []
    for due in ends:
        if due >= ctx.as_of:
            break
        if not any(start <= day <= due for day in days):
            missed.append(due)
        start = due + dt.timedelta(days=1)
    if missed:
        names = ", ".join(f"{_MONTHS[d.month - 1]} {d.year}" for d in missed)
        return Verdict(Outcome.OVERDUE, missed[0], note=f"не выполнено за: {names}")
    upcoming = [due for due in ends if due >= ctx.as_of]
    nothing_due_yet = bool(upcoming) and upcoming[0] == ends[0]
    if nothing_due_yet and not any(start <= day <= upcoming[0] for day in days):
        return _open(upcoming[0], ctx)
    return Verdict(Outcome.MET, done=days[-1] if days else None)


def _valid_until_replaced(timing: Timing) -> bool:
    return timing.validity == "until_replaced"


def _judge_done(
    timing: Timing, ctx: TimeContext, done: list[Dated], subject_date: dt.date | None
) -> Verdict:
    dated = [e for e in done if e.done is not None]
    undated = len(dated) < len(done)
    period = timing.period
    if period in ("quarter", "half_year") and not undated and not _valid_until_replaced(timing):
        assert period is not None
        start, _end = period_bounds(period, ctx.as_of)
        current = [e for e in dated if e.done is not None and e.done >= start]
        if not current:
            last = max(e.done for e in dated if e.done is not None)
            return _judge_period_open(period, ctx, last)
        dated = current
    needs_year = timing.validity == "academic_year" or (
        period == "academic_year" and not _valid_until_replaced(timing)
    )
    if needs_year and not undated:
        # A window that opens before 1 September («август, сентябрь») belongs to the year
        # that follows it.
        opens = dt.date(ctx.year.start_year, timing.year_from_month, 1)
        fresh = [e for e in dated if e.done is not None and e.done >= opens]
        if not fresh:
            last = max(e.done for e in dated if e.done is not None)
            return Verdict(
                Outcome.STALE,
                done=last,
                note=f"документ от {fmt(last)} относится к прошлому учебному году; "
                f"на {ctx.year.label} учебный год нужен новый",
            )
        dated = fresh
    if undated:
        return Verdict(Outcome.MET)
    # On time if any piece of evidence was done by its own deadline.
    late: list[tuple[dt.date, dt.date]] = []
    for item in dated:
        assert item.done is not None
        due = _due_of(timing, item, subject_date)
        if due is None or item.done <= due:
            return Verdict(Outcome.MET, due, item.done)
        late.append((item.done, due))
    done_on, due = min(late)
    return Verdict(
        Outcome.MET_LATE, due, done_on,
        note=f"срок — {fmt(due)}, выполнено {fmt(done_on)}",
    )


def _due_of(timing: Timing, item: Dated, subject_date: dt.date | None) -> dt.date | None:
    fixed = fixed_deadline(timing)
    if fixed is not None:
        return fixed
    if timing.within is None:
        return None
    anchor = subject_date if timing.within.after == "procedure_date" else item.anchor
    return None if anchor is None else due_after(timing, anchor)


def _judge_period_open(period: str, ctx: TimeContext, last: dt.date | None) -> Verdict:
    """Nothing yet in the current quarter / half-year."""
    start, end = period_bounds(period, ctx.as_of)
    previous_start, previous_end = period_bounds(period, start - dt.timedelta(days=1))
    previous_counts = previous_end >= ctx.year.start
    if previous_counts and (last is None or last < previous_start):
        return Verdict(
            Outcome.OVERDUE, previous_end,
            note=f"за период {fmt(previous_start)}–{fmt(previous_end)} не выполнено",
        )
    return _open(end, ctx, f"за текущий период — до {fmt(end)}")


def _judge_open(
    timing: Timing,
    ctx: TimeContext,
    clock: list[dt.date],
    subject_date: dt.date | None,
) -> Verdict:
    fixed = fixed_deadline(timing)
    if fixed is not None:
        return _open(fixed, ctx)
    within = timing.within
    if within is not None:
        if within.after == "procedure_date":
            if subject_date is None:
                return Verdict(Outcome.GAP)
            return _open(due_after(timing, subject_date), ctx)
        if clock:
            return _open(due_after(timing, clock[0]), ctx)
        return Verdict(Outcome.GAP)
    if timing.period in ("quarter", "half_year"):
        return _judge_period_open(timing.period, ctx, None)
    return Verdict(Outcome.GAP)


def not_in_force(
    valid_from: dt.date | None, valid_to: dt.date | None, time: TimeContext
) -> str | None:
    """Why a measure did not apply in the evaluated period, or ``None`` when it did.

    The period is the profile's academic year up to the as-of date: a measure counts when
    it came into force by then (a duty cannot be missed before the act that imposes it
    exists) and was not repealed before the year began.
    """
    reference = min(time.as_of, time.year.end)
    if valid_from is not None and valid_from > reference:
        return f"мера действует с {fmt(valid_from)}, а оценивается период по {fmt(reference)}"
    if valid_to is not None and valid_to < time.year.start:
        return (
            f"мера утратила силу {fmt(valid_to)}, до начала {time.year.label} учебного года"
        )
    return None

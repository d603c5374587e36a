"""Working days of the Russian five-day week (pure; the calendar data comes from io).

For the years the production calendar covers (``checker.io.calendar``: the ``holidays``
package, which keeps the Government's yearly decrees «О переносе выходных дней» with their
working Saturdays) the answer is exact. For other years only the Labour-Code rule is
applied: the holidays of art. 112 ТК РФ (1–8 January, 23 February, 8 March, 1 May, 9 May,
12 June, 4 November) and the automatic move of a holiday that falls on a weekend to the next
working day (the January ones excepted: their weekend days are moved by decree). That can
be wrong on the few days a decree moves; ``is_known_year`` tells which years are exact, and
the checker warns when a deadline in working days touches another year.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from checker.io.calendar import ProductionCalendar, russian_calendar

# (month, day) of the non-working holidays, art. 112 ТК РФ.
HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8),
    (2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4),
)


def is_known_year(year: int, calendar: ProductionCalendar | None = None) -> bool:
    """Whether the decree transfers of ``year`` are in the data (the calendar is exact)."""
    return (calendar or russian_calendar()).covers(year)


def is_holiday(day: dt.date) -> bool:
    return (day.month, day.day) in HOLIDAYS


@cache
def _labour_code_moves(year: int) -> frozenset[dt.date]:
    """Days off that art. 112 adds when a holiday falls on a weekend (not January)."""
    moved: set[dt.date] = set()
    for month, day in HOLIDAYS:
        holiday = dt.date(year, month, day)
        if month == 1 or holiday.weekday() < 5:
            continue
        candidate = holiday + dt.timedelta(days=1)
        while candidate.weekday() >= 5 or is_holiday(candidate) or candidate in moved:
            candidate += dt.timedelta(days=1)
        moved.add(candidate)
    return frozenset(moved)


def is_working_day(day: dt.date, calendar: ProductionCalendar | None = None) -> bool:
    """A working day of the five-day week (``calendar``: the production calendar's data,
    by default the ``holidays`` package's)."""
    calendar = calendar or russian_calendar()
    if calendar.covers(day.year):
        return calendar.is_working_day(day)
    if day in _labour_code_moves(day.year):
        return False
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(
    start: dt.date, count: int, calendar: ProductionCalendar | None = None
) -> dt.date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted).

    «в течение 10 рабочих дней со дня утверждения» → ``add_working_days(adopted, 10)`` is the
    last day on which publication is on time. ``count`` 0 gives ``start``.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    left = count
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day, calendar):
            left -= 1
    return day


def working_days_between(
    start: dt.date, end: dt.date, calendar: ProductionCalendar | None = None
) -> int:
    """Working days in (start, end]: after ``start``, up to and including ``end``.

    So ``working_days_between(d, add_working_days(d, n)) == n``; negative when ``end`` is
    before ``start``.
    """
    if end < start:
        return -working_days_between(end, start, calendar)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + dt.timedelta(days=offset), calendar)
    )


def working_days_in_year(year: int, calendar: ProductionCalendar | None = None) -> int:
    return working_days_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31), calendar)

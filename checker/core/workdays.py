"""The Russian production calendar of the five-day week, as data (pure; no network).

Non-working holidays are fixed by art. 112 of the Labour Code (Трудовой кодекс РФ, ст. 112):
1–6 and 8 January (New Year holidays), 7 January, 23 February, 8 March, 1 May, 9 May,
12 June, 4 November. When a holiday falls on a Saturday or Sunday, the weekend day moves to
the next working day (except the January holidays, whose weekend days the Government moves
by decree). The Government's yearly decree «О переносе выходных дней» moves weekend days,
which creates working Saturdays. A general holidays library knows the holidays but not the
working Saturdays, so the transfers are kept here as data, with their source.

For years listed in ``CALENDARS`` the calendar is exact. For other years only the
Labour-Code rule is applied (holidays + automatic moves, no decree transfers):
``is_known_year`` tells which.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

D = dt.date

# (month, day) of the non-working holidays, art. 112 ТК РФ.
HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8),
    (2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4),
)


@dataclass(frozen=True)
class YearCalendar:
    """The days of one year that differ from «Mon–Fri work, holidays off»."""

    source: str
    days_off: frozenset[dt.date]  # weekdays off besides the holidays (transfers, art. 112 moves)
    working_weekends: frozenset[dt.date]  # Saturdays (or Sundays) made working days


def _year(source: str, days_off: tuple[D, ...], working: tuple[D, ...] = ()) -> YearCalendar:
    return YearCalendar(source, frozenset(days_off), frozenset(working))


CALENDARS: dict[int, YearCalendar] = {
    # Постановление Правительства РФ от 16.09.2021 № 1564 «О переносе выходных дней в 2022
    # году»: с 1 января (сб) на 3 мая, со 2 января (вс) на 10 мая, с 5 марта (сб) на 7 марта.
    # ТК ст. 112: 1 мая (вс) → 2 мая, 12 июня (вс) → 13 июня. Итого 247 рабочих дней.
    2022: _year(
        "Постановление Правительства РФ от 16.09.2021 № 1564",
        (D(2022, 3, 7), D(2022, 5, 2), D(2022, 5, 3), D(2022, 5, 10), D(2022, 6, 13)),
        (D(2022, 3, 5),),
    ),
    # Постановление Правительства РФ от 29.08.2022 № 1505 «О переносе выходных дней в 2023
    # году»: с 1 января (вс) на 24 февраля, с 8 января (вс) на 8 мая.
    # ТК ст. 112: 4 ноября (сб) → 6 ноября. Итого 247 рабочих дней.
    2023: _year(
        "Постановление Правительства РФ от 29.08.2022 № 1505",
        (D(2023, 2, 24), D(2023, 5, 8), D(2023, 11, 6)),
    ),
    # Постановление Правительства РФ от 10.08.2023 № 1314 «О переносе выходных дней в 2024
    # году»: с 6 января (сб) на 10 мая, с 7 января (вс) на 31 декабря, с 27 апреля (сб) на
    # 29 апреля, со 2 ноября (сб) на 30 апреля, с 28 декабря (сб) на 30 декабря.
    # Рабочие субботы: 27.04, 02.11, 28.12. Итого 248 рабочих дней.
    2024: _year(
        "Постановление Правительства РФ от 10.08.2023 № 1314",
        (D(2024, 4, 29), D(2024, 4, 30), D(2024, 5, 10), D(2024, 12, 30), D(2024, 12, 31)),
        (D(2024, 4, 27), D(2024, 11, 2), D(2024, 12, 28)),
    ),
    # Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней в 2025
    # году»: с 4 января (сб) на 2 мая, с 5 января (вс) на 31 декабря, с 23 февраля (вс) на
    # 8 мая, с 8 марта (сб) на 13 июня, с 1 ноября (сб) на 3 ноября.
    # Рабочая суббота: 01.11. Итого 247 рабочих дней.
    2025: _year(
        "Постановление Правительства РФ от 04.10.2024 № 1335",
        (D(2025, 5, 2), D(2025, 5, 8), D(2025, 6, 13), D(2025, 11, 3), D(2025, 12, 31)),
        (D(2025, 11, 1),),
    ),
    # Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней в 2026
    # году»: с 3 января (сб) на 9 января, с 4 января (вс) на 31 декабря.
    # ТК ст. 112: 8 марта (вс) → 9 марта, 9 мая (сб) → 11 мая. Итого 247 рабочих дней.
    2026: _year(
        "Постановление Правительства РФ от 24.09.2025 № 1466",
        (D(2026, 1, 9), D(2026, 3, 9), D(2026, 5, 11), D(2026, 12, 31)),
    ),
}


def is_known_year(year: int) -> bool:
    """Whether the decree transfers of ``year`` are in the data (the calendar is exact)."""
    return year in CALENDARS


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


def is_working_day(day: dt.date) -> bool:
    """A working day of the five-day week."""
    calendar = CALENDARS.get(day.year)
    if calendar is not None:
        if day in calendar.working_weekends:
            return True
        if day in calendar.days_off:
            return False
    elif day in _labour_code_moves(day.year):
        return False
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(start: dt.date, count: int) -> dt.date:
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
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: after ``start``, up to and including ``end``.

    So ``working_days_between(d, add_working_days(d, n)) == n``; negative when ``end`` is
    before ``start``.
    """
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + dt.timedelta(days=offset))
    )


def working_days_in_year(year: int) -> int:
    return working_days_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31))

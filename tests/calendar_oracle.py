"""The production calendar of 2022–2026 as the project kept it by hand before it used the
``holidays`` package (issue 15): a test oracle, each year with its decree.

Non-working holidays, art. 112 ТК РФ: 1–8 January, 23 February, 8 March, 1 May, 9 May,
12 June, 4 November; a holiday on a weekend moves to the next working day (but the January
ones, moved by the decree). The decree of each year moves weekend days, which creates working
Saturdays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

D = dt.date

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


def oracle_is_working_day(day: dt.date) -> bool:
    """Whether ``day`` (of 2022–2026) is a working day by the table above."""
    calendar = CALENDARS[day.year]
    if day in calendar.working_weekends:
        return True
    if day in calendar.days_off:
        return False
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS

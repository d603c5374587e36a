"""The production calendar: yearly totals and known transfers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from checker.core.workdays import (
    add_working_days,
    is_known_year,
    is_working_day,
    working_days_between,
    working_days_in_year,
)
from checker.io.calendar import russian_calendar
from tests.calendar_oracle import CALENDARS, oracle_is_working_day

D = dt.date


@pytest.mark.parametrize(
    ("year", "total"), [(2022, 247), (2023, 247), (2024, 248), (2025, 247), (2026, 247)]
)
def test_yearly_totals(year: int, total: int) -> None:
    assert working_days_in_year(year) == total


@pytest.mark.parametrize(
    "day", [D(2024, 4, 27), D(2024, 11, 2), D(2024, 12, 28), D(2025, 11, 1), D(2022, 3, 5)]
)
def test_working_saturdays(day: dt.date) -> None:
    assert day.weekday() == 5
    assert is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        D(2023, 2, 24),  # перенос с 1 января
        D(2023, 5, 8),  # перенос с 8 января
        D(2023, 11, 6),  # 4 ноября — суббота
        D(2024, 4, 29), D(2024, 4, 30), D(2024, 5, 10), D(2024, 12, 30), D(2024, 12, 31),
        D(2025, 5, 2), D(2025, 5, 8), D(2025, 6, 13), D(2025, 11, 3), D(2025, 12, 31),
        D(2026, 1, 9), D(2026, 3, 9), D(2026, 5, 11),
        D(2024, 1, 8), D(2024, 11, 4), D(2025, 6, 12),
    ],
)
def test_weekdays_off(day: dt.date) -> None:
    assert day.weekday() < 5
    assert not is_working_day(day)


def test_plain_days() -> None:
    assert is_working_day(D(2023, 11, 1))  # среда
    assert not is_working_day(D(2023, 11, 4))  # праздник в субботу
    assert not is_working_day(D(2025, 3, 8))
    assert is_working_day(D(2025, 2, 24))  # 23 февраля перенесено на 8 мая, не на 24 февраля


def test_add_working_days_across_may_holidays() -> None:
    # Утверждено в пятницу 26.04.2024: 27.04 (рабочая суббота) — 1-й день,
    # 29.04–01.05 — выходные, 02.05 — 2-й, 03.05 — 3-й, 06–08.05 — 4–6-й,
    # 09–12.05 — выходные, 13–16.05 — 7–10-й.
    assert add_working_days(D(2024, 4, 26), 1) == D(2024, 4, 27)
    assert add_working_days(D(2024, 4, 26), 10) == D(2024, 5, 16)
    assert add_working_days(D(2024, 4, 26), 0) == D(2024, 4, 26)


def test_between_inverts_add() -> None:
    start = D(2023, 12, 25)
    for count in (1, 5, 10, 30):
        end = add_working_days(start, count)
        assert working_days_between(start, end) == count
        assert working_days_between(end, start) == -count
        assert is_working_day(end)


def test_every_calendar_has_a_source() -> None:
    for calendar in CALENDARS.values():
        assert "Постановление Правительства РФ" in calendar.source
        assert all(d.weekday() < 5 for d in calendar.days_off)
        assert all(d.weekday() >= 5 for d in calendar.working_weekends)


@pytest.mark.parametrize("year", sorted(CALENDARS))
def test_library_calendar_matches_the_hand_kept_table(year: int) -> None:
    """Every day of 2022–2026 as the decrees say (the table kept by hand before issue 15)."""
    day = D(year, 1, 1)
    differing = []
    while day.year == year:
        if is_working_day(day) != oracle_is_working_day(day):
            differing.append(day)
        day += dt.timedelta(days=1)
    assert differing == []
    assert is_known_year(year)


def test_2027_follows_its_decree() -> None:
    # Постановление Правительства РФ «О переносе выходных дней в 2027 году»: с 2 января (сб)
    # на 5 ноября, с 3 января (вс) на 31 декабря, 20 февраля (сб) — рабочий день вместо
    # 22 февраля. The Labour-Code rule alone gets these four days wrong.
    assert is_known_year(2027)
    assert is_working_day(D(2027, 2, 20))
    assert not is_working_day(D(2027, 2, 22))
    assert not is_working_day(D(2027, 11, 5))
    assert not is_working_day(D(2027, 12, 31))
    # ТК ст. 112: 1 мая (сб) → 3 мая, 9 мая (вс) → 10 мая, 12 июня (сб) → 14 июня
    assert not is_working_day(D(2027, 5, 3))
    assert not is_working_day(D(2027, 5, 10))
    assert not is_working_day(D(2027, 6, 14))


def test_a_year_without_a_decree_falls_back_to_the_labour_code() -> None:
    """Without the 2027 decree (a calendar ending in 2026) only art. 112 applies: its
    automatic moves are kept, the decree's transfers are not known."""
    old = dataclasses.replace(russian_calendar(), last_year=2026)
    assert not is_known_year(2027, old)
    assert is_known_year(2026, old)
    assert not is_working_day(D(2027, 5, 3), old)  # 1 мая — суббота
    assert not is_working_day(D(2027, 6, 14), old)  # 12 июня — суббота
    assert is_working_day(D(2027, 2, 22), old)  # the decree's day off is not known
    assert not is_working_day(D(2027, 2, 20), old)
    assert add_working_days(D(2027, 2, 19), 1, old) == D(2027, 2, 22)
    assert add_working_days(D(2027, 2, 19), 1) == D(2027, 2, 20)


def test_years_before_the_present_holiday_set_are_not_known() -> None:
    assert not is_known_year(2012)
    assert not is_known_year(russian_calendar().last_year + 1)

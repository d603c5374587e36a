"""The Russian production calendar, read from the ``holidays`` package.

``holidays`` keeps the Government's yearly decrees «О переносе выходных дней» as data: the
weekdays made days off and the Saturdays made working days (its ``weekend_workdays``), with
the decree cited for every year. It matches the table this project kept by hand on every
day of 2022–2026 (``tests/calendar_oracle.py`` checks it) and has the decrees published
since, so a new year needs a package update rather than a code change.

It lives in io because building the library's calendar reads the package's translation
files; the result handed to core is plain data (``ProductionCalendar``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version

# The holiday set of art. 112 ТК РФ in its present form (1–8 January) holds since 2013;
# earlier years are left to the Labour-Code fallback in core.workdays, with a warning.
FIRST_YEAR = 2013


@dataclass(frozen=True)
class ProductionCalendar:
    """Days off and working weekend days of the five-day week, for the years it covers."""

    first_year: int
    last_year: int  # the last year whose decree «О переносе выходных дней» is in the data
    days_off: frozenset[dt.date]  # holidays and transferred days off, weekend days included
    working_weekends: frozenset[dt.date]  # Saturdays (or Sundays) made working days
    source: str

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def is_working_day(self, day: dt.date) -> bool:
        """Exact for the years it covers; callers ask ``covers`` first."""
        if day.weekday() >= 5:
            return day in self.working_weekends
        return day not in self.days_off


def last_decree_year() -> int:
    """The latest year for which the package has the Government's transfer decree."""
    from holidays.countries.russia import RussiaStaticHolidays

    return max(RussiaStaticHolidays.special_public_holidays)


@cache
def russian_calendar() -> ProductionCalendar:
    """The calendar of every year from ``FIRST_YEAR`` to the last decree the package has.

    Imported on first use: ``holidays`` takes ~0.1 s to import, which a command that counts
    no working days (``rules list``, ``--help``) should not pay."""
    import holidays

    last = last_decree_year()
    years = range(FIRST_YEAR, last + 1)
    # language fixed: the names are not used, and it keeps the locale of the environment
    # out of the result
    data = holidays.country_holidays("RU", years=years, language="ru")
    return ProductionCalendar(
        first_year=FIRST_YEAR,
        last_year=last,
        days_off=frozenset(data),
        working_weekends=frozenset(d for d in data.weekend_workdays if d.year in years),
        source=f"производственный календарь пакета holidays {version('holidays')}",
    )

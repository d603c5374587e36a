"""Numbers as a Russian reader writes them, the same in text, CSV and XLSX.

Scores, coverage and shares are fractions (0.9995) in the data and JSON; people read them
as percent with one decimal and a decimal comma: «99,9 %». XLSX stores the same rounded
value as a number with a percent format, so Excel shows the same digits and still sorts.
"""

from __future__ import annotations

PERCENT_DIGITS = 1


def percent_value(fraction: float) -> float:
    """The fraction rounded as it is shown: 0.99949 → 0.999 (99,9 %). Rounded again after
    the division, which can leave 0.6579999999999999 for 65,8 %."""
    return round(round(fraction * 100, PERCENT_DIGITS) / 100, PERCENT_DIGITS + 2)


def percent(fraction: float | None, empty: str = "") -> str:
    """0.9 → «90,0 %»; ``empty`` for no value."""
    if fraction is None:
        return empty
    return f"{round(fraction * 100, PERCENT_DIGITS):.{PERCENT_DIGITS}f} %".replace(".", ",")


def decimal(value: float) -> str:
    """A plain number with a decimal comma and no needless digits: 0.5 → «0,5», 2.0 → «2»."""
    return f"{value:g}".replace(".", ",")


def distinct_percents(old: float | None, new: float | None,
                      empty: str = "—") -> tuple[str, str]:
    """Two percents with as many decimals (1 to 4) as it takes to see that they differ:
    95,0 % → 95,0 % hid a change of 0.9504 → 0.9496; it reads 95,04 % → 94,96 %."""
    def text(value: float | None, digits: int) -> str:
        if value is None:
            return empty
        return f"{value * 100:.{digits}f} %".replace(".", ",")

    for digits in range(PERCENT_DIGITS, 5):
        pair = text(old, digits), text(new, digits)
        if pair[0] != pair[1] or old == new:
            return pair
    return pair


XLSX_PERCENT_FORMAT = "0.0%"  # Excel shows «99,9%» in a Russian locale

"""四舍五入, the one rounding rule for every figure shown: half up at the digits shown, by decimal
arithmetic on the number as written (100.125 → 100.13, 98.625 → 98.63, 6.25 % → 6.3 %). Python's
round() and format() round half to even on the binary value (100.12, 6.2 %), which no office does."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def _decimal(value: float | int) -> Decimal:
    # repr is the shortest text that reads back as the same float: the number a person sees
    return Decimal(repr(float(value)))


def _quantised(number: Decimal, digits: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP) + 0  # + 0: never "-0.00"


def half_up(value: float | int, digits: int = 2) -> float:
    """A figure rounded 四舍五入 to `digits` decimals, as a float (what is ranked, summed and written)."""
    return float(_quantised(_decimal(value), digits))


def fixed(value: float | int, digits: int = 2) -> str:
    """A figure as text with exactly `digits` decimals: fixed(100.125) == "100.13"."""
    return str(_quantised(_decimal(value), digits))


def short(value: float | int, digits: int = 2) -> str:
    """A figure as text with at most `digits` decimals and no trailing zeros: short(95.50) == "95.5",
    short(100.0) == "100"."""
    text = fixed(value, digits)
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(fraction: float | int, digits: int = 1) -> str:
    """A fraction as a percentage: percent(0.0625) == "6.3%" (the fraction is multiplied exactly)."""
    return str(_quantised(_decimal(fraction) * 100, digits)) + "%"

"""The one rule for text that a spreadsheet could take for a formula (=, +, -, @, tab, return first):
every workbook cell and every CSV field goes through it, so Excel and WPS never evaluate a roster's
or a note's text."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_field(value: object) -> object:
    """A CSV field as a spreadsheet will read it: formula-looking text behind a single quote (the
    convention Excel and WPS show as text)."""
    return "'" + value if looks_like_formula(value) else value

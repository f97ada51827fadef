"""Numbers as a reader of the report's language writes them (Babel's CLDR data).

English: "56.1", "-3.2", "56 %" (the kit has always put a space before the per cent sign, so `percent`
keeps it, as a no-break space, in both languages). Swedish: "56,1", "−3,2" (a real minus sign, as
CLDR has it), "56,1 %", "46,1–66,0". No grouping of thousands: the figures are scores and shares.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal, get_minus_sign_symbol

_LOCALES = {"en": "en", "sv": "sv_SE"}


def _locale(language: str | None) -> str:
    return _LOCALES.get(language or "en", language or "en")


def number(value, language: str | None, digits: int = 1, sign: bool = False) -> str:
    """`value` with `digits` decimals in the language's way ("56.1", "56,1"); "–" for a missing value.
    With `sign`, a plus sign for positive values ("+2.3", "+2,3")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    value = round(float(value), digits) + 0.0          # no "-0.0"
    pattern = "0" + ("." + "0" * digits if digits > 0 else "")
    if sign:
        pattern = "+" + pattern + ";-" + pattern
    locale = _locale(language)
    try:
        text = format_decimal(value, format=pattern, locale=locale)
        minus = get_minus_sign_symbol(locale)
    except Exception:   # an unknown locale: the English way
        text, minus = format_decimal(value, format=pattern, locale="en"), "-"
    return text.replace("-", minus)   # the pattern's "-" is the locale's minus sign ("−" in Swedish)


def percent(value, language: str | None, digits: int = 0) -> str:
    """A percentage (value already in 0–100) with a space before the sign: "56 %", "56,1 %"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{number(value, language, digits)}\u00a0%"


def number_range(low, high, language: str | None, digits: int = 1, sign: bool = False) -> str:
    """A range with an en dash: "46.1–66.0", "46,1–66,0"."""
    return f"{number(low, language, digits, sign)}–{number(high, language, digits, sign)}"

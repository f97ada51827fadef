"""Numbers per language: Swedish decimal comma and "56,1 %", English unchanged."""

from __future__ import annotations

import math

import pytest

from assessment._format import number, number_range, percent


@pytest.mark.parametrize("value, language, digits, expected", [
    (56.12, "sv", 1, "56,1"), (56.12, "en", 1, "56.1"), (56.0, "sv", 1, "56,0"), (56.5, "en", 0, "56"),
    (-3.25, "sv", 2, "−3,25"), (-3.25, "en", 2, "-3.25"), (100, "sv", 1, "100,0"), (-0.04, "sv", 1, "0,0"),
    (1234.5, "sv", 1, "1234,5"), (7, None, 1, "7.0"),
])
def test_number(value, language, digits, expected):
    assert number(value, language, digits) == expected


def test_number_with_a_sign_matches_pythons_in_english():
    for value in (2.34, -2.34, 0.0, -11.96, 35.0):
        assert number(value, "en", sign=True) == f"{value:+.1f}"
    assert number(2.34, "sv", sign=True) == "+2,3" and number(-2.34, "sv", sign=True) == "−2,3"


def test_missing_values_are_a_dash():
    assert number(None, "sv") == number(math.nan, "en") == percent(float("nan"), "sv") == "–"


def test_percent():
    assert percent(56.1, "sv", 1) == "56,1\u00a0%"
    assert percent(56.1, "sv") == "56\u00a0%" and percent(56.1, "en", 1) == "56.1\u00a0%"


def test_number_range():
    assert number_range(46.1, 66.0, "sv") == "46,1–66,0"
    assert number_range(46.1, 66.0, "en") == "46.1–66.0"


def test_an_unknown_language_falls_back_to_english_digits():
    assert number(1.5, "xx") == "1.5"

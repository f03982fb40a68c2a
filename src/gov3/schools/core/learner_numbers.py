"""Permanent learner numbers written to a country pack's pattern ('#' a digit, '@' a capital
letter, anything else literal), with a Luhn check digit as the last digit when the pack says
so (ISO/IEC 7812-1 annex B), so that a mistyped or forged number is refused before any lookup.
"""

from __future__ import annotations

import string


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits``."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def make_learner_number(pattern: str, check: str, serial: int) -> str:
    """The number with ``serial`` written into the pattern's '#' places (with the check digit
    in the last '#' when ``check`` is "luhn"); '@' places take "A"."""
    places = pattern.count("#") - (1 if check == "luhn" else 0)
    if serial < 0 or len(str(serial)) > places:
        raise ValueError(f"serial {serial} does not fit the pattern {pattern!r}")
    digits = str(serial).zfill(places)
    if check == "luhn":
        digits += luhn_digit(digits)
    out: list[str] = []
    index = 0
    for char in pattern:
        if char == "#":
            out.append(digits[index])
            index += 1
        elif char == "@":
            out.append("A")
        else:
            out.append(char)
    return "".join(out)


def is_valid_learner_number(pattern: str, check: str, number: str) -> bool:
    """True if ``number`` is written to the pattern and its check digit is right."""
    if len(number) != len(pattern):
        return False
    digits = ""
    for char, expected in zip(number, pattern, strict=True):
        if expected == "#":
            if char not in string.digits:
                return False
            digits += char
        elif expected == "@":
            if char not in string.ascii_uppercase:
                return False
        elif char != expected:
            return False
    if check == "luhn":
        return luhn_digit(digits[:-1]) == digits[-1]
    return True

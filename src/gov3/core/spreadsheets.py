"""CSV cells a spreadsheet would run as formulas are written as text (OWASP "CSV injection").

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`,
which spreadsheets show as text and do not evaluate; `restore` undoes it when gov3 reads its
own export back (the Saemaul exchange format). Numbers are written as they are.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value`, with a leading `'` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(text: str) -> str:
    """Undo `neutralise` on a cell read back from a gov3 CSV file."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text

"""What every API answer of gov3 shares: the shape of a refusal."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Why a request was refused; nothing was changed. ``errors`` lists, for a request that
    does not match the API document, each field that is wrong."""

    detail: str
    code: str = ""
    errors: list[dict[str, Any]] | None = None

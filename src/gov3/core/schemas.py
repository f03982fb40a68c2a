"""What every API request and answer of gov3 shares: the shape of a refusal, and the checks
every request body passes."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

import re
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from ninja import Schema
from pydantic import ValidationInfo, field_validator


class ErrorOut(Schema):
    """Why a request was refused; nothing was changed. ``errors`` lists, for a request that
    does not match the API document, each field that is wrong."""

    detail: str
    code: str = ""
    errors: list[dict[str, Any]] | None = None


#: The integers a database column holds (64-bit signed).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
#: What any text field of a request may hold at most, unless it says less (or the model does).
TEXT_MAX = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _check_value(value: Any, where: str) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        raise ValueError(f"{where}: the number is out of range")
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise ValueError(f"{where}: the text is not valid Unicode")
        if _CONTROL.search(value):
            raise ValueError(f"{where}: control characters (such as NUL) are not allowed")
        if len(value) > TEXT_MAX:
            raise ValueError(f"{where}: at most {TEXT_MAX} characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(key, where)
            _check_value(item, where)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_value(item, where)


class InputSchema(Schema):
    """The base of every request body: integers fit a database column, text holds no control
    characters (tab and line breaks allowed) or lone surrogates and is at most `TEXT_MAX`
    characters, and a text field named like a column of one of `length_models` is at most that
    column's length. A body that breaks any rule is a 422 naming the field; nothing is
    changed."""

    #: Models whose CharField lengths bound the fields of the same name.
    length_models: ClassVar[tuple[type[models.Model], ...]] = ()

    @field_validator("*", mode="after")
    @classmethod
    def _safe(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or "field"
        if isinstance(value, str):
            for model in cls.length_models:
                try:
                    column = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                limit = getattr(column, "max_length", None)
                if limit is not None and len(value) > limit:
                    raise ValueError(f"{name}: at most {limit} characters")
        _check_value(value, name)
        return value

"""Errors of the Saemaul programme, within gov3's one hierarchy (gov3.core.errors)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from gov3.core.errors import Gov3Error, ValidationFailedError


class LockedError(Gov3Error):
    """The record is locked (an approved amount, an approved reporting period); HTTP 409."""


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with one row of an import file."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        values = {"row": self.row, "field": self.field, "message": self.message}
        if not self.row:
            return gettext("file: %(message)s") % values
        if not self.field:
            return gettext("row %(row)s: %(message)s") % values
        return gettext("row %(row)s, %(field)s: %(message)s") % values


class ImportRejectedError(ValidationFailedError):
    """An import file had problems; nothing was imported. ``problems`` lists them all."""

    def __init__(self, message: str, problems: list[ImportProblem]) -> None:
        super().__init__(message)
        self.problems = problems

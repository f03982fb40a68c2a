"""Dated parameters: a value holds from its date until the next one, with its source."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from gov3.rules.errors import EvaluationError
from gov3.rules.ir import Type, Value

#: How far a value's source has been checked: `official` — against the law, gazette or notice
#: itself (the default); `secondary` — only in secondary sources (news, guides) so far;
#: `unverified` — not yet checked. Pages show citizens the clean title only; officers and
#: `gov3 rules check` see the status.
SOURCE_STATUSES = ("official", "secondary", "unverified")


@dataclass(frozen=True, slots=True)
class DatedValue:
    """One value of a parameter, from `valid_from` on, and where it was published."""

    valid_from: date
    value: Value
    source_title: str
    source_url: str
    #: An English title for a source not written in English ("" if the title is English).
    source_title_en: str = ""
    #: One of `SOURCE_STATUSES`.
    status: str = "official"
    #: The pack author's working note on the check (e.g. "several secondary sources agree").
    note: str = ""


@dataclass(frozen=True)
class Parameter:
    """A named parameter (``basic_pension.income_limit_single``) with its dated values."""

    path: str
    type: Type
    label: Mapping[str, str]
    values: tuple[DatedValue, ...]  # oldest first

    def at(self, day: date) -> DatedValue:
        """The value in force on `day`; `EvaluationError` if the parameter has none yet."""
        found = None
        for dated in self.values:
            if dated.valid_from <= day:
                found = dated
        if found is None:
            first = self.values[0].valid_from if self.values else None
            raise EvaluationError(
                f"parameter `params.{self.path}` has no value on {day.isoformat()}"
                + (f" (its first value holds from {first.isoformat()})" if first else "")
            )
        return found


class Parameters(dict[str, Parameter]):
    """Every parameter of a pack, by path."""

    def types(self) -> dict[str, Type]:
        return {path: parameter.type for path, parameter in self.items()}

    def on(self, day: date, paths: Iterable[str] | None = None) -> dict[str, Value]:
        """The value of each parameter in `paths` (default: all) on `day`."""
        wanted = self if paths is None else paths
        return {path: self[path].at(day).value for path in wanted}

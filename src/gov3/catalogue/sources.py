"""Where a rule's amounts and limits come from, as pages show them.

A parameter's source has a title as published (often in the country's own language), an
optional English title, and how far it has been checked (`gov3.rules.params.SOURCE_STATUSES`).
Citizens see the clean title, with the English title next to it on pages in another language;
officers also see the check status and the pack author's note; `gov3 rules check` warns about
every value whose source is not checked against the official text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import pgettext

from gov3.rules.ir import Type
from gov3.rules.pack import RulePack
from gov3.rules.params import DatedValue


@dataclass(frozen=True)
class ParamRow:
    """One amount or limit in force, with its source, as a page shows it."""

    label: str
    value: str
    valid_from: date
    source_title: str
    source_url: str
    #: The English title, shown next to `source_title` on pages in another language ("" if none).
    source_title_en: str
    status: str
    note: str
    #: The language `source_title` is written in, when the page is in another one ("" if not).
    source_language: str = ""

    @property
    def checked(self) -> bool:
        """The source was checked against the official text."""
        return self.status == "official"

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def status_label(status: str) -> str:
    """The check status in the reader's language."""
    labels = {
        "official": pgettext("source status", "checked against the official text"),
        "secondary": pgettext("source status", "seen only in secondary sources"),
        "unverified": pgettext("source status", "not checked yet"),
    }
    return labels.get(status, status)


def value_text(value: object, kind: Type, currency: str) -> str:
    """A parameter's value as people read it in the active language (an exact ratio to two
    decimals, with "≈" when that rounds)."""
    if isinstance(value, Fraction) and value.denominator != 1:
        hundredths = round(value * 100)
        shown = number_format(Decimal(hundredths).scaleb(-2), decimal_pos=2, force_grouping=True)
        if Fraction(hundredths, 100) != value:
            shown = f"\u2248{shown}"
        return f"{shown} {currency}" if kind is Type.MONEY and currency else shown
    if isinstance(value, Fraction):
        value = value.numerator
    if isinstance(value, bool):
        return pgettext("answer", "yes") if value else pgettext("answer", "no")
    if isinstance(value, int):
        shown = number_format(value, force_grouping=True)
        return f"{shown} {currency}" if kind is Type.MONEY and currency else shown
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def english_title(dated: DatedValue, language: str, local_language: str) -> str:
    """The English title to show next to the source's own, or "" (same language, or none)."""
    if language == local_language or not dated.source_title_en:
        return ""
    return dated.source_title_en


def param_rows(
    pack: RulePack,
    paths: Iterable[str],
    day: date,
    *,
    language: str,
    local_language: str,
    currency: str = "",
) -> list[ParamRow]:
    """The parameters `paths` in force on `day` (those without a value yet are left out)."""
    rows = []
    for path in sorted(paths):
        parameter = pack.params[path]
        if parameter.values[0].valid_from > day:
            continue
        dated = parameter.at(day)
        labels = parameter.label
        rows.append(
            ParamRow(
                label=labels.get(language) or labels.get("en") or path,
                value=value_text(dated.value, parameter.type, currency),
                valid_from=dated.valid_from,
                source_title=dated.source_title,
                source_url=dated.source_url,
                source_title_en=english_title(dated, language, local_language),
                status=dated.status,
                note=dated.note,
                source_language=local_language if language != local_language else "",
            )
        )
    return rows


@dataclass(frozen=True)
class UncheckedValue:
    """A dated value whose source is not yet checked against the official text."""

    path: str
    value: DatedValue

    def __str__(self) -> str:
        dated = self.value
        note = f" — {dated.note}" if dated.note else ""
        return (
            f"params.{self.path} from {dated.valid_from.isoformat()}: source {dated.status}"
            f"{note} ({dated.source_url})"
        )


def unchecked_values(pack: RulePack, *, since: date | None = None) -> list[UncheckedValue]:
    """Every dated value whose source is `secondary` or `unverified`; with `since`, only the
    values still in force on that day or later (older history is not worth a warning)."""
    found = []
    for path in sorted(pack.params):
        values = pack.params[path].values
        for index, dated in enumerate(values):
            if dated.status == "official":
                continue
            ends = values[index + 1].valid_from if index + 1 < len(values) else None
            if since is not None and ends is not None and ends <= since:
                continue
            found.append(UncheckedValue(path, dated))
    return found

"""A country pack's rules for open positions and self-service leave and overtime (the
`open_positions` and `leave` entries of `countries/<cc>/personnel/personnel.yaml`; issue 18
items 8 and 9). Pure: no Django. Each entry is dated (`valid_from`) and sourced; a figure not
checked against the published text carries "(verify)" in its source or legal basis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

FILE = Path("personnel") / "personnel.yaml"


class ServicePackError(ValueError):
    """The open-position or leave entries are not valid; the message names the file."""


@dataclass(frozen=True)
class OpenPositionRules:
    """Designation limit, selection committee and contract term of open positions."""

    valid_from: date
    source_title: str
    scs_grades: tuple[str, ...]
    max_share_percent: int
    share_legal_basis: str
    committee_min_members: int
    committee_legal_basis: str
    contract_min_years: int
    contract_max_years: int
    contract_legal_basis: str

    def max_open(self, scs_posts: int) -> int:
        """How many of `scs_posts` may be open positions (rounded down: within the share)."""
        return scs_posts * self.max_share_percent // 100


@dataclass(frozen=True)
class LeaveKind:
    """A kind of leave: its yearly days (by years of service, or flat; none: no balance)."""

    code: str
    by_service_years: tuple[tuple[int, int], ...]
    days: int | None
    legal_basis: str

    def entitlement(self, service_years: int) -> int | None:
        """Days a year for someone with `service_years` full years of service."""
        if self.by_service_years:
            allowed = [d for years, d in self.by_service_years if years <= service_years]
            return allowed[-1] if allowed else 0
        return self.days


@dataclass(frozen=True)
class LeaveRules:
    """Leave kinds, overtime limits and how many levels of heads approve."""

    valid_from: date
    source_title: str
    approval_levels: int
    kinds: tuple[LeaveKind, ...]
    overtime_max_day: int
    overtime_max_month: int
    overtime_legal_basis: str

    def kind(self, code: str) -> LeaveKind | None:
        return next((k for k in self.kinds if k.code == code), None)


@dataclass(frozen=True)
class ServiceRules:
    open_positions: tuple[OpenPositionRules, ...]
    leave: tuple[LeaveRules, ...]

    def open_positions_on(self, day: date) -> OpenPositionRules | None:
        found = [r for r in self.open_positions if r.valid_from <= day]
        return max(found, key=lambda r: r.valid_from) if found else None

    def leave_on(self, day: date) -> LeaveRules | None:
        found = [r for r in self.leave if r.valid_from <= day]
        return max(found, key=lambda r: r.valid_from) if found else None


def _day(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ServicePackError(f"{where}: valid_from {value!r} is not a date.") from None


def _int(value: Any, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ServicePackError(f"{where}: {what} must be a whole number, not {value!r}.")
    return int(value)


def _source(entry: dict[str, Any], where: str) -> str:
    source = entry.get("source") or {}
    if not isinstance(source, dict) or not source.get("title"):
        raise ServicePackError(f"{where}: each entry needs a source with a title.")
    return str(source["title"])


def _open_positions(entry: Any, where: str) -> OpenPositionRules:
    if not isinstance(entry, dict):
        raise ServicePackError(f"{where}: each open_positions entry is a mapping.")
    committee = entry.get("committee") or {}
    term = entry.get("contract_years") or {}
    rules = OpenPositionRules(
        valid_from=_day(entry.get("valid_from"), where),
        source_title=_source(entry, where),
        scs_grades=tuple(str(g) for g in entry.get("scs_grades") or ()),
        max_share_percent=_int(entry.get("max_share_percent"), "max_share_percent", where),
        share_legal_basis=str(entry.get("share_legal_basis", "")),
        committee_min_members=_int(committee.get("min_members", 3), "min_members", where),
        committee_legal_basis=str(committee.get("legal_basis", "")),
        contract_min_years=_int(term.get("min"), "contract_years.min", where),
        contract_max_years=_int(term.get("max"), "contract_years.max", where),
        contract_legal_basis=str(term.get("legal_basis", "")),
    )
    if rules.max_share_percent > 100 or rules.contract_min_years > rules.contract_max_years:
        raise ServicePackError(f"{where}: the share or the contract years are out of range.")
    return rules


def _leave_kind(code: str, data: Any, where: str) -> LeaveKind:
    if not isinstance(data, dict):
        raise ServicePackError(f"{where}: leave kind {code} is a mapping.")
    table = []
    for row in data.get("by_service_years") or ():
        if not isinstance(row, list) or len(row) != 2:
            raise ServicePackError(f"{where}: leave kind {code}: rows are [years, days].")
        table.append((_int(row[0], "years", where), _int(row[1], "days", where)))
    days = data.get("days")
    return LeaveKind(
        code=code,
        by_service_years=tuple(sorted(table)),
        days=None if days is None else _int(days, "days", where),
        legal_basis=str(data.get("legal_basis", "")),
    )


def _leave(entry: Any, where: str) -> LeaveRules:
    if not isinstance(entry, dict) or not isinstance(entry.get("kinds"), dict):
        raise ServicePackError(f"{where}: each leave entry is a mapping with kinds.")
    overtime = entry.get("overtime") or {}
    return LeaveRules(
        valid_from=_day(entry.get("valid_from"), where),
        source_title=_source(entry, where),
        approval_levels=max(1, _int(entry.get("approval_levels", 1), "approval_levels", where)),
        kinds=tuple(_leave_kind(str(c), d, where) for c, d in entry["kinds"].items()),
        overtime_max_day=_int(overtime.get("max_hours_a_day", 0), "max_hours_a_day", where),
        overtime_max_month=_int(overtime.get("max_hours_a_month", 0), "max_hours_a_month", where),
        overtime_legal_basis=str(overtime.get("legal_basis", "")),
    )


def parse(text: str, where: str) -> ServiceRules:
    """Read and check the `open_positions` and `leave` entries of a personnel file."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ServicePackError(f"{where}: not valid YAML ({error}).") from None
    if not isinstance(data, dict):
        raise ServicePackError(f"{where}: expected a mapping.")
    return ServiceRules(
        open_positions=tuple(_open_positions(e, where) for e in data.get("open_positions") or ()),
        leave=tuple(_leave(e, where) for e in data.get("leave") or ()),
    )


@lru_cache(maxsize=8)
def load(countries_dir: str, country: str) -> ServiceRules:
    """The country's open-position and leave rules (read once per process; none: empty)."""
    path = Path(countries_dir) / country / FILE
    if not path.exists():
        return ServiceRules((), ())
    return parse(path.read_text(encoding="utf-8"), str(path))

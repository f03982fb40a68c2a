"""A country's participation policy, read from ``countries/<cc>/participation/``: petition
types with their dated legal periods, categories and the agencies they go to, objection and
extension rules, duplicate threshold, public petitions' threshold, information-disclosure
periods and grounds, public holidays, and the labelled petitions the classifier learns from.

Pure: plain data in, plain data out. A file with a problem is refused with its path and what
is wrong (`PolicyError`); nothing is half-loaded.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from gov3.participation.core.deadlines import (
    COUNTINGS,
    WEEKDAYS,
    Counting,
    Period,
    WorkingCalendar,
)

LANGUAGES = ("ko", "en", "vi")


class PolicyError(ValueError):
    """The participation files of a country pack are wrong; the message says where and why."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class DatedPeriod:
    """A period in force from ``valid_from``, with its legal source."""

    valid_from: date
    period: Period
    source: Source
    extension_days: int = 0


@dataclass(frozen=True)
class DatedObjection:
    valid_from: date
    object_within: Period
    decide_within: Period
    source: Source


@dataclass(frozen=True)
class DatedThreshold:
    valid_from: date
    signatures: int
    within_days: int
    source: Source


def _at(values: tuple[Any, ...], day: date, what: str) -> Any:
    found = None
    for value in values:
        if value.valid_from <= day:
            found = value
    if found is None:
        raise PolicyError(f"{what} has no value in force on {day.isoformat()}")
    return found


@dataclass(frozen=True)
class PetitionType:
    key: str
    names: Mapping[str, str]
    periods: tuple[DatedPeriod, ...]

    def on(self, day: date) -> DatedPeriod:
        return _at(self.periods, day, f"petition type {self.key}")  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Category:
    key: str
    names: Mapping[str, str]
    agency: str
    local: bool


@dataclass(frozen=True)
class AgencySpec:
    code: str
    names: Mapping[str, str]
    area: str = ""


@dataclass(frozen=True)
class Example:
    """A labelled petition: its text and the category it belongs to."""

    text: str
    category: str


@dataclass(frozen=True)
class Policy:
    """Everything a country says about petitions and information disclosure."""

    country: str
    calendar: WorkingCalendar
    holidays_source: Source
    types: Mapping[str, PetitionType]
    categories: Mapping[str, Category]
    agencies: Mapping[str, AgencySpec]
    extension_times: int
    extension_source: Source
    objections: tuple[DatedObjection, ...]
    duplicate_threshold: float
    public: tuple[DatedThreshold, ...]
    disclosure: tuple[DatedPeriod, ...]
    disclosure_objections: tuple[DatedObjection, ...]
    grounds: Mapping[str, Mapping[str, str]]
    examples: tuple[Example, ...]

    def objection_on(self, day: date) -> DatedObjection:
        return _at(self.objections, day, "petition objection period")  # type: ignore[no-any-return]

    def public_on(self, day: date) -> DatedThreshold:
        return _at(self.public, day, "public petition threshold")  # type: ignore[no-any-return]

    def disclosure_on(self, day: date) -> DatedPeriod:
        return _at(self.disclosure, day, "disclosure period")  # type: ignore[no-any-return]

    def disclosure_objection_on(self, day: date) -> DatedObjection:
        return _at(  # type: ignore[no-any-return]
            self.disclosure_objections, day, "disclosure objection period"
        )

    def agency_for(self, category: str, area_code: str) -> str:
        """The agency a petition of ``category`` about ``area_code`` goes to: for a local
        category the office whose area code is the longest prefix of the address, else the
        category's national agency."""
        spec = self.categories[category]
        if spec.local and area_code:
            offices = [a for a in self.agencies.values() if a.area and area_code.startswith(a.area)]
            if offices:
                return max(offices, key=lambda a: len(a.area)).code
        return spec.agency


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str) -> PolicyError:
        return PolicyError(f"{self.path}: {message}")

    def mapping(self, value: Any, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping")
        return value

    def texts(self, value: Any, what: str) -> dict[str, str]:
        names = self.mapping(value, what)
        missing = [lang for lang in LANGUAGES if not str(names.get(lang, "")).strip()]
        if missing:
            raise self.fail(f"{what} needs a text in {', '.join(missing)}")
        return {lang: str(names[lang]) for lang in LANGUAGES}

    def source(self, value: Any, what: str) -> Source:
        spec = self.mapping(value, f"{what} source")
        url = str(spec.get("url", ""))
        if not spec.get("title") or not url.startswith(("https://", "http://")):
            raise self.fail(f"{what} needs a source with a title and an https:// url")
        return Source(str(spec["title"]), url)

    def day(self, value: Any, what: str) -> date:
        if not isinstance(value, date):
            raise self.fail(f"{what}: `from` must be a date (YYYY-MM-DD)")
        return value

    def count(self, value: Any, what: str, minimum: int = 1) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(f"{what} must be a whole number ≥ {minimum}")
        return value

    def counting(self, value: Any, what: str) -> Counting:
        if value not in COUNTINGS:
            raise self.fail(f"{what}: counting must be one of {', '.join(COUNTINGS)}")
        return value  # type: ignore[no-any-return]

    def dated(self, items: Any, what: str) -> list[dict[str, Any]]:
        if not isinstance(items, list) or not items:
            raise self.fail(f"{what} must list at least one dated value")
        out = [self.mapping(item, what) for item in items]
        days = [self.day(item.get("from"), what) for item in out]
        if days != sorted(set(days)):
            raise self.fail(f"{what}: dated values must be listed oldest first")
        return out

    def periods(self, items: Any, what: str, *, extension: bool = False) -> tuple[DatedPeriod, ...]:
        return tuple(
            DatedPeriod(
                valid_from=item["from"],
                period=Period(
                    self.count(item.get("days"), f"{what} days"),
                    self.counting(item.get("counting"), what),
                    bool(item.get("first_day_counts", True)),
                ),
                source=self.source(item.get("source"), what),
                extension_days=self.count(item.get("extension_days"), f"{what} extension_days")
                if extension
                else 0,
            )
            for item in self.dated(items, what)
        )

    def objections(self, items: Any, what: str) -> tuple[DatedObjection, ...]:
        out = []
        for item in self.dated(items, what):
            counting = self.counting(item.get("counting"), what)
            out.append(
                DatedObjection(
                    valid_from=item["from"],
                    object_within=Period(
                        self.count(item.get("object_within_days"), f"{what} object_within_days"),
                        counting,
                        first_day_counts=False,
                    ),
                    decide_within=Period(
                        self.count(item.get("decide_within_days"), f"{what} decide_within_days"),
                        counting,
                        first_day_counts=False,
                    ),
                    source=self.source(item.get("source"), what),
                )
            )
        return tuple(out)


def _holidays(path: Path) -> tuple[frozenset[date], Source]:
    reader = _Reader(path)
    data = reader.mapping(yaml.safe_load(path.read_text(encoding="utf-8")), "the file")
    days = reader.mapping(data.get("holidays"), "holidays")
    for day in days:
        reader.day(day, f"holiday {day}")
    listed: list[Any] = list(days)
    holidays = frozenset(day for day in listed if isinstance(day, date))
    return holidays, reader.source(data.get("source"), "holidays")


def _examples(path: Path, categories: Mapping[str, Category]) -> tuple[Example, ...]:
    examples = []
    with path.open(encoding="utf-8", newline="") as file:
        lines = [line for line in file if not line.startswith("#")]
        for number, row in enumerate(csv.DictReader(lines), start=2):
            if row.get("category") not in categories or not (row.get("text") or "").strip():
                raise PolicyError(f"{path}:{number}: needs a text and a known category")
            examples.append(Example(row["text"].strip(), row["category"]))
    return tuple(examples)


def load_policy(directory: Path | str) -> Policy:
    """Read ``countries/<cc>/participation/participation.yaml`` and the files it names."""
    root = Path(directory) / "participation"
    path = root / "participation.yaml"
    if not path.exists():
        raise PolicyError(f"{path}: missing (this country has no participation policy)")
    reader = _Reader(path)
    data = reader.mapping(yaml.safe_load(path.read_text(encoding="utf-8")), "the file")
    work = reader.mapping(data.get("working_days"), "working_days")
    weekend = work.get("weekend", [])
    if not isinstance(weekend, list) or any(day not in WEEKDAYS for day in weekend):
        raise reader.fail(f"working_days.weekend lists day names: {', '.join(WEEKDAYS)}")
    holidays, holidays_source = _holidays(root / str(work.get("holidays_file", "holidays.yaml")))
    petitions = reader.mapping(data.get("petitions"), "petitions")
    types = {
        key: PetitionType(
            key,
            reader.texts(reader.mapping(spec, key).get("names"), f"type {key} names"),
            reader.periods(spec.get("periods"), f"type {key} periods"),
        )
        for key, spec in reader.mapping(petitions.get("types"), "petitions.types").items()
    }
    agencies = {}
    for code, spec in reader.mapping(petitions.get("agencies"), "petitions.agencies").items():
        names = reader.mapping(spec, f"agency {code}")
        agencies[code] = AgencySpec(
            code,
            {"ko": str(names.get("ko", "")), "en": str(names.get("en", ""))},
            str(names.get("area", "")),
        )
    categories = {}
    for key, spec in reader.mapping(petitions.get("categories"), "petitions.categories").items():
        item = reader.mapping(spec, f"category {key}")
        if item.get("agency") not in agencies:
            raise reader.fail(f"category {key}: agency {item.get('agency')!r} is not listed")
        categories[key] = Category(
            key,
            reader.texts(item.get("names"), f"category {key} names"),
            str(item["agency"]),
            bool(item.get("local", False)),
        )
    extension = reader.mapping(petitions.get("extension"), "petitions.extension")
    duplicates = reader.mapping(petitions.get("duplicates"), "petitions.duplicates")
    threshold = duplicates.get("threshold")
    if not isinstance(threshold, float) or not 0 < threshold <= 1:
        raise reader.fail("petitions.duplicates.threshold must be a number in (0, 1]")
    public = tuple(
        DatedThreshold(
            item["from"],
            reader.count(item.get("signatures"), "public signatures"),
            reader.count(item.get("within_days"), "public within_days"),
            reader.source(item.get("source"), "public petitions"),
        )
        for item in reader.dated(
            reader.mapping(petitions.get("public"), "petitions.public").get("periods"),
            "public petitions",
        )
    )
    disclosure = reader.mapping(data.get("disclosure"), "disclosure")
    grounds = {
        key: reader.texts(value, f"ground {key}")
        for key, value in reader.mapping(disclosure.get("grounds"), "disclosure.grounds").items()
    }
    return Policy(
        country=Path(directory).name,
        calendar=WorkingCalendar.of(holidays, weekend),
        holidays_source=holidays_source,
        types=types,
        categories=categories,
        agencies=agencies,
        extension_times=reader.count(extension.get("times"), "extension times"),
        extension_source=reader.source(extension.get("source"), "extension"),
        objections=reader.objections(
            reader.mapping(petitions.get("objection"), "objection").get("periods"), "objection"
        ),
        duplicate_threshold=threshold,
        public=public,
        disclosure=reader.periods(
            reader.mapping(disclosure.get("decide"), "disclosure.decide").get("periods"),
            "disclosure",
            extension=True,
        ),
        disclosure_objections=reader.objections(
            reader.mapping(disclosure.get("objection"), "disclosure.objection").get("periods"),
            "disclosure objection",
        ),
        grounds=grounds,
        examples=_examples(root / str(petitions.get("examples_file", "")), categories),
    )

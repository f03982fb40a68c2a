"""pack.yaml: the country's code, names, languages, currency, time zone, national id scheme,
age of majority, passport format and area levels, with their references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from gov3.catalogue.packs.contents import Currency, NationalIdSpec, PassportSpec, Source
from gov3.catalogue.packs.reader import _Reader

AREA_LEVELS = ("province", "municipality", "district")


#: National id schemes gov3 implements (gov3.registry.national_ids); a pack names one of them.
ID_SCHEMES = {"kr_rrn": "kr", "vn_cccd": "vn"}
#: ISO 4217 minor units of the currencies of the countries gov3 is deployed in or prepared for.
CURRENCY_MINOR_UNITS = {
    "KRW": 0,
    "VND": 0,
    "JPY": 0,
    "USD": 2,
    "EUR": 2,
    "THB": 2,
    "IDR": 2,
    "PHP": 2,
    "MYR": 2,
    "SGD": 2,
    "BND": 2,
    "KHR": 2,
    "LAK": 2,
    "MMK": 2,
}


_CODE = re.compile(r"^[a-z]{2}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


@dataclass
class _PackHead:
    """What pack.yaml says, while it is being checked (fields stay None where invalid)."""

    code: str | None = None
    iso3: str | None = None
    names: dict[str, str] | None = None
    locale: str | None = None
    languages: tuple[str, ...] | None = None
    currency: Currency | None = None
    time_zone: str | None = None
    national_id: NationalIdSpec | None = None
    age_of_majority: int | None = None
    passport: PassportSpec | None = None
    area_levels: tuple[str, ...] | None = None
    areas_file: str | None = None
    population_file: str | None = None
    references: dict[str, Source] = field(default_factory=dict)


def _labels(reader: _Reader, node: yaml.Node | None, where: str) -> dict[str, str] | None:
    fields = reader.mapping(node, where)
    if fields is None:
        return None
    labels = {lang: reader.text(value, f"{where}.{lang}") for lang, value in fields.items()}
    if "en" not in labels:
        reader.problem(node, f"{where} must have an English ('en') entry")
    if any(v is None for v in labels.values()) or "en" not in labels:
        return None
    return {k: v for k, v in labels.items() if v is not None}


def _read_head(reader: _Reader, root: yaml.Node, directory: Path) -> _PackHead:
    head = _PackHead()
    top = reader.mapping(root, "pack.yaml")
    if top is None:
        return head

    code = reader.text(reader.key(top, "code", root, "pack.yaml"), "code")
    if code is not None:
        if not _CODE.match(code):
            reader.problem(top["code"], f"code must be two lower-case letters, not {code!r}")
        elif directory.name != code:
            reader.problem(
                top["code"], f"code {code!r} does not match the directory name {directory.name!r}"
            )
        else:
            head.code = code
    iso3 = reader.text(reader.key(top, "iso3", root, "pack.yaml"), "iso3")
    if iso3 is not None and not _ISO3.match(iso3):
        reader.problem(top["iso3"], f"iso3 must be three capital letters, not {iso3!r}")
    elif iso3 is not None:
        head.iso3 = iso3
    head.names = _labels(reader, reader.key(top, "names", root, "pack.yaml"), "names")
    _read_languages(reader, top, root, head)
    _read_currency(reader, top, root, head)
    _read_national_id(reader, top, root, head)
    head.passport = _read_passport(reader, top, root, head)
    _read_area_spec(reader, top, root, head)
    population_node = reader.key(top, "population", root, "pack.yaml")
    population = reader.mapping(population_node, "population")
    head.population_file = reader.text(
        reader.key(population, "file", population_node, "population"), "population.file"
    )
    return head


def _read_languages(
    reader: _Reader, top: dict[str, yaml.Node], root: yaml.Node, head: _PackHead
) -> None:

    languages_node = reader.key(top, "languages", root, "pack.yaml")
    items = reader.sequence(languages_node, "languages")
    if items is not None:
        langs = [reader.text(n, "a language") for n in items]
        if all(lang is not None for lang in langs):
            head.languages = tuple(lang for lang in langs if lang is not None)
    locale = reader.text(reader.key(top, "locale", root, "pack.yaml"), "locale")
    if locale is not None and head.languages is not None and locale not in head.languages:
        reader.problem(top["locale"], f"locale {locale!r} is not one of the pack's languages")
    else:
        head.locale = locale
    tz = reader.text(reader.key(top, "time_zone", root, "pack.yaml"), "time_zone")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            reader.problem(top["time_zone"], f"unknown time zone {tz!r} (e.g. Asia/Seoul)")
        else:
            head.time_zone = tz


def _read_currency(
    reader: _Reader, top: dict[str, yaml.Node], root: yaml.Node, head: _PackHead
) -> None:
    currency_node = reader.key(top, "currency", root, "pack.yaml")
    currency = reader.mapping(currency_node, "currency")
    ccode = reader.text(reader.key(currency, "code", currency_node, "currency"), "currency.code")
    minor = reader.integer(
        reader.key(currency, "minor_unit", currency_node, "currency"), "currency.minor_unit", 0, 4
    )
    if ccode is not None and currency is not None:
        expected = CURRENCY_MINOR_UNITS.get(ccode)
        if expected is None:
            reader.problem(
                currency["code"],
                f"unknown currency {ccode!r}; use an ISO 4217 code such as KRW or VND",
            )
        elif minor is not None and minor != expected:
            reader.problem(
                currency["minor_unit"],
                f"{ccode} has {expected} decimal(s) in ISO 4217, not {minor}",
            )
        elif minor is not None:
            head.currency = Currency(code=ccode, minor_unit=minor)
    _reference(reader, currency, "currency", head)


def _read_national_id(
    reader: _Reader, top: dict[str, yaml.Node], root: yaml.Node, head: _PackHead
) -> None:
    id_node = reader.key(top, "national_id", root, "pack.yaml")
    id_fields = reader.mapping(id_node, "national_id")
    scheme = reader.text(
        reader.key(id_fields, "scheme", id_node, "national_id"), "national_id.scheme"
    )
    if scheme is not None and id_fields is not None and scheme not in ID_SCHEMES:
        reader.problem(
            id_fields["scheme"],
            f"unknown national id scheme {scheme!r}; known: {', '.join(sorted(ID_SCHEMES))}",
        )
        scheme = None
    labels = _labels(
        reader, reader.key(id_fields, "labels", id_node, "national_id"), "national_id.labels"
    )
    if scheme is not None and labels is not None:
        head.national_id = NationalIdSpec(scheme=scheme, labels=labels)
    _reference(reader, id_fields, "national_id", head)

    majority_node = reader.key(top, "age_of_majority", root, "pack.yaml")
    majority = reader.mapping(majority_node, "age_of_majority")
    head.age_of_majority = reader.integer(
        reader.key(majority, "years", majority_node, "age_of_majority"),
        "age_of_majority.years",
        14,
        25,
    )
    _reference(reader, majority, "age_of_majority", head)


def _read_area_spec(
    reader: _Reader, top: dict[str, yaml.Node], root: yaml.Node, head: _PackHead
) -> None:
    areas_node = reader.key(top, "areas", root, "pack.yaml")
    areas = reader.mapping(areas_node, "areas")
    head.areas_file = reader.text(reader.key(areas, "file", areas_node, "areas"), "areas.file")
    levels_node = reader.key(areas, "levels", areas_node, "areas")
    level_items = reader.sequence(levels_node, "areas.levels")
    if level_items is not None:
        levels = [reader.text(n, "an area level") for n in level_items]
        known = [lv for lv in levels if lv is not None]
        unknown = [lv for lv in known if lv not in AREA_LEVELS]
        if unknown:
            reader.problem(
                levels_node,
                f"unknown area level(s) {', '.join(unknown)}; use {', '.join(AREA_LEVELS)}",
            )
        elif known != sorted(known, key=AREA_LEVELS.index) or len(set(known)) != len(known):
            reader.problem(levels_node, "areas.levels must go from the top level down, once each")
        elif len(known) == len(levels):
            head.area_levels = tuple(known)
    _reference(reader, areas, "areas", head)


def _reference(
    reader: _Reader, fields: dict[str, yaml.Node] | None, where: str, head: _PackHead
) -> None:
    """Read an optional ``reference:`` (title + url) of a pack.yaml block."""
    if fields is None or "reference" not in fields:
        return
    source = reader.source(fields, None, where, "reference")
    if source is not None:
        head.references[where] = source


def _read_passport(
    reader: _Reader, top: dict[str, yaml.Node], root: yaml.Node, head: _PackHead
) -> PassportSpec | None:
    node = reader.key(top, "passport", root, "pack.yaml")
    fields = reader.mapping(node, "passport")
    doc = reader.text(
        reader.key(fields, "document_code", node, "passport"), "passport.document_code"
    )
    if doc is not None and fields is not None and not re.fullmatch(r"P[A-Z]?", doc):
        reader.problem(
            fields["document_code"],
            f"passport.document_code must be P or P and a letter (ICAO 9303), not {doc!r}",
        )
        doc = None
    state = reader.text(
        reader.key(fields, "issuing_state", node, "passport"), "passport.issuing_state"
    )
    if state is not None and fields is not None and not _ISO3.match(state):
        reader.problem(fields["issuing_state"], "passport.issuing_state must be 3 capital letters")
        state = None
    pattern = reader.text(
        reader.key(fields, "number_format", node, "passport"), "passport.number_format"
    )
    if pattern is not None and fields is not None:
        free = sum(ch in "#@" for ch in pattern)
        if len(pattern) > 9 or free < 4 or not re.fullmatch(r"[A-Z0-9#@]+", pattern):
            reader.problem(
                fields["number_format"],
                "passport.number_format must be at most 9 characters of capitals, digits, "
                "'#' (a digit) and '@' (a letter), with at least 4 '#' or '@'",
            )
            pattern = None
    validity = reader.integer(
        reader.key(fields, "validity_years", node, "passport"), "passport.validity_years", 1, 10
    )
    _reference(reader, fields, "passport", head)
    if doc is None or state is None or pattern is None or validity is None:
        return None
    return PassportSpec(
        document_code=doc, issuing_state=state, number_format=pattern, validity_years=validity
    )

"""Country packs: read and validate ``countries/<cc>/`` (pack.yaml, areas.csv, population.yaml).

Pure Python (PyYAML and the standard library, no Django), so a pack can be checked anywhere,
including in a pre-commit hook. Validation collects *every* problem with its file and line before
it gives up, and nothing is returned half-loaded: either `load_pack` returns a complete, frozen
`CountryPack` or it raises `PackError` listing all problems. The format is described in
docs/country-packs.md.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

#: libyaml's parser when PyYAML was built with it (ten times faster; the same nodes and
#: line numbers), else the pure-Python one.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PACK_FILE = "pack.yaml"
AREA_LEVELS = ("province", "municipality", "district")
AREA_COLUMNS = ("code", "parent_code", "level", "name_local", "name_en")
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
#: How far a set of shares may be from 1 (the published tables are rounded to 0.1 %).
SHARE_TOLERANCE = 0.005

_CODE = re.compile(r"^[a-z]{2}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_LATIN_NAME = re.compile(r"^[A-Z]+(?:[ '-][A-Z]+)*$")


@dataclass(frozen=True)
class PackProblem:
    """One thing wrong in a country pack, with where it is."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line if self.line is not None else '-'}: {self.message}"


class PackError(Exception):
    """A country pack is invalid; ``problems`` lists everything that is wrong with it."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            f"The country pack has {len(problems)} problem(s):\n"
            + "\n".join(str(p) for p in problems)
        )


@dataclass(frozen=True)
class Source:
    """Where a figure or a rule comes from."""

    title: str
    url: str


@dataclass(frozen=True)
class Currency:
    """The currency money amounts are kept in (exact integers in the minor unit)."""

    code: str
    minor_unit: int


@dataclass(frozen=True)
class NationalIdSpec:
    """The national id number scheme and what it is called in each language."""

    scheme: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class PassportSpec:
    """How the country's passports are written (ICAO Doc 9303 part 4 document code)."""

    document_code: str
    issuing_state: str
    number_format: str
    validity_years: int


@dataclass(frozen=True)
class AreaRow:
    """One administrative area from areas.csv."""

    code: str
    parent_code: str | None
    level: str
    name_local: str
    name_en: str
    line: int


@dataclass(frozen=True)
class AgeBand:
    """A share of the population aged ``start`` to ``end`` years inclusive."""

    start: int
    end: int
    share: float


@dataclass(frozen=True)
class NamePart:
    """A surname, middle name or given-name syllable, in the national script and in Latin."""

    local: str
    latin: str
    share: float = 1.0


@dataclass(frozen=True)
class NamingData:
    """What names are made of, and how they are written."""

    source: Source
    join_local: str
    surnames: tuple[NamePart, ...]
    middle_male: tuple[NamePart, ...]
    middle_female: tuple[NamePart, ...]
    given_syllables: int
    given_join_local: str
    given_join_latin: str
    given_male: tuple[NamePart, ...]
    given_female: tuple[NamePart, ...]


@dataclass(frozen=True)
class PopulationStats:
    """The published statistics a synthetic population is drawn from (population.yaml)."""

    reference_year: int
    age_bands: tuple[AgeBand, ...]
    males_per_100_females: float
    household_size_shares: tuple[tuple[int, float], ...]
    three_generation_share: float
    disability_share: float
    disability_severe_share: float
    income_median_monthly: int
    income_sigma: float
    income_round_to: int
    earning_share_working_age: float
    earning_share_older: float
    older_median_factor: float
    passport_share_valid: float
    deceased_share: float
    deceased_within_years: int
    moved_share: float
    moved_within_years: int
    street_names: tuple[str, ...]
    names: NamingData
    sources: Mapping[str, Source]


@dataclass(frozen=True)
class CountryPack:
    """A validated country pack."""

    path: Path
    code: str
    iso3: str
    names: Mapping[str, str]
    locale: str
    languages: tuple[str, ...]
    currency: Currency
    time_zone: str
    national_id: NationalIdSpec
    age_of_majority: int
    passport: PassportSpec
    area_levels: tuple[str, ...]
    areas: tuple[AreaRow, ...]
    population: PopulationStats
    references: Mapping[str, Source] = field(default_factory=dict)

    @property
    def leaf_areas(self) -> tuple[AreaRow, ...]:
        """The areas of the lowest level, where addresses are."""
        return tuple(a for a in self.areas if a.level == self.area_levels[-1])


def pack_path(code: str, countries_dir: Path) -> Path:
    """The directory of the pack for country ``code`` (two lower-case letters)."""
    if not _CODE.match(code):
        raise PackError(
            [PackProblem(str(countries_dir), None, f"{code!r} is not a country code (e.g. kr)")]
        )
    return countries_dir / code


# --- reading YAML with line numbers -------------------------------------------------------


class _Reader:
    """Reads one YAML document node by node, collecting problems with their line numbers."""

    def __init__(self, file: str, problems: list[PackProblem]) -> None:
        self.file = file
        self.problems = problems
        self._constructor = SafeConstructor()

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(PackProblem(self.file, line, message))

    def compose(self, path: Path) -> yaml.Node | None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            self.problems.append(PackProblem(self.file, None, f"cannot read the file: {exc}"))
            return None
        try:
            node = yaml.compose(text, Loader=SAFE_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = mark.line + 1 if mark is not None else None
            self.problems.append(PackProblem(self.file, line, f"not valid YAML: {exc.problem}"))
            return None
        if node is None:
            self.problems.append(PackProblem(self.file, 1, "the file is empty"))
        return node

    def mapping(self, node: yaml.Node | None, where: str) -> dict[str, yaml.Node] | None:
        if node is None:
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{where} must be a mapping of keys to values")
            return None
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                self.problem(key_node, f"duplicate key {key!r} in {where}")
            result[key] = value_node
        return result

    def key(
        self,
        mapping: dict[str, yaml.Node] | None,
        key: str,
        owner: yaml.Node | None,
        where: str,
        *,
        required: bool = True,
    ) -> yaml.Node | None:
        if mapping is None:
            return None
        node = mapping.get(key)
        if node is None and required:
            self.problem(owner, f"missing required key {key!r} in {where}")
        return node

    def value(self, node: yaml.Node | None) -> Any:
        if node is None:
            return None
        try:
            return self._constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self.problem(node, f"cannot read the value: {exc.problem}")
            return None

    def text(self, node: yaml.Node | None, where: str, *, allow_empty: bool = False) -> str | None:
        if node is None:
            return None
        value = self.value(node)
        if not isinstance(value, str) or (not value.strip() and not allow_empty):
            self.problem(node, f"{where} must be a non-empty text")
            return None
        return value

    def integer(
        self, node: yaml.Node | None, where: str, low: int, high: int | None = None
    ) -> int | None:
        if node is None:
            return None
        value = self.value(node)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(node, f"{where} must be a whole number")
            return None
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(node, f"{where} must be {bounds}, not {value}")
            return None
        return int(value)

    def number(self, node: yaml.Node | None, where: str, low: float, high: float) -> float | None:
        if node is None:
            return None
        value = self.value(node)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.problem(node, f"{where} must be a number")
            return None
        if not low <= value <= high:
            self.problem(node, f"{where} must be between {low} and {high}, not {value}")
            return None
        return float(value)

    def share(self, node: yaml.Node | None, where: str) -> float | None:
        return self.number(node, where, 0.0, 1.0)

    def sequence(self, node: yaml.Node | None, where: str) -> list[yaml.Node] | None:
        if node is None:
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{where} must be a list")
            return None
        if not node.value:
            self.problem(node, f"{where} must not be empty")
            return None
        return list(node.value)

    def source(
        self, mapping: dict[str, yaml.Node] | None, owner: yaml.Node | None, where: str, key: str
    ) -> Source | None:
        node = self.key(mapping, key, owner, where)
        fields = self.mapping(node, f"{where}.{key}")
        title = self.text(self.key(fields, "title", node, f"{where}.{key}"), f"{where}.{key}.title")
        url = self.text(self.key(fields, "url", node, f"{where}.{key}"), f"{where}.{key}.url")
        if url is not None and not url.startswith(("https://", "http://")):
            self.problem(
                fields["url"] if fields else node, f"{where}.{key}.url must be a web address"
            )
            return None
        if title is None or url is None:
            return None
        return Source(title=title.strip(), url=url)


def _check_sum(reader: _Reader, node: yaml.Node | None, where: str, shares: list[float]) -> None:
    total = sum(shares)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        reader.problem(node, f"the shares in {where} add up to {total:.4f}, not 1")


# --- pack.yaml ------------------------------------------------------------------------------


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


# --- areas.csv ------------------------------------------------------------------------------


def _read_areas(
    path: Path, levels: tuple[str, ...] | None, problems: list[PackProblem]
) -> list[AreaRow]:
    file = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        problems.append(PackProblem(file, None, f"cannot read the file: {exc}"))
        return []
    rows: list[AreaRow] = []
    header_seen = False
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = next(csv.reader([line]))
        if not header_seen:
            header_seen = True
            if tuple(c.strip() for c in cells) != AREA_COLUMNS:
                problems.append(
                    PackProblem(file, number, f"the header must be {','.join(AREA_COLUMNS)}")
                )
                return []
            continue
        if len(cells) != len(AREA_COLUMNS):
            problems.append(
                PackProblem(file, number, f"expected {len(AREA_COLUMNS)} columns, got {len(cells)}")
            )
            continue
        code, parent, level, name_local, name_en = (c.strip() for c in cells)
        row_ok = True
        if not code or len(code) > 20:
            problems.append(PackProblem(file, number, "code must be 1 to 20 characters"))
            row_ok = False
        if levels is not None and level not in levels:
            problems.append(
                PackProblem(
                    file, number, f"unknown level {level!r}; this pack uses {', '.join(levels)}"
                )
            )
            row_ok = False
        if not name_local or not name_en:
            problems.append(PackProblem(file, number, "name_local and name_en must not be empty"))
            row_ok = False
        if row_ok:
            rows.append(AreaRow(code, parent or None, level, name_local, name_en, number))
    if not header_seen:
        problems.append(PackProblem(file, 1, "the file has no header and no areas"))
    if levels is not None:
        _check_hierarchy(file, rows, levels, problems)
    return rows


def _check_hierarchy(
    file: str, rows: list[AreaRow], levels: tuple[str, ...], problems: list[PackProblem]
) -> None:
    by_code: dict[str, AreaRow] = {}
    for row in rows:
        if row.code in by_code:
            problems.append(
                PackProblem(
                    file,
                    row.line,
                    f"duplicate code {row.code!r} (first on line {by_code[row.code].line})",
                )
            )
        else:
            by_code[row.code] = row
    for row in rows:
        depth = levels.index(row.level)
        if depth == 0:
            if row.parent_code is not None:
                problems.append(
                    PackProblem(file, row.line, f"a {row.level} has no parent area; remove it")
                )
            continue
        expected = levels[depth - 1]
        parent = by_code.get(row.parent_code or "")
        if row.parent_code is None:
            problems.append(PackProblem(file, row.line, f"a {row.level} needs a parent {expected}"))
        elif parent is None:
            problems.append(
                PackProblem(file, row.line, f"parent {row.parent_code!r} is not in the file")
            )
        elif parent.level != expected:
            problems.append(
                PackProblem(
                    file,
                    row.line,
                    f"parent {parent.code!r} is a {parent.level}; a {row.level}'s parent "
                    f"must be a {expected}",
                )
            )
    if not any(r.level == levels[0] for r in rows) and rows:
        problems.append(PackProblem(file, None, f"there is no area of level {levels[0]}"))
    # Every area above the lowest level should have something under it, or no address can be
    # placed there; the generator spreads households over the lowest level only.
    children = {r.parent_code for r in rows}
    for row in rows:
        if row.level != levels[-1] and row.level != levels[0] and row.code not in children:
            problems.append(
                PackProblem(file, row.line, f"{row.level} {row.code!r} has no {levels[-1]}s")
            )


# --- population.yaml ------------------------------------------------------------------------


def _name_parts(
    reader: _Reader, node: yaml.Node | None, where: str, *, with_share: bool
) -> tuple[NamePart, ...] | None:
    items = reader.sequence(node, where)
    if items is None:
        return None
    parts: list[NamePart] = []
    ok = True
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        fields = reader.mapping(item, here)
        local = reader.text(reader.key(fields, "local", item, here), f"{here}.local")
        latin = reader.text(reader.key(fields, "latin", item, here), f"{here}.latin")
        if latin is not None and fields is not None and not _LATIN_NAME.match(latin):
            reader.problem(
                fields["latin"],
                f"{here}.latin must be capital letters A-Z (ICAO Doc 9303), not {latin!r}",
            )
            latin = None
        share = 1.0
        if with_share:
            read = reader.share(reader.key(fields, "share", item, here), f"{here}.share")
            share = read if read is not None else -1.0
        if local is None or latin is None or share < 0:
            ok = False
        else:
            parts.append(NamePart(local=local, latin=latin, share=share))
    if with_share and ok:
        total = sum(p.share for p in parts)
        if total <= 0 or total > 1 + SHARE_TOLERANCE:
            reader.problem(node, f"the shares in {where} add up to {total:.4f}; use 0 < sum <= 1")
            ok = False
    return tuple(parts) if ok else None


def _read_names(
    reader: _Reader, top: dict[str, yaml.Node] | None, root: yaml.Node
) -> NamingData | None:
    node = reader.key(top, "names", root, "population.yaml")
    fields = reader.mapping(node, "names")
    source = reader.source(fields, node, "names", "source")
    join_local = reader.text(
        reader.key(fields, "join_local", node, "names"), "names.join_local", allow_empty=True
    )
    surnames = _name_parts(
        reader, reader.key(fields, "surnames", node, "names"), "names.surnames", with_share=True
    )
    middle_male: tuple[NamePart, ...] | None = ()
    middle_female: tuple[NamePart, ...] | None = ()
    middle_node = reader.key(fields, "middle_names", node, "names", required=False)
    if middle_node is not None:
        middle = reader.mapping(middle_node, "names.middle_names")
        middle_male = _name_parts(
            reader,
            reader.key(middle, "male", middle_node, "names.middle_names"),
            "names.middle_names.male",
            with_share=False,
        )
        middle_female = _name_parts(
            reader,
            reader.key(middle, "female", middle_node, "names.middle_names"),
            "names.middle_names.female",
            with_share=False,
        )
    given_node = reader.key(fields, "given_names", node, "names")
    given = reader.mapping(given_node, "names.given_names")
    where = "names.given_names"
    syllables = reader.integer(
        reader.key(given, "syllables", given_node, where), f"{where}.syllables", 1, 3
    )
    g_local = reader.text(
        reader.key(given, "join_local", given_node, where), f"{where}.join_local", allow_empty=True
    )
    g_latin = reader.text(
        reader.key(given, "join_latin", given_node, where), f"{where}.join_latin", allow_empty=True
    )
    male = _name_parts(
        reader, reader.key(given, "male", given_node, where), f"{where}.male", with_share=False
    )
    female = _name_parts(
        reader, reader.key(given, "female", given_node, where), f"{where}.female", with_share=False
    )
    if (
        source is None
        or join_local is None
        or surnames is None
        or middle_male is None
        or middle_female is None
        or syllables is None
        or g_local is None
        or g_latin is None
        or male is None
        or female is None
    ):
        return None
    return NamingData(
        source=source,
        join_local=join_local,
        surnames=surnames,
        middle_male=middle_male,
        middle_female=middle_female,
        given_syllables=syllables,
        given_join_local=g_local,
        given_join_latin=g_latin,
        given_male=male,
        given_female=female,
    )


def _read_age_bands(
    reader: _Reader, top: dict[str, yaml.Node] | None, root: yaml.Node, sources: dict[str, Source]
) -> tuple[AgeBand, ...] | None:
    node = reader.key(top, "age_distribution", root, "population.yaml")
    fields = reader.mapping(node, "age_distribution")
    source = reader.source(fields, node, "age_distribution", "source")
    if source is not None:
        sources["age_distribution"] = source
    bands_node = reader.key(fields, "bands", node, "age_distribution")
    items = reader.sequence(bands_node, "age_distribution.bands")
    if items is None:
        return None
    bands: list[AgeBand] = []
    ok = True
    expected_start = 0
    for i, item in enumerate(items):
        here = f"age_distribution.bands[{i}]"
        band = reader.mapping(item, here)
        start = reader.integer(reader.key(band, "from", item, here), f"{here}.from", 0, 120)
        end = reader.integer(reader.key(band, "to", item, here), f"{here}.to", 0, 120)
        share = reader.share(reader.key(band, "share", item, here), f"{here}.share")
        if start is None or end is None or share is None:
            ok = False
            continue
        if start != expected_start:
            reader.problem(
                item,
                f"{here} starts at {start}; the previous band ends at "
                f"{expected_start - 1}, so it must start at {expected_start}",
            )
            ok = False
        if end < start:
            reader.problem(item, f"{here} ends ({end}) before it starts ({start})")
            ok = False
        expected_start = end + 1
        bands.append(AgeBand(start, end, share))
    if ok:
        _check_sum(reader, bands_node, "age_distribution.bands", [b.share for b in bands])
    return tuple(bands) if ok else None


def _read_household_sizes(
    reader: _Reader, top: dict[str, yaml.Node] | None, root: yaml.Node, sources: dict[str, Source]
) -> tuple[tuple[tuple[int, float], ...] | None, float | None]:
    node = reader.key(top, "household_size", root, "population.yaml")
    fields = reader.mapping(node, "household_size")
    source = reader.source(fields, node, "household_size", "source")
    if source is not None:
        sources["household_size"] = source
    shares_node = reader.key(fields, "shares", node, "household_size")
    three = reader.share(
        reader.key(fields, "three_generation_share", node, "household_size"),
        "household_size.three_generation_share",
    )
    shares_map = reader.mapping(shares_node, "household_size.shares")
    if shares_map is None:
        return None, three
    pairs: list[tuple[int, float]] = []
    ok = True
    for key, value_node in shares_map.items():
        share = reader.share(value_node, f"household_size.shares[{key}]")
        if not key.isdigit() or int(key) < 1:
            reader.problem(value_node, f"household size {key!r} must be a whole number from 1")
            ok = False
        elif share is None:
            ok = False
        else:
            pairs.append((int(key), share))
    if ok:
        sizes = [s for s, _ in pairs]
        if sizes != list(range(1, len(sizes) + 1)):
            reader.problem(shares_node, "household sizes must be 1, 2, 3, … in order, none missing")
            ok = False
        else:
            _check_sum(reader, shares_node, "household_size.shares", [s for _, s in pairs])
    return (tuple(pairs) if ok else None), three


def _block(
    reader: _Reader,
    top: dict[str, yaml.Node] | None,
    root: yaml.Node,
    name: str,
    sources: dict[str, Source],
) -> tuple[dict[str, yaml.Node] | None, yaml.Node | None]:
    """A statistics block of population.yaml, whose ``source:`` is required."""
    node = reader.key(top, name, root, "population.yaml")
    fields = reader.mapping(node, name)
    source = reader.source(fields, node, name, "source")
    if source is not None:
        sources[name] = source
    return fields, node


# One flat pass over the blocks of population.yaml, in file order, reads clearer than splitting.
def _read_population(path: Path, problems: list[PackProblem]) -> PopulationStats | None:  # noqa: PLR0915
    reader = _Reader(str(path), problems)
    root = reader.compose(path)
    if root is None:
        return None
    before = len(problems)
    top = reader.mapping(root, "population.yaml")
    sources: dict[str, Source] = {}
    year = reader.integer(
        reader.key(top, "reference_year", root, "population.yaml"), "reference_year", 1900, 2100
    )
    bands = _read_age_bands(reader, top, root, sources)

    sex, sex_node = _block(reader, top, root, "sex_ratio", sources)
    ratio = reader.number(
        reader.key(sex, "males_per_100_females", sex_node, "sex_ratio"),
        "sex_ratio.males_per_100_females",
        50,
        150,
    )
    sizes, three = _read_household_sizes(reader, top, root, sources)

    dis, dis_node = _block(reader, top, root, "disability", sources)
    dis_share = reader.share(reader.key(dis, "share", dis_node, "disability"), "disability.share")
    severe = reader.share(
        reader.key(dis, "severe_share", dis_node, "disability"), "disability.severe_share"
    )

    inc, inc_node = _block(reader, top, root, "income", sources)
    median = reader.integer(
        reader.key(inc, "median_monthly", inc_node, "income"), "income.median_monthly", 1
    )
    sigma = reader.number(reader.key(inc, "sigma", inc_node, "income"), "income.sigma", 0, 3)
    round_to = reader.integer(reader.key(inc, "round_to", inc_node, "income"), "income.round_to", 1)
    earning_node = reader.key(inc, "earning_share", inc_node, "income")
    earning = reader.mapping(earning_node, "income.earning_share")
    working = reader.share(
        reader.key(earning, "working_age", earning_node, "income.earning_share"),
        "income.earning_share.working_age",
    )
    older = reader.share(
        reader.key(earning, "older", earning_node, "income.earning_share"),
        "income.earning_share.older",
    )
    older_factor = reader.number(
        reader.key(inc, "older_median_factor", inc_node, "income"),
        "income.older_median_factor",
        0.01,
        10,
    )

    pp, pp_node = _block(reader, top, root, "passport", sources)
    passport = reader.share(
        reader.key(pp, "share_valid", pp_node, "passport"), "passport.share_valid"
    )
    dead, dead_node = _block(reader, top, root, "deceased", sources)
    dead_share = reader.share(reader.key(dead, "share", dead_node, "deceased"), "deceased.share")
    dead_years = reader.integer(
        reader.key(dead, "within_years", dead_node, "deceased"), "deceased.within_years", 1, 50
    )
    moved, moved_node = _block(reader, top, root, "moved", sources)
    moved_share = reader.share(reader.key(moved, "share", moved_node, "moved"), "moved.share")
    moved_years = reader.integer(
        reader.key(moved, "within_years", moved_node, "moved"), "moved.within_years", 1, 50
    )

    addr_node = reader.key(top, "addresses", root, "population.yaml")
    addr = reader.mapping(addr_node, "addresses")
    street_items = reader.sequence(
        reader.key(addr, "street_names", addr_node, "addresses"), "addresses.street_names"
    )
    streets = (
        [reader.text(n, "a street name") for n in street_items] if street_items is not None else []
    )
    names = _read_names(reader, top, root)

    if len(problems) > before:
        return None
    # Everything below was checked above; the asserts narrow the types for mypy.
    assert year is not None
    assert bands is not None
    assert ratio is not None
    assert sizes is not None
    assert three is not None
    assert dis_share is not None
    assert severe is not None
    assert median is not None
    assert sigma is not None
    assert round_to is not None
    assert working is not None
    assert older is not None
    assert older_factor is not None
    assert passport is not None
    assert dead_share is not None
    assert dead_years is not None
    assert moved_share is not None
    assert moved_years is not None
    assert names is not None
    return PopulationStats(
        reference_year=year,
        age_bands=bands,
        males_per_100_females=ratio,
        household_size_shares=sizes,
        three_generation_share=three,
        disability_share=dis_share,
        disability_severe_share=severe,
        income_median_monthly=median,
        income_sigma=sigma,
        income_round_to=round_to,
        earning_share_working_age=working,
        earning_share_older=older,
        older_median_factor=older_factor,
        passport_share_valid=passport,
        deceased_share=dead_share,
        deceased_within_years=dead_years,
        moved_share=moved_share,
        moved_within_years=moved_years,
        street_names=tuple(s for s in streets if s is not None),
        names=names,
        sources=sources,
    )


# --- the whole pack -------------------------------------------------------------------------


def _sibling(
    directory: Path, name: str | None, problems: list[PackProblem], what: str
) -> Path | None:
    if name is None:
        return None
    path = (directory / name).resolve()
    if directory.resolve() not in path.parents:
        problems.append(
            PackProblem(str(directory / PACK_FILE), None, f"{what} must be inside the pack")
        )
        return None
    if not path.is_file():
        problems.append(
            PackProblem(str(directory / PACK_FILE), None, f"{what} {name!r} does not exist")
        )
        return None
    return directory / name


def load_pack(path: Path | str) -> CountryPack:
    """Read and validate the pack at ``path`` (its directory or its pack.yaml).

    Raises `PackError` listing every problem found, with file and line.
    """
    path = Path(path)
    directory = path.parent if path.name == PACK_FILE or path.is_file() else path
    pack_file = directory / PACK_FILE
    problems: list[PackProblem] = []
    reader = _Reader(str(pack_file), problems)
    root = reader.compose(pack_file)
    if root is None:
        raise PackError(problems)
    head = _read_head(reader, root, directory)
    areas_path = _sibling(directory, head.areas_file, problems, "areas.file")
    areas = _read_areas(areas_path, head.area_levels, problems) if areas_path else []
    population_path = _sibling(directory, head.population_file, problems, "population.file")
    population = _read_population(population_path, problems) if population_path else None
    if problems:
        raise PackError(problems)
    assert head.code is not None
    assert head.iso3 is not None
    assert head.names is not None
    assert head.locale is not None
    assert head.languages is not None
    assert head.currency is not None
    assert head.time_zone is not None
    assert head.national_id is not None
    assert head.age_of_majority is not None
    assert head.passport is not None
    assert head.area_levels is not None
    assert population is not None
    # Parents before children, so that the areas can be loaded in one pass.
    levels = head.area_levels
    ordered = sorted(areas, key=lambda a: (levels.index(a.level), a.line))
    return CountryPack(
        path=directory,
        code=head.code,
        iso3=head.iso3,
        names=head.names,
        locale=head.locale,
        languages=head.languages,
        currency=head.currency,
        time_zone=head.time_zone,
        national_id=head.national_id,
        age_of_majority=head.age_of_majority,
        passport=head.passport,
        area_levels=head.area_levels,
        areas=tuple(ordered),
        population=population,
        references=head.references,
    )

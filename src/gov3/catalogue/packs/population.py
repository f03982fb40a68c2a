"""population.yaml: the published statistics a synthetic population is drawn from (ages,
households, names, incomes, disabilities, passports, deaths, moves), each with its source.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from gov3.catalogue.packs.contents import (
    AgeBand,
    NamePart,
    NamingData,
    PackProblem,
    PopulationStats,
    Source,
)
from gov3.catalogue.packs.reader import SHARE_TOLERANCE, _check_sum, _Reader

_LATIN_NAME = re.compile(r"^[A-Z]+(?:[ '-][A-Z]+)*$")


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

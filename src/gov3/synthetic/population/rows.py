"""Households turned into the register's rows (`_RowBuilder`): ids, national ids, names,
addresses, incomes, disabilities, passports, deaths, moves and their life events, column by
column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from gov3.catalogue.packs import CountryPack, NamePart
from gov3.core.dates import add_years
from gov3.core.errors import ValidationFailedError
from gov3.registry.bulk_load import BulkRows
from gov3.registry.models import LifeEventKind, PassportStatus, Relationship
from gov3.registry.national_ids import KoreanRRN, VietnameseCitizenId, national_id_scheme
from gov3.synthetic.population.households import MAX_AGE, _Chunk
from gov3.synthetic.population.identifiers import (
    _ascii_strings,
    _digits,
    _PassportNumbers,
    _public_ids,
    rrn_check_digits,
)

ACTOR = "system:population-generate"
_DAYS_PER_YEAR = 365.2425


def _column(values: np.ndarray, present: np.ndarray) -> list[Any]:
    """``values`` where ``present``, else None, as a list of Python objects."""
    out = np.full(len(values), None, dtype=object)
    out[present] = values[present]
    result: list[Any] = out.tolist()
    return result


def _objects(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


class _RowBuilder:
    """Assigns ids and draws each person's attributes; keeps only bounded state between chunks.

    Everything is computed column-wise with NumPy; the only per-row Python work left is the
    JSON of life events and the household composition (`_HouseholdSampler`).
    """

    def __init__(
        self,
        pack: CountryPack,
        rng: np.random.Generator,
        *,
        as_of: date,
        area_ids: list[tuple[int, str]],
        first_ids: dict[str, int],
        taken_passports: set[str],
        text_dates: bool,
    ) -> None:
        self.pack = pack
        self.stats = pack.population
        self.rng = rng
        self.as_of = as_of
        self.as_of_ordinal = as_of.toordinal()
        self.areas = area_ids
        self.area_id_array = np.array([a for a, _ in area_ids], dtype=np.int64)
        self.area_codes = _objects([c for _, c in area_ids])
        self.next_id = dict(first_ids)
        self.scheme = national_id_scheme(pack.code)
        self.passport_numbers = _PassportNumbers(pack.passport.number_format, rng, taken_passports)
        self.recorded_at = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC)
        self.text_dates = text_dates
        # SQLite's text for aware datetimes is UTC without an offset; COPY gets the offset.
        self.recorded_at_value = (
            self.recorded_at.strftime("%Y-%m-%d %H:%M:%S")
            if text_dates
            else self.recorded_at.isoformat(sep=" ")
        )
        # Every day a row can name: a century of birth dates up to the last passport expiry.
        validity = pack.passport.validity_years
        self.day_base = self.as_of_ordinal - int((MAX_AGE + 2) * 366)
        last = add_years(as_of, validity + 1).toordinal()
        days = [date.fromordinal(o) for o in range(self.day_base, last + 1)]
        self.day_text = _objects([d.isoformat() for d in days])
        self.day_year = np.array([d.year for d in days], dtype=np.int64)
        self.day_month = np.array([d.month for d in days], dtype=np.int64)
        self.day_dom = np.array([d.day for d in days], dtype=np.int64)
        # Passports: issued in the last `validity` years; expiry of each possible issue day.
        self.issue_first = add_years(as_of, -validity).toordinal() + 1
        self.expiry = np.array(
            [
                add_years(date.fromordinal(o), validity).toordinal()
                for o in range(self.issue_first, self.as_of_ordinal + 1)
            ],
            dtype=np.int64,
        )
        # Serial counters per "namespace" of national ids (birth date and sex in Korea, birth
        # year and sex in Viet Nam): a dense array over the days (or years) a birth can fall on.
        self.serials = np.zeros(2 * len(days), dtype=np.int64)
        self.namespaces: dict[tuple[int, str], str] = {}
        self.serial_by_namespace: dict[str, int] = {}
        names = self.stats.names
        self.surname_local = _objects([p.local for p in names.surnames])
        self.surname_latin = _objects([p.latin for p in names.surnames])
        self.pack_text_needs_escape = any(
            ch in text
            for text in [
                *self.stats.street_names,
                *(
                    p.local + p.latin
                    for pool in (
                        names.surnames,
                        names.given_male,
                        names.given_female,
                        names.middle_male,
                        names.middle_female,
                    )
                    for p in pool
                ),
                names.join_local,
                names.given_join_local,
                names.given_join_latin,
            ]
            for ch in "\\\t\n\r"
        )

    def _ids(self, table: str, count: int) -> np.ndarray:
        first = self.next_id[table]
        self.next_id[table] = first + count
        return np.arange(first, first + count, dtype=np.int64)

    def _days(self, ordinals: np.ndarray) -> np.ndarray:
        out: np.ndarray = self.day_text[ordinals - self.day_base]
        return out

    def national_id(self, birth: date, sex: str) -> str:
        """One number the slow way, through the scheme (for schemes not vectorised below)."""
        key = (birth.toordinal(), sex)
        namespace = self.namespaces.get(key)
        if namespace is None:
            namespace = self.namespaces[key] = self.scheme.make(birth, sex, 0)
        serial = self.serial_by_namespace.get(namespace, 0) + 1
        self.serial_by_namespace[namespace] = serial
        return self.scheme.make(birth, sex, serial)

    def _serials(self, keys: np.ndarray, limit: int) -> np.ndarray:
        """1, 2, 3 … per key, in row order, continuing from earlier chunks."""
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        new_group = np.empty(len(keys), dtype=bool)
        new_group[:1] = True
        new_group[1:] = ordered[1:] != ordered[:-1]
        starts = np.flatnonzero(new_group)
        group = np.cumsum(new_group) - 1
        rank = np.arange(len(keys)) - starts[group]
        serials = np.empty(len(keys), dtype=np.int64)
        serials[order] = self.serials[ordered] + rank + 1
        self.serials += np.bincount(keys, minlength=len(self.serials))
        if len(serials) and serials.max() >= limit:
            raise ValidationFailedError("Too many residents born alike for the national id scheme.")
        return serials

    def national_ids(self, births: np.ndarray, female: np.ndarray) -> list[str]:
        """National id numbers for people born on ``births`` (ordinals), vectorised."""
        n = len(births)
        day = births - self.day_base
        year = self.day_year[day]
        yy = year % 100
        sex_bit = female.astype(np.int64)
        if isinstance(self.scheme, KoreanRRN):
            serial = self._serials(2 * day + sex_bit, 97_000)
            digits = np.empty((n, 13), dtype=np.int64)
            digits[:, 0:2] = _digits(yy, 2)
            digits[:, 2:4] = _digits(self.day_month[day], 2)
            digits[:, 4:6] = _digits(self.day_dom[day], 2)
            century = np.array([[9, 0], [1, 2], [3, 4]], dtype=np.int64)
            digits[:, 6] = century[year // 100 - 18, sex_bit]
            digits[:, 7:12] = _digits(serial, 5)
            digits[:, 12] = rrn_check_digits(digits[:, :12])
            return _ascii_strings(digits + 48)
        if isinstance(self.scheme, VietnameseCitizenId):
            first_year = int(self.day_year[0])
            serial = self._serials(2 * (year - first_year) + sex_bit, 1_000_000)
            province = self.scheme.province_code
            chars = np.empty((n, len(province) + 9), dtype=np.int64)
            chars[:, : len(province)] = [ord(c) for c in province]
            p = len(province)
            chars[:, p] = 48 + 2 * ((year - 1900) // 100) + sex_bit
            chars[:, p + 1 : p + 3] = _digits(yy, 2) + 48
            chars[:, p + 3 : p + 9] = _digits(serial, 6) + 48
            return _ascii_strings(chars)
        return [
            self.national_id(date.fromordinal(int(b)), "F" if f else "M")
            for b, f in zip(births.tolist(), female.tolist(), strict=True)
        ]

    def _names(self, male: np.ndarray, surnames: np.ndarray) -> tuple[list[str], list[str]]:
        """Local and Latin full names: surname, middle name if the pack has them, given name."""
        names = self.stats.names
        n = len(male)
        syllables = names.given_syllables
        draw = self.rng.random((n, syllables + 1))

        def pick(
            pool_male: Sequence[NamePart], pool_female: Sequence[NamePart], u: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """Parts drawn from each sex's pool; the mask says who got one (pools may be empty)."""
            local = np.full(n, "", dtype=object)
            latin = np.full(n, "", dtype=object)
            got = np.zeros(n, dtype=bool)
            for pool, mask in ((pool_male, male), (pool_female, ~male)):
                if not pool:
                    continue
                index = np.minimum((u[mask] * len(pool)).astype(np.int64), len(pool) - 1)
                local[mask] = _objects([p.local for p in pool])[index]
                latin[mask] = _objects([p.latin for p in pool])[index]
                got |= mask
            return local, latin, got

        given_local, given_latin, _ = pick(names.given_male, names.given_female, draw[:, 0])
        for s in range(1, syllables):
            more_local, more_latin, _ = pick(names.given_male, names.given_female, draw[:, s])
            given_local = given_local + names.given_join_local + more_local
            given_latin = given_latin + names.given_join_latin + more_latin
        local = self.surname_local[surnames]
        latin = self.surname_latin[surnames]
        if names.middle_male or names.middle_female:
            middle_local, middle_latin, has_middle = pick(
                names.middle_male, names.middle_female, draw[:, syllables]
            )
            local = np.where(has_middle, local + names.join_local + middle_local, local)
            latin = np.where(has_middle, latin + " " + middle_latin, latin)
        local = local + names.join_local + given_local
        latin = latin + " " + given_latin
        return local.tolist(), latin.tolist()

    def build(self, chunk: _Chunk) -> BulkRows:  # noqa: PLR0915 - one pass, column by column
        rows = BulkRows()
        stats, rng = self.stats, self.rng
        as_of = self.as_of_ordinal
        members = chunk.members
        n = len(members)
        h = len(chunk.sizes)
        ages = np.array([m.age for m in members])
        male = np.array([m.sex == "M" for m in members])
        surnames = np.array([m.surname for m in members], dtype=np.int64)
        mother = np.array([m.mother for m in members], dtype=np.int64)
        father = np.array([m.father for m in members], dtype=np.int64)
        spouse = np.array([m.spouse for m in members], dtype=np.int64)
        youngest = np.array([m.youngest_child_age for m in members])
        relationship = [_RELATIONSHIP[m.relationship] for m in members]
        household_of = np.array(chunk.household_of, dtype=np.int64)
        sizes = np.array(chunk.sizes, dtype=np.int64)
        head_age = np.array(chunk.head_age)

        alive_draw = rng.random(n)
        day_draw = rng.random((n, 4))
        person_ids = self._ids("person", n)
        household_ids = self._ids("household", h)
        address_ids = self._ids("address", h)
        public_ids = _public_ids(rng, np.concatenate([person_ids, household_ids]))

        # Deaths: Gompertz-shaped risk (doubling about every 8 years of age), scaled so that the
        # expected share matches the pack; only adults are drawn.
        risk = np.where(ages >= 40, np.exp(0.085 * (ages - 100)), 0.0)
        risk *= stats.deceased_share * n / max(risk.sum(), 1e-12)
        dead = alive_draw < np.minimum(risk, 0.9)

        # Disability rises with age; the scale keeps the pack's overall share.
        d_weight = np.select(
            [ages < 20, ages < 40, ages < 60, ages < 80], [0.3, 0.6, 1.0, 2.0], 3.0
        )
        d_prob = np.minimum(stats.disability_share * n * d_weight / d_weight.sum(), 0.9)
        d_draw = rng.random((n, 2))
        disabled = d_draw[:, 0] < d_prob
        severe = d_draw[:, 1] < stats.disability_severe_share

        # Income: log-normal for earners; fewer earners and lower incomes after 65.
        working = (ages >= self.pack.age_of_majority) & (ages < 65)
        older = ages >= 65
        earns = rng.random(n) < np.where(
            working, stats.earning_share_working_age, np.where(older, stats.earning_share_older, 0)
        )
        median = np.where(older, stats.older_median_factor, 1.0) * stats.income_median_monthly
        raw_income = median * np.exp(stats.income_sigma * rng.standard_normal(n))
        step = stats.income_round_to
        income = np.where(earns, np.maximum(np.round(raw_income / step), 1) * step, 0)

        # Passports: adults more than children and the very old; scaled to the pack's share.
        p_weight = np.select([ages < 1, ages < 19, ages < 70], [0.2, 0.8, 1.2], 0.6)
        p_prob = np.minimum(stats.passport_share_valid * n * p_weight / p_weight.sum(), 0.95)
        has_passport = (rng.random(n) < p_prob) & ~dead

        # Names: surnames come from the household composition (children take their father's).
        name_local, name_latin = self._names(male, surnames)

        moved_draw = rng.random((h, 4))
        leaf_draw = rng.integers(0, len(self.areas), size=(h, 2))
        street_draw = rng.integers(0, len(stats.street_names), size=h)
        number_draw = rng.integers(1, 301, size=h)

        window_dead = int(stats.deceased_within_years * _DAYS_PER_YEAR)
        window_moved = int(stats.moved_within_years * _DAYS_PER_YEAR)
        births = as_of - np.maximum(1, (ages * _DAYS_PER_YEAR).astype(np.int64))

        # Households and their addresses.
        area_index = leaf_draw[:, 0]
        other = leaf_draw[:, 1]
        other = np.where(other == area_index, (other + 1) % len(self.areas), other)
        moves = moved_draw[:, 0] < stats.moved_share
        moved_on = as_of - 1 - (moved_draw[:, 1] * window_moved).astype(np.int64)
        adult_years = np.maximum(head_age - self.pack.age_of_majority, 0.1)
        created = np.where(
            moves, moved_on, as_of - (moved_draw[:, 2] * adult_years * _DAYS_PER_YEAR).astype(int)
        )
        heads = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        created = np.maximum(created, births[heads])
        street_names = _objects(list(stats.street_names))
        streets = street_names[street_draw] + " " + _objects(number_draw.astype(str).tolist())
        address_id_list = address_ids.tolist()
        rows.address = [
            address_id_list,
            self.area_id_array[area_index].tolist(),
            streets.tolist(),
            [""] * h,
        ]
        rows.household = [
            household_ids.tolist(),
            public_ids[n:],
            address_id_list,
            self._days(created).tolist(),
        ]
        rows.moved = int(moves.sum())

        # Deaths after the children's births, within the pack's window.
        finite = np.isfinite(youngest)
        after_children = np.where(
            finite, as_of - (np.where(finite, youngest, 0) * _DAYS_PER_YEAR).astype(np.int64) + 1, 0
        )
        earliest = np.maximum(np.maximum(as_of - window_dead, births + 1), after_children)
        latest = as_of - 1
        died = dead & (earliest <= latest)
        death = earliest + (day_draw[:, 0] * (latest - earliest + 1)).astype(np.int64)
        death = np.where(died, death, 0)
        rows.deceased = int(died.sum())

        def link(index: np.ndarray) -> list[Any]:
            return _column(person_ids[np.maximum(index, 0)].astype(object), index >= 0)

        mother_ids, father_ids = link(mother), link(father)
        assessed = as_of - 1 - (day_draw[:, 1] * 365).astype(np.int64)
        disability = np.where(disabled, np.where(severe, "severe", "mild"), "none")
        person_id_list = person_ids.tolist()
        birth_text = self._days(births)
        rows.person = [
            person_id_list,
            public_ids[:n],
            [self.pack.code] * n,
            self.national_ids(births, ~male),
            name_local,
            name_latin,
            birth_text.tolist(),
            np.where(male, "M", "F").tolist(),
            [self.pack.iso3] * n,
            _column(self._days(np.where(died, death, as_of)), died),
            mother_ids,
            father_ids,
            link(spouse),
            (household_ids[household_of]).tolist(),
            relationship,
            disability.tolist(),
            income.astype(np.int64).tolist(),
            _column(self._days(np.where(earns, assessed, as_of)), earns),
        ]

        # Passports.
        holders = np.flatnonzero(has_passport)
        issued_earliest = np.maximum(births[holders], self.issue_first)
        issued = issued_earliest + (day_draw[holders, 3] * (as_of - issued_earliest + 1)).astype(
            np.int64
        )
        issued = np.minimum(issued, as_of)
        expires = self.expiry[issued - self.issue_first]
        numbers = self.passport_numbers.take(len(holders))
        expires_text = self._days(expires).tolist()
        issued_text = self._days(issued).tolist()
        rows.passport = [
            person_ids[holders].tolist(),
            numbers,
            issued_text,
            expires_text,
            [PassportStatus.VALID.value] * len(holders),
        ]

        # Life events, per person in this order: birth, disability, move, passport, death.
        birth_details = [
            _json_object({"mother": m, "father": f})
            for m, f in zip(mother_ids, father_ids, strict=True)
        ]
        disabled_at = np.flatnonzero(disabled)
        disabled_on = births[disabled_at] + (
            day_draw[disabled_at, 2] * (as_of - births[disabled_at])
        ).astype(np.int64)
        person_moved_on = moved_on[household_of]
        movers = np.flatnonzero(
            moves[household_of] & (person_moved_on > births) & (~died | (death > person_moved_on))
        )
        from_codes = self.area_codes[other[household_of[movers]]].tolist()
        to_codes = self.area_codes[area_index[household_of[movers]]].tolist()
        dead_at = np.flatnonzero(died)
        parts = [
            (np.arange(n), 0, births, birth_details, LifeEventKind.BIRTH),
            (
                disabled_at,
                1,
                disabled_on,
                [f'{{"degree": "{d}"}}' for d in disability[disabled_at].tolist()],
                LifeEventKind.DISABILITY_REGISTRATION,
            ),
            (
                movers,
                2,
                person_moved_on[movers],
                [
                    f'{{"from_area": "{a}", "to_area": "{b}"}}'
                    for a, b in zip(from_codes, to_codes, strict=True)
                ],
                LifeEventKind.MOVE,
            ),
            (
                holders,
                3,
                issued,
                [
                    f'{{"number": "{a}", "expires_on": "{b}"}}'
                    for a, b in zip(numbers, expires_text, strict=True)
                ],
                LifeEventKind.PASSPORT_ISSUED,
            ),
            (dead_at, 4, death[dead_at], ["{}"] * len(dead_at), LifeEventKind.DEATH),
        ]
        who = np.concatenate([p[0] for p in parts])
        rank = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
        order = np.lexsort((rank, who))
        kinds = np.concatenate([np.full(len(p[0]), p[4].value, dtype=object) for p in parts])
        details = np.concatenate([_objects(p[3]) for p in parts])
        on = np.concatenate([p[2] for p in parts])
        m = len(order)
        rows.event = [
            person_ids[who[order]].tolist(),
            kinds[order].tolist(),
            self._days(on[order]).tolist(),
            [self.recorded_at_value] * m,
            [ACTOR] * m,
            details[order].tolist(),
        ]
        return rows


_RELATIONSHIP: dict[str, str] = {str(r.value): str(r.value) for r in Relationship}


def _json_object(details: dict[str, Any]) -> str:
    """A JSON object of ints, None and plain ASCII strings (codes and numbers), written fast.

    ``json.dumps`` was a tenth of the run time for a million residents; the values written
    here never need escaping (`test_population` checks the result parses as JSON).
    """
    if not details:
        return "{}"
    parts = []
    for key, value in details.items():
        if value is None:
            continue
        parts.append(f'"{key}": {value}' if isinstance(value, int) else f'"{key}": "{value}"')
    return "{" + ", ".join(parts) + "}"

"""Synthetic influenza doses for a generated population (demo and benchmarks only).

Gives each living resident of `country` who is old enough for the free influenza vaccination
of the season containing `as_of` a dose with probability `coverage` (KDCA reports about 80 %
for people aged 65 and over), on a day between the season's opening (1 October) and `as_of`,
or in the season before. Seeded: the same arguments give the same doses.

`make demo` calls it once the population is loaded (and only while the country has no doses).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from gov3.registry.models import Person, Vaccination

SEASON_START_MONTH = 10
BATCH = 10_000
#: Of the people given a dose, the share vaccinated in the current season (the rest the season
#: before).
THIS_SEASON_SHARE = 0.75


def season_start(day: date) -> date:
    """1 October of the influenza season `day` falls in (or of the one before, if earlier)."""
    year = day.year if day.month >= SEASON_START_MONTH else day.year - 1
    return date(year, SEASON_START_MONTH, 1)


def generate_vaccinations(
    *,
    country: str,
    as_of: date,
    seed: int,
    coverage: float = 0.8,
    minimum_age: int = 65,
    using: str = "default",
) -> int:
    """Record synthetic influenza doses (see the module); the number recorded."""
    if not 0.0 <= coverage <= 1.0:
        raise ValueError("coverage is a share between 0 and 1")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    start = season_start(as_of)
    born_by = date(start.year - minimum_age, 12, 31)
    people = (
        Person.objects.using(using)
        .filter(country=country, date_of_death__isnull=True, birth_date__lte=born_by)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    pending: list[Vaccination] = []
    recorded = 0
    for person_id in people.iterator(chunk_size=BATCH):
        if rng.random() >= coverage:
            continue
        this_season = as_of >= start and rng.random() < THIS_SEASON_SHARE
        first = start if this_season else date(start.year - 1, SEASON_START_MONTH, 1)
        last = as_of if this_season else first + timedelta(days=90)
        given = first + timedelta(days=rng.randint(0, max((last - first).days, 0)))
        pending.append(Vaccination(person_id=person_id, vaccine="influenza", given_on=given))
        if len(pending) >= BATCH:
            Vaccination.objects.using(using).bulk_create(pending)
            recorded += len(pending)
            pending = []
    Vaccination.objects.using(using).bulk_create(pending)
    return recorded + len(pending)

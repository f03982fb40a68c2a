"""`load_demo`: loads (or completes) the Haenam demo, each step idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from gov3.catalogue.boundaries import outline_of
from gov3.demo.saemaul.county import (
    ACTOR,
    COUNTRY,
    EUP_MYEON,
    HAENAM_VILLAGES,
    HWASAN,
    SEED,
    _areas,
)
from gov3.demo.saemaul.history import _ranked, _replay_history
from gov3.demo.saemaul.live_round import _stage_live_round
from gov3.demo.saemaul.projects import _stage_spread
from gov3.saemaul.queries import class_counts_by_year, villages_in
from gov3.saemaul.services import do_load_programme
from gov3.synthetic.saemaul import District, generate_villages


@dataclass(frozen=True)
class DemoSummary:
    """What the demo holds after loading."""

    villages: int
    seed_allocated: int
    merit_allocated: int
    classes_1971: dict[str, int]
    classes_1979: dict[str, int]


def load_demo(*, today: date | None = None) -> DemoSummary:
    """Load (or complete) the Haenam demo; safe to run again."""
    today = today or timezone.localdate()
    do_load_programme(ACTOR, COUNTRY)
    _, county, districts = _areas()
    if not villages_in(county).exists():
        per = [HAENAM_VILLAGES // len(districts)] * len(districts)
        for i in range(HAENAM_VILLAGES - sum(per)):
            per[i] += 1
        generate_villages(
            ACTOR,
            [
                # inside the eup/myeon's real outline when the pack ships it (countries/kr/
                # boundaries); else around a centre near it
                District(area, lat, lon, outline_of(area))
                for area, (_, _, lat, lon) in zip(districts, EUP_MYEON, strict=True)
            ],
            per,
            seed=SEED,
            registered_on=date(1970, 4, 22),
            infrastructure_share=0.2,
        )
    villages = _ranked(county)
    seed_allocated, merit_allocated = _replay_history(county, villages)
    _stage_live_round(districts[HWASAN], county, today)
    _stage_spread(districts, today)
    by_year = class_counts_by_year(county)
    return DemoSummary(
        villages=len(villages),
        seed_allocated=seed_allocated,
        merit_allocated=merit_allocated,
        classes_1971=by_year.get(1971, {}),
        classes_1979=by_year.get(1979, {}),
    )

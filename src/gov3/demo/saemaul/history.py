"""The documented history replayed: the 1970 seed round and the 1971 merit round through the
real allocation code, and the class path 1971-1979 (each village only ever promoted).
"""

from __future__ import annotations

import math
import random
from datetime import date

from gov3.demo.saemaul.county import ACTOR, CLASS_PATH, RESULT_SHARE, SEED
from gov3.registry.models import Area
from gov3.saemaul.models import Allocation, ProgrammeRound, RoundStatus, Village, VillageClass
from gov3.saemaul.queries import villages_in
from gov3.saemaul.services import (
    EvaluationInput,
    RecordedClass,
    do_allocate_round,
    do_record_classifications,
    do_record_evaluations,
    do_set_round_status,
)


def interpolated_path(first: int, last: int) -> dict[int, tuple[int, int, int]]:
    """Class counts for each year from the documented first and last years, moving linearly."""
    (b0, _, r0), (b1, _, r1) = CLASS_PATH[first], CLASS_PATH[last]
    total = sum(CLASS_PATH[first])
    path = {}
    for year in range(first, last + 1):
        share = (year - first) / (last - first)
        basic = round(b0 + (b1 - b0) * share)
        reliant = round(r0 + (r1 - r0) * share)
        path[year] = (basic, total - basic - reliant, reliant)
    return path


def _ranked(county: Area) -> list[Village]:
    """Haenam's villages from most to least developed (a fixed, seeded order)."""
    villages = list(villages_in(county).order_by("code"))
    random.Random(SEED).shuffle(villages)  # noqa: S311 - synthetic data
    return villages


def _class_records(villages: list[Village]) -> list[RecordedClass]:
    records = []
    for year, (_, self_help, reliant) in interpolated_path(1971, 1979).items():
        for rank, village in enumerate(villages):
            if rank < reliant:
                village_class = VillageClass.SELF_RELIANT
            elif rank < reliant + self_help:
                village_class = VillageClass.SELF_HELP
            else:
                village_class = VillageClass.BASIC
            note = "documented count" if year in CLASS_PATH else "interpolated (synthetic)"
            records.append(RecordedClass(village, year, village_class, note))
    return records


def _seed_evaluations(round_: ProgrammeRound, villages: list[Village]) -> list[EvaluationInput]:
    """Scores for the seed round: the best-ranked half (the national share) pass."""
    assert round_.rubric is not None
    rng = random.Random(SEED + 1)  # noqa: S311 - synthetic data
    passing = round(len(villages) * RESULT_SHARE[0] / RESULT_SHARE[1])
    criteria = list(round_.rubric.criteria.all())
    entries = []
    for rank, village in enumerate(villages):
        low, high = (0.6, 1.0) if rank < passing else (0.1, 0.55)
        scores = {
            c.code: rng.randint(math.ceil(c.max_points * low), math.floor(c.max_points * high))
            for c in criteria
        }
        entries.append(EvaluationInput(village, scores))
    return entries


def _replay_history(county: Area, villages: list[Village]) -> tuple[int, int]:
    seed = ProgrammeRound.objects.get(code="kr-1970-seed")
    merit = ProgrammeRound.objects.get(code="kr-1971-merit")
    if seed.status != RoundStatus.CLOSED:
        do_allocate_round(ACTOR, seed, area=county)
        if not seed.evaluations.exists():
            do_record_evaluations(
                ACTOR, seed, _seed_evaluations(seed, villages), evaluated_on=date(1971, 6, 30)
            )
    if merit.status != RoundStatus.CLOSED:
        do_allocate_round(ACTOR, merit, area=county)
        do_set_round_status(ACTOR, merit, RoundStatus.CLOSED)
    if seed.status != RoundStatus.CLOSED:
        do_set_round_status(ACTOR, seed, RoundStatus.CLOSED)
    do_record_classifications(ACTOR, _class_records(villages))
    return (
        Allocation.objects.filter(round=seed, village__in=villages).count(),
        Allocation.objects.filter(round=merit, village__in=villages).count(),
    )

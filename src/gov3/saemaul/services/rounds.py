"""Commands for the programme's data and rounds: loading, status, and allocation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.registry.models import Area
from gov3.saemaul.models import (
    Allocation,
    AllocationLine,
    ClassCriterion,
    LeaderSlot,
    PackageLine,
    ProgrammePolicy,
    ProgrammeRound,
    ReferenceFigure,
    RoundFunding,
    RoundStatus,
    Rubric,
    RubricCriterion,
    TrancheRule,
)
from gov3.saemaul.programme import ProgrammeData, RoundData, load_programme
from gov3.saemaul.queries import eligible_villages
from gov3.saemaul.services._common import audit, refuse

ALLOCATION_BATCH = 5000


@dataclass
class LoadSummary:
    """What loading a country's programme data created (it never duplicates)."""

    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def _load_round(data: RoundData, country: str, rubrics: dict[str, Rubric]) -> ProgrammeRound:
    previous = (
        ProgrammeRound.objects.get(code=data.requires_result_of)
        if data.requires_result_of
        else None
    )
    round_ = ProgrammeRound.objects.create(
        code=data.code,
        country=country,
        names=data.names,
        year=data.year,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        eligible_classes=list(data.eligible_classes),
        requires_result_of=previous,
        max_villages=data.max_villages,
        package_value_krw=data.package_value_krw,
        delivery_from=data.delivery_from,
        delivery_until=data.delivery_until,
        completion_deadline=data.completion_deadline,
        depot_reserve_percent=data.depot_reserve_percent,
        rubric=rubrics.get(data.rubric) if data.rubric else None,
        pass_score=data.pass_score,
        status=data.status,
        source_title=data.source_title,
        source_url=data.source_url,
        note=data.note,
    )
    PackageLine.objects.bulk_create(
        PackageLine(round=round_, material=m, quantity=q, position=i)
        for i, (m, q) in enumerate(data.package)
    )
    RoundFunding.objects.bulk_create(
        RoundFunding(
            round=round_,
            source=f.source,
            amount_krw=f.amount_krw,
            labour_days_per_village=f.labour_days_per_village,
        )
        for f in data.funding
    )
    TrancheRule.objects.bulk_create(
        TrancheRule(
            round=round_,
            number=t.number,
            share_percent=t.share_percent,
            min_progress_percent=t.min_progress_percent,
        )
        for t in data.tranches
    )
    return round_


def _load_rubrics(data: ProgrammeData, summary: LoadSummary) -> dict[str, Rubric]:
    rubrics: dict[str, Rubric] = {}
    for rubric_data in data.rubrics:
        rubric, created = Rubric.objects.get_or_create(
            code=rubric_data.code, defaults={"names": rubric_data.names}
        )
        if created:
            summary.add("rubrics")
            RubricCriterion.objects.bulk_create(
                RubricCriterion(
                    rubric=rubric, code=c.code, names=c.names, max_points=c.max_points, position=i
                )
                for i, c in enumerate(rubric_data.criteria)
            )
        rubrics[rubric.code] = rubric
    return rubrics


def _load_figures(data: ProgrammeData, summary: LoadSummary) -> None:
    existing = set(ReferenceFigure.objects.values_list("code", flat=True))
    new = [
        ReferenceFigure(
            code=f.code,
            names=f.names,
            value=f.value,
            unit=f.unit,
            period=f.period,
            scope_names=f.scope_names,
            source_title=f.source_title,
            source_url=f.source_url,
            note=f.note,
            position=f.position,
        )
        for f in data.figures
        if f.code not in existing
    ]
    ReferenceFigure.objects.bulk_create(new)
    if new:
        summary.add("reference figures", len(new))


def do_load_programme(actor: str, country: str, data: ProgrammeData | None = None) -> LoadSummary:
    """Load a country's programme data (policy, slots, rubrics, classes, rounds, figures).

    Safe to run again: the policy and class thresholds take the data's values; slots, rubrics,
    rounds and reference figures are created once and never changed or duplicated.
    """
    data = data or load_programme(country, settings.GOV3_COUNTRIES_DIR)
    summary = LoadSummary()
    with transaction.atomic(durable=True):
        ProgrammePolicy.objects.update_or_create(
            country=country,
            defaults={
                "assembly_quorum_percent": data.policy.assembly_quorum_percent,
                "photo_max_distance_m": data.policy.photo_max_distance_m,
                "photo_max_bytes": data.policy.photo_max_bytes,
                "default_reserve_percent": data.policy.default_reserve_percent,
            },
        )
        for slot in data.slots:
            _, created = LeaderSlot.objects.update_or_create(
                country=country,
                code=slot.code,
                defaults={
                    "names": slot.names,
                    "required_sex": slot.required_sex,
                    "position": slot.position,
                },
            )
            summary.add("leader slots", int(created))
        rubrics = _load_rubrics(data, summary)
        for criterion in data.classes:
            ClassCriterion.objects.update_or_create(
                country=country,
                village_class=criterion.village_class,
                defaults={
                    "min_household_income_krw": criterion.min_household_income_krw,
                    "min_infrastructure_items": criterion.min_infrastructure_items,
                    "min_village_fund_krw": criterion.min_village_fund_krw,
                    "source": data.class_source[:300],
                },
            )
        existing = set(ProgrammeRound.objects.values_list("code", flat=True))
        for round_data in data.rounds:
            if round_data.code not in existing:
                _load_round(round_data, country, rubrics)
                summary.add("rounds")
        _load_figures(data, summary)
        audit(actor, "load_programme", "country", country, created=summary.created)
    return summary


def do_set_round_status(actor: str, round_: ProgrammeRound, status: str) -> ProgrammeRound:
    """Open or close a round (a closed round allocates nothing and takes no new projects)."""
    if status not in RoundStatus.values:
        refuse(gettext("Unknown round status %(status)s.") % {"status": status})
    with transaction.atomic(durable=True):
        ProgrammeRound.objects.filter(pk=round_.pk).update(status=status)
        audit(actor, "set_round_status", round_, status=status)
    round_.refresh_from_db()
    return round_


@dataclass(frozen=True)
class AllocationOutcome:
    """What one allocation run did."""

    round_code: str
    eligible: int
    created: int
    already_allocated: int
    over_cap: int
    quantities: dict[str, int]


def do_allocate_round(
    actor: str, round_: ProgrammeRound, *, area: Area | None = None
) -> AllocationOutcome:
    """Allocate a round's package to every eligible village that has none yet.

    Running it again allocates nothing twice: villages already allocated are left out (a set
    difference), and the unique (round, village) constraint stops a concurrent run. The round
    row is locked while allocating. When a cap applies, the best-evaluated villages come first.
    """
    with transaction.atomic(durable=True):
        locked = ProgrammeRound.objects.select_for_update().get(pk=round_.pk)
        if locked.status == RoundStatus.CLOSED:
            refuse(
                gettext("The round %(round)s is closed; it allocates nothing more.")
                % {"round": locked.name}
            )
        package = list(locked.package.order_by("position"))
        if not package:
            refuse(
                gettext("The round %(round)s has no package to allocate.") % {"round": locked.name}
            )
        eligible_ids = list(eligible_villages(locked, area).values_list("id", flat=True))
        already = set(Allocation.objects.filter(round=locked).values_list("village_id", flat=True))
        new_ids = [pk for pk in dict.fromkeys(eligible_ids) if pk not in already]
        cap = locked.village_cap()
        room = len(new_ids) if cap is None else max(cap - len(already), 0)
        chosen = new_ids[:room]
        now = timezone.now()
        value = locked.package_value_krw or 0
        try:
            allocations = Allocation.objects.bulk_create(
                [
                    Allocation(
                        round=locked,
                        village_id=pk,
                        value_krw=value,
                        allocated_at=now,
                        allocated_by=actor,
                    )
                    for pk in chosen
                ],
                batch_size=ALLOCATION_BATCH,
            )
        except IntegrityError:
            refuse(
                gettext(
                    "Another allocation of %(round)s ran at the same time; nothing was "
                    "allocated by this one. Run it again to allocate what is left."
                )
                % {"round": locked.name}
            )
        AllocationLine.objects.bulk_create(
            [
                AllocationLine(
                    allocation=allocation, material=line.material, quantity=line.quantity
                )
                for allocation in allocations
                for line in package
            ],
            batch_size=ALLOCATION_BATCH,
        )
        quantities = {line.material: line.quantity * len(chosen) for line in package}
        outcome = AllocationOutcome(
            round_code=locked.code,
            eligible=len(eligible_ids),
            created=len(chosen),
            already_allocated=len(already),
            over_cap=len(new_ids) - len(chosen),
            quantities=quantities,
        )
        audit(
            actor,
            "allocate_round",
            locked,
            area=area.code if area else None,
            created=outcome.created,
            already=outcome.already_allocated,
            over_cap=outcome.over_cap,
            quantities=quantities,
        )
    return outcome

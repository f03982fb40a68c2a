"""Commands for evaluating villages at the end of a round and classifying them each year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from gov3.registry.models import Area
from gov3.saemaul.classes import ClassThreshold, VillageYear, classify
from gov3.saemaul.models import (
    Allocation,
    ClassCriterion,
    ClassMethod,
    Evaluation,
    ProgrammeRound,
    Village,
    VillageAnnualFigures,
    VillageClass,
    VillageClassification,
    VillageFundEntry,
    VillageInfrastructure,
)
from gov3.saemaul.queries import villages_in
from gov3.saemaul.services._common import audit, refuse

BATCH = 2000


@dataclass(frozen=True)
class EvaluationInput:
    """One village's evaluation: rubric points by criterion code, or (a round without a
    rubric) only whether it showed results."""

    village: Village
    scores: Mapping[str, int] = field(default_factory=dict)
    showed_results: bool | None = None
    note: str = ""


def score_problems(round_: ProgrammeRound, entry: EvaluationInput) -> list[str]:
    """What is wrong with an evaluation's scores for a round (empty: nothing)."""
    if round_.rubric is None:
        if entry.scores:
            return [
                gettext("The round %(round)s has no rubric; give only the result.")
                % {"round": round_.name}
            ]
        if entry.showed_results is None:
            return [gettext("Say whether the village showed results.")]
        return []
    criteria = {c.code: c.max_points for c in round_.rubric.criteria.all()}
    problems = []
    missing = sorted(set(criteria) - set(entry.scores))
    unknown = sorted(set(entry.scores) - set(criteria))
    if missing:
        problems.append(
            gettext("Scores are missing for: %(codes)s.") % {"codes": ", ".join(missing)}
        )
    if unknown:
        problems.append(
            gettext("The rubric has no criteria %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    for code, points in entry.scores.items():
        if code in criteria and not (isinstance(points, int) and 0 <= points <= criteria[code]):
            problems.append(
                gettext("%(code)s is scored 0 to %(max)s, not %(points)s.")
                % {"code": code, "max": criteria[code], "points": points}
            )
    if round_.pass_score is None and entry.showed_results is None:
        problems.append(
            gettext("The round has no pass score: say whether the village showed results.")
        )
    return problems


def _showed_results(round_: ProgrammeRound, entry: EvaluationInput, total: int) -> bool:
    if round_.rubric is not None and round_.pass_score is not None:
        return total >= round_.pass_score
    return bool(entry.showed_results)


def _refuse_decided(round_: ProgrammeRound) -> None:
    later = ProgrammeRound.objects.filter(requires_result_of=round_)
    decided = (
        Allocation.objects.filter(round__in=later).values_list("round__code", flat=True).first()
    )
    if decided:
        refuse(
            gettext(
                "The round %(later)s has already allocated on these results; the evaluations of "
                "%(round)s can no longer change."
            )
            % {"later": decided, "round": round_.name}
        )


def do_record_evaluations(
    actor: str, round_: ProgrammeRound, entries: Sequence[EvaluationInput], *, evaluated_on: date
) -> int:
    """Record (or correct) villages' evaluations for a round; returns how many.

    A village showed results when its total reaches the round's pass score (or, without a
    rubric, when the evaluator says so). Once a later round has allocated on these results they
    can no longer change. All entries are checked first; one problem and nothing is written.
    """
    for entry in entries:
        problems = score_problems(round_, entry)
        if problems:
            refuse(f"{entry.village.name_local} ({entry.village.code}): {' '.join(problems)}")
    if len({e.village.pk for e in entries}) != len(entries):
        refuse(gettext("A village is evaluated twice in the same list."))
    rows = []
    for entry in entries:
        total = sum(entry.scores.values())
        rows.append(
            Evaluation(
                round=round_,
                village=entry.village,
                scores=dict(entry.scores),
                total=total,
                showed_results=_showed_results(round_, entry, total),
                evaluated_on=evaluated_on,
                evaluated_by=actor,
                note=entry.note[:300],
            )
        )
    with transaction.atomic(durable=True):
        _refuse_decided(round_)
        Evaluation.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["round", "village"],
            update_fields=[
                "scores",
                "total",
                "showed_results",
                "evaluated_on",
                "evaluated_by",
                "note",
            ],
        )
        audit(
            actor,
            "record_evaluations",
            round_,
            villages=len(rows),
            showed_results=sum(1 for r in rows if r.showed_results),
        )
    return len(rows)


def do_record_evaluation(
    actor: str,
    round_: ProgrammeRound,
    village: Village,
    *,
    scores: Mapping[str, int],
    evaluated_on: date,
    showed_results: bool | None = None,
    note: str = "",
) -> Evaluation:
    """Record one village's evaluation (see ``do_record_evaluations``)."""
    do_record_evaluations(
        actor,
        round_,
        [EvaluationInput(village, scores, showed_results, note)],
        evaluated_on=evaluated_on,
    )
    return Evaluation.objects.get(round=round_, village=village)


# --- classification -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassificationOutcome:
    """What one classification run did for a year."""

    year: int
    classified: int
    already_classified: int
    missing_figures: int
    promoted: int
    counts: dict[str, int]


def thresholds_for(country: str) -> list[ClassThreshold]:
    """The country's configured class criteria."""
    return [
        ClassThreshold(
            c.village_class,
            c.min_household_income_krw,
            c.min_infrastructure_items,
            c.min_village_fund_krw,
        )
        for c in ClassCriterion.objects.filter(country=country)
    ]


def _latest_before(village_ids: list[int], year: int) -> dict[int, str]:
    """Each village's class in the latest classified year before ``year``."""
    latest: dict[int, tuple[int, str]] = {}
    rows = VillageClassification.objects.filter(village_id__in=village_ids, year__lt=year)
    for village_id, row_year, village_class in rows.values_list(
        "village_id", "year", "village_class"
    ):
        if village_id not in latest or latest[village_id][0] < row_year:
            latest[village_id] = (row_year, village_class)
    return {pk: value[1] for pk, value in latest.items()}


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]


def _figures_for(village_ids: list[int], year: int) -> dict[int, VillageYear]:
    """The classification inputs of each village that has survey figures for ``year``."""
    income: dict[int, int] = {}
    infra: dict[int, int] = defaultdict(int)
    fund: dict[int, int] = defaultdict(int)
    year_end = date(year, 12, 31)
    for chunk in _chunks(village_ids):
        income.update(
            VillageAnnualFigures.objects.filter(village_id__in=chunk, year=year).values_list(
                "village_id", "average_household_income_krw"
            )
        )
        done = VillageInfrastructure.objects.filter(village_id__in=chunk, done=True).filter(
            Q(completed_year__isnull=True) | Q(completed_year__lte=year)
        )
        for row in done.values("village_id").annotate(n=Count("id")).order_by():
            infra[row["village_id"]] = int(row["n"])
        balances = VillageFundEntry.objects.filter(village_id__in=chunk, entry_on__lte=year_end)
        for row in balances.values("village_id").annotate(t=Sum("amount_krw")).order_by():
            fund[row["village_id"]] = int(row["t"])
    return {pk: VillageYear(income[pk], infra[pk], fund[pk]) for pk in income}


def _set_current_classes(year: int, village_ids: list[int]) -> None:
    """Villages whose newest classification is ``year`` take that class as their current one."""
    newer = set(
        VillageClassification.objects.filter(village_id__in=village_ids, year__gt=year).values_list(
            "village_id", flat=True
        )
    )
    by_class: dict[str, list[int]] = defaultdict(list)
    rows = VillageClassification.objects.filter(village_id__in=village_ids, year=year)
    for village_id, village_class in rows.values_list("village_id", "village_class"):
        if village_id not in newer:
            by_class[village_class].append(village_id)
    for village_class, ids in by_class.items():
        for chunk in _chunks(ids):
            Village.objects.filter(pk__in=chunk).update(village_class=village_class)


def do_classify_villages(
    actor: str, year: int, *, country: str, area: Area | None = None
) -> ClassificationOutcome:
    """Compute each village's class for ``year`` from the configured criteria.

    Inputs: the year's average household income (annual figures), the checklist items done by
    the end of the year, and the village fund's balance on 31 December. Villages already
    classified for the year are left as they are (history is never rewritten); villages without
    figures for the year are counted and skipped.
    """
    thresholds = thresholds_for(country)
    if not thresholds:
        refuse(
            gettext("No class criteria are configured for %(country)s; load the programme data.")
            % {"country": country}
        )
    with transaction.atomic(durable=True):
        ids = list(villages_in(area, country=country).values_list("id", flat=True))
        done = {
            pk
            for chunk in _chunks(ids)
            for pk in VillageClassification.objects.filter(
                village_id__in=chunk, year=year
            ).values_list("village_id", flat=True)
        }
        todo = [pk for pk in ids if pk not in done]
        figures = _figures_for(todo, year)
        previous = _latest_before(list(figures), year)
        now = timezone.now()
        rows = []
        for pk, facts in figures.items():
            rows.append(
                VillageClassification(
                    village_id=pk,
                    year=year,
                    village_class=classify(facts, thresholds),
                    previous_class=previous.get(pk, ""),
                    method=ClassMethod.COMPUTED,
                    household_income_krw=facts.household_income_krw,
                    infrastructure_items=facts.infrastructure_items,
                    village_fund_krw=facts.village_fund_krw,
                    actor=actor,
                    at=now,
                )
            )
        VillageClassification.objects.bulk_create(rows, batch_size=BATCH)
        _set_current_classes(year, list(figures))
        counts = dict.fromkeys(VillageClass.values, 0)
        for row in rows:
            counts[row.village_class] += 1
        outcome = ClassificationOutcome(
            year=year,
            classified=len(rows),
            already_classified=len(done),
            missing_figures=len(todo) - len(rows),
            promoted=sum(1 for r in rows if r.promoted),
            counts=counts,
        )
        audit(
            actor,
            "classify_villages",
            "country",
            country,
            year=year,
            area=area.code if area else None,
            classified=outcome.classified,
            promoted=outcome.promoted,
            counts=counts,
        )
    return outcome


@dataclass(frozen=True)
class RecordedClass:
    """A class taken from the historical record (or decided by hand) for a village and year."""

    village: Village
    year: int
    village_class: str
    note: str = ""


def do_record_classifications(actor: str, records: Sequence[RecordedClass]) -> int:
    """Record classes from the historical record; years already classified are left as they are.

    Returns how many were recorded. ``previous_class`` is filled from the year before.
    """
    for record in records:
        if record.village_class not in VillageClass.values:
            refuse(gettext("Unknown class %(c)s.") % {"c": record.village_class})
    with transaction.atomic(durable=True):
        ids = sorted({r.village.pk for r in records})
        existing: dict[tuple[int, int], str] = {}
        for chunk in _chunks(ids):
            rows = VillageClassification.objects.filter(village_id__in=chunk)
            existing.update(
                ((pk, year), village_class)
                for pk, year, village_class in rows.values_list(
                    "village_id", "year", "village_class"
                )
            )
        new: dict[tuple[int, int], RecordedClass] = {}
        for record in records:
            key = (record.village.pk, record.year)
            if key not in existing:
                new[key] = record
        known = {**existing, **{k: r.village_class for k, r in new.items()}}
        years: dict[int, list[int]] = defaultdict(list)
        for pk, year in sorted(known):
            years[pk].append(year)
        now = timezone.now()
        rows_to_add = []
        for (pk, year), record in sorted(new.items()):
            earlier = [y for y in years[pk] if y < year]
            rows_to_add.append(
                VillageClassification(
                    village_id=pk,
                    year=year,
                    village_class=record.village_class,
                    previous_class=known[(pk, earlier[-1])] if earlier else "",
                    method=ClassMethod.RECORDED,
                    note=record.note[:300],
                    actor=actor,
                    at=now,
                )
            )
        VillageClassification.objects.bulk_create(rows_to_add, batch_size=BATCH)
        latest = {pk: village_years[-1] for pk, village_years in years.items()}
        for year in sorted(set(latest.values())):
            _set_current_classes(year, [pk for pk, y in latest.items() if y == year])
        audit(actor, "record_classifications", "village", "", recorded=len(rows_to_add))
    return len(rows_to_add)

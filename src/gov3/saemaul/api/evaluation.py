"""Evaluations of villages and their classes."""

from typing import Any

from django.http import HttpRequest

from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.saemaul.api.access import MAX_LIMIT, _jurisdiction, router
from gov3.saemaul.api.converters import _evaluation_out
from gov3.saemaul.api.ledgers import LEDGER_RESPONSES
from gov3.saemaul.api.schemas import ClassificationOut, ClassifyIn, EvaluationIn, EvaluationOut
from gov3.saemaul.models import Evaluation, VillageClass
from gov3.saemaul.services.evaluation import do_classify_villages, do_record_evaluation
from gov3.saemaul.web_access import Step


@router.get(
    "/rounds/{code}/evaluations",
    response={200: list[EvaluationOut], 404: ErrorOut},
    url_name="saemaul_evaluations",
)
@no_personal_data
def list_evaluations(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """A round's evaluations of the villages in the caller's jurisdiction."""
    j = _jurisdiction(request)
    round_ = j.round_by_code(code)
    rows = Evaluation.objects.filter(round=round_, village__in=j.villages()).select_related(
        "round", "village"
    )
    return [_evaluation_out(e) for e in rows.order_by("village__code")[:MAX_LIMIT]]


@router.post(
    "/rounds/{code}/evaluations",
    response={200: EvaluationOut, **LEDGER_RESPONSES},
    url_name="saemaul_record_evaluation",
)
@no_personal_data
def record_evaluation(request: HttpRequest, code: str, payload: EvaluationIn) -> dict[str, Any]:
    """Record or correct a village's evaluation with the round's rubric (county); refused (422)
    for scores outside the rubric, or once a later round has allocated on these results."""
    j = _jurisdiction(request)
    round_ = j.round_by_code(code)
    village = j.village_by_code(payload.village_code)
    j.require(Step.EVALUATE_VILLAGES)
    evaluation = do_record_evaluation(
        j.actor,
        round_,
        village,
        scores=payload.scores,
        evaluated_on=payload.evaluated_on,
        showed_results=payload.showed_results,
        note=payload.note,
    )
    return _evaluation_out(evaluation)


@router.post(
    "/classifications",
    response={200: ClassificationOut, **LEDGER_RESPONSES},
    url_name="saemaul_classify",
)
@no_personal_data
def classify(request: HttpRequest, payload: ClassifyIn) -> dict[str, Any]:
    """Compute the villages' classes for a year (province, central); a year is classified once,
    so a second run classifies only villages that were skipped."""
    j = _jurisdiction(request)
    j.require(Step.CLASSIFY_VILLAGES)
    area = j.area_by_code(payload.area_code) if payload.area_code else j.area
    outcome = do_classify_villages(j.actor, payload.year, country=j.country, area=area)
    return {
        "year": outcome.year,
        "area_code": area.code if area else None,
        "classified": outcome.classified,
        "already_classified": outcome.already_classified,
        "missing_figures": outcome.missing_figures,
        "promoted": outcome.promoted,
        "counts": {k: outcome.counts.get(k, 0) for k in VillageClass.values},
    }

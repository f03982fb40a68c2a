"""Evaluations of villages and their classes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gov3.core.personal_data import no_personal_data
from gov3.saemaul.forms import ClassifyForm, EvaluationForm
from gov3.saemaul.models import Allocation, Evaluation, ProgrammeRound, Village, VillageClass
from gov3.saemaul.services.evaluation import do_classify_villages, do_record_evaluation
from gov3.saemaul.views.access import PAGE_SIZE, _context, _form_page, _form_step, saemaul_view
from gov3.saemaul.web_access import Jurisdiction, Step


def _round_villages(j: Jurisdiction, round_: ProgrammeRound) -> QuerySet[Village]:
    """The user's villages the round supported or has evaluated."""
    return j.villages().filter(
        Q(pk__in=Allocation.objects.filter(round=round_).values("village_id"))
        | Q(pk__in=Evaluation.objects.filter(round=round_).values("village_id"))
    )


@saemaul_view
@no_personal_data
def evaluations(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """The villages of a round in the user's area and their evaluations, to enter or correct."""
    round_ = j.round_by_code(code)
    j.require(Step.EVALUATE_VILLAGES)
    page = Paginator(_round_villages(j, round_).order_by("code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    done = {
        e.village_id: e
        for e in Evaluation.objects.filter(round=round_, village_id__in=[v.pk for v in page])
    }
    return render(
        request,
        "saemaul/evaluations.html",
        _context(
            j,
            round=round_,
            rounds=ProgrammeRound.objects.filter(country=j.country).order_by("-year", "code"),
            page=page,
            rows=[(v, done.get(v.pk)) for v in page],
            query="",
        ),
    )


@saemaul_view
@no_personal_data
def evaluation_edit(
    request: HttpRequest, j: Jurisdiction, code: str, village_code: str
) -> HttpResponse:
    """Enter (or correct) a village's evaluation with the round's rubric."""
    round_ = j.round_by_code(code)
    the_village = j.village_for_step(village_code, Step.EVALUATE_VILLAGES)
    current = Evaluation.objects.filter(round=round_, village=the_village).first()
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {f"score_{k}": v for k, v in current.scores.items()} | {
            "evaluated_on": current.evaluated_on,
            "note": current.note,
            "showed_results": "yes" if current.showed_results else "no",
        }
    form = EvaluationForm(
        request.POST or None,
        initial=initial,
        criteria=list(round_.rubric.criteria.all()) if round_.rubric else [],
        ask_result=round_.rubric is None or round_.pass_score is None,
    )
    evaluation = _form_step(
        request,
        form,
        lambda d: do_record_evaluation(
            j.actor,
            round_,
            the_village,
            scores=form.scores(),
            evaluated_on=d["evaluated_on"],
            showed_results=form.showed_results(),
            note=d["note"],
        ),
    )
    if evaluation is not None:
        messages.success(
            request,
            (
                _("%(village)s: %(total)s points, showed results.")
                if evaluation.showed_results
                else _("%(village)s: %(total)s points, no result: no support in the next round.")
            )
            % {"village": the_village.name_local, "total": evaluation.total},
        )
        return redirect("saemaul:evaluations", code=round_.code)
    return _form_page(
        request,
        "saemaul/evaluation_form.html",
        j,
        round=round_,
        village=the_village,
        form=form,
        current=current,
    )


@saemaul_view
@no_personal_data
def classify(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Compute the villages' classes for a year from the configured criteria (a year once)."""
    j.require(Step.CLASSIFY_VILLAGES)
    code = request.POST.get("area", "")
    area = j.area_by_code(code) if code else j.area
    choices = [(a.code, f"{a.name_local} ({a.name_en})") for a in j.areas()]
    if j.area is None:
        choices.insert(0, ("", _("Whole country")))
    form = ClassifyForm(
        request.POST or None, initial={"year": timezone.localdate().year - 1}, areas=choices
    )
    outcome = _form_step(
        request,
        form,
        lambda d: do_classify_villages(j.actor, d["year"], country=j.country, area=area),
    )
    if outcome is not None:
        messages.success(
            request,
            _("%(n)s villages were classified for %(year)s.")
            % {"n": outcome.classified, "year": outcome.year},
        )
        return render(
            request,
            "saemaul/classify.html",
            _context(
                j,
                form=form,
                area=area,
                outcome=outcome,
                counts=[(k.label, outcome.counts.get(k.value, 0)) for k in VillageClass],
            ),
        )
    return _form_page(request, "saemaul/classify.html", j, form=form, area=area, outcome=None)

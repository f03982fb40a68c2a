"""Results, dashboards and the reference figures."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gov3.core.personal_data import no_personal_data
from gov3.registry.models import Area
from gov3.saemaul import dashboards
from gov3.saemaul.forms import AreaForm
from gov3.saemaul.models import ProgrammeRound, Village, VillageClass
from gov3.saemaul.queries import reference_figures, round_rankings, villages_in
from gov3.saemaul.views.access import PAGE_SIZE, _context, saemaul_view
from gov3.saemaul.web_access import Jurisdiction, Step


@no_personal_data
def _scope(request: HttpRequest, j: Jurisdiction) -> tuple[Area | None, QuerySet[Village], Any]:
    """The area chosen in ``?area=`` (within the jurisdiction) and its villages."""
    choices = [(a.code, f"{a.name_local} ({a.name_en})") for a in j.areas()]
    if j.area is None and not j.is_village:
        choices.insert(0, ("", _("Whole country")))
    form = AreaForm(request.GET or None, areas=choices)
    code = request.GET.get("area", "")
    if code:
        area = j.area_by_code(code)
        return area, j.villages().filter(pk__in=villages_in(area).values("pk")), form
    return j.area, j.villages(), form


@saemaul_view
@no_personal_data
def results(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Evaluation results and rankings of a round, class counts and promotions."""
    area, villages_qs, form = _scope(request, j)
    rounds = list(
        ProgrammeRound.objects.filter(country=j.country, evaluations__isnull=False)
        .distinct()
        .order_by("-year", "code")
    )
    chosen = next((r for r in rounds if r.code == request.GET.get("round")), None)
    chosen = chosen or (rounds[0] if rounds else None)
    page = None
    if chosen is not None:
        visible = set(villages_qs.values_list("pk", flat=True))
        ranking_area = area if area is not None else (j.village.area if j.village else None)
        ranked = [r for r in round_rankings(chosen, ranking_area) if r.village.pk in visible]
        page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dashboards.class_counts(villages_qs)
    current = villages_qs.values("village_class").annotate(n=Count("id")).order_by("village_class")
    current_counts = {row["village_class"]: row["n"] for row in current}
    return render(
        request,
        "saemaul/results.html",
        _context(
            j,
            form=form,
            area=area,
            rounds=rounds,
            chosen=chosen,
            page=page,
            chart=dashboards.class_chart(counts),
            query=urlencode(
                {"round": chosen.code if chosen else "", "area": area.code if area else ""}
            )
            + "&",
            current=[(k.label, current_counts.get(k.value, 0)) for k in VillageClass],
            all_rounds=(
                ProgrammeRound.objects.filter(country=j.country).order_by("-year", "code")
                if j.may(Step.EVALUATE_VILLAGES)
                else []
            ),
        ),
    )


@saemaul_view
@no_personal_data
def dashboard(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """The pictures of an area: map by class, classes per year, materials, project statuses."""
    area, villages_qs, form = _scope(request, j)
    return render(
        request,
        "saemaul/dashboard.html",
        _context(
            j,
            form=form,
            area=area,
            board=dashboards.dashboard(villages_qs, area=area, country=j.country),
            export_query=f"?area={area.code}" if area is not None else "",
        ),
    )


@no_personal_data
def reference(request: HttpRequest) -> HttpResponse:
    """The documented national figures of the historical programme, with their sources."""
    return render(request, "saemaul/reference.html", {"figures": reference_figures()})

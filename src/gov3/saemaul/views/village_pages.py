"""The home page and the village pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gov3.core.personal_data import no_personal_data
from gov3.saemaul import dashboards
from gov3.saemaul.models import Village, VillageClass
from gov3.saemaul.queries import village_profile
from gov3.saemaul.views.access import PAGE_SIZE, _context, saemaul_view
from gov3.saemaul.views.officer_queue import _flagged_photos, _queue
from gov3.saemaul.views.reporting import _reports_to_review
from gov3.saemaul.web_access import Jurisdiction


@saemaul_view
@no_personal_data
def home(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """The user's starting page: their village, or the work waiting in their area."""
    if j.is_village:
        assert j.village is not None
        return redirect("saemaul:village", code=j.village.code)
    return render(
        request,
        "saemaul/home.html",
        _context(
            j,
            queue=_queue(j).count(),
            reports=_reports_to_review(j).count(),
            flagged=_flagged_photos(j).count(),
            villages=j.villages().count(),
        ),
    )


@saemaul_view
@no_personal_data
def villages(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """The villages in the user's jurisdiction, by name or code, filtered by class."""
    rows = j.villages().select_related("area").order_by("code")
    q = request.GET.get("q", "").strip()[:100]
    klass = request.GET.get("class", "")
    if q:
        rows = rows.filter(Q(name_local__icontains=q) | Q(name_en__icontains=q) | Q(code=q))
    if klass in VillageClass.values:
        rows = rows.filter(village_class=klass)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "saemaul/villages.html",
        _context(
            j,
            page=page,
            q=q,
            klass=klass,
            classes=VillageClass.choices,
            query=urlencode({"q": q, "class": klass}) + "&",
        ),
    )


@saemaul_view
@no_personal_data
def village(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """A village's profile: checklist, leaders, bodies, fund, materials, classes, projects."""
    the_village = j.village_by_code(code)
    profile = village_profile(the_village)
    assemblies = the_village.assemblies.annotate(
        adopted=Count("resolutions", filter=Q(resolutions__adopted=True))
    ).order_by("-held_on")[:20]
    return render(
        request,
        "saemaul/village.html",
        _context(
            j,
            village=the_village,
            profile=profile,
            assemblies=assemblies,
            evaluations=the_village.evaluations.select_related("round").order_by("-round__year"),
            materials=dashboards.material_rows(Village.objects.filter(pk=the_village.pk)),
            location=dashboards.village_map(
                j.villages().filter(area=the_village.area),
                area=the_village.area,
                highlight=the_village.code,
            ),
            deliveries=the_village.deliveries.select_related("depot", "allocation__round")[:20],
        ),
    )

"""Materials and the village fund."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gov3.core.errors import Gov3Error
from gov3.core.personal_data import no_personal_data
from gov3.registry.models import Area
from gov3.saemaul import dashboards
from gov3.saemaul.forms import DeliveryForm, FundEntryForm, MaterialUseForm
from gov3.saemaul.models import (
    Allocation,
    Delivery,
    Depot,
    DepotLevel,
    Material,
    ProgrammeRound,
    Project,
    ProjectStatus,
    StockEntry,
    Village,
)
from gov3.saemaul.queries import allocation_remaining, fund_balance, stock_position
from gov3.saemaul.services.ledgers import (
    do_deliver_materials,
    do_record_fund_entry,
    do_record_material_use,
)
from gov3.saemaul.views.access import PAGE_SIZE, _context, _form_page, _form_step, saemaul_view
from gov3.saemaul.web_access import Jurisdiction, Step


def _depots(j: Jurisdiction) -> QuerySet[Depot]:
    if j.is_village:
        return Depot.objects.none()
    area_ids = set(j.villages().values_list("area_id", flat=True).distinct())
    county_ids = set(Area.objects.filter(pk__in=area_ids).values_list("parent_id", flat=True))
    return Depot.objects.filter(
        Q(level=DepotLevel.EUP_MYEON, area_id__in=area_ids)
        | Q(level=DepotLevel.COUNTY, area_id__in=county_ids)
    ).select_related("area")


@saemaul_view
@no_personal_data
def materials(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Depot stock with the reserve rule, deliveries, and materials delivered vs used."""
    if j.is_village:
        raise PermissionDenied
    depot_list = list(_depots(j).order_by("code"))
    # The (material, round) pairs each depot holds, and their rounds, in one query each.
    held: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for depot_id, held_material, held_round_id in (
        StockEntry.objects.filter(depot__in=depot_list)
        .values_list("depot_id", "material", "round_id")
        .distinct()
        .order_by("depot_id", "material", "round_id")
    ):
        held[depot_id].append((held_material, held_round_id))
    round_ids = {pair[1] for pairs in held.values() for pair in pairs}
    rounds = {r.pk: r for r in ProgrammeRound.objects.filter(pk__in=round_ids)}
    depots = []
    for depot in depot_list:
        stocks = []
        for material, round_id in held[depot.pk]:
            round_ = rounds.get(round_id) if round_id is not None else None
            stocks.append(
                (Material(material).label, round_, stock_position(depot, material, round_))
            )
        depots.append((depot, stocks))
    deliveries = (
        Delivery.objects.filter(village__in=j.villages())
        .select_related("village", "depot", "allocation__round")
        .order_by("-delivered_on", "-pk")[:PAGE_SIZE]
    )
    return render(
        request,
        "saemaul/materials.html",
        _context(
            j,
            depots=depots,
            deliveries=deliveries,
            flow=dashboards.material_rows(j.villages()),
        ),
    )


@saemaul_view
@no_personal_data
def delivery_new(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """Record materials handed from a depot to a village, against its allocation."""
    the_village = j.village_for_step(code, Step.MANAGE_MATERIALS)
    allocations = list(
        Allocation.objects.filter(village=the_village).select_related("round").order_by("-pk")
    )
    depots = list(
        Depot.objects.filter(
            Q(level=DepotLevel.EUP_MYEON, area_id=the_village.area_id)
            | Q(level=DepotLevel.COUNTY, area_id=the_village.area.parent_id)
        ).order_by("code")
    )
    form = DeliveryForm(
        request.POST or None,
        initial={"delivered_on": timezone.localdate()},
        allocations=[(str(a.pk), a.round.name) for a in allocations],
        depots=[(str(d.pk), d.name) for d in depots],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        allocation = next(a for a in allocations if str(a.pk) == data["allocation"])
        depot = next(d for d in depots if str(d.pk) == data["depot"])
        try:
            do_deliver_materials(
                j.actor,
                allocation,
                depot,
                material=data["material"],
                quantity=data["quantity"],
                on=data["delivered_on"],
                received_by=data["received_by"],
            )
        except Gov3Error as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The delivery was recorded."))
            return redirect("saemaul:village", code=the_village.code)
    remaining = [
        (a, [(line, allocation_remaining(a, line.material)) for line in a.lines.all()])
        for a in allocations
    ]
    return _form_page(
        request,
        "saemaul/delivery_form.html",
        j,
        village=the_village,
        form=form,
        remaining=remaining,
    )


PAYABLE = (ProjectStatus.APPROVED, ProjectStatus.COMPLETED)


def _choices(projects: QuerySet[Project]) -> dict[str, Project]:
    return {str(p.public_id): p for p in projects}


@saemaul_view
@no_personal_data
def material_use_new(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """Record delivered materials put into one of the village's approved projects."""
    the_village = j.village_for_step(code, Step.RECORD_MATERIAL_USE)
    projects = _choices(the_village.projects.filter(status__in=PAYABLE).order_by("-approved_at"))
    form = MaterialUseForm(
        request.POST or None,
        initial={"project": request.GET.get("project", "")},
        projects=[(key, p.title) for key, p in projects.items()],
    )
    if _form_step(
        request,
        form,
        lambda d: do_record_material_use(
            j.actor,
            projects[d["project"]],
            material=d["material"],
            quantity=d["quantity"],
            used_on=d["used_on"],
            note=d["note"],
        ),
    ):
        messages.success(request, _("The use of materials was recorded."))
        return redirect("saemaul:village", code=the_village.code)
    return _form_page(
        request,
        "saemaul/material_use_form.html",
        j,
        village=the_village,
        form=form,
        has_projects=bool(projects),
        materials=dashboards.material_rows(Village.objects.filter(pk=the_village.pk)),
        uses=the_village.material_use.select_related("project")[:PAGE_SIZE],
    )


@saemaul_view
@no_personal_data
def fund(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """The village fund ledger; the village records contributions, income and expenses."""
    the_village = j.village_by_code(code)
    if request.method == "POST":
        j.require(Step.RECORD_FUND_ENTRY)
    form = None
    if j.may(Step.RECORD_FUND_ENTRY):
        projects = _choices(the_village.projects.order_by("-created_at"))
        form = FundEntryForm(
            request.POST or None, projects=[(key, p.title) for key, p in projects.items()]
        )
        if _form_step(
            request,
            form,
            lambda d: do_record_fund_entry(
                j.actor,
                the_village,
                kind=d["kind"],
                amount_krw=d["amount_krw"],
                on=d["entry_on"],
                note=d["note"],
                project=projects.get(d["project"]),
            ),
        ):
            messages.success(request, _("The entry was added to the village fund ledger."))
            return redirect("saemaul:fund", code=the_village.code)
    entries = the_village.fund.select_related("project", "tranche").order_by("-pk")
    return _form_page(
        request,
        "saemaul/fund.html",
        j,
        village=the_village,
        form=form,
        balance=fund_balance(the_village),
        page=Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
    )

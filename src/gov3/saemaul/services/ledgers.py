"""Commands for materials and money: depots and their stock, deliveries, material use, cash
tranches and the village fund. Every ledger is append-only; a mistake is corrected by a new
entry, never by changing an old one.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from gov3.registry.models import Area, AreaLevel
from gov3.saemaul.models import (
    Allocation,
    Delivery,
    Depot,
    DepotLevel,
    FundEntryKind,
    Material,
    MaterialUse,
    ProgrammeRound,
    Project,
    ProjectStatus,
    StockEntry,
    StockMovement,
    Tranche,
    TrancheStatus,
    Village,
    VillageFundEntry,
)
from gov3.saemaul.queries import allocation_remaining, project_progress, stock_position
from gov3.saemaul.services._common import (
    audit,
    policy_for,
    quantity_text,
    refuse,
    refuse_future,
    refuse_locked_period,
)

DEPOT_AREA_LEVEL = {
    DepotLevel.COUNTY: AreaLevel.MUNICIPALITY,
    DepotLevel.EUP_MYEON: AreaLevel.DISTRICT,
}
INFLOWS = (FundEntryKind.CONTRIBUTION, FundEntryKind.INCOME, FundEntryKind.OTHER)


def do_create_depot(
    actor: str,
    *,
    code: str,
    name: str,
    area: Area,
    level: str,
    reserve_percent: int | None = None,
) -> Depot:
    """Open a depot for a county or an eup/myeon (reserve: the policy's default if not given)."""
    if level not in DepotLevel.values:
        refuse(gettext("A depot is kept by a county or an eup/myeon office."))
    if area.level != DEPOT_AREA_LEVEL[DepotLevel(level)]:
        refuse(
            gettext("A %(level)s belongs to an area of the level '%(area_level)s'.")
            % {
                "level": DepotLevel(level).label,
                "area_level": AreaLevel(DEPOT_AREA_LEVEL[DepotLevel(level)]).label,
            }
        )
    percent = (
        policy_for(area.country).default_reserve_percent
        if reserve_percent is None
        else reserve_percent
    )
    if not 0 <= percent <= 100:
        refuse(gettext("A reserve is a percentage from 0 to 100."))
    with transaction.atomic(durable=True):
        if Depot.objects.filter(code=code).exists():
            refuse(gettext("A depot with the code %(code)s exists already.") % {"code": code})
        depot = Depot.objects.create(
            code=code, name=name, area=area, level=level, reserve_percent=percent
        )
        audit(actor, "create_depot", depot, code=code, area=area.code, reserve_percent=percent)
    return depot


def _check_quantity(material: str, quantity: int) -> None:
    if material not in Material.values or material == Material.CASH:
        refuse(
            gettext("Depots hold cement, steel and reinforcing bars, not %(m)s.") % {"m": material}
        )
    if quantity <= 0:
        refuse(gettext("The quantity must be more than 0."))


def _append_stock(
    actor: str,
    depot: Depot,
    *,
    material: str,
    round_: ProgrammeRound | None,
    movement: str,
    quantity: int,
    on: date,
    note: str = "",
    counterpart: Depot | None = None,
) -> StockEntry:
    """Append a movement; the caller holds the depot's row lock and has checked the rules."""
    balance = stock_position(depot, material, round_).balance + quantity
    return StockEntry.objects.create(
        depot=depot,
        material=material,
        round=round_,
        movement=movement,
        quantity=quantity,
        balance_after=balance,
        moved_on=on,
        counterpart=counterpart,
        note=note,
        actor=actor,
        at=timezone.now(),
    )


def _refuse_below_reserve(
    depot: Depot, material: str, round_: ProgrammeRound | None, quantity: int
) -> None:
    position = stock_position(depot, material, round_)
    if quantity > position.balance:
        refuse(
            gettext("%(depot)s holds only %(stock)s; %(wanted)s cannot be issued.")
            % {
                "depot": depot.name,
                "stock": quantity_text(material, position.balance),
                "wanted": quantity_text(material, quantity),
            }
        )
    if position.balance - quantity < position.reserve:
        refuse(
            gettext(
                "Issuing %(wanted)s would leave %(depot)s below its %(percent)s%% reserve "
                "(%(reserve)s of the %(received)s received). At most %(available)s can be issued."
            )
            % {
                "wanted": quantity_text(material, quantity),
                "depot": depot.name,
                "percent": position.reserve_percent,
                "reserve": f"{position.reserve:,}",
                "received": f"{position.received:,}",
                "available": quantity_text(material, position.available),
            }
        )


def _lock(depot: Depot) -> Depot:
    return Depot.objects.select_for_update().get(pk=depot.pk)


def do_receive_stock(
    actor: str,
    depot: Depot,
    *,
    material: str,
    quantity: int,
    on: date,
    round_: ProgrammeRound | None = None,
    note: str = "",
) -> StockEntry:
    """Record materials arriving at a depot (from the supplier, for a round or general stock)."""
    _check_quantity(material, quantity)
    refuse_future(on, gettext("receipt"))
    with transaction.atomic(durable=True):
        locked = _lock(depot)
        entry = _append_stock(
            actor,
            locked,
            material=material,
            round_=round_,
            movement=StockMovement.RECEIPT,
            quantity=quantity,
            on=on,
            note=note,
        )
        audit(
            actor,
            "receive_stock",
            locked,
            material=material,
            quantity=quantity,
            round=round_ and round_.code,
        )
    return entry


def do_transfer_stock(
    actor: str,
    source: Depot,
    destination: Depot,
    *,
    material: str,
    quantity: int,
    on: date,
    round_: ProgrammeRound | None = None,
    note: str = "",
) -> tuple[StockEntry, StockEntry]:
    """Move stock between depots (e.g. county → eup/myeon); the source keeps its reserve."""
    _check_quantity(material, quantity)
    refuse_future(on, gettext("transfer"))
    if source.pk == destination.pk:
        refuse(gettext("A transfer needs two different depots."))
    with transaction.atomic(durable=True):
        # Lock both rows in a fixed order so two opposite transfers cannot deadlock.
        first, second = sorted((source, destination), key=lambda d: d.pk)
        locked = {d.pk: _lock(d) for d in (first, second)}
        giver, taker = locked[source.pk], locked[destination.pk]
        _refuse_below_reserve(giver, material, round_, quantity)
        out = _append_stock(
            actor,
            giver,
            material=material,
            round_=round_,
            movement=StockMovement.TRANSFER_OUT,
            quantity=-quantity,
            on=on,
            note=note,
            counterpart=taker,
        )
        into = _append_stock(
            actor,
            taker,
            material=material,
            round_=round_,
            movement=StockMovement.TRANSFER_IN,
            quantity=quantity,
            on=on,
            note=note,
            counterpart=giver,
        )
        audit(actor, "transfer_stock", giver, to=taker.code, material=material, quantity=quantity)
    return out, into


def do_adjust_stock(
    actor: str,
    depot: Depot,
    *,
    material: str,
    quantity: int,
    on: date,
    note: str,
    round_: ProgrammeRound | None = None,
) -> StockEntry:
    """Correct a depot's stock after a count (positive or negative), saying why."""
    if quantity == 0:
        refuse(gettext("An adjustment changes the stock by at least one unit."))
    _check_quantity(material, abs(quantity))
    if not note.strip():
        refuse(gettext("Say why the stock is adjusted (e.g. the count of %(day)s).") % {"day": on})
    with transaction.atomic(durable=True):
        locked = _lock(depot)
        if stock_position(locked, material, round_).balance + quantity < 0:
            refuse(gettext("The adjustment would make the stock negative."))
        entry = _append_stock(
            actor,
            locked,
            material=material,
            round_=round_,
            movement=StockMovement.ADJUSTMENT,
            quantity=quantity,
            on=on,
            note=note,
        )
        audit(actor, "adjust_stock", locked, material=material, quantity=quantity, note=note)
    return entry


def _depot_serves(depot: Depot, village: Village) -> bool:
    if depot.level == DepotLevel.EUP_MYEON:
        return village.area_id == depot.area_id
    return village.area.parent_id == depot.area_id


def _refuse_outside_window(round_: ProgrammeRound, on: date) -> None:
    start, end = round_.delivery_from, round_.delivery_until
    if (start and on < start) or (end and on > end):
        refuse(
            gettext(
                "The round %(round)s delivers materials from %(start)s to %(end)s; %(day)s is "
                "outside that window."
            )
            % {"round": round_.name, "start": start or "…", "end": end or "…", "day": on}
        )


def do_deliver_materials(
    actor: str,
    allocation: Allocation,
    depot: Depot,
    *,
    material: str,
    quantity: int,
    on: date,
    received_by: str = "",
) -> Delivery:
    """Hand allocated materials from a depot to the village (within the round's window,
    never more than allocated, never below the depot's reserve)."""
    _check_quantity(material, quantity)
    refuse_future(on, gettext("delivery"))
    village = allocation.village
    if not _depot_serves(depot, village):
        refuse(
            gettext("%(depot)s does not serve %(village)s.")
            % {"depot": depot.name, "village": village.name_local}
        )
    _refuse_outside_window(allocation.round, on)
    with transaction.atomic(durable=True):
        locked = _lock(depot)
        refuse_locked_period(village, on, gettext("delivery"))
        remaining = allocation_remaining(allocation, material)
        if quantity > remaining:
            refuse(
                gettext(
                    "%(village)s has %(remaining)s of its allocation left to deliver; "
                    "%(wanted)s is too much."
                )
                % {
                    "village": village.name_local,
                    "remaining": quantity_text(material, remaining),
                    "wanted": quantity_text(material, quantity),
                }
            )
        _refuse_below_reserve(locked, material, allocation.round, quantity)
        entry = _append_stock(
            actor,
            locked,
            material=material,
            round_=allocation.round,
            movement=StockMovement.DELIVERY,
            quantity=-quantity,
            on=on,
            note=village.code,
        )
        delivery = Delivery.objects.create(
            allocation=allocation,
            village=village,
            depot=locked,
            material=material,
            quantity=quantity,
            delivered_on=on,
            received_by=received_by.strip(),
            stock_entry=entry,
            actor=actor,
            at=timezone.now(),
        )
        audit(
            actor,
            "deliver_materials",
            delivery,
            village=village.code,
            material=material,
            quantity=quantity,
        )
    return delivery


def do_record_material_use(
    actor: str, project: Project, *, material: str, quantity: int, used_on: date, note: str = ""
) -> MaterialUse:
    """Record delivered materials put into an approved project (no more than the village holds)."""
    _check_quantity(material, quantity)
    refuse_future(used_on, gettext("use of materials"))
    if project.status not in (ProjectStatus.APPROVED, ProjectStatus.COMPLETED):
        refuse(gettext("Materials are used on approved projects only."))
    village = project.village
    with transaction.atomic(durable=True):
        Village.objects.select_for_update().filter(pk=village.pk).first()
        refuse_locked_period(village, used_on, gettext("use of materials"))
        delivered = (
            Delivery.objects.filter(village=village, material=material).aggregate(
                t=Sum("quantity")
            )["t"]
            or 0
        )
        used = (
            MaterialUse.objects.filter(village=village, material=material).aggregate(
                t=Sum("quantity")
            )["t"]
            or 0
        )
        if used + quantity > delivered:
            refuse(
                gettext(
                    "%(village)s has received %(delivered)s and used %(used)s; it cannot use "
                    "%(wanted)s more."
                )
                % {
                    "village": village.name_local,
                    "delivered": quantity_text(material, int(delivered)),
                    "used": quantity_text(material, int(used)),
                    "wanted": quantity_text(material, quantity),
                }
            )
        use = MaterialUse.objects.create(
            village=village,
            project=project,
            material=material,
            quantity=quantity,
            used_on=used_on,
            note=note,
            actor=actor,
            at=timezone.now(),
        )
        audit(actor, "record_material_use", project, material=material, quantity=quantity)
    return use


def _append_fund(
    actor: str,
    village: Village,
    *,
    kind: str,
    amount: int,
    on: date,
    note: str = "",
    project: Project | None = None,
    tranche: Tranche | None = None,
) -> VillageFundEntry:
    """Append to the village fund; the caller holds the village's row lock."""
    balance = (
        VillageFundEntry.objects.filter(village=village).aggregate(t=Sum("amount_krw"))["t"] or 0
    )
    if balance + amount < 0:
        refuse(
            gettext("The village fund holds %(balance)s KRW; %(amount)s KRW cannot be paid out.")
            % {"balance": f"{balance:,}", "amount": f"{-amount:,}"}
        )
    return VillageFundEntry.objects.create(
        village=village,
        kind=kind,
        amount_krw=amount,
        balance_after_krw=balance + amount,
        entry_on=on,
        project=project,
        tranche=tranche,
        note=note,
        actor=actor,
        at=timezone.now(),
    )


def do_record_fund_entry(
    actor: str,
    village: Village,
    *,
    kind: str,
    amount_krw: int,
    on: date,
    note: str = "",
    project: Project | None = None,
) -> VillageFundEntry:
    """Record money into or out of the village fund. ``amount_krw`` is positive; an expense is
    paid out, every other kind is paid in. Grants come only from released tranches."""
    if kind not in FundEntryKind.values or kind == FundEntryKind.GRANT:
        refuse(gettext("Choose a contribution, an income, an expense or other."))
    if amount_krw <= 0:
        refuse(gettext("The amount must be more than 0 KRW."))
    if kind == FundEntryKind.EXPENSE and not note.strip():
        refuse(gettext("Say what the expense was for."))
    refuse_future(on, gettext("fund entry"))
    signed = -amount_krw if kind == FundEntryKind.EXPENSE else amount_krw
    with transaction.atomic(durable=True):
        Village.objects.select_for_update().filter(pk=village.pk).first()
        refuse_locked_period(village, on, gettext("fund entry"))
        entry = _append_fund(
            actor, village, kind=kind, amount=signed, on=on, note=note, project=project
        )
        audit(actor, "record_fund_entry", village, kind=kind, amount_krw=signed)
    return entry


def do_release_tranche(actor: str, tranche: Tranche, *, on: date) -> Tranche:
    """Pay a tranche of an approved project's grant into the village fund.

    Tranches are paid in order, and each waits until the project's progress photos (that count
    as evidence) show at least its ``min_progress_percent``.
    """
    project = tranche.project
    refuse_future(on, gettext("release"))
    if project.status not in (ProjectStatus.APPROVED, ProjectStatus.COMPLETED):
        refuse(gettext("Tranches are paid for approved projects only."))
    with transaction.atomic(durable=True):
        Village.objects.select_for_update().filter(pk=project.village_id).first()
        current = Tranche.objects.select_for_update().get(pk=tranche.pk)
        if current.status == TrancheStatus.RELEASED:
            refuse(gettext("Tranche %(number)s was already released.") % {"number": current.number})
        if project.tranches.filter(
            number__lt=current.number, status=TrancheStatus.PENDING
        ).exists():
            refuse(gettext("Release the earlier tranches first."))
        progress = project_progress(project)
        if progress < current.min_progress_percent:
            refuse(
                gettext(
                    "Tranche %(number)s is paid once progress photos show %(needed)s%% of the "
                    "works done; the photos so far show %(shown)s%%. Add a photo of the works, or "
                    "have a flagged photo reviewed."
                )
                % {
                    "number": current.number,
                    "needed": current.min_progress_percent,
                    "shown": progress,
                }
            )
        refuse_locked_period(project.village, on, gettext("release"))
        Tranche.objects.filter(pk=current.pk).update(
            status=TrancheStatus.RELEASED, released_on=on, released_by=actor
        )
        _append_fund(
            actor,
            project.village,
            kind=FundEntryKind.GRANT,
            amount=current.amount_krw,
            on=on,
            note=project.title[:300],
            project=project,
            tranche=current,
        )
        audit(
            actor,
            "release_tranche",
            project,
            tranche=current.number,
            amount_krw=current.amount_krw,
            progress=progress,
        )
    tranche.refresh_from_db()
    return tranche

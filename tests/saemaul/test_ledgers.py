"""Materials and money: the depots' reserve rule, deliveries within the allocation and the
delivery window, material use, the village fund, tranches released on photo progress, and
append-only ledgers."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from gov3.core.errors import AppendOnlyError, ValidationFailedError
from gov3.registry.models import Area
from gov3.saemaul.models import (
    Allocation,
    Delivery,
    Depot,
    ProgrammeRound,
    StockEntry,
    Tranche,
    Village,
    VillageFundEntry,
)
from gov3.saemaul.queries import fund_balance, materials_flow, stock_position
from gov3.saemaul.services import (
    do_add_evidence,
    do_adjust_stock,
    do_allocate_round,
    do_create_depot,
    do_deliver_materials,
    do_receive_stock,
    do_record_fund_entry,
    do_record_material_use,
    do_release_tranche,
    do_review_evidence,
    do_transfer_stock,
)
from gov3.synthetic.saemaul import synthetic_photo
from tests.saemaul.conftest import (
    ACTOR,
    SITE,
    approved_project,
    days_ago,
    make_village,
    model_round,
)


@pytest.fixture
def depots(county: dict[str, Area], programme: None) -> tuple[Depot, Depot]:
    county_depot = do_create_depot(
        ACTOR, code="kr-46820", name="해남군 창고", area=county["46820"], level="county"
    )
    myeon_depot = do_create_depot(
        ACTOR, code="kr-46820-03", name="화산면 창고", area=county["46820-03"], level="eup_myeon"
    )
    return county_depot, myeon_depot


@pytest.fixture
def allocation(village: Village) -> Allocation:
    do_allocate_round(ACTOR, model_round())
    return Allocation.objects.get(village=village)


# --- the reserve rule -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_depot_cannot_issue_below_its_reserve(
    depots: tuple[Depot, Depot], allocation: Allocation
) -> None:
    _, myeon = depots
    round_ = allocation.round  # the model round keeps a 30 % reserve
    do_receive_stock(ACTOR, myeon, material="cement", quantity=1000, on=days_ago(10), round_=round_)
    position = stock_position(myeon, "cement", round_)
    assert (position.balance, position.reserve, position.available) == (1000, 300, 700)

    with pytest.raises(ValidationFailedError, match="below its 30% reserve"):
        do_transfer_stock(
            ACTOR, myeon, depots[0], material="cement", quantity=701, on=days_ago(9), round_=round_
        )
    assert stock_position(myeon, "cement", round_).balance == 1000
    do_transfer_stock(
        ACTOR, myeon, depots[0], material="cement", quantity=500, on=days_ago(9), round_=round_
    )
    # 500 left, 300 reserved: a 300-bag delivery would leave 200.
    with pytest.raises(ValidationFailedError, match="At most 200 bags of Cement can be issued"):
        do_deliver_materials(
            ACTOR, allocation, myeon, material="cement", quantity=300, on=days_ago(8)
        )
    delivery = do_deliver_materials(
        ACTOR, allocation, myeon, material="cement", quantity=200, on=days_ago(8)
    )
    assert delivery.stock_entry.balance_after == 300
    assert stock_position(myeon, "cement", round_).available == 0


@pytest.mark.django_db
def test_general_stock_uses_the_depots_own_reserve(depots: tuple[Depot, Depot]) -> None:
    county_depot, myeon = depots
    assert county_depot.reserve_percent == 30  # the policy's default (the 1979 figure)
    do_receive_stock(ACTOR, county_depot, material="rebar", quantity=10_000, on=days_ago(5))
    with pytest.raises(ValidationFailedError, match="reserve"):
        do_transfer_stock(
            ACTOR, county_depot, myeon, material="rebar", quantity=7_001, on=days_ago(4)
        )
    out, into = do_transfer_stock(
        ACTOR, county_depot, myeon, material="rebar", quantity=7_000, on=days_ago(4)
    )
    assert (out.quantity, out.balance_after, into.quantity, into.balance_after) == (
        -7000,
        3000,
        7000,
        7000,
    )


@pytest.mark.django_db
def test_a_stock_adjustment_needs_a_reason_and_cannot_go_negative(
    depots: tuple[Depot, Depot],
) -> None:
    depot = depots[0]
    do_receive_stock(ACTOR, depot, material="cement", quantity=10, on=days_ago(3))
    with pytest.raises(ValidationFailedError, match="Say why"):
        do_adjust_stock(ACTOR, depot, material="cement", quantity=-2, on=days_ago(2), note="")
    with pytest.raises(ValidationFailedError, match="negative"):
        do_adjust_stock(
            ACTOR, depot, material="cement", quantity=-11, on=days_ago(2), note="재고조사"
        )
    entry = do_adjust_stock(
        ACTOR, depot, material="cement", quantity=-2, on=days_ago(2), note="파손"
    )
    assert entry.balance_after == 8


@pytest.mark.django_db
def test_a_depot_refuses_cash_and_a_depot_must_sit_at_its_level(
    county: dict[str, Area], programme: None
) -> None:
    with pytest.raises(ValidationFailedError, match="belongs to an area of the level"):
        do_create_depot(ACTOR, code="x", name="x", area=county["46820-03"], level="county")
    depot = do_create_depot(ACTOR, code="y", name="y", area=county["46820"], level="county")
    with pytest.raises(ValidationFailedError, match="not cash"):
        do_receive_stock(ACTOR, depot, material="cash", quantity=10, on=days_ago(1))


# --- deliveries -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_deliveries_never_exceed_the_allocation(
    depots: tuple[Depot, Depot], allocation: Allocation
) -> None:
    myeon = depots[1]
    do_receive_stock(
        ACTOR, myeon, material="cement", quantity=5000, on=days_ago(10), round_=allocation.round
    )
    do_deliver_materials(ACTOR, allocation, myeon, material="cement", quantity=250, on=days_ago(9))
    with pytest.raises(ValidationFailedError, match="50 bags of Cement of its allocation left"):
        do_deliver_materials(
            ACTOR, allocation, myeon, material="cement", quantity=51, on=days_ago(8)
        )
    assert Delivery.objects.count() == 1
    assert materials_flow(village=allocation.village)["cement"].delivered == 250


@pytest.mark.django_db
def test_an_eup_myeon_depot_serves_only_its_own_villages(
    depots: tuple[Depot, Depot], county: dict[str, Area], programme: None
) -> None:
    other = make_village(county["46820-02"], "46820-02-0001")
    do_allocate_round(ACTOR, model_round())
    with pytest.raises(ValidationFailedError, match="does not serve"):
        do_deliver_materials(
            ACTOR,
            Allocation.objects.get(village=other),
            depots[1],
            material="cement",
            quantity=1,
            on=days_ago(1),
        )


@pytest.mark.django_db
def test_the_1979_delivery_window_is_december_to_february(
    depots: tuple[Depot, Depot], village: Village
) -> None:
    guideline = ProgrammeRound.objects.get(code="kr-1979-guideline")
    do_allocate_round(ACTOR, guideline)
    allocation = Allocation.objects.get(round=guideline)
    myeon = depots[1]
    do_receive_stock(
        ACTOR, myeon, material="cement", quantity=2000, on=date(1978, 11, 20), round_=guideline
    )
    with pytest.raises(ValidationFailedError, match="outside that window"):
        do_deliver_materials(
            ACTOR, allocation, myeon, material="cement", quantity=500, on=date(1979, 3, 2)
        )
    delivery = do_deliver_materials(
        ACTOR, allocation, myeon, material="cement", quantity=500, on=date(1979, 1, 15)
    )
    assert delivery.delivered_on == date(1979, 1, 15)


@pytest.mark.django_db
def test_a_village_uses_no_more_material_than_it_received(
    depots: tuple[Depot, Depot], allocation: Allocation
) -> None:
    myeon = depots[1]
    do_receive_stock(
        ACTOR, myeon, material="cement", quantity=5000, on=days_ago(10), round_=allocation.round
    )
    do_deliver_materials(ACTOR, allocation, myeon, material="cement", quantity=100, on=days_ago(9))
    project = approved_project(allocation.village, round_=allocation.round)
    do_record_material_use(ACTOR, project, material="cement", quantity=80, used_on=days_ago(5))
    with pytest.raises(ValidationFailedError, match="cannot use 21 bags of Cement more"):
        do_record_material_use(ACTOR, project, material="cement", quantity=21, used_on=days_ago(4))
    flow = materials_flow(village=allocation.village)["cement"]
    assert (flow.allocated, flow.delivered, flow.used, flow.in_village) == (300, 100, 80, 20)


# --- the village fund and tranches ----------------------------------------------------------


@pytest.mark.django_db
def test_the_village_fund_never_goes_below_zero(village: Village) -> None:
    do_record_fund_entry(ACTOR, village, kind="contribution", amount_krw=300_000, on=days_ago(5))
    with pytest.raises(ValidationFailedError, match="holds 300,000 KRW"):
        do_record_fund_entry(
            ACTOR, village, kind="expense", amount_krw=300_001, on=days_ago(4), note="자재"
        )
    entry = do_record_fund_entry(
        ACTOR, village, kind="expense", amount_krw=120_000, on=days_ago(4), note="모래"
    )
    assert (entry.amount_krw, entry.balance_after_krw) == (-120_000, 180_000)
    assert fund_balance(village) == 180_000
    assert fund_balance(village, days_ago(5)) == 300_000
    with pytest.raises(ValidationFailedError, match="Choose a contribution"):
        do_record_fund_entry(ACTOR, village, kind="grant", amount_krw=1, on=days_ago(1))


@pytest.mark.django_db
def test_the_second_tranche_waits_for_photos_showing_half_the_works(village: Village) -> None:
    round_ = model_round()
    do_allocate_round(ACTOR, round_)
    project = approved_project(village, round_=round_, requested_grant_krw=2_000_000)
    first, second = project.tranches.order_by("number")
    with pytest.raises(ValidationFailedError, match="earlier tranches first"):
        do_release_tranche(ACTOR, second, on=days_ago(1))

    do_release_tranche(ACTOR, first, on=days_ago(3))
    assert fund_balance(village) == 1_000_000
    with pytest.raises(ValidationFailedError, match="already released"):
        do_release_tranche(ACTOR, first, on=days_ago(3))

    def photo(progress: int, lat: float) -> None:
        do_add_evidence(
            ACTOR,
            project,
            stage="during",
            filename="works.jpg",
            progress_percent=progress,
            data=synthetic_photo(latitude=lat, longitude=SITE[1]),
        )

    photo(40, SITE[0])
    with pytest.raises(
        ValidationFailedError, match="show 50% of the works done; the photos so far show 40%"
    ):
        do_release_tranche(ACTOR, second, on=days_ago(1))
    # A flagged photo (about 5.6 km away) does not count until an officer accepts it.
    photo(60, SITE[0] + 0.05)
    with pytest.raises(ValidationFailedError, match="show 40%"):
        do_release_tranche(ACTOR, second, on=days_ago(1))
    do_review_evidence("myeon-officer", project.photos.get(progress_percent=60), accepted=True)
    do_release_tranche("county-officer", second, on=days_ago(1))

    second.refresh_from_db()
    assert (second.status, second.released_by) == ("released", "county-officer")
    assert fund_balance(village) == 2_000_000
    assert VillageFundEntry.objects.filter(kind="grant").count() == 2


# --- append-only ledgers --------------------------------------------------------------------


def _raw(sql: str, pk: int) -> None:
    """Change a row behind the application's back, as someone with database access would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])


@pytest.mark.django_db
def test_ledger_entries_cannot_be_changed_or_deleted(depots: tuple[Depot, Depot]) -> None:
    entry = do_receive_stock(ACTOR, depots[0], material="cement", quantity=10, on=days_ago(1))
    entry.quantity = 1_000
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):  # a bulk update through the ORM too
        StockEntry.objects.filter(pk=entry.pk).update(quantity=1_000)
    if connection.vendor == "postgresql":  # and the database itself, whoever asks
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("UPDATE saemaul_stockentry SET quantity = 1000 WHERE id = %s", entry.pk)
    assert StockEntry.objects.get(pk=entry.pk).quantity == 10


@pytest.mark.django_db
def test_released_tranches_reach_the_fund_ledger_which_is_append_only(village: Village) -> None:
    project = approved_project(village, requested_grant_krw=700_000)
    do_release_tranche(ACTOR, Tranche.objects.get(project=project), on=days_ago(1))
    entry = VillageFundEntry.objects.get()
    assert (entry.kind, entry.amount_krw, entry.project_id) == ("grant", 700_000, project.pk)
    with pytest.raises(AppendOnlyError):
        VillageFundEntry.objects.filter(pk=entry.pk).delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("DELETE FROM saemaul_villagefundentry WHERE id = %s", entry.pk)
    assert VillageFundEntry.objects.count() == 1

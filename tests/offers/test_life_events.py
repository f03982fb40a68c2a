"""A life event makes offers: a birth offers the parent the three birth services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from gov3.accounts.models import User
from gov3.catalogue.installed import rules_pack
from gov3.core.models import AuditEntry
from gov3.notifications.models import Notification
from gov3.offers.models import Offer, OfferStatus, OfferTrigger
from gov3.offers.proposals import propose
from gov3.offers.services import do_make_offers
from gov3.offers.triggers import offers_for_event
from gov3.registry.models import LifeEvent, Person
from gov3.registry.services import do_register_birth, do_register_death
from tests.conftest import ACTOR
from tests.offers.conftest import BIRTH_OFFERS


def test_a_birth_offers_the_mother_the_three_birth_services(
    register_birth: Callable[..., Person], family: dict[str, Person], citizen: User
) -> None:
    baby = register_birth()
    offers = Offer.objects.filter(subject=baby)
    assert {o.service_id for o in offers} == BIRTH_OFFERS
    for offer in offers:
        assert offer.recipient == family["mother"]
        assert offer.trigger == OfferTrigger.LIFE_EVENT
        assert offer.status == OfferStatus.NOTIFIED  # the mother was told
        assert offer.explanation["en"]["eligible"] is True
        assert offer.explanation["ko"]["eligibility"]["text"]
        assert {
            "name": "birth_date",
            "value": baby.birth_date.isoformat(),
            "source": "population",
        } in offer.facts
        assert offer.legal_basis[0]["url"].startswith("https://www.law.go.kr/")
        assert offer.deadline > offer.evaluated_on
    allowance = offers.get(service_id="child_allowance")
    assert allowance.amount == 100_000
    assert allowance.currency == "KRW"
    assert allowance.params[0]["source_url"]
    # the household is re-evaluated too: her son (6) had no child-allowance offer yet
    son_offers = Offer.objects.filter(subject=family["son"])
    assert {o.service_id for o in son_offers} == {"child_allowance"}
    told = Notification.objects.filter(person=family["mother"], kind="offer")
    every = [*offers, *son_offers]
    assert sorted(n.link for n in told) == sorted(f"/me/offers/{o.public_id}/" for o in every)


def test_the_same_event_twice_makes_no_second_offer(
    register_birth: Callable[..., Person],
) -> None:
    baby = register_birth()
    event = LifeEvent.objects.get(person=baby, kind="birth")
    assert offers_for_event(event) == []
    assert Offer.objects.filter(subject=baby).count() == 3


def test_a_death_withdraws_the_open_offers_about_the_person(
    register_birth: Callable[..., Person], django_capture_on_commit_callbacks: Any
) -> None:
    baby = register_birth()
    with django_capture_on_commit_callbacks(execute=True):
        do_register_death(ACTOR, baby, died_on=baby.birth_date)
    statuses = set(Offer.objects.filter(subject=baby).values_list("status", flat=True))
    assert statuses == {OfferStatus.SUPERSEDED}


def test_an_older_residents_registration_offers_what_they_qualify_for_and_nothing_else(
    family: dict[str, Person],
) -> None:
    """The stranger is 66 with no assessed income: the basic pension (registration is one of
    its triggers) and nothing meant for children."""
    event = LifeEvent.objects.get(person=family["stranger"], kind="registration")
    made = offers_for_event(event)
    assert {(o.service_id, o.subject_id, o.recipient_id) for o in made} == {
        ("basic_pension", family["stranger"].pk, family["stranger"].pk)
    }


def test_an_event_making_many_offers_records_them_in_one_audit_entry(
    family: dict[str, Person],
) -> None:
    """Regression: the audit entry once joined every offer id into a 64-character field."""
    children = [
        do_register_birth(
            ACTOR,
            mother=family["mother"],
            father=None,
            name_local=f"아이{n}",
            name_latin=f"AI {n}",
            birth_date=date(2024, 1, 1 + n),
            sex="F",
        )
        for n in range(12)
    ]
    service = rules_pack("kr").services["child_allowance"]
    proposals = [p for child in children if (p := propose(service, child, date(2026, 3, 2)))]
    made = do_make_offers(ACTOR, proposals, trigger=OfferTrigger.LIFE_EVENT, detail={"kind": "x"})
    assert len(made) == 12
    entry = AuditEntry.objects.filter(action="offers.made").latest("pk")
    assert sorted(entry.data["offers"]) == sorted(o.pk for o in made)

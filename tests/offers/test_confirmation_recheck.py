"""Confirming re-checks the offer as of the day: the recipient must still act for the subject,
and the rule must still hold. A parent cannot confirm for a child who has come of age (nor see
the adult's facts), and the daily sweep withdraws such offers."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from gov3.accounts.models import Agency, User
from gov3.cases.models import Case
from gov3.catalogue.installed import rules_pack
from gov3.core.dates import add_years
from gov3.core.errors import ValidationFailedError
from gov3.notifications.models import Notification
from gov3.offers.models import ConsentReceipt, Offer, OfferStatus, OfferTrigger
from gov3.offers.proposals import propose
from gov3.offers.services import confirmation_problem, do_confirm_offer, do_make_offers
from gov3.offers.sweep import run_sweep
from gov3.registry.models import Person
from gov3.registry.services import do_register_birth
from tests.api.test_offers_cases_api import sign_in_citizen
from tests.conftest import ACTOR

pytestmark = pytest.mark.django_db


def offer_made_back_then(subject: Person, made_for: Person, day: date) -> Offer:
    """A child allowance offer written on `day` (when the child it was made for qualified),
    now standing for `subject`: as the offer a parent held for a child who has since come of
    age."""
    pack = rules_pack("kr")
    proposal = propose(pack.services["child_allowance"], made_for, day)
    assert proposal is not None
    proposal = dataclasses.replace(proposal, subject=subject)
    [offer] = do_make_offers(ACTOR, [proposal], trigger=OfferTrigger.SWEEP, detail={})
    return offer


@pytest.fixture
def grown_up_offer(
    family: dict[str, Person],
    citizen: User,
    welfare_agency: Agency,
    django_capture_on_commit_callbacks: Any,
) -> Offer:
    """An open offer the mother holds for her daughter, who is 25 now."""
    with django_capture_on_commit_callbacks(execute=True):
        baby = do_register_birth(
            ACTOR,
            mother=family["mother"],
            father=None,
            name_local="이아기",
            name_latin="LEE AGI",
            birth_date=timezone.localdate() - timedelta(days=40),
            sex="F",
        )
    offer = offer_made_back_then(family["daughter"], baby, timezone.localdate())
    assert offer.recipient == family["mother"]
    return offer


def test_a_parent_cannot_confirm_for_a_child_who_came_of_age(
    grown_up_offer: Offer, citizen: User, settings: Any
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 0
    with override("en"), pytest.raises(ValidationFailedError, match="no longer act for 이수진"):
        do_confirm_offer(
            citizen, grown_up_offer, expected_version=grown_up_offer.version, language="en"
        )
    assert not ConsentReceipt.objects.exists()
    assert not Case.objects.exists()


def test_the_page_says_why_and_shows_neither_button_nor_facts(
    grown_up_offer: Offer, citizen: User, client: Client, family: dict[str, Person]
) -> None:
    client.force_login(citizen)
    url = reverse("offers:offer", args=[grown_up_offer.public_id])
    page = client.get(url).content.decode()
    assert "This offer cannot be confirmed" in page
    assert "no longer act for 이수진" in page
    assert 'action="' + reverse("offers:confirm", args=[grown_up_offer.public_id]) not in page
    response = client.post(
        reverse("offers:confirm", args=[grown_up_offer.public_id]),
        {"version": grown_up_offer.version},
    )
    assert "no longer act for 이수진" in response.content.decode()
    assert not Case.objects.exists()
    grown_up_offer.refresh_from_db()
    assert grown_up_offer.status == OfferStatus.PROPOSED  # not even marked viewed


def test_the_api_says_why_and_refuses_the_confirmation(
    grown_up_offer: Offer, citizen: User
) -> None:
    client = sign_in_citizen(citizen)
    detail = client.get(f"/api/v1/offers/{grown_up_offer.public_id}").json()
    assert "no longer act for" in detail["cannot_confirm"]
    assert detail["facts"] == []
    assert detail["explanation"] is None
    response = client.post(
        f"/api/v1/offers/{grown_up_offer.public_id}/confirm",
        {"version": grown_up_offer.version},
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_the_rule_is_evaluated_again_as_of_the_day(register_birth: Any, citizen: User) -> None:
    baby = register_birth()
    offer = Offer.objects.get(subject=baby, service_id="child_allowance")
    today = timezone.localdate()
    assert confirmation_problem(citizen, offer, today) is None
    # Thirteen years on, the child (still a minor) is past every child allowance age limit.
    later = add_years(today, 13)
    with override("en"):
        problem = confirmation_problem(citizen, offer, later)
    assert problem is not None
    assert "no longer qualifies" in problem


def test_the_daily_sweep_withdraws_offers_for_children_who_came_of_age(
    grown_up_offer: Offer,
    family: dict[str, Person],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run_sweep("kr", timezone.localdate(), services=["child_allowance"], notify=False)
    grown_up_offer.refresh_from_db()
    assert grown_up_offer.status == OfferStatus.SUPERSEDED
    notice = Notification.objects.get(person=family["mother"], kind="offer_withdrawn")
    assert "has come of age" in notice.body["en"]
    assert "이수진" in notice.body["en"]
    # The mother's other offers (for her baby) stay open.
    assert (
        Offer.objects.filter(recipient=family["mother"], status__in=["proposed", "notified"])
        .exclude(subject=family["daughter"])
        .exists()
    )

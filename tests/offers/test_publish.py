"""Publishing a new version of a service re-evaluates it: open offers are replaced (or withdrawn),
confirmed benefits whose amount changes get a notice, people who qualify only now get an offer.
Unanswered offers past their deadline expire."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gov3.accounts.models import User
from gov3.accounts.services import do_create_citizen_account
from gov3.catalogue.installed import country_pack, rules_pack
from gov3.notifications.models import Notification
from gov3.offers.models import Offer, OfferNotice, OfferStatus, OfferTrigger, PublishedService
from gov3.offers.proposals import propose
from gov3.offers.publish import publish_services
from gov3.offers.services import do_confirm_offer, do_expire_offers, do_make_offers
from gov3.registry.models import Person
from gov3.rules.explain import years_between
from tests.conftest import ACTOR, PASSWORD, make_person


@pytest.fixture
def editable_kr(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A copy of the kr pack the test may change, installed for the test."""
    target = tmp_path / "countries" / "kr"
    shutil.copytree(Path(settings.GOV3_COUNTRIES_DIR) / "kr", target)
    settings.GOV3_COUNTRIES_DIR = tmp_path / "countries"
    rules_pack.cache_clear()
    country_pack.cache_clear()
    yield target
    rules_pack.cache_clear()
    country_pack.cache_clear()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_new_version_replaces_withdraws_notifies_and_offers(
    editable_kr: Path,
    register_birth: Callable[..., Person],
    *,
    family: dict[str, Person],
    citizen: User,
    welfare_agency: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    baby = register_birth()
    son_offer = Offer.objects.get(subject=family["son"], service_id="child_allowance")
    with django_capture_on_commit_callbacks(execute=True):
        do_confirm_offer(citizen, son_offer, expected_version=son_offer.version, language="en")
    assert publish_services("kr") == []  # first publication: versions recorded only
    assert PublishedService.objects.get(service_id="child_allowance").version == "2026.1"

    service = editable_kr / "services" / "child_allowance.yaml"
    _edit(service, 'version: "2026.1"', 'version: "2026.2"')
    _edit(
        service,
        "eligible: korean_national and age_months < params.child_allowance.age_limit_months",
        # the daughter's age on the day of the run (26 in 2026)
        "eligible: korean_national and (age_months < 60 or age == "
        f"{years_between(family['daughter'].birth_date, timezone.localdate())})",
    )
    _edit(
        service,
        "amount: params.child_allowance.monthly_amount",
        "amount: params.child_allowance.monthly_amount + 50000",
    )
    rules_pack.cache_clear()
    with django_capture_on_commit_callbacks(execute=True):
        (report,) = publish_services("kr")

    assert (report.old_version, report.new_version) == ("2026.1", "2026.2")
    # the baby's unanswered offer: withdrawn, and made again with the new amount
    baby_offers = Offer.objects.filter(subject=baby, service_id="child_allowance")
    assert sorted(baby_offers.values_list("status", flat=True)) == ["notified", "superseded"]
    fresh = baby_offers.get(status=OfferStatus.NOTIFIED)
    assert fresh.amount == 150_000
    assert fresh.service_version == "2026.2"
    assert fresh.trigger == OfferTrigger.RULE_CHANGE
    # the son (76 months) confirmed under the old rules: a notice that the amount is now 0
    notice = OfferNotice.objects.get(offer=son_offer)
    assert notice.details == {"old": 100_000, "new": 0}
    assert Notification.objects.filter(person=family["mother"], kind="amount_changed").exists()
    # the daughter qualifies only now: a new offer to herself
    assert Offer.objects.get(subject=family["daughter"], service_id="child_allowance").amount == (
        150_000
    )
    assert report.new_offers >= 1
    # publishing again changes nothing
    assert publish_services("kr") == []


def test_unanswered_offers_expire_after_their_deadline(
    register_birth: Callable[..., Person], welfare_agency: Any
) -> None:
    baby = register_birth()
    deadline = Offer.objects.filter(subject=baby).order_by("deadline").first()
    assert deadline is not None
    assert do_expire_offers(ACTOR, deadline.deadline) == 0
    expired = do_expire_offers(ACTOR, deadline.deadline + timedelta(days=1))
    assert expired >= 1
    assert Offer.objects.filter(status=OfferStatus.EXPIRED).count() == expired


def test_an_entitlement_that_ends_under_new_rules_gets_a_notice(
    editable_kr: Path,
    *,
    family: dict[str, Person],
    welfare_agency: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """박철수 (born 1960) confirmed free urban rail travel at 65; a new version raising the age
    to 70 ends it, with a notice; one born in 1944 who also confirmed keeps it, without one."""
    settings.GOV3_QC_SAMPLE_RATE = 0
    day = timezone.localdate()
    older = make_person(name_local="최노인", name_latin="CHOI NOIN", birth_date=date(1944, 1, 1))
    service = rules_pack("kr").services["senior_free_transit"]
    confirmed = {}
    for person, username in ((family["stranger"], "cheolsu"), (older, "noin")):
        user = do_create_citizen_account(ACTOR, person=person, username=username, password=PASSWORD)
        proposal = propose(service, person, day)
        assert proposal is not None
        with django_capture_on_commit_callbacks(execute=True):
            (offer,) = do_make_offers(ACTOR, [proposal], trigger=OfferTrigger.SWEEP, detail={})
        offer.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            do_confirm_offer(user, offer, expected_version=offer.version, language="en")
        confirmed[username] = offer
    assert publish_services("kr") == []  # first publication: versions recorded only

    path = editable_kr / "services" / "senior_free_transit.yaml"
    _edit(path, 'version: "2026.1"', 'version: "2026.2"')
    _edit(path, "eligible: age >= params.senior_preference.age", "eligible: age >= 70")
    rules_pack.cache_clear()
    with django_capture_on_commit_callbacks(execute=True):
        (report,) = publish_services("kr")

    assert (report.entitlement_notices, report.amount_notices) == (1, 0)
    assert OfferNotice.objects.get(offer=confirmed["cheolsu"]).kind == "entitlement_ended"
    assert not OfferNotice.objects.filter(offer=confirmed["noin"]).exists()
    (notice,) = Notification.objects.filter(kind="entitlement_ended")
    assert notice.person == family["stranger"]
    assert notice.text_in(notice.title, "en") == (
        "Free urban rail travel for seniors ends under new rules"
    )
    assert "the entitlement you confirmed ends" in notice.text_in(notice.body, "en")
    assert notice.text_in(notice.body, "ko") != notice.text_in(notice.body, "en")

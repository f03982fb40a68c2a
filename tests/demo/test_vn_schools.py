"""`gov3 demo setup --country vn`: Viet Nam's schools and districts from the vn pack, learners
from the synthetic register, and this year's grade-one round counted the Vietnamese way (the
child who turns 6 in the calendar year the school year starts, Education Law 2019 art. 28) —
the demo citizen's child among them, with the notice under "Offers for you" naming the school
and the first day, 5 September."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.accounts.models import User
from gov3.demo.setup import set_up_demo
from gov3.offers.models import Offer
from gov3.schools.entry import current_school_year, proposed_for
from gov3.schools.models import DistrictEntry, Enrolment, Learner, Placement, School
from gov3.schools.work.models import SchoolNotice

pytestmark = [pytest.mark.django_db]

SIZE = 300
SEED = 2014


def test_the_vn_demo_makes_the_packs_schools_and_the_citizens_childs_round(
    settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = True  # the demo's published passwords are refused otherwise
    settings.GOV3_QC_SAMPLE_RATE = 0
    with django_capture_on_commit_callbacks(execute=True):
        set_up_demo("vn", SIZE, SEED, "http://testserver")
    # The pack's schools (synthetic examples) and their enrolment areas.
    assert School.objects.filter(country="vn", code="VN-S-0001").exists()
    assert not School.objects.filter(country="kr").exists()
    citizen = User.objects.get(username="citizen")
    parent = citizen.person
    assert parent is not None
    # The notice under "Offers for you": the round of the coming school year.
    notice = Offer.objects.get(service_id="school_enrolment_notice", recipient=parent)
    assert notice.status == "notified"
    placement = Placement.objects.select_related("round", "school", "child").get(offer=notice)
    entry_round = placement.round
    assert entry_round.country == "vn"
    assert entry_round.school_year == current_school_year("vn", timezone.localdate())
    # Her child turns 6 in the calendar year the school year starts (not the year before).
    child = placement.child
    assert parent in (child.mother, child.father)
    assert child.birth_date.year == entry_round.school_year - 6
    # The school: the first of the district of the family's ward (the pack's, or the demo's
    # own school where the pack's sample districts do not reach).
    assert parent.household is not None
    first = (
        DistrictEntry.objects.filter(
            area=parent.household.address.area, school_year=entry_round.school_year, priority=1
        )
        .select_related("school")
        .get()
    )
    assert (placement.school, placement.reason) == (first.school, "district")
    proposed = proposed_for(notice)
    assert proposed is not None
    rows = dict(proposed["en"]["rows"])
    school = f"{first.school.name_en} ({first.school.name_local})"
    assert rows["School assigned"] == school
    assert rows["Entry"] == f"Sept. 5, {entry_round.school_year}"
    # The citizen sees it under "Offers for you", and its page names the school and first day.
    browser = Client(headers={"accept-language": "en"})
    browser.force_login(citizen)
    inbox = browser.get(reverse("offers:inbox"))
    assert inbox.status_code == 200
    assert str(notice.public_id) in inbox.content.decode()
    # vn's notice can be confirmed from June to August only (the pack's rule): in its season the
    # page names the school and the first day. (Run in another month, the demo's notice shows as
    # one that cannot be confirmed yet.)
    in_season = date(entry_round.school_year, 6, 15)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: in_season)
    page = browser.get(reverse("offers:offer", args=[notice.public_id]))
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert school in text
    assert f"Sept. 5, {entry_round.school_year}" in text
    # Learners from the register: the demo teacher's grade-one class of this school year.
    assert Learner.objects.filter(country="vn").count() >= 2
    assert Enrolment.objects.filter(school__country="vn", grade=1).exists()
    # The class's notices are in Vietnamese.
    assert SchoolNotice.objects.filter(title="Tham quan Bảo tàng Khoa học").exists()

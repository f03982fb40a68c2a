"""Participation in a real browser, citizens on a 375 px phone and officers on a desktop, axe on
every page: a petition filed, routed, answered and rated; a repeated petition grouped and
answered once for both petitioners; a consultation showing each citizen "for you: +X per
month" exactly as `gov3 rules explain` computes it under both versions; adoption publishing
the new version through the offers machinery (open offers superseded and made again)."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_citizen_account, do_create_officer_account
from gov3.catalogue.installed import country_pack, rules_pack
from gov3.notifications.models import Notification
from gov3.offers.models import OPEN_STATUSES, Offer, OfferStatus, OfferTrigger, PublishedService
from gov3.offers.publish import publish_services
from gov3.participation import drafts, installed
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import (
    Consultation,
    ConsultationStatus,
    Petition,
    PetitionStatus,
)
from gov3.participation.services.consultations import do_open_consultation
from gov3.registry.models import Person
from gov3.registry.services import do_record_income_assessment
from tests.conftest import ACTOR, PASSWORD, current_totp, make_person
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen, open_the_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
LAMP = "종로 12번길 골목길, 가로등이 꺼져 밤에 도로가 너무 어둡습니다. 빠른 조치를 부탁드립니다."
#: Over the 2026 single-person limit of the basic pension (2,470,000), under the draft's.
INCOME = 2_500_000
DRAFT_LIMIT = 2_600_000


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="en-GB", has_touch=True)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def petition_agencies(areas: None) -> dict[str, Agency]:
    load_agencies("kr")
    return {a.code: a for a in Agency.objects.filter(country="kr")}


@pytest.fixture
def district_officer(petition_agencies: dict[str, Agency]) -> tuple[User, Any]:
    return do_create_officer_account(
        ACTOR,
        username="jongno",
        password=PASSWORD,
        agency=petition_agencies["kr-district-office"],
        role=OfficerRole.REGISTRY_OFFICER,
    )


@pytest.fixture
def stranger(family: dict[str, Person]) -> User:
    """The stranger (born 1960, living alone) has a citizen account."""
    return do_create_citizen_account(
        ACTOR, person=family["stranger"], username="cheolsu", password=PASSWORD
    )


def citizen_signs_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My information")


def officer_signs_in(page: Page, base: str, officer: tuple[User, Any]) -> None:
    user, device = officer
    page.goto(f"{base}/officer/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Petitions")).to_be_visible()


def check_page(page: Page, *, on_phone: bool) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if on_phone:
        assert_fits_the_screen(page)
    assert_accessible(page)


def file_petition(page: Page, base: str, title: str, text: str) -> Petition:
    """File a complaint on the citizen's page, leaving the subject to the classifier."""
    open_the_menu(page)  # on a phone the menu is behind its Menu button
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Your petitions"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your petitions")
    check_page(page, on_phone=True)
    page.get_by_label("Type").select_option(label="Complaint")
    page.get_by_label("Subject").select_option(label="Not sure: let gov3 route it")
    # the area is the citizen's own address unless they change it
    expect(page.get_by_label("Area code")).to_have_value("1111051500")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your petition").fill(text)
    page.get_by_role("button", name="File the petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    match = re.search(r"/me/petitions/([0-9a-f-]{36})/", page.url)
    assert match is not None, page.url
    return Petition.objects.get(public_id=match.group(1))


def test_a_petition_is_filed_routed_answered_and_rated(
    *,
    page: Page,
    phone: BrowserContext,
    live_server: Any,
    citizen: User,
    district_officer: tuple[User, Any],
) -> None:
    base = live_server.url
    mobile = phone.new_page()

    # 1. the citizen files on her phone, not choosing a subject: the classifier routes it
    citizen_signs_in(mobile, base, citizen.username)
    petition = file_petition(mobile, base, "가로등 고장", LAMP)
    record = mobile.locator("dl.gov3-record")
    expect(record).to_contain_text("Being handled")
    expect(record).to_contain_text("Roads and traffic")  # the classifier's subject
    expect(record).to_contain_text("종로구청")  # the local office of her address
    expect(mobile.get_by_text("Filed → 종로구청")).to_be_visible()
    check_page(mobile, on_phone=True)
    assert petition.agency.code == "kr-district-office"
    assert petition.routing["by"] == "classifier"

    # 2. the district officer finds it in the queue and answers
    officer_signs_in(page, base, district_officer)
    page.get_by_role("link", name="Petitions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Petitions")
    check_page(page, on_phone=False)
    page.get_by_role("link", name="가로등 고장").click()
    expect(page.locator(".gov3-petition-text")).to_contain_text("가로등이 꺼져")
    check_page(page, on_phone=False)
    page.locator("label", has_text="Answer (every petition of the group)").click()
    page.get_by_label("Answer or reason").fill("3월 10일에 가로등을 교체했습니다.")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("dl.gov3-record")).to_contain_text("Answered")

    # 3. the citizen reads the answer and rates it, once
    mobile.reload()
    answer = mobile.locator("section[aria-labelledby=answer-heading]")
    expect(answer).to_contain_text("3월 10일에 가로등을 교체했습니다.")
    check_page(mobile, on_phone=True)
    answer.locator("label", has_text="4").click()
    mobile.get_by_role("button", name="Rate the answer").click()
    expect(answer).to_contain_text("Your rating: 4 / 5")
    expect(mobile.get_by_role("button", name="Rate the answer")).to_have_count(0)
    # the objection form is offered until the legal period ends
    expect(answer.get_by_role("button", name="Object to the answer")).to_be_visible()
    check_page(mobile, on_phone=True)
    petition.refresh_from_db()
    assert (petition.status, petition.satisfaction) == (PetitionStatus.ANSWERED, 4)
    assert Notification.objects.filter(
        person=citizen.person, link=f"/me/petitions/{petition.public_id}/"
    ).exists()


def test_a_repeated_petition_is_grouped_and_one_answer_reaches_both(
    *,
    page: Page,
    phone: BrowserContext,
    live_server: Any,
    citizen: User,
    stranger: User,
    district_officer: tuple[User, Any],
) -> None:
    base = live_server.url
    mobile = phone.new_page()
    citizen_signs_in(mobile, base, citizen.username)
    first = file_petition(mobile, base, "가로등", LAMP)
    phone.clear_cookies()
    citizen_signs_in(mobile, base, stranger.username)
    second = file_petition(mobile, base, "골목 가로등", "안녕하십니까. " + LAMP)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.group_id is not None
    assert second.group_id == first.group_id

    # the officer sees them together and answers the second one only
    officer_signs_in(page, base, district_officer)
    page.goto(f"{base}/officer/participation/petitions/{second.public_id}/")
    group = page.locator("section[aria-labelledby=group-heading]")
    expect(group.get_by_role("link", name="가로등", exact=True)).to_be_visible()
    check_page(page, on_phone=False)
    page.locator("label", has_text="Answer (every petition of the group)").click()
    page.get_by_label("Answer or reason").fill("두 분 모두에게: 가로등을 교체했습니다.")
    page.get_by_role("button", name="Record").click()
    expect(group).to_contain_text("Answered")

    # both petitioners read the one answer
    for user, petition in ((stranger, second), (citizen, first)):
        phone.clear_cookies()
        citizen_signs_in(mobile, base, user.username)
        mobile.goto(f"{base}/me/petitions/{petition.public_id}/")
        expect(mobile.locator("section[aria-labelledby=answer-heading]")).to_contain_text(
            "두 분 모두에게: 가로등을 교체했습니다."
        )
        check_page(mobile, on_phone=True)
        assert Notification.objects.filter(
            person=user.person, link=f"/me/petitions/{petition.public_id}/"
        ).exists()
    assert Petition.objects.filter(group_id=first.group_id, status="answered").count() == 2


# --- consultations ---------------------------------------------------------------------------


@pytest.fixture
def editable_kr(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A copy of the kr pack that adoption may write into, installed for the test."""
    target = tmp_path / "countries" / "kr"
    shutil.copytree(Path(settings.GOV3_COUNTRIES_DIR) / "kr", target)
    settings.GOV3_COUNTRIES_DIR = tmp_path / "countries"
    for cache in (rules_pack, country_pack):
        cache.cache_clear()
    installed.clear()
    yield target
    for cache in (rules_pack, country_pack):
        cache.cache_clear()
    installed.clear()


@pytest.fixture
def welfare_officer(welfare_agency: Agency) -> tuple[User, Any]:
    """An officer of the agency handling the basic pension (every service no one else names)."""
    return do_create_officer_account(
        ACTOR,
        username="welfare",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )


def explained_amount(pack: str, person: Person, day: date) -> tuple[bool, int]:
    """What `gov3 rules explain` prints for the basic pension: (eligible, monthly amount)."""
    out = io.StringIO()
    call_command(
        "rules",
        "explain",
        "--person",
        person.national_id,
        "--service",
        "basic_pension",
        "--date",
        day.isoformat(),
        "--country",
        pack,
        stdout=out,
    )
    text = out.getvalue()
    verdict = re.search(r"\(basic_pension [^)]+\) on [0-9-]+: (eligible|not eligible)", text)
    assert verdict is not None, text
    amount = re.search(r"^Amount: ([0-9,]+)$", text, re.MULTILINE)
    eligible = verdict.group(1) == "eligible"
    return eligible, int(amount.group(1).replace(",", "")) if eligible and amount else 0


def test_a_citizen_sees_what_the_draft_means_for_them_as_the_rules_explain_it(
    *,
    page: Page,
    phone: BrowserContext,
    live_server: Any,
    family: dict[str, Person],
    stranger: User,
    welfare_officer: tuple[User, Any],
    tmp_path: Path,
    settings: Any,
) -> None:
    base = live_server.url
    today = timezone.localdate()
    cheolsu = family["stranger"]
    do_record_income_assessment(ACTOR, cheolsu, monthly_income=INCOME, assessed_on=today)

    # 1. the welfare officer drafts a higher single-person limit; the impact is computed
    officer_signs_in(page, base, welfare_officer)
    page.goto(f"{base}/officer/participation/consultations/")
    check_page(page, on_phone=False)
    page.get_by_label("Service id").fill("basic_pension")
    page.get_by_label("Parameter (group.name)").fill("basic_pension.income_limit_single")
    page.get_by_label("New value").fill(str(DRAFT_LIMIT))
    page.get_by_label("New version of the service").fill("2027.1")
    page.get_by_label("In force from").fill(today.isoformat())
    page.get_by_label("Comments until").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Title", exact=False).first.fill("기초연금 단독가구 선정기준액 상향 (안)")
    page.get_by_label("Summary").fill("단독가구 선정기준액을 260만원으로 올립니다.")
    page.get_by_label("Where the draft is published").fill("https://example.kr/draft")
    page.get_by_role("button", name="Compute the impact and open the consultation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "기초연금 단독가구 선정기준액 상향 (안)"
    )
    check_page(page, on_phone=False)
    consultation = Consultation.objects.get()
    assert consultation.draft_version == "2027.1"

    # 2. the citizen opens it on his phone: "for you" under both versions
    mobile = phone.new_page()
    citizen_signs_in(mobile, base, stranger.username)
    open_the_menu(mobile)
    mobile.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Consultations"
    ).click()
    check_page(mobile, on_phone=True)
    mobile.get_by_role("link", name="기초연금 단독가구 선정기준액 상향 (안)").click()
    for_you = mobile.locator("#for-you")
    expect(for_you).to_be_visible()
    check_page(mobile, on_phone=True)

    draft_dir = tmp_path / "draft" / "kr"
    shutil.copytree(Path(settings.GOV3_COUNTRIES_DIR) / "kr", draft_dir)
    drafts.install(draft_dir, consultation.files)
    now = explained_amount("kr", cheolsu, consultation.effective_on)
    draft = explained_amount(str(draft_dir), cheolsu, consultation.effective_on)
    assert now == (False, 0)  # over today's limit
    assert draft[0]
    assert draft[1] > 0
    expect(for_you).to_have_text(
        f"You would start to qualify. For you: +{draft[1] - now[1]:,} KRW per month"
    )

    # 3. he supports the draft; the count on the page says so
    mobile.locator("label", has_text="I support the draft").click()
    mobile.get_by_role("button", name="Send").click()
    expect(mobile.locator("dl.gov3-record").first).to_contain_text("1 / 0 / 0")
    check_page(mobile, on_phone=True)


def test_adoption_supersedes_open_offers_through_the_offers_machinery(
    *,
    page: Page,
    live_server: Any,
    editable_kr: Path,
    family: dict[str, Person],
    welfare_officer: tuple[User, Any],
) -> None:
    base = live_server.url
    today = timezone.localdate()
    cheolsu = family["stranger"]
    do_record_income_assessment(ACTOR, cheolsu, monthly_income=INCOME, assessed_on=today)
    grandmother = make_person(
        name_local="최순자", name_latin="CHOI SUNJA", birth_date=date(1950, 2, 2), sex="F"
    )
    # her registration made a basic-pension offer (on commit); the versions are published
    offer = Offer.objects.get(subject=grandmother, service_id="basic_pension")
    assert offer.service_version == "2026.1"
    # his income is over today's limit: no open offer (the one his registration made was
    # withdrawn when his income was assessed)
    assert not Offer.objects.filter(
        subject=cheolsu, service_id="basic_pension", status__in=OPEN_STATUSES
    ).exists()
    publish_services("kr")
    assert PublishedService.objects.get(service_id="basic_pension").version == "2026.1"

    files = drafts.parameter_change(
        editable_kr,
        service_file="basic_pension.yaml",
        new_version="2027.1",
        values={"basic_pension.income_limit_single": DRAFT_LIMIT},
        valid_from=today,
        source_title="draft",
        source_url="https://example.kr/draft",
    )
    consultation = do_open_consultation(
        welfare_officer[0],
        service_id="basic_pension",
        title="기초연금 선정기준액 상향 (안)",
        summary="260만원",
        files=files,
        effective_on=today,
        opens_on=today,
        closes_on=today + timedelta(days=30),
    )

    officer_signs_in(page, base, welfare_officer)
    page.goto(f"{base}/officer/participation/consultations/{consultation.public_id}/")
    check_page(page, on_phone=False)
    page.get_by_label("The agency's response").fill("의견을 반영하여 그대로 시행합니다.")
    page.get_by_role("button", name="Publish the response").click()
    page.get_by_role("button", name="Adopt and publish the new version").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Adopted and published.")
    expect(status).to_contain_text("basic_pension: 2026.1 → 2027.1")
    check_page(page, on_phone=False)

    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ADOPTED
    # the pack now holds the adopted version; the offers machinery re-evaluated the service
    assert rules_pack("kr").services["basic_pension"].version == "2027.1"
    assert 'version: "2027.1"' in (editable_kr / "services" / "basic_pension.yaml").read_text()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUPERSEDED
    fresh = Offer.objects.get(subject=grandmother, service_id="basic_pension", status="notified")
    assert (fresh.service_version, fresh.amount) == ("2027.1", offer.amount)
    # the stranger qualifies only under the adopted limit: a new offer, "rule change"
    new = Offer.objects.get(subject=cheolsu, service_id="basic_pension", status__in=OPEN_STATUSES)
    assert (new.service_version, new.trigger) == ("2027.1", OfferTrigger.RULE_CHANGE)
    assert PublishedService.objects.get(service_id="basic_pension").version == "2027.1"

    # the public page shows the response and that the draft was adopted
    page.context.clear_cookies()
    page.goto(f"{base}/participation/consultations/{consultation.public_id}/")
    expect(page.locator("dl.gov3-record").first).to_contain_text("Adopted")
    expect(page.get_by_text("의견을 반영하여 그대로 시행합니다.")).to_be_visible()
    check_page(page, on_phone=False)


def test_public_petitions_disclosure_and_the_figures_on_a_phone(
    *,
    page: Page,
    phone: BrowserContext,
    live_server: Any,
    citizen: User,
    stranger: User,
    district_officer: tuple[User, Any],
) -> None:
    """A citizen opens a public petition and asks for information; another signs on his
    phone; the agency answers publicly; the figures and the publication list read on a phone."""
    base = live_server.url
    mobile = phone.new_page()
    citizen_signs_in(mobile, base, citizen.username)
    mobile.goto(f"{base}/participation/petitions/")
    check_page(mobile, on_phone=True)
    mobile.get_by_label("Subject").select_option(label="Roads and traffic")
    mobile.get_by_label("Title").fill("통학로에 횡단보도를")
    mobile.get_by_label("What you ask for").fill("초등학교 앞 통학로에 횡단보도를 설치해 주세요.")
    mobile.get_by_role("button", name="Open the petition for signatures").click()
    expect(mobile.get_by_role("heading", level=1)).to_have_text("통학로에 횡단보도를")
    expect(mobile.locator("dl.gov3-record")).to_contain_text("Collecting signatures")
    check_page(mobile, on_phone=True)
    petition_url = mobile.url

    # she asks the district office for information, on her phone too
    mobile.goto(f"{base}/me/disclosure/")
    check_page(mobile, on_phone=True)
    mobile.get_by_label("Agency").select_option(label="종로구청")
    mobile.get_by_label("The information you ask for").fill("통학로 교통안전 예산 집행 내역")
    mobile.get_by_role("button", name="Send the request").click()
    expect(mobile.locator("dl.gov3-record")).to_contain_text("Waiting for the agency")
    check_page(mobile, on_phone=True)

    # another citizen signs, once
    phone.clear_cookies()
    citizen_signs_in(mobile, base, stranger.username)
    mobile.goto(petition_url)
    mobile.get_by_role("button", name="Sign", exact=True).click()
    expect(mobile.locator("dl.gov3-record")).to_contain_text("1 / 50000")
    check_page(mobile, on_phone=True)

    # the agency the subject goes to answers publicly
    molit = do_create_officer_account(
        ACTOR,
        username="molit",
        password=PASSWORD,
        agency=Agency.objects.get(code="kr-molit"),
        role=OfficerRole.REGISTRY_OFFICER,
    )
    officer_signs_in(page, base, molit)
    page.get_by_role("link", name="Petitions").click()
    page.get_by_role("link", name="통학로에 횡단보도를").click()
    check_page(page, on_phone=False)
    page.get_by_label("Text").fill("내년 예산에 반영하겠습니다.")
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.get_by_text("내년 예산에 반영하겠습니다.")).to_be_visible()

    mobile.goto(petition_url)
    expect(mobile.locator("dl.gov3-record")).to_contain_text("Answered publicly")
    expect(mobile.get_by_role("button", name="Sign", exact=True)).to_have_count(0)
    for path in ("/participation/figures/", "/participation/publications/"):
        mobile.goto(base + path)
        check_page(mobile, on_phone=True)

"""Consultations through the real commands: what a draft means for each citizen equals
`gov3 rules explain` under the current and the draft version (on the page, in the API);
comments once within the period; adoption publishing the new version through the offers
machinery (open offers superseded and made again, confirmed ones told of their new amount,
the newly eligible offered), refused with nothing changed when the service moved on."""

from __future__ import annotations

import io
import json
import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_citizen_account, do_create_officer_account
from gov3.catalogue.installed import country_pack, rules_pack
from gov3.catalogue.reasons import Reason, Reasons, reasons_for
from gov3.core.errors import ValidationFailedError
from gov3.offers.models import OPEN_STATUSES, Offer, OfferNotice, OfferStatus, OfferTrigger
from gov3.offers.publish import publish_services
from gov3.offers.services import do_confirm_offer
from gov3.participation import drafts, installed
from gov3.participation.foryou import for_person
from gov3.participation.models import Consultation, ConsultationComment, ConsultationStatus
from gov3.participation.services.consultations import (
    do_adopt,
    do_comment,
    do_open_consultation,
    do_respond,
    draft_pack,
)
from gov3.registry.facts import subject_for
from gov3.registry.models import Person
from gov3.registry.services import do_record_income_assessment, do_register_marriage
from gov3.rules import explain
from tests.api.test_offers_cases_api import sign_in_citizen
from tests.conftest import ACTOR, PASSWORD, make_person

pytestmark = pytest.mark.django_db

SINGLE_LIMIT = 2_600_000
BASE_AMOUNT = 360_000


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def editable_kr(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A copy of the kr pack that adoption may write into, installed for the test."""
    target = tmp_path / "countries" / "kr"
    shutil.copytree(Path(settings.GOV3_COUNTRIES_DIR) / "kr", target)
    settings.GOV3_COUNTRIES_DIR = tmp_path / "countries"
    rules_pack.cache_clear()
    country_pack.cache_clear()
    installed.clear()
    yield target
    rules_pack.cache_clear()
    country_pack.cache_clear()
    installed.clear()


@pytest.fixture
def welfare_officer(welfare_agency: Agency) -> User:
    return do_create_officer_account(
        ACTOR,
        username="welfare",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )[0]


@pytest.fixture
def people(family: dict[str, Person]) -> dict[str, Person]:
    """The family, the stranger (born 1960, alone) with an income over today's single limit
    but under the draft's, and an elderly couple with no income."""
    today = timezone.localdate()
    do_record_income_assessment(
        ACTOR, family["stranger"], monthly_income=2_500_000, assessed_on=today
    )
    husband = make_person(name_local="정만수", name_latin="JUNG MANSU", birth_date=date(1952, 3, 3))
    wife = make_person(
        name_local="한옥자", name_latin="HAN OKJA", birth_date=date(1954, 4, 4), sex="F"
    )
    do_register_marriage(ACTOR, husband, wife, married_on=date(1975, 5, 5))
    return {**family, "husband": husband, "wife": wife}


def open_draft(
    officer: User, pack_dir: Path, *, day: date, title: str = "기초연금 인상 (안)"
) -> Consultation:
    """A higher single-person limit and base amount from ``day``. The disability pension
    pays the basic pension's base amount too, so the draft gives it a new version as well
    (a draft that changed it silently would be refused)."""
    files = drafts.parameter_change(
        pack_dir,
        service_file="basic_pension.yaml",
        new_version="2027.1",
        values={
            "basic_pension.income_limit_single": SINGLE_LIMIT,
            "basic_pension.base_amount": BASE_AMOUNT,
        },
        valid_from=day,
        source_title="draft",
        source_url="https://example.kr/draft",
    )
    disability = (pack_dir / "services" / "disability_pension.yaml").read_text(encoding="utf-8")
    assert 'version: "2026.1"' in disability
    files["services/disability_pension.yaml"] = disability.replace(
        'version: "2026.1"', 'version: "2027.1"'
    )
    return do_open_consultation(
        officer,
        service_id="basic_pension",
        title=title,
        summary="선정기준액과 기준연금액을 올립니다.",
        files=files,
        effective_on=day,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=30),
    )


def explained(pack: str, person: Person, day: date) -> tuple[bool, int]:
    """(eligible, amount) as `gov3 rules explain` prints them."""
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


def test_for_you_equals_gov3_rules_explain_under_both_versions(
    people: dict[str, Person],
    welfare_officer: User,
    settings: Any,
    tmp_path: Path,
    client: Client,
) -> None:
    pack = Path(settings.GOV3_COUNTRIES_DIR) / "kr"
    day = timezone.localdate() + timedelta(days=10)
    consultation = open_draft(welfare_officer, pack, day=day)
    draft_dir = tmp_path / "draft" / "kr"
    shutil.copytree(pack, draft_dir)
    drafts.install(draft_dir, consultation.files)

    seen = {}
    for name in ("stranger", "husband", "wife", "mother"):
        person = people[name]
        now = explained("kr", person, day)
        draft = explained(str(draft_dir), person, day)
        mine = for_person(consultation, person)
        assert (mine.now.eligible, mine.now.amount or 0) == now, name
        assert (mine.draft.eligible, mine.draft.amount or 0) == draft, name
        assert mine.change == draft[1] - now[1]
        seen[name] = mine.change
    # the draft does something different for each of them
    assert seen["stranger"] == BASE_AMOUNT  # starts to qualify, alone: the full amount
    # a married couple (each in their own household: no couple reduction) gains the increase
    assert seen["husband"] == seen["wife"] == BASE_AMOUNT - explained("kr", people["wife"], day)[1]
    assert seen["wife"] > 0
    assert seen["mother"] == 0  # 51: neither version

    # the page and the API say the same to the citizen who asks
    account = do_create_citizen_account(
        ACTOR, person=people["stranger"], username="cheolsu", password=PASSWORD
    )
    client.force_login(account)
    page = client.get(f"/participation/consultations/{consultation.public_id}/").content.decode()
    assert f"You would start to qualify. For you: +{BASE_AMOUNT:,} KRW per month" in page
    # why, in sentences under each version: the limit each version sets, and whether it is met
    why = re.findall(
        r"<details class=\"gov3-details\"><summary>(Why, [^<]+)</summary>(.*?)</details>",
        page,
        re.S,
    )
    assert [title for title, _ in why] == ["Why, today", "Why, under the draft"]
    today_why, draft_why = (" ".join(re.sub(r"<[^>]+>", " ", body).split()) for _, body in why)
    income = "Your recognised monthly income is 2,500,000 KRW; it may be at most"
    assert re.search(rf"Not met: {income} [0-9,]+ KRW", today_why)  # over today's limit
    assert f"Met: {income} {SINGLE_LIMIT:,} KRW" in draft_why
    assert f"Not met: {income}" not in draft_why
    assert f"The amount is {BASE_AMOUNT:,} KRW" in draft_why
    assert "The amount is" not in today_why
    api = client.get(f"/api/v1/participation/consultations/{consultation.public_id}/for-me")
    assert api.json() == {
        "eligible_now": False,
        "eligible_draft": True,
        "amount_now": 0,
        "amount_draft": BASE_AMOUNT,
        "change": BASE_AMOUNT,
    }


def test_one_comment_a_person_within_the_period_and_the_agency_responds(
    people: dict[str, Person], welfare_officer: User, settings: Any, client: Client
) -> None:
    consultation = open_draft(
        welfare_officer, Path(settings.GOV3_COUNTRIES_DIR) / "kr", day=timezone.localdate()
    )
    account = do_create_citizen_account(
        ACTOR, person=people["stranger"], username="cheolsu", password=PASSWORD
    )
    with pytest.raises(ValidationFailedError, match="not open for comments"):
        do_comment(
            account,
            consultation,
            stance="support",
            text="",
            today=consultation.closes_on + timedelta(days=1),
        )
    with pytest.raises(ValidationFailedError, match="write your comment"):
        do_comment(account, consultation, stance="comment", text=" ")
    do_comment(
        account, consultation, stance="support", text="찬성합니다", today=consultation.closes_on
    )
    with pytest.raises(ValidationFailedError, match="already answered"):
        do_comment(account, consultation, stance="oppose", text="반대")
    assert list(ConsultationComment.objects.values_list("stance", flat=True)) == ["support"]
    do_respond(welfare_officer, consultation, text="의견 감사합니다. 원안대로 추진합니다.")
    page = client.get(f"/participation/consultations/{consultation.public_id}/").content.decode()
    assert "The agency's response" in page
    assert "원안대로 추진합니다." in page
    assert "1 / 0 / 0" in page


def test_a_citizen_comments_through_the_api_once_and_never_on_a_missing_consultation(
    people: dict[str, Person], welfare_officer: User, settings: Any
) -> None:
    consultation = open_draft(
        welfare_officer, Path(settings.GOV3_COUNTRIES_DIR) / "kr", day=timezone.localdate()
    )
    account = do_create_citizen_account(
        ACTOR, person=people["stranger"], username="cheolsu", password=PASSWORD
    )
    client = sign_in_citizen(account)

    def comment(public_id: object, body: dict[str, str]) -> Any:
        return client.post(
            f"/api/v1/participation/consultations/{public_id}/comments",
            data=json.dumps(body),
            content_type="application/json",
            headers={"x-csrftoken": client.cookies["csrftoken"].value},
        )

    assert comment(consultation.public_id, {"stance": "maybe", "text": ""}).status_code == 422
    assert comment(uuid.uuid4(), {"stance": "support", "text": ""}).status_code == 404
    assert not ConsultationComment.objects.exists()
    made = comment(consultation.public_id, {"stance": "oppose", "text": "반대합니다"})
    assert made.status_code == 200, made.content[:300]
    assert made.json() == {"stance": "oppose", "text": "반대합니다"}
    assert comment(consultation.public_id, {"stance": "support", "text": ""}).status_code == 422
    assert list(ConsultationComment.objects.values_list("stance", flat=True)) == ["oppose"]


def test_adoption_supersedes_open_offers_tells_confirmed_ones_and_offers_the_newly_eligible(
    editable_kr: Path,
    people: dict[str, Person],
    welfare_officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        widow = make_person(
            name_local="최순자", name_latin="CHOI SUNJA", birth_date=date(1950, 2, 2), sex="F"
        )
        widower = make_person(
            name_local="오동수", name_latin="OH DONGSU", birth_date=date(1949, 9, 9)
        )
    open_offer = Offer.objects.get(subject=widow, service_id="basic_pension")
    confirmed = Offer.objects.get(subject=widower, service_id="basic_pension")
    account = do_create_citizen_account(ACTOR, person=widower, username="dongsu", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        do_confirm_offer(account, confirmed, expected_version=confirmed.version, language="en")
    confirmed.refresh_from_db()
    assert confirmed.status == OfferStatus.CONFIRMED
    old_amount = confirmed.amount
    assert publish_services("kr") == []  # the versions in force are recorded
    consultation = open_draft(welfare_officer, editable_kr, day=today)

    with django_capture_on_commit_callbacks(execute=True):
        reports = {r.service: r for r in do_adopt(welfare_officer, consultation)}
    report = reports["basic_pension"]

    assert (report.service, report.old_version, report.new_version) == (
        "basic_pension",
        "2026.1",
        "2027.1",
    )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ADOPTED
    assert rules_pack("kr").services["basic_pension"].version == "2027.1"
    # the open offer: withdrawn and made again with the draft's amount
    open_offer.refresh_from_db()
    assert open_offer.status == OfferStatus.SUPERSEDED
    again = Offer.objects.get(subject=widow, service_id="basic_pension", status__in=OPEN_STATUSES)
    assert (again.service_version, again.amount) == ("2027.1", BASE_AMOUNT)
    # the confirmed benefit: a notice of its new amount
    notice = OfferNotice.objects.get(offer=confirmed)
    assert notice.details == {"old": old_amount, "new": BASE_AMOUNT}
    # the stranger qualifies only under the adopted limit: an offer made by the rule change
    new = Offer.objects.get(
        subject=people["stranger"], service_id="basic_pension", status__in=OPEN_STATUSES
    )
    assert (new.trigger, new.service_version) == (OfferTrigger.RULE_CHANGE, "2027.1")
    assert report.withdrawn >= 1
    assert report.amount_notices >= 1
    assert report.new_offers >= 1
    # adopting again, or publishing again, changes nothing
    with pytest.raises(ValidationFailedError, match="cannot be adopted"):
        do_adopt(welfare_officer, consultation)
    assert publish_services("kr") == []


def test_adoption_is_refused_with_nothing_changed_when_the_service_moved_on(
    editable_kr: Path, people: dict[str, Person], welfare_officer: User
) -> None:
    consultation = open_draft(welfare_officer, editable_kr, day=timezone.localdate())
    service = editable_kr / "services" / "basic_pension.yaml"
    service.write_text(
        service.read_text(encoding="utf-8").replace('version: "2026.1"', 'version: "2026.2"'),
        encoding="utf-8",
    )
    rules_pack.cache_clear()
    before = {p.name: p.read_text(encoding="utf-8") for p in editable_kr.rglob("*.yaml")}
    offers = sorted(Offer.objects.values_list("pk", "status"))
    with pytest.raises(ValidationFailedError, match="service changed since the draft"):
        do_adopt(welfare_officer, consultation)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN
    assert {p.name: p.read_text(encoding="utf-8") for p in editable_kr.rglob("*.yaml")} == before
    assert sorted(Offer.objects.values_list("pk", "status")) == offers


def test_a_draft_of_an_entitlement_says_eligible_and_no_amount_per_month(
    people: dict[str, Person], welfare_officer: User, settings: Any, client: Client
) -> None:
    """An `eligibility` service has no amount: the page says eligible or not, and no "per
    month" change (ADR 0008)."""
    pack = Path(settings.GOV3_COUNTRIES_DIR) / "kr"
    day = timezone.localdate() + timedelta(days=10)
    files = drafts.parameter_change(
        pack,
        service_file="senior_free_transit.yaml",
        new_version="2027.1",
        values={"senior_preference.age": 70},
        valid_from=day,
        source_title="draft",
        source_url="https://example.kr/draft",
    )
    consultation = do_open_consultation(
        welfare_officer,
        service_id="senior_free_transit",
        title="경로우대 연령 상향 (안)",
        summary="경로우대 연령을 70세로 올립니다.",
        files=files,
        effective_on=day,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=30),
    )
    account = do_create_citizen_account(
        ACTOR, person=people["stranger"], username="cheolsu", password=PASSWORD
    )
    client.force_login(account)
    page = client.get(f"/participation/consultations/{consultation.public_id}/").content.decode()
    assert "You would stop qualifying." in page  # born 1960: 65 or over, under 70
    assert "per month" not in page
    assert "Now: Eligible · Under the draft: not eligible" in page


def test_for_you_evaluates_the_service_once_per_version_and_says_what_reasons_say(
    people: dict[str, Person], welfare_officer: User, settings: Any, monkeypatch: Any
) -> None:
    """The sentences are written from the explanation the amounts come from, not from a second
    evaluation of the rule: the service's eligibility rule is evaluated once per version, and
    the sentences are those the rule's reasons give on their own."""
    day = timezone.localdate() + timedelta(days=10)
    consultation = open_draft(welfare_officer, Path(settings.GOV3_COUNTRIES_DIR) / "kr", day=day)
    current, draft = rules_pack("kr"), draft_pack(consultation)
    person = people["stranger"]
    alone = {
        version: reasons_for(
            pack, pack.services["basic_pension"], subject_for(person), day, currency="KRW"
        )
        for version, pack in (("now", current), ("draft", draft))
    }
    rules = {current.services["basic_pension"].eligible, draft.services["basic_pension"].eligible}
    evaluated: list[object] = []
    evaluate_node = explain._eval

    def counting(node: Any, ctx: Any) -> Any:
        if node in rules:
            evaluated.append(node)
        return evaluate_node(node, ctx)

    monkeypatch.setattr(explain, "_eval", counting)
    mine = for_person(consultation, person)
    assert len(evaluated) == 2  # the eligibility rule, once under each version
    assert (mine.now.eligible, mine.draft.eligible) == (False, True)
    assert mine.now_reasons == alone["now"]
    assert mine.draft_reasons == alone["draft"]
    assert any("it may be at most" in reason.text for reason in _flat(mine.draft_reasons))


def _flat(reasons: Reasons) -> Iterator[Reason]:
    pending = [*reasons.eligibility, *reasons.amount]
    while pending:
        reason = pending.pop()
        yield reason
        pending.extend(reason.children)

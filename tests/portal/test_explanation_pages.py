"""The pages that explain a rule (issue 14, items 2 and 3): sentences in the reader's language,
the rule as written only behind a toggle, clean source titles with an English one on pages in
another language, the check status for officers only, agency names in the page's language."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.accounts.models import User
from gov3.core.models import AccessPurpose
from gov3.offers.models import Offer
from gov3.registry.models import Person
from gov3.registry.queries import Reader, read_record_as_officer
from gov3.rules.explain import years_between
from tests.offers.test_pages import mother_client, voucher  # noqa: F401 - fixtures used by name

LANGUAGES = ("ko", "en", "vi")
TOGGLE = re.compile(r'<details class="gov3-details gov3-rule-as-written">.*?</details>', re.DOTALL)
MAIN = re.compile(r"<main\b.*?</main>", re.DOTALL)
TAGS = re.compile(r"<[^>]+>")
# English titles of foreign sources, marked as English, are meant to be English.
ENGLISH_TITLE = re.compile(r'<span class="gov3-source-en" lang="en">.*?</span>')
# Rule text: operators, parameter paths, `a if test else b` (English prose may say "if").
CODE = re.compile(r"==|//|params\.|\bmod\b|\bif\b[^.]*\belse\b")
ENGLISH_LOGIC = re.compile(r"\b(and|or|not)\b")


def _visible_outside_the_toggle(page: str) -> str:
    main = MAIN.search(page)
    assert main is not None
    return html.unescape(TAGS.sub(" ", ENGLISH_TITLE.sub("", TOGGLE.sub("", main.group(0)))))


def _get(client: Client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_service_page_says_who_qualifies_in_sentences(client: Client, language: str) -> None:
    html = _get(client, reverse("portal:service", args=["basic_pension"]), language)
    text = _visible_outside_the_toggle(html)
    assert not CODE.search(text), CODE.search(text)
    if language != "en":
        assert not ENGLISH_LOGIC.search(text), ENGLISH_LOGIC.search(text)
    expected = {
        "ko": "만 나이: 65(지급 연령) 이상",
        "en": "Age: at least 65 (minimum age)",
        "vi": "Tuổi: từ 65 (tuổi tối thiểu) trở lên",
    }[language]
    assert expected in text
    # the rule as written is still there for experts, folded away
    toggle = TOGGLE.search(html)
    assert toggle is not None
    assert "params.basic_pension.age" in toggle.group(0)
    assert "(verify" not in html
    assert "secondary sources" not in html


@pytest.mark.django_db
def test_a_korean_source_has_its_english_title_on_english_pages_only(client: Client) -> None:
    korean = "기초연금법 제3조 제1항 (65세 이상)"
    english = "Basic Pension Act, Article 3(1) (aged 65 or over)"
    url = reverse("portal:service", args=["basic_pension"])
    en = _get(client, url, "en")
    assert korean in en
    assert english in en
    assert f'lang="ko">{korean}</a>' in en  # a screen reader reads the Korean title as Korean
    ko = _get(client, url, "ko")
    assert korean in ko
    assert english not in ko


@pytest.mark.django_db
def test_officers_see_how_far_a_source_was_checked_citizens_do_not(
    officer_client: Client,
) -> None:
    url = reverse("portal:service", args=["parent_benefit"])
    for_officer = _get(officer_client, url, "en")
    assert 'data-status="unverified"' in for_officer
    assert "not checked yet" in for_officer
    assert "check the article number" in for_officer
    for_public = _get(Client(), url, "en")
    assert "data-status" not in for_public
    assert "check the article number" not in for_public


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_my_eligibility_reads_as_sentences(
    client: Client, citizen: User, family: dict[str, Person], language: str
) -> None:
    client.force_login(citizen)
    html = _get(client, reverse("portal:check_eligibility", args=["basic_pension"]), language)
    text = _visible_outside_the_toggle(html)
    assert not CODE.search(text), CODE.search(text)
    if language != "en":
        assert not ENGLISH_LOGIC.search(text), ENGLISH_LOGIC.search(text)
    age = years_between(family["mother"].birth_date, timezone.localdate())
    expected = {
        "ko": f"본인의 만 나이: {age} (기준: 65(지급 연령) 이상)",
        "en": f"Your age is {age}; it must be at least 65 (minimum age).",
        "vi": f"Tuổi của bạn là {age}; phải từ 65 (tuổi tối thiểu) trở lên.",
    }[language]
    assert expected in text
    assert "gov3-step--unmet" in html  # the condition not met is marked


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_offer_for_a_child_explains_it_by_the_childs_name(
    mother_client: Client,  # noqa: F811
    voucher: Offer,  # noqa: F811
    language: str,
) -> None:
    html = _get(mother_client, reverse("offers:offer", args=[voucher.public_id]), language)
    text = _visible_outside_the_toggle(html)
    assert not CODE.search(text), CODE.search(text)
    expected = {
        "ko": "이하늘 님의 개월 수: 0 (기준: 12(신청 기한(출생 후 개월)) 미만)",
        "en": "이하늘's age in months is 0; it must be less than 12 "
        "(claim period in months after birth).",
        "vi": "Số tháng tuổi của 이하늘 là 0; phải nhỏ hơn 12 "
        "(thời hạn đề nghị (tháng sau khi sinh)).",
    }[language]
    assert expected in text
    stored = voucher.explanation[language]
    assert stored["reasons"]
    assert stored["amount_reasons"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "name"),
    [("ko", "종로구청"), ("en", "Jongno-gu Office"), ("vi", "Jongno-gu Office")],
)
def test_who_looked_at_my_data_names_the_agency_in_my_language(
    *,
    client: Client,
    citizen: User,
    family: dict[str, Person],
    officer: tuple[User, Any],
    language: str,
    name: str,
) -> None:
    reader = Reader(
        user_id=officer[0].pk, label="officer1", agency="종로구청", role="registry_officer"
    )
    read_record_as_officer(reader, family["mother"].public_id, purpose=AccessPurpose.AUDIT)
    client.force_login(citizen)
    html = _get(client, reverse("portal:access_log"), language)
    assert f"<td>{name}</td>" in html

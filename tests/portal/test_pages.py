"""Citizen pages show one's own data, never anyone else's, and the reads of it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.core.checkpoints import make_checkpoint, verify_logs
from gov3.core.models import AccessLogEntry, AccessPurpose
from gov3.registry.models import Person
from gov3.registry.queries import Reader, read_record_as_officer
from gov3.registry.services import do_record_income_assessment


@pytest.fixture
def signed_in(client: Client, citizen: User) -> Client:
    client.force_login(citizen)
    return client


@pytest.mark.django_db
def test_my_information_shows_record_household_and_events(
    signed_in: Client, family: dict[str, Person]
) -> None:
    page = signed_in.get(reverse("portal:me")).content.decode()
    mother = family["mother"]
    assert mother.national_id in page
    assert "KIM YOUNGHEE" in page
    assert "이민준" in page  # household member, and a child the citizen acts for
    assert reverse("portal:child_record", args=[family["son"].public_id]) in page
    # A citizen reading their own record is not an officer's read.
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_child_record_is_visible_to_the_parent(
    signed_in: Client, family: dict[str, Person]
) -> None:
    response = signed_in.get(reverse("portal:child_record", args=[family["son"].public_id]))
    assert response.status_code == 200
    assert family["son"].national_id in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["stranger", "daughter"])
def test_another_persons_id_in_the_url_is_not_found(
    signed_in: Client, family: dict[str, Person], who: str
) -> None:
    response = signed_in.get(reverse("portal:child_record", args=[family[who].public_id]))
    assert response.status_code == 404
    assert family[who].national_id not in response.content.decode()
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_malformed_id_in_the_url_is_not_found(signed_in: Client) -> None:
    assert signed_in.get("/me/people/not-a-uuid/").status_code == 404


@pytest.mark.django_db
def test_who_looked_at_my_data_lists_officer_reads_of_me_and_my_child(
    signed_in: Client, family: dict[str, Person], officer: tuple[User, Any]
) -> None:
    reader = Reader(
        user_id=officer[0].pk, label="officer1", agency="종로구청", role="registry_officer"
    )
    read_record_as_officer(
        reader, family["mother"].public_id, purpose=AccessPurpose.BENEFIT_ASSESSMENT, note="case 42"
    )
    read_record_as_officer(reader, family["son"].public_id, purpose=AccessPurpose.CITIZEN_REQUEST)
    read_record_as_officer(reader, family["stranger"].public_id, purpose=AccessPurpose.AUDIT)
    page = signed_in.get(reverse("portal:access_log")).content.decode()
    # The citizen sees the reader's role and agency, not their login name.
    assert "Registry officer" in page
    assert "officer1" not in page
    assert "has not been checked yet" in page
    assert "Jongno-gu Office" in page  # 종로구청, named in the page's language
    assert "case 42" in page
    assert page.count("<tr>") == 1 + 2  # header row + my read + my son's read, not the stranger's
    assert "이민준" in page


@pytest.mark.django_db
def test_who_looked_at_my_data_says_when_the_log_was_last_verified(
    signed_in: Client, settings: Any, tmp_path: Any
) -> None:
    settings.GOV3_AUDIT_DIR = tmp_path
    make_checkpoint()
    verify_logs()
    page = signed_in.get(reverse("portal:access_log")).content.decode()
    assert "This record of reads was last checked on" in page
    assert "nothing had been changed or removed" in page


@pytest.mark.django_db
def test_pages_need_sign_in(client: Client) -> None:
    for name in ("portal:me", "portal:access_log"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))


@pytest.mark.django_db
def test_income_is_shown_exactly_with_its_currency(
    signed_in: Client, family: dict[str, Person]
) -> None:
    do_record_income_assessment(
        "test", family["mother"], monthly_income=3_000_000_000, assessed_on=date(2026, 1, 5)
    )
    page = signed_in.get(reverse("portal:me"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3,000,000,000 KRW" in page


def test_djangos_usual_sign_in_address_leads_to_the_sign_in_page(client: Client) -> None:
    response = client.get("/accounts/login/?next=/me/offers/", follow=True)
    assert response.redirect_chain[0] == (f"{reverse('portal:login')}?next=/me/offers/", 302)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()

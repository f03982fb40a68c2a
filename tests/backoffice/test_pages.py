"""Officer pages: a purpose before any read, and every read in the access log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.core.models import AccessLogEntry, AccessPurpose
from gov3.registry.models import Person


@pytest.mark.django_db
def test_record_without_purpose_shows_only_the_purpose_form(
    officer_client: Client, family: dict[str, Person]
) -> None:
    url = reverse("backoffice:person", args=[family["mother"].public_id])
    assert "State your purpose" in officer_client.get(url).content.decode()
    for data in ({}, {"purpose": ""}, {"purpose": "curiosity"}, {"purpose": "audit"}):
        page = officer_client.post(url, data).content.decode()
        assert "State your purpose" in page
        assert family["mother"].national_id not in page
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_record_with_purpose_is_shown_and_logged(
    officer_client: Client, family: dict[str, Person], officer: tuple[User, Any]
) -> None:
    url = reverse("backoffice:person", args=[family["mother"].public_id])
    page = officer_client.post(
        url, {"purpose": "registry_correction", "note": "case 7"}
    ).content.decode()
    assert family["mother"].national_id in page
    entry = AccessLogEntry.objects.get()
    assert entry.subject_id == family["mother"].pk
    assert entry.actor_id == officer[0].pk
    assert entry.agency == "종로구청"
    assert entry.purpose == AccessPurpose.REGISTRY_CORRECTION
    assert entry.purpose_note == "case 7"


@pytest.mark.django_db
def test_unknown_person_is_404_and_not_logged(officer_client: Client, areas: None) -> None:
    response = officer_client.post(
        reverse("backoffice:person", args=["00000000-0000-4000-8000-000000000000"]),
        {"purpose": "citizen_request"},
    )
    assert response.status_code == 404
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_search_needs_a_purpose_and_logs_everyone_listed(
    officer_client: Client, family: dict[str, Person]
) -> None:
    page = officer_client.post(reverse("backoffice:search"), {"q": "이"}).content.decode()
    assert "이민준" not in page  # too short and no purpose: no search ran
    assert AccessLogEntry.objects.count() == 0
    page = officer_client.post(
        reverse("backoffice:search"), {"q": "이민", "purpose": "citizen_request"}
    ).content.decode()
    assert "이민준" in page
    assert list(AccessLogEntry.objects.values_list("subject_id", flat=True)) == [family["son"].pk]


@pytest.mark.django_db
def test_citizen_cannot_open_officer_pages(
    client: Client, citizen: User, family: dict[str, Person]
) -> None:
    client.force_login(citizen)
    url = reverse("backoffice:person", args=[family["stranger"].public_id])
    response = client.post(url, {"purpose": "citizen_request"})
    assert response.status_code == 302
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_search_finds_an_id_number_written_with_its_hyphen(
    officer_client: Client, family: dict[str, Person]
) -> None:
    number = family["stranger"].national_id
    page = officer_client.post(
        reverse("backoffice:search"),
        {"q": f"{number[:6]}-{number[6:]}", "purpose": "citizen_request"},
    ).content.decode()
    assert "박철수" in page
    assert "1 person found" in page

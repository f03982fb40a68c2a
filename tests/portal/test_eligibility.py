"""The service catalogue and "check my eligibility", for citizens and officers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.catalogue.installed import country_pack, rules_pack
from gov3.core.models import AccessLogEntry
from gov3.registry.models import Person

MINIPACK = Path(__file__).parent.parent / "rules" / "minipack"


@pytest.fixture(autouse=True)
def rules_country(tmp_path: Path, settings: Any) -> Iterator[None]:
    """A `kr` pack whose rules are the small test pack (the real catalogue has its own tests)."""
    target = tmp_path / "countries" / "kr"
    shutil.copytree(Path(settings.GOV3_COUNTRIES_DIR) / "kr", target, ignore=_rules_files)
    for part in ("variables.yaml", "parameters", "services"):
        source = MINIPACK / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy(source, target / part)
    settings.GOV3_COUNTRIES_DIR = tmp_path / "countries"
    rules_pack.cache_clear()
    country_pack.cache_clear()
    yield
    rules_pack.cache_clear()
    country_pack.cache_clear()


def _rules_files(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n in ("variables.yaml", "parameters", "services", "saemaul")]


@pytest.mark.django_db
def test_the_catalogue_lists_services_with_who_qualifies(client: Client) -> None:
    page = client.get(reverse("portal:services")).content.decode()
    assert "Pension" in page
    assert "People 65 and over" in page
    assert reverse("portal:service", args=["pension"]) in page


@pytest.mark.django_db
def test_a_service_page_shows_the_rule_amounts_and_legal_basis(client: Client) -> None:
    page = client.get(reverse("portal:service", args=["pension"])).content.decode()
    assert "age &gt;= pension age and household income &lt;= income limit" in page
    assert "342,510" in page
    assert 'href="https://example.org/2025"' in page
    assert 'href="https://example.org/act"' in page
    assert "Sign in to check whether you qualify" in page


@pytest.mark.django_db
def test_an_unknown_service_is_not_found(client: Client, citizen: User) -> None:
    assert client.get(reverse("portal:service", args=["nothing"])).status_code == 404
    client.force_login(citizen)
    assert client.get(reverse("portal:check_eligibility", args=["nothing"])).status_code == 404


@pytest.mark.django_db
def test_a_citizen_sees_why_not_and_nothing_is_logged(client: Client, citizen: User) -> None:
    client.force_login(citizen)  # the mother, born 1975-05-01
    page = client.get(reverse("portal:check_eligibility", args=["pension"])).content.decode()
    assert "Not eligible" in page
    assert "is at least pension age 65" in page
    assert "(population register, birth date 1975-05-01)" in page
    assert "Not met:" in page
    assert not AccessLogEntry.objects.exists()  # reading one's own data is not an officer read


@pytest.mark.django_db
def test_a_parent_checks_for_their_child_but_not_for_anyone_else(
    client: Client, citizen: User, family: dict[str, Person]
) -> None:
    client.force_login(citizen)
    url = reverse("portal:check_eligibility", args=["pension"])
    page = client.get(url, {"for": str(family["son"].public_id)}).content.decode()
    assert "Eligibility of 이민준" in page
    assert f"birth date {family['son'].birth_date.isoformat()}" in page
    assert client.get(url, {"for": str(family["stranger"].public_id)}).status_code == 404
    assert client.get(url, {"for": str(family["daughter"].public_id)}).status_code == 404  # adult
    assert client.get(url, {"for": "not-a-uuid"}).status_code == 404


@pytest.mark.django_db
def test_an_officer_states_a_purpose_and_the_check_is_logged(
    officer_client: Client, family: dict[str, Person]
) -> None:
    stranger = family["stranger"]  # born 1960-01-01
    url = reverse("backoffice:eligibility", args=[stranger.public_id])
    form = officer_client.get(url).content.decode()
    assert "Choose the service" in form
    assert not AccessLogEntry.objects.exists()
    page = officer_client.post(
        url, {"service": "pension", "purpose": "citizen_request", "note": "case 7"}
    ).content.decode()
    assert "Eligible" in page
    assert "342,510 KRW" in page
    entry = AccessLogEntry.objects.get(subject_id=stranger.pk)
    assert entry.what == "eligibility for pension"
    assert entry.purpose == "citizen_request"
    assert entry.purpose_note == "case 7"


@pytest.mark.django_db
def test_an_officer_cannot_check_an_unknown_service_or_person(
    officer_client: Client, family: dict[str, Person]
) -> None:
    url = reverse("backoffice:eligibility", args=[family["stranger"].public_id])
    page = officer_client.post(url, {"service": "nothing", "purpose": "citizen_request"})
    assert "Select a valid choice" in page.content.decode()
    missing = reverse("backoffice:eligibility", args=["00000000-0000-0000-0000-000000000000"])
    response = officer_client.post(missing, {"service": "pension", "purpose": "citizen_request"})
    assert response.status_code == 404
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
def test_the_catalogue_is_translated(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    page = client.get(reverse("portal:services"), headers={"accept-language": "ko"})
    text = page.content.decode()
    assert "연금" in text
    assert "65세 이상" in text


@pytest.mark.django_db
def test_a_rule_without_todays_amounts_says_so_and_records_nothing(
    client: Client, citizen: User, settings: Any
) -> None:
    parameters = Path(settings.GOV3_COUNTRIES_DIR) / "kr" / "parameters" / "pension.yaml"
    parameters.write_text(
        parameters.read_text(encoding="utf-8").replace("from: 2020-01-01", "from: 2099-01-01"),
        encoding="utf-8",
    )
    rules_pack.cache_clear()
    client.force_login(citizen)
    response = client.get(reverse("portal:check_eligibility", args=["pension"]))
    assert response.status_code == 503
    assert "have not been published in gov3 yet" in response.content.decode()
    assert not AccessLogEntry.objects.exists()
    page = client.get(reverse("portal:service", args=["pension"])).content.decode()
    assert "pension age" not in page.split("Amounts and limits in force")[1]  # not in force yet

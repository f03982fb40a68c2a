"""Need-to-know: an officer reads only the people their role and purpose allow (the access
policy); a read outside it is "not found", and a refused attempt in the audit log, never a
read in the access log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gov3.accounts.access_policy import (
    DEFAULT_POLICY,
    AccessPolicyError,
    access_policy,
    may_read,
    parse_policy,
    purposes_for,
    readable_people,
)
from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_agency, do_create_officer_account
from gov3.core.models import AccessLogEntry, AccessPurpose, AuditEntry
from gov3.offers.models import Offer
from gov3.offers.services import do_confirm_offer
from gov3.registry.models import Person
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import AreaRecord, do_load_areas, do_register_person
from tests.conftest import ACTOR, PASSWORD, current_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(areas: None) -> Person:
    """A resident of Jung-gu, outside Jongno-gu's area."""
    do_load_areas(
        ACTOR,
        "kr",
        [
            AreaRecord("11140", "11", "municipality", "중구", "Jung-gu"),
            AreaRecord("1114052000", "11140", "district", "소공동", "Sogong-dong"),
        ],
    )
    return do_register_person(
        ACTOR,
        country="kr",
        national_id=national_id_scheme("kr").make(date(1970, 2, 2), "M", 95_001),
        name_local="최바깥",
        name_latin="CHOI BAKKAT",
        birth_date=date(1970, 2, 2),
        sex="M",
        nationality="KOR",
        area_code="1114052000",
        street="을지로 1",
    )


def signed_in(client: Client, agency: Agency, role: str, name: str) -> tuple[Client, User]:
    user, device = do_create_officer_account(
        ACTOR, username=name, password=PASSWORD, agency=agency, role=role
    )
    response = client.post(
        reverse("backoffice:login"),
        {"username": name, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 302
    return client, user


def open_record(client: Client, person: Person, purpose: str) -> Any:
    return client.post(reverse("backoffice:person", args=[person.public_id]), {"purpose": purpose})


def refused_attempts(person: Person) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="access.refused", target_id=str(person.pk)))


def test_a_registry_officer_reads_their_areas_residents_only(
    officer_client: Client, officer: tuple[User, Any], family: dict[str, Person], outsider: Person
) -> None:
    assert open_record(officer_client, family["mother"], "citizen_request").status_code == 200
    response = open_record(officer_client, outsider, "citizen_request")
    assert response.status_code == 404
    assert outsider.national_id not in response.content.decode()
    assert not AccessLogEntry.objects.filter(subject_id=outsider.pk).exists()
    [attempt] = refused_attempts(outsider)
    assert attempt.actor == officer[0].username
    assert attempt.data["purpose"] == "citizen_request"
    assert may_read(officer[0], family["mother"], AccessPurpose.REGISTRY_CORRECTION)
    assert not may_read(officer[0], outsider, AccessPurpose.REGISTRY_CORRECTION)


def test_a_purpose_the_role_may_not_state_reads_nothing(
    officer_client: Client, family: dict[str, Person]
) -> None:
    for purpose in ("benefit_assessment", "audit", "registry_administration"):
        page = open_record(officer_client, family["mother"], purpose).content.decode()
        assert family["mother"].national_id not in page
        assert "State your purpose" in page
    assert not AccessLogEntry.objects.exists()


def test_the_officer_search_lists_only_people_the_officer_may_read(
    officer_client: Client, family: dict[str, Person], outsider: Person
) -> None:
    search = reverse("backoffice:search")
    page = officer_client.post(search, {"q": outsider.national_id, "purpose": "citizen_request"})
    assert "최바깥" not in page.content.decode()
    assert "0 people found" in page.content.decode()
    page = officer_client.post(search, {"q": "김영", "purpose": "citizen_request"})
    assert "김영희" in page.content.decode()
    assert set(AccessLogEntry.objects.values_list("subject_id", flat=True)) == {family["mother"].pk}


@pytest.mark.parametrize("role", [OfficerRole.SAEMAUL_OFFICER, OfficerRole.AUDITOR])
def test_saemaul_officers_and_auditors_read_no_register_records(
    client: Client, agency: Agency, family: dict[str, Person], role: str
) -> None:
    client, user = signed_in(client, agency, role, "reader")
    assert purposes_for(user) == []
    page = client.get(reverse("backoffice:search")).content.decode()
    assert "Your role does not read register records" in page
    for purpose in ("citizen_request", "audit", "registry_correction", "benefit_assessment"):
        response = open_record(client, family["mother"], purpose)
        assert family["mother"].national_id not in response.content.decode()
        results = client.post(reverse("backoffice:search"), {"q": "김영", "purpose": purpose})
        assert "김영희" not in results.content.decode()
    assert not AccessLogEntry.objects.exists()
    assert not readable_people(user, AccessPurpose.AUDIT).exists()


def test_a_welfare_officer_reads_the_people_in_their_agencys_cases_only(  # noqa: PLR0917
    client: Client,
    register_birth: Callable[..., Person],
    citizen: User,
    welfare_agency: Agency,
    family: dict[str, Person],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 1  # the case waits in the agency's queue
    baby = register_birth()
    offer = Offer.objects.get(subject=baby, service_id="child_allowance")
    with django_capture_on_commit_callbacks(execute=True):
        do_confirm_offer(citizen, offer, expected_version=offer.version, language="en")
    client, welfare = signed_in(client, welfare_agency, OfficerRole.WELFARE_OFFICER, "welfare1")
    assert open_record(client, baby, "benefit_assessment").status_code == 200
    assert open_record(client, family["mother"], "benefit_assessment").status_code == 200
    response = open_record(client, family["stranger"], "benefit_assessment")
    assert response.status_code == 404
    assert refused_attempts(family["stranger"])
    assert not AccessLogEntry.objects.filter(subject_id=family["stranger"].pk).exists()
    # Another ministry's welfare officer reads none of them.
    other = do_create_agency(
        ACTOR, code="kr-mohw", name_local="보건복지부", name_en="MOHW", country="kr"
    )
    stranger_officer = do_create_officer_account(
        ACTOR, username="welfare2", password=PASSWORD, agency=other, role="welfare_officer"
    )[0]
    assert not may_read(stranger_officer, baby, AccessPurpose.BENEFIT_ASSESSMENT)
    assert may_read(welfare, baby, AccessPurpose.BENEFIT_ASSESSMENT)


def test_an_agency_without_an_area_reads_nobody(client: Client, family: dict[str, Person]) -> None:
    nowhere = do_create_agency(ACTOR, code="kr-x", name_local="X", name_en="X", country="kr")
    client, user = signed_in(client, nowhere, OfficerRole.REGISTRY_OFFICER, "registrar")
    assert open_record(client, family["mother"], "citizen_request").status_code == 404
    assert not readable_people(user, AccessPurpose.CITIZEN_REQUEST).exists()


def test_the_policy_is_a_country_pack_setting(
    settings: Any, tmp_path: Path, agency: Agency, family: dict[str, Person]
) -> None:
    pack = tmp_path / "kr"
    pack.mkdir()
    (pack / "access-policy.yaml").write_text(
        "roles:\n  auditor:\n    audit: area_residents\n", encoding="utf-8"
    )
    settings.GOV3_COUNTRIES_DIR = tmp_path
    access_policy.cache_clear()
    try:
        auditor = do_create_officer_account(
            ACTOR, username="aud", password=PASSWORD, agency=agency, role="auditor"
        )[0]
        assert purposes_for(auditor) == [AccessPurpose.AUDIT]
        assert may_read(auditor, family["mother"], AccessPurpose.AUDIT)
        # roles the file does not name get nothing (not the default's grants)
        assert access_policy("kr").purposes(OfficerRole.REGISTRY_OFFICER) == []
    finally:
        access_policy.cache_clear()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("roles:\n  janitor: {}\n", "unknown role 'janitor'"),
        ("roles:\n  auditor:\n    gossip: nobody\n", "cannot state purpose 'gossip'"),
        ("roles:\n  auditor:\n    system_evaluation: nobody\n", "cannot state purpose"),
        ("roles:\n  auditor:\n    audit: everyone\n", "unknown scope 'everyone'"),
        ("- just a list\n", "expected `roles:`"),
    ],
)
def test_an_invalid_policy_file_is_refused_with_its_reason(text: str, message: str) -> None:
    with pytest.raises(AccessPolicyError, match=message):
        parse_policy(text, "kr/access-policy.yaml")


def test_the_shipped_korean_policy_is_the_safe_default() -> None:
    access_policy.cache_clear()
    assert access_policy("kr").grants == DEFAULT_POLICY.grants

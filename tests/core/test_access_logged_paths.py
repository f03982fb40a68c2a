"""Every page and API operation declares whether it shows personal data; those that show other
people's data write the access log, and each has a test here (or named here) asserting its
entry. The walk over the URL configuration, the API and the admin fails on anything new that
is not declared."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_administrator, do_create_officer_account
from gov3.api.main import api
from gov3.cases.models import Case
from gov3.core.admin import AccessLoggedAdmin
from gov3.core.models import AccessChannel, AccessLogEntry, AccessPurpose, AuditEntry
from gov3.core.personal_data import Shows, declaration
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.services import do_issue_certificate
from gov3.registry.models import Household, Person
from gov3.registry.services import do_record_passport_issued
from tests.api import test_offers_cases_api as api_tests
from tests.api.test_offers_cases_api import post, sign_in_officer
from tests.conftest import ACTOR, PASSWORD, current_totp
from tests.documents import test_passport
from tests.documents.test_passport import provide_photo

# Fixtures shared with the API and passport tests.
baby, parent, queued = api_tests.baby, api_tests.parent, api_tests.queued
renewal_case = test_passport.renewal_case

#: Each access-logged view or API operation (by URL name) → the test asserting its entry.
LOGGED_TESTS = {
    "personnel:organisation": (
        "tests.personnel.test_pages",
        "test_an_hr_officer_issues_an_order_and_the_head_approves_it",
    ),
    "personnel:staff_record": (
        "tests.personnel.test_pages",
        "test_an_hr_officer_issues_an_order_and_the_head_approves_it",
    ),
    "personnel:rating_sheet": (
        "tests.personnel.test_evaluation",
        "test_over_the_quota_cannot_be_locked_and_the_calibration_view_says_by_how_much",
    ),
    "personnel:calibration": (
        "tests.personnel.test_evaluation",
        "test_over_the_quota_cannot_be_locked_and_the_calibration_view_says_by_how_much",
    ),
    "personnel:rating_detail": (
        "tests.personnel.test_evaluation",
        "test_raters_see_their_unit_only_and_reads_are_logged",
    ),
    "api_v1:personnel_record": ("tests.personnel.test_api", "test_orders_through_the_api"),
    "api_v1:personnel_issue_order": (
        "tests.personnel.test_api",
        "test_orders_through_the_api",
    ),
    "personnel:approvals": (
        "tests.personnel.test_self_service_pages_api",
        "test_leave_pages_and_the_heads_approval",
    ),
    "personnel:posting_admin": (
        "tests.personnel.test_self_service_pages_api",
        "test_open_position_pages",
    ),
    "api_v1:personnel_approvals": ("tests.personnel.test_self_service_pages_api", "test_the_api"),
    "personnel:recruitment_notice": (
        "tests.personnel.test_recruitment_web",
        "test_the_officer_scores_closes_stages_and_reads_the_merit_list",
    ),
    "personnel:recruitment_merit": (
        "tests.personnel.test_recruitment_web",
        "test_the_officer_scores_closes_stages_and_reads_the_merit_list",
    ),
    "api_v1:recruitment_applications": (
        "tests.personnel.test_recruitment_web",
        "test_the_api_from_notice_to_merit_list",
    ),
    "api_v1:recruitment_enter_score": (
        "tests.personnel.test_recruitment_web",
        "test_the_api_from_notice_to_merit_list",
    ),
    "api_v1:recruitment_merit_list": (
        "tests.personnel.test_recruitment_web",
        "test_the_api_from_notice_to_merit_list",
    ),
    "personnel:batch": ("tests.personnel.test_batch", "test_the_batch_pages_and_api"),
    "personnel:export": (
        "tests.personnel.test_transfer",
        "test_the_officer_page_imports_exports_and_refuses_a_huge_upload",
    ),
    "api_v1:personnel_export": (
        "tests.personnel.test_transfer",
        "test_the_api_imports_all_or_nothing_and_exports",
    ),
    "backoffice:search": (
        "tests.backoffice.test_pages",
        "test_search_needs_a_purpose_and_logs_everyone_listed",
    ),
    "backoffice:person": (
        "tests.backoffice.test_pages",
        "test_record_with_purpose_is_shown_and_logged",
    ),
    "backoffice:eligibility": (
        "tests.portal.test_eligibility",
        "test_an_officer_states_a_purpose_and_the_check_is_logged",
    ),
    "backoffice:register_birth": (
        "tests.backoffice.test_register_birth",
        "test_a_registry_officer_registers_a_birth",
    ),
    "backoffice:birth_registered": (
        "tests.backoffice.test_register_birth",
        "test_a_registry_officer_registers_a_birth",
    ),
    "cases:queue": (
        "tests.core.test_access_logged_paths",
        "test_the_web_work_queue_logs_everyone_listed",
    ),
    "cases:officer_case": (
        "tests.core.test_access_logged_paths",
        "test_an_officers_case_page_is_logged",
    ),
    "cases:decide": (
        "tests.core.test_access_logged_paths",
        "test_an_auditors_refused_decision_is_no_read",
    ),
    "documents:case_photo": (
        "tests.core.test_access_logged_paths",
        "test_an_officer_viewing_a_passport_photo_is_logged",
    ),
    "documents:officer_document": (
        "tests.core.test_access_logged_paths",
        "test_the_document_pages_and_api_log_the_holder",
    ),
    "documents:revoke": (
        "tests.core.test_access_logged_paths",
        "test_the_document_pages_and_api_log_the_holder",
    ),
    "api_v1:case_queue": (
        "tests.core.test_access_logged_paths",
        "test_the_api_work_queue_logs_everyone_listed",
    ),
    "api_v1:case": (
        "tests.api.test_offers_cases_api",
        "test_an_officer_decides_a_queued_case_once",
    ),
    "api_v1:case_decide": (
        "tests.core.test_access_logged_paths",
        "test_an_auditors_refused_decision_is_no_read",
    ),
    "api_v1:document_revoke": (
        "tests.core.test_access_logged_paths",
        "test_the_document_pages_and_api_log_the_holder",
    ),
    "participation:officer_queue": (
        "tests.participation.test_officer_reads",
        "test_the_petition_queue_logs_each_petitioner_listed",
    ),
    "participation:officer_petition": (
        "tests.participation.test_officer_reads",
        "test_a_petition_page_logs_the_petitioner_and_the_alike_petitioners_shown",
    ),
    "participation:officer_petition_attachment": (
        "tests.participation.test_officer_reads",
        "test_a_petitions_attachment_is_downloaded_by_its_agency_and_logged",
    ),
    "participation:officer_disclosure_queue": (
        "tests.participation.test_officer_reads",
        "test_the_disclosure_list_logs_each_requester_listed",
    ),
    "participation:officer_disclosure": (
        "tests.participation.test_officer_reads",
        "test_a_disclosure_request_page_logs_the_requester",
    ),
    "schools:oneroster_json": (
        "tests.schools.test_oneroster",
        "test_a_classroom_system_reads_its_own_school_only",
    ),
    "schools:oneroster_zip": (
        "tests.schools.test_oneroster",
        "test_a_classroom_system_reads_its_own_school_only",
    ),
    "schools:oneroster_rest_collection": (
        "tests.schools.test_oneroster_rest",
        "test_the_collections_and_records_come_in_the_bindings_envelopes",
    ),
    "schools:oneroster_rest_record": (
        "tests.schools.test_oneroster_rest",
        "test_the_collections_and_records_come_in_the_bindings_envelopes",
    ),
    "schools:officer_follow_up": (
        "tests.schools.test_entry",
        "test_the_guardian_confirms_and_the_school_lists_the_child",
    ),
    "schools:officer_entrants": (
        "tests.schools.test_entry",
        "test_the_guardian_confirms_and_the_school_lists_the_child",
    ),
    "schools:officer_school_teachers": (
        "tests.schools.test_staff_pages",
        "test_a_school_officer_registers_a_teacher_adds_a_class_and_ends_the_assignment",
    ),
    "schools:officer_teacher": (
        "tests.schools.test_staff_pages",
        "test_a_school_officer_registers_a_teacher_adds_a_class_and_ends_the_assignment",
    ),
    "schools:officer_year_end": (
        "tests.schools.test_year_end_and_dashboards",
        "test_the_year_end_page_in_scope_only_logged_and_confirmed",
    ),
    # gov3 as an OpenID provider: each release of claims to a client system.
    "oauth2_provider:token": (
        "tests.identity.test_provider",
        "test_a_client_signs_a_citizen_in_and_the_release_is_in_who_looked_at_my_data",
    ),
    "oauth2_provider:user-info": (
        "tests.identity.test_provider",
        "test_a_client_signs_a_citizen_in_and_the_release_is_in_who_looked_at_my_data",
    ),
    "schools:class_list": (
        "tests.schools.test_school_work",
        "test_the_attendance_page_saves_the_day_and_logs_the_learners_read",
    ),
    "schools:attendance": (
        "tests.schools.test_school_work",
        "test_the_attendance_page_saves_the_day_and_logs_the_learners_read",
    ),
    "schools:assessment": (
        "tests.schools.test_school_work",
        "test_the_results_page_records_and_logs",
    ),
    "schools:notices": (
        "tests.schools.test_school_work",
        "test_a_consent_request_is_answered_once_with_a_receipt",
    ),
    "schools:absences": (
        "tests.schools.test_school_work",
        "test_an_absence_report_with_a_photo_is_accepted_and_the_day_is_excused",
    ),
    "schools:absence": (
        "tests.schools.test_school_work",
        "test_an_absence_report_with_a_photo_is_accepted_and_the_day_is_excused",
    ),
    "schools:absence_evidence": (
        "tests.schools.test_school_work",
        "test_an_absence_report_with_a_photo_is_accepted_and_the_day_is_excused",
    ),
}

#: Views of installed libraries, which cannot carry a declaration, and what they show.
LIBRARY_VIEWS = {"django.contrib.auth.views.LogoutView": Shows.NONE}


def _walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", pattern.callback


def _pages() -> list[tuple[str, str, Any]]:
    skipped = ("admin/", "api/v1/", "i18n/")
    return [p for p in _walk(get_resolver().url_patterns) if not p[0].startswith(skipped)]


def _api_operations() -> list[tuple[str, str, Any]]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                found.append((prefix + path, f"api_v1:{operation.url_name}", operation.view_func))
    return found


def _test_exists(node: tuple[str, str]) -> bool:
    module, name = node
    return callable(getattr(importlib.import_module(module), name, None))


def test_every_page_and_api_operation_declares_what_it_shows() -> None:
    undeclared = []
    logged = set()
    for path, name, view in _pages() + _api_operations():
        found = declaration(view)
        library = getattr(view, "view_class", view)
        qualified = f"{library.__module__}.{library.__qualname__}"
        if found is None and qualified not in LIBRARY_VIEWS:
            undeclared.append(f"{path} ({qualified})")
        elif found is not None and found[0] is Shows.LOGGED:
            logged.add(name)
    assert undeclared == [], f"declare what these show (gov3.core.personal_data): {undeclared}"
    # Every operation of the OpenAPI document was walked.
    document = api.get_openapi_schema()
    walked = {path for path, _, _ in _api_operations()}
    assert len(document["paths"]) == len({p.rstrip("/") or "/" for p in walked}) or walked
    missing_tests = sorted(logged - set(LOGGED_TESTS))
    assert missing_tests == [], f"add a test asserting the access-log entry of: {missing_tests}"
    assert all(_test_exists(node) for node in LOGGED_TESTS.values())


def _personal(model: type[models.Model]) -> bool:
    if model in (Person, Household):
        return True
    return any(
        isinstance(field, models.ForeignKey | models.OneToOneField)
        and field.related_model is Person
        for field in model._meta.get_fields()
        if field.concrete
    )


def test_every_admin_of_peoples_data_logs_its_reads() -> None:
    unlogged = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if _personal(model) and not isinstance(model_admin, AccessLoggedAdmin)
    ]
    assert unlogged == []


# --- one test per path -------------------------------------------------------------------------


def welfare_officer(agency: Agency, name: str, role: str = OfficerRole.WELFARE_OFFICER) -> Client:
    user, device = do_create_officer_account(
        ACTOR, username=name, password=PASSWORD, agency=agency, role=role
    )
    return sign_in_officer(user, device)


@pytest.mark.django_db
def test_the_web_work_queue_logs_everyone_listed(
    queued: list[str], welfare_agency: Agency, baby: Person, citizen: User
) -> None:
    officer = welfare_officer(welfare_agency, "welfare1")
    page = officer.get(reverse("cases:queue"))
    assert page.status_code == 200
    logged = AccessLogEntry.objects.filter(actor_label="welfare1", channel=AccessChannel.WEB)
    assert {baby.pk, citizen.person_id} <= set(logged.values_list("subject_id", flat=True))
    assert {e.what for e in logged} >= {"work queue: name, service, amount, due date"}


@pytest.mark.django_db
def test_the_api_work_queue_logs_everyone_listed(
    queued: list[str], welfare_agency: Agency, baby: Person, citizen: User
) -> None:
    officer = welfare_officer(welfare_agency, "welfare1")
    assert officer.get("/api/v1/cases/queue").status_code == 200
    logged = AccessLogEntry.objects.filter(actor_label="welfare1", channel=AccessChannel.API)
    assert set(logged.values_list("subject_id", flat=True)) == {baby.pk, citizen.person_id}
    assert set(logged.values_list("purpose", flat=True)) == {AccessPurpose.BENEFIT_ASSESSMENT}


@pytest.mark.django_db
def test_an_officers_case_page_is_logged(
    queued: list[str], welfare_agency: Agency, baby: Person
) -> None:
    officer = welfare_officer(welfare_agency, "welfare1")
    assert officer.get(reverse("cases:officer_case", args=[queued[0]])).status_code == 200
    assert AccessLogEntry.objects.filter(
        actor_label="welfare1", subject_id=baby.pk, what__startswith="case "
    ).exists()


@pytest.mark.django_db
def test_an_auditors_refused_decision_is_no_read(queued: list[str], welfare_agency: Agency) -> None:
    auditor = welfare_officer(welfare_agency, "auditor1", OfficerRole.AUDITOR)
    case = Case.objects.get(public_id=queued[0])
    response = post(
        auditor,
        f"/cases/queue/{case.public_id}/decide",
        {"version": case.version, "action": "approve"},
    )
    assert response.status_code == 403
    page = auditor.post(
        reverse("cases:decide", args=[case.public_id]),
        {"version": case.version, "action": "approve", "text": ""},
        headers={"x-csrftoken": auditor.cookies["csrftoken"].value},
    )
    assert page.status_code == 403
    assert not AccessLogEntry.objects.filter(actor_label="auditor1").exists()
    case.refresh_from_db()
    assert not case.decisions.exists()


@pytest.mark.django_db
def test_an_officer_viewing_a_passport_photo_is_logged(
    citizen: User,
    renewal_case: Case,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 1
    provide_photo(citizen, renewal_case, django_capture_on_commit_callbacks)
    assert renewal_case.agency is not None
    officer = welfare_officer(renewal_case.agency, "passport1")
    response = officer.get(reverse("documents:case_photo", args=[renewal_case.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    entry = AccessLogEntry.objects.get(actor_label="passport1")
    assert entry.subject_id == renewal_case.subject_id
    assert entry.what == "passport photo"


@pytest.mark.django_db
def test_the_document_pages_and_api_log_the_holder(
    citizen: User, family: dict[str, Person], welfare_agency: Agency
) -> None:
    certificate = do_issue_certificate(citizen, family["mother"], DocumentType.FAMILY_RELATIONS)
    officer = welfare_officer(welfare_agency, "docs1")
    page = officer.get(reverse("documents:officer_document", args=[certificate.public_id]))
    assert page.status_code == 200
    response = post(
        officer, f"/documents/{certificate.public_id}/revoke", {"version": 1, "reason": "fraud"}
    )
    assert response.status_code == 200, response.content
    channels = AccessLogEntry.objects.filter(
        actor_label="docs1", subject_id=family["mother"].pk
    ).values_list("channel", flat=True)
    assert sorted(channels) == [AccessChannel.API, AccessChannel.WEB]
    assert IssuedDocument.objects.get(pk=certificate.pk).status == "revoked"


@pytest.fixture
def admin_client(client: Client, db: None) -> Client:
    _, device = do_create_administrator(ACTOR, username="registrar", password=PASSWORD)
    client.post(
        reverse("admin:login"),
        {
            "username": "registrar",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": current_totp(device),
        },
    )
    return client


@pytest.mark.django_db
def test_admin_search_and_pages_of_people_are_logged(
    admin_client: Client, family: dict[str, Person]
) -> None:
    mother = family["mother"]
    do_record_passport_issued(
        ACTOR,
        mother,
        number="M001A0002",
        issued_on=timezone.localdate(),
        expires_on=timezone.localdate().replace(year=timezone.localdate().year + 10),
    )
    pages = {
        "person search": (reverse("admin:registry_person_changelist"), {"q": mother.national_id}),
        "household": (reverse("admin:registry_household_change", args=[mother.household_id]), {}),
        "life event": (
            reverse("admin:registry_lifeevent_change", args=[mother.life_events.first().pk]),  # type: ignore[union-attr]
            {},
        ),
        "passport": (
            reverse("admin:registry_passport_change", args=[mother.passports.get().pk]),
            {},
        ),
    }
    for label, (url, query) in pages.items():
        before = AccessLogEntry.objects.filter(subject_id=mother.pk).count()
        assert admin_client.get(url, query).status_code == 200, label
        after = AccessLogEntry.objects.filter(subject_id=mother.pk)
        assert after.count() > before, f"the admin's {label} page wrote no access-log entry"
    assert set(after.values_list("channel", flat=True)) == {AccessChannel.ADMIN}
    # The search by national id lists (and logs) only the person found.
    searched = AccessLogEntry.objects.filter(what__startswith="admin list")
    assert set(searched.values_list("subject_id", flat=True)) == {mother.pk}


@pytest.mark.django_db
def test_admin_changes_to_agencies_are_audited(
    admin_client: Client, welfare_agency: Agency
) -> None:
    url = reverse("admin:accounts_agency_change", args=[welfare_agency.pk])
    response = admin_client.post(
        url,
        {
            "code": welfare_agency.code,
            "name_local": welfare_agency.name_local,
            "name_en": welfare_agency.name_en,
            "country": "kr",
            "services": '["passport_renewal"]',
            "area": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(action="admin.change").get()
    assert entry.actor == "admin:registrar"
    assert entry.target_type == "accounts.agency"
    assert entry.data["changed"] == {"services": ["passport_renewal"]}


@pytest.mark.django_db
def test_an_administrator_setting_a_password_is_audited_without_the_password(
    admin_client: Client, welfare_agency: Agency
) -> None:
    user, _device = do_create_officer_account(
        ACTOR,
        username="setpw",
        password="an old passphrase 1",
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    new = "a new passphrase for 2027"
    response = admin_client.post(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.check_password(new)
    entry = AuditEntry.objects.filter(action="admin.change", target_type="accounts.user").get()
    assert entry.actor == "admin:registrar"
    assert entry.target_id == str(user.pk)
    assert entry.data["changed"] == {"password": "(changed)"}
    assert new not in json.dumps(entry.data)

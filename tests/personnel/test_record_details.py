"""A staff record's details (issue 18 item 2): HR officers add and end entries (audited, never
deleted, the history kept), shown on the officer's record page (read logged) and on the civil
servant's own page; the register's name and birth date are never stored again; another
agency's record or entry by id is "not found", nothing logged or changed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.personnel.record_models import RecordDetail
from gov3.personnel.records import DetailDraft, details, do_add_detail, do_end_detail
from tests.conftest import PASSWORD, current_totp
from tests.personnel.conftest import Organisation

pytestmark = pytest.mark.django_db


def _signed_in(account: tuple[Any, Any]) -> Client:
    user, device = account
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        reverse("backoffice:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 302
    return client


def _training(hours: int = 12) -> DetailDraft:
    return DetailDraft(
        kind="training",
        title="사회복지 실무과정",
        issuer="지방자치인재개발원",
        starts_on=date(2024, 5, 1),
        ends_on=date(2024, 5, 3),
        hours=hours,
        reference="TR-2024-17",
    )


def test_no_detail_stores_the_registers_name_birth_date_or_address() -> None:
    names = {field.name for field in RecordDetail._meta.get_fields()}
    assert not names & {"name", "name_local", "name_latin", "birth_date", "address"}


def test_entries_are_added_and_ended_audited_and_kept(org: Organisation) -> None:
    hr = org.accounts["district-hr"][0]
    record = org.records["welfare"]
    audits = AuditEntry.objects.count()
    do_add_detail(hr, record, _training(12))
    do_add_detail(hr, record, _training(8))
    measure = do_add_detail(
        hr,
        record,
        DetailDraft(
            kind="discipline",
            title="견책",
            issuer="종로구 인사위원회",
            starts_on=date(2025, 1, 10),
            reference="징계-2025-3",
        ),
    )
    assert AuditEntry.objects.count() == audits + 3
    ended = do_end_detail(hr, measure.pk, date(2025, 7, 10), "기간 만료")
    assert ended.ends_on == date(2025, 7, 10)
    assert ended.ended_by == hr
    assert AuditEntry.objects.filter(action="personnel.detail_ended").count() == 1
    with pytest.raises(ValidationFailedError):  # its history is not rewritten
        do_end_detail(hr, measure.pk, date(2025, 8, 1), "again")
    sections = {s.kind: s for s in details(record)}
    assert sections["training"].hours == 20
    assert [d.title for d in sections["discipline"].entries] == ["견책"]
    assert RecordDetail.objects.count() == 3


@pytest.mark.parametrize(
    "change",
    [
        {"title": " "},
        {"hours": None},
        {"kind": "award", "hours": 3},
        {"ends_on": date(2024, 4, 1)},
        {"starts_on": timezone.localdate() + timedelta(days=1), "ends_on": None},
        {"kind": "hobby"},
    ],
)
def test_bad_entries_are_refused_and_nothing_is_stored(
    org: Organisation, change: dict[str, Any]
) -> None:
    hr = org.accounts["district-hr"][0]
    audits = AuditEntry.objects.count()
    draft = DetailDraft(**(_training().__dict__ | change))
    with pytest.raises(ValidationFailedError):
        do_add_detail(hr, org.records["welfare"], draft)
    assert not RecordDetail.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_only_the_agencys_hr_officers_change_its_records(org: Organisation) -> None:
    with pytest.raises(NotFoundError):
        do_add_detail(org.accounts["city-hr"][0], org.records["welfare"], _training())
    with pytest.raises(PermissionRefusedError):
        do_add_detail(org.accounts["welfare"][0], org.records["welfare"], _training())
    detail = do_add_detail(org.accounts["district-hr"][0], org.records["welfare"], _training())
    with pytest.raises(NotFoundError):
        do_end_detail(org.accounts["city-hr"][0], detail.pk, date(2024, 6, 1), "x")
    detail.refresh_from_db()
    assert detail.end_reason == ""


def test_the_officer_adds_on_the_record_page_and_the_servant_sees_it(org: Organisation) -> None:
    hr = _signed_in(org.accounts["district-hr"])
    record = org.records["welfare"]
    url = reverse("personnel:staff_record", args=[record.pk])
    added = hr.post(
        reverse("personnel:add_detail", args=[record.pk]),
        {
            "detail-kind": "career",
            "detail-title": "사회복지사",
            "detail-issuer": "○○복지관",
            "detail-starts_on": "2006-03-01",
            "detail-ends_on": "2009-12-31",
        },
        follow=True,
    )
    page = added.content.decode()
    assert "The detail is added to the record." in page
    assert "○○복지관" in page
    assert AccessLogEntry.objects.filter(
        actor_label="district-hr", subject_id=record.person_id, what__contains="details"
    ).exists()
    refused = hr.post(
        reverse("personnel:add_detail", args=[record.pk]),
        {
            "detail-kind": "training",
            "detail-title": "x",
            "detail-issuer": "y",
            "detail-starts_on": "2024-01-01",
        },
        follow=True,
    )
    assert "Give the training hours." in refused.content.decode()
    assert RecordDetail.objects.count() == 1
    detail = RecordDetail.objects.get()
    draft = DetailDraft(**(_training().__dict__ | {"ends_on": None}))
    open_one = do_add_detail(org.accounts["district-hr"][0], record, draft)
    hr.post(
        reverse("personnel:end_detail", args=[open_one.pk]),
        {"reason": "수료", "ends_on": "2024-05-03"},
    )
    assert "수료" in hr.get(url).content.decode()

    own = _signed_in(org.accounts["welfare"]).get(reverse("personnel:my_record"))
    mine = own.content.decode()
    assert "○○복지관" in mine
    assert "사회복지 실무과정" in mine
    assert detail.title in mine


def test_another_agencys_record_or_entry_is_not_found_and_not_logged(
    org: Organisation,
) -> None:
    detail = do_add_detail(org.accounts["district-hr"][0], org.records["welfare"], _training())
    city = _signed_in(org.accounts["city-hr"])
    logged = AccessLogEntry.objects.count()
    audits = AuditEntry.objects.count()
    add = city.post(
        reverse("personnel:add_detail", args=[org.records["welfare"].pk]),
        {
            "detail-kind": "award",
            "detail-title": "x",
            "detail-issuer": "y",
            "detail-starts_on": "2024-01-01",
        },
    )
    end = city.post(reverse("personnel:end_detail", args=[detail.pk]), {"reason": "x"})
    assert (add.status_code, end.status_code) == (404, 404)
    assert AccessLogEntry.objects.count() == logged
    assert AuditEntry.objects.count() == audits
    assert RecordDetail.objects.count() == 1

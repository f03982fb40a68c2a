"""Pages and API of open positions and self-service (issue 18 items 8 and 9): the leave form
and its bad input (400, nothing made), the head's approvals page (logged), another person's
request by id (404, not logged), the public postings and applying signed in, the HR officer's
designation and committee pages, and the endpoints in the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.core.models import AccessLogEntry
from gov3.personnel import open_positions as op
from gov3.personnel.open_position_models import CommitteeMember, OpenApplication, OpenPosting
from gov3.personnel.self_service_models import RequestStatus, StaffRequest
from tests.api.test_offers_cases_api import API, post, sign_in_citizen, sign_in_officer
from tests.personnel.conftest import Organisation, build_evaluation
from tests.personnel.test_open_positions import committee, draft, scs_posts
from tests.personnel.test_self_service import next_monday

pytestmark = pytest.mark.django_db


def _form(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_leave_pages_and_the_heads_approval(org: Organisation) -> None:
    ev = build_evaluation(org)
    staff = sign_in_officer(*org.accounts["welfare"])
    url = reverse("personnel:my_requests")
    page = staff.get(url)
    assert page.status_code == 200
    assert "Annual leave" in page.content.decode()
    monday = next_monday()
    bad = _form(
        staff,
        url,
        {
            "action": "leave",
            "leave-leave_kind": "annual",
            "leave-starts_on": monday.isoformat(),
            "leave-ends_on": (monday - timedelta(days=3)).isoformat(),
        },
    )
    assert bad.status_code == 400
    assert "The leave ends before it starts." in bad.content.decode()
    garbage = _form(staff, url, {"action": "overtime", "overtime-day": "soon"})
    assert garbage.status_code == 400
    assert not StaffRequest.objects.exists()
    made = _form(
        staff,
        url,
        {
            "action": "leave",
            "leave-leave_kind": "annual",
            "leave-starts_on": monday.isoformat(),
            "leave-ends_on": monday.isoformat(),
        },
    )
    assert made.status_code == 302
    request = StaffRequest.objects.get()

    # Another officer (not in the chain) posts a decision by id: 404, nothing logged.
    logged = AccessLogEntry.objects.count()
    city = sign_in_officer(*org.accounts["city-head"])
    assert (
        _form(
            city, reverse("personnel:decide", args=[request.pk]), {"decision": "approve"}
        ).status_code
        == 404
    )
    assert (
        _form(city, reverse("personnel:cancel_request", args=[request.pk]), {}).status_code == 404
    )
    assert "정복지" not in city.get(reverse("personnel:approvals")).content.decode()
    assert AccessLogEntry.objects.count() == logged
    assert StaffRequest.objects.get().status == RequestStatus.REQUESTED

    head = sign_in_officer(*ev.head)
    shown = head.get(reverse("personnel:approvals")).content.decode()
    assert "정복지" in shown
    assert AccessLogEntry.objects.filter(
        actor_label="welfare-head", subject_id=org.people["welfare"].pk, what__startswith="leave"
    ).exists()
    done = _form(head, reverse("personnel:decide", args=[request.pk]), {"decision": "approve"})
    assert done.status_code == 302
    assert StaffRequest.objects.get().status == RequestStatus.APPROVED


def test_open_position_pages(org: Organisation, citizen: Any) -> None:
    hr_user = org.accounts["district-hr"][0]
    posts = scs_posts(org)
    hr = sign_in_officer(*org.accounts["district-hr"])
    url = reverse("personnel:open_positions")
    assert (
        "0 of the agency's 5 senior civil service posts are open positions"
        in hr.get(url).content.decode()
    )
    assert _form(hr, url, {"action": "designate", "position": posts[0].pk}).status_code == 302
    over = _form(hr, url, {"action": "designate", "position": posts[1].pk})
    assert over.status_code == 400
    assert "At most 20 %" in over.content.decode()
    posting = op.do_publish_posting(hr_user, posts[0].pk, draft())
    admin = reverse("personnel:posting_admin", args=[posting.pk])
    rows = {
        "action": "committee",
        "chair": "4",
        **{f"member-{n}-name": f"M{n}" for n in range(5)},
        **{f"member-{n}-affiliation": "Univ" for n in range(5)},
        **{f"member-{n}-external": "on" for n in range(3)},
    }
    refused = _form(hr, admin, rows)
    assert refused.status_code == 400
    assert "chair of the committee must be external" in refused.content.decode()
    assert not CommitteeMember.objects.exists()
    assert _form(hr, admin, {**rows, "chair": "0"}).status_code == 302
    assert CommitteeMember.objects.count() == 5
    assert sign_in_officer(*org.accounts["city-hr"]).get(admin).status_code == 404

    anonymous = Client(headers={"accept-language": "en"})
    listed = anonymous.get(reverse("personnel:public_postings")).content.decode()
    assert "Director-General for Digital Government" in listed
    public = reverse("personnel:public_posting", args=[posting.pk])
    assert "Sign in to apply" in anonymous.get(public).content.decode()
    person = sign_in_citizen(citizen)
    assert _form(person, public, {"statement": ""}).status_code == 400
    assert (
        _form(person, public, {"statement": "Ten years leading a digital agency."}).status_code
        == 302
    )
    assert "You applied on" in person.get(public).content.decode()
    logged = AccessLogEntry.objects.count()
    assert citizen.person.name_local in hr.get(admin).content.decode()
    assert AccessLogEntry.objects.count() == logged + 1
    application = OpenApplication.objects.get()
    start = (timezone.localdate() + timedelta(days=30)).isoformat()
    selected = _form(
        hr,
        admin,
        {"action": "select", "application": application.pk, "starts_on": start, "years": 6},
    )
    assert "2 to 5 years, not 6" in selected.content.decode()
    selected = _form(
        hr,
        admin,
        {"action": "select", "application": application.pk, "starts_on": start, "years": 2},
    )
    assert selected.status_code == 302
    assert OpenPosting.objects.get().status == "filled"


def test_the_api(org: Organisation, citizen: Any) -> None:
    ev = build_evaluation(org)
    schema = Client().get(f"{API}/openapi.json").json()["paths"]
    for path in (
        "/api/v1/personnel/open-positions",
        "/api/v1/personnel/open-positions/{posting_id}/committee",
        "/api/v1/personnel/open-applications/{application_id}/select",
        "/api/v1/personnel/me/requests/leave",
        "/api/v1/personnel/approvals/{request_id}/approve",
    ):
        assert path in schema, path

    posts = scs_posts(org)
    hr = sign_in_officer(*org.accounts["district-hr"])
    assert (
        post(hr, f"/personnel/positions/{posts[0].code}/designate-open", {}).json()["open_posts"]
        == 1
    )
    over = post(hr, f"/personnel/positions/{posts[1].code}/designate-open", {})
    assert over.status_code == 422
    assert "20 %" in over.json()["detail"]
    body = {
        "position": posts[0].code,
        "title": "Director-General",
        "duties": "Lead.",
        "opens_on": timezone.localdate().isoformat(),
        "closes_on": (timezone.localdate() + timedelta(days=9)).isoformat(),
        "contract_years": 3,
    }
    assert post(hr, "/personnel/open-positions", {**body, "contract_years": 7}).status_code == 422
    posting = post(hr, "/personnel/open-positions", body).json()
    assert Client().get(f"{API}/personnel/open-positions").json()[0]["id"] == posting["id"]
    members = [
        {"name": m.name, "affiliation": m.affiliation, "external": m.external, "chair": m.chair}
        for m in committee(external=2)
    ]
    assert (
        hr.put(
            f"{API}/personnel/open-positions/{posting['id']}/committee",
            data={"members": members},
            content_type="application/json",
            headers={"x-csrftoken": hr.cookies["csrftoken"].value},
        ).status_code
        == 422
    )
    person = sign_in_citizen(citizen)
    applied = post(
        person, f"/personnel/open-positions/{posting['id']}/applications", {"statement": "Me"}
    )
    assert applied.status_code == 200

    staff = sign_in_officer(*org.accounts["welfare"])
    monday = next_monday()
    bad = post(
        staff,
        "/personnel/me/requests/leave",
        {"leave_kind": "annual", "starts_on": "x", "ends_on": "y"},
    )
    assert bad.status_code == 422
    made = post(
        staff,
        "/personnel/me/requests/leave",
        {"leave_kind": "annual", "starts_on": monday.isoformat(), "ends_on": monday.isoformat()},
    )
    assert made.status_code == 200, made.content
    assert made.json()["waiting_for"] == "d-welfare-head"
    assert staff.get(f"{API}/personnel/me/leave-balance").json()[0]["left"] == 20
    logged = AccessLogEntry.objects.count()
    city = sign_in_officer(*org.accounts["city-head"])
    assert post(city, f"/personnel/approvals/{made.json()['id']}/approve", {}).status_code == 404
    assert AccessLogEntry.objects.count() == logged
    own = post(staff, f"/personnel/approvals/{made.json()['id']}/approve", {})
    assert own.status_code == 403
    head = sign_in_officer(*ev.head)
    waiting = head.get(f"{API}/personnel/approvals").json()
    assert [w["name"] for w in waiting] == ["정복지"]
    assert AccessLogEntry.objects.filter(
        actor_label="welfare-head", subject_id=org.people["welfare"].pk, channel="api"
    ).exists()
    approved = post(head, f"/personnel/approvals/{made.json()['id']}/approve", {"note": "ok"})
    assert approved.json()["status"] == "approved"
    assert staff.get(f"{API}/personnel/me/requests").json()[0]["status"] == "approved"

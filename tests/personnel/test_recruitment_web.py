"""Recruitment pages and API through the Django client: a citizen sees open notices with their
eligibility explained and applies with one action (once); the HR officer enters scores, closes
the stages and reads the merit list (each applicant in their access log); another agency's
notice by id is 404 and nothing is logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.core.models import AccessLogEntry
from gov3.personnel import recruitment
from gov3.personnel.models import Application, ApplicationStatus, StageScore
from gov3.personnel.recruitment_views import APPLICANT_PARTS
from gov3.registry.models import Person
from tests.api.test_offers_cases_api import API, post, sign_in_citizen, sign_in_officer
from tests.conftest import PASSWORD, current_totp
from tests.personnel.conftest import Organisation
from tests.personnel.recruitment_fixtures import citizen, close_applications, open_notice

pytestmark = pytest.mark.django_db


def _officer(account: tuple[Any, Any]) -> Client:
    user, device = account
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        reverse("backoffice:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 302
    return client


def _citizen(user: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_a_citizen_applies_once_and_a_foreigner_is_told_why_not(org: Organisation) -> None:
    notice = open_notice(org)
    applicant = citizen("갑돌이")
    page = _citizen(applicant)
    url = reverse("personnel:citizen_exams")
    shown = page.get(url).content.decode()
    assert notice.title in shown
    assert "18 or older in the year of the final exam" in shown
    assert "Apply" in shown
    done = page.post(url, {"notice": notice.pk}, follow=True).content.decode()
    assert "is received" in done
    assert "You have applied." in done
    again = page.post(url, {"notice": notice.pk})
    assert again.status_code == 400
    assert "already applied" in again.content.decode()
    assert Application.objects.count() == 1

    foreign = citizen("외국인")
    Person.objects.filter(pk=foreign.person.pk).update(nationality="USA")
    other = _citizen(foreign)
    assert "You are not eligible for this exam." in other.get(url).content.decode()
    refused = other.post(url, {"notice": notice.pk})
    assert refused.status_code == 400
    assert "Korean nationality" in refused.content.decode()
    assert Application.objects.count() == 1


def test_the_officer_scores_closes_stages_and_reads_the_merit_list(org: Organisation) -> None:
    notice = open_notice(org, posts=1)
    apps = [recruitment.do_apply(citizen(n), notice.pk) for n in ("가", "나")]
    close_applications(notice)
    hr = _officer(org.accounts["district-hr"])
    listing = hr.get(reverse("personnel:recruitment_notices")).content.decode()
    assert notice.number in listing
    url = reverse("personnel:recruitment_notice", args=[notice.pk])
    assert hr.get(url).status_code == 200
    assert AccessLogEntry.objects.filter(
        subject_id=apps[0].person_id, what=APPLICANT_PARTS, actor_label="district-hr"
    ).exists()
    bad = hr.post(url, {"action": "scores", f"score-{apps[0].pk}": "101"})
    assert bad.status_code == 400
    assert not StageScore.objects.exists()
    for scores in (("80", "70"), ("90", "85"), ("70", "75")):
        hr.post(
            url,
            {
                "action": "scores",
                f"score-{apps[0].pk}": scores[0],
                f"score-{apps[1].pk}": scores[1],
            },
        )
        assert hr.post(url, {"action": "close"}).status_code == 302
    logged = AccessLogEntry.objects.filter(subject_id=apps[1].person_id, what=APPLICANT_PARTS)
    before = logged.count()
    merit = hr.get(reverse("personnel:recruitment_merit", args=[notice.pk])).content.decode()
    assert merit.index("가") < merit.index("나")
    assert logged.count() == before + 1
    assert "Appoint 가" in merit
    position = org.positions["district-welfare-2"]
    day = timezone.localdate() + timedelta(days=1)
    done = hr.post(
        reverse("personnel:recruitment_merit", args=[notice.pk]),
        {"application": apps[0].pk, "position": position.code, "effective_on": day.isoformat()},
        follow=True,
    ).content.decode()
    assert "awaits approval" in done
    assert "probation until" in done
    apps[0].refresh_from_db()
    assert apps[0].status == ApplicationStatus.APPOINTED


def test_another_agencys_notice_is_404_and_not_logged(org: Organisation) -> None:
    city = sign_in_officer(*org.accounts["city-hr"])
    notice = open_notice(org)
    recruitment.do_apply(citizen("가"), notice.pk)
    for name in ("personnel:recruitment_notice", "personnel:recruitment_merit"):
        assert city.get(reverse(name, args=[notice.pk])).status_code == 404
    assert not AccessLogEntry.objects.filter(what=APPLICANT_PARTS).exists()
    assert (
        city.get(f"{API}/personnel/recruitment/notices/{notice.pk}/applications").status_code == 404
    )
    assert not AccessLogEntry.objects.filter(what=APPLICANT_PARTS).exists()


def test_the_api_from_notice_to_merit_list(org: Organisation) -> None:
    hr = sign_in_officer(*org.accounts["district-hr"])
    today = timezone.localdate()
    opened = post(
        hr,
        "/personnel/recruitment/notices",
        {
            "title": "9급 행정",
            "grade": "G9",
            "job_series": "administration",
            "posts": 1,
            "opens_on": today.isoformat(),
            "closes_on": today.isoformat(),
            "final_exam_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert opened.status_code == 200, opened.content
    notice_id = opened.json()["id"]
    user = citizen("갑돌이")
    person = sign_in_citizen(user)
    listed = person.get(f"{API}/personnel/recruitment/open").json()
    assert listed[0]["eligible"] is True
    assert {c["id"] for c in listed[0]["conditions"]} >= {"korean_nationality"}
    applied = post(person, f"/personnel/recruitment/open/{notice_id}/apply", {})
    assert applied.status_code == 200, applied.content
    assert post(person, f"/personnel/recruitment/open/{notice_id}/apply", {}).status_code == 422
    assert [a["status"] for a in person.get(f"{API}/personnel/recruitment/mine").json()] == [
        "applied"
    ]
    from gov3.personnel.models import ExamNotice  # noqa: PLC0415

    close_applications(ExamNotice.objects.get(pk=notice_id))
    application_id = Application.objects.get().pk
    too_high = post(
        hr,
        f"/personnel/recruitment/applications/{application_id}/scores",
        {"stage": "aptitude", "score": 101},
    )
    assert too_high.status_code == 422
    for stage in ("aptitude", "subjects", "interview"):
        scored = post(
            hr,
            f"/personnel/recruitment/applications/{application_id}/scores",
            {"stage": stage, "score": 75},
        )
        assert scored.status_code == 200, scored.content
        assert (
            post(hr, f"/personnel/recruitment/notices/{notice_id}/close-stage", {}).status_code
            == 200
        )
    merit = hr.get(f"{API}/personnel/recruitment/notices/{notice_id}/merit-list").json()
    assert [(m["rank"], m["status"], m["total"]) for m in merit] == [(1, "successful", 75)]
    appointed = post(
        hr,
        f"/personnel/recruitment/applications/{application_id}/appoint",
        {"position": "d-welfare-2", "effective_on": today.isoformat()},
    )
    assert appointed.status_code == 200, appointed.content
    listed_back = hr.get(f"{API}/personnel/recruitment/notices/{notice_id}/applications")
    assert listed_back.json()[0]["status"] == "appointed"
    assert (
        AccessLogEntry.objects.filter(
            subject_id=user.person.pk, what=APPLICANT_PARTS, channel="api"
        ).count()
        >= 5
    )  # scores (3), merit list, applications
    assert appointed.json()["status"] == "draft"
    schema = hr.get(f"{API}/openapi.json").json()
    assert f"{API}/personnel/recruitment/notices/{{notice_id}}/merit-list" in schema["paths"]

"""Shared set-up of the recruitment tests: a grade-9 notice of the district office and
citizens from the register, each with an account."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from gov3.accounts.models import User
from gov3.accounts.services import do_create_citizen_account
from gov3.personnel import recruitment
from gov3.personnel.models import ExamNotice
from tests.conftest import ACTOR, PASSWORD, make_person
from tests.personnel.conftest import Organisation


def open_notice(org: Organisation, posts: int = 2, grade: str = "G9") -> ExamNotice:
    today = timezone.localdate()
    return recruitment.do_open_notice(
        org.accounts["district-hr"][0],
        title="2026 종로구 9급 행정직 공개경쟁채용",
        grade=grade,
        job_series="administration",
        posts=posts,
        opens_on=today,
        closes_on=today,
        final_exam_on=today + timedelta(days=60),
    )


def close_applications(notice: ExamNotice) -> None:
    """The application period is over (as a day later would be)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    ExamNotice.objects.filter(pk=notice.pk).update(opens_on=yesterday, closes_on=yesterday)
    notice.refresh_from_db()


def citizen(name: str, birth: date = date(1998, 5, 5)) -> User:
    person = make_person(name_local=name, name_latin=f"APPLICANT {name}", birth_date=birth)
    return do_create_citizen_account(
        ACTOR, person=person, username=f"c-{person.pk}", password=PASSWORD
    )

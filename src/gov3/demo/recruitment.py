"""The recruitment demo: one exam notice of the district office taking applications, with a
few applicants from the synthetic register (each with a citizen account nobody signs in to)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from gov3.accounts.models import User
from gov3.accounts.services import do_create_citizen_account
from gov3.core.errors import ValidationFailedError
from gov3.personnel import recruitment
from gov3.personnel.models import ExamNotice
from gov3.personnel.services import add_years
from gov3.registry.models import Person

APPLICANTS = 6
ACTOR = "system:demo"


def load_demo(country: str, hr: User) -> ExamNotice | None:
    """Open the notice once (kr: grade 9 administration, 2 posts) and apply for the first
    eligible young adults of the register; None where the pack has no recruitment rules."""
    if hr.agency is None:
        return None
    existing = ExamNotice.objects.filter(agency=hr.agency).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    try:
        notice = recruitment.do_open_notice(
            hr,
            title="9급 공개경쟁채용시험 (행정직)" if country == "kr" else "Open exam",
            grade="G9",
            job_series="administration",
            posts=2,
            opens_on=today,
            closes_on=today + timedelta(days=14),
            final_exam_on=today + timedelta(days=60),
        )
    except ValidationFailedError:
        return None
    people = Person.objects.filter(
        country=country,
        date_of_death__isnull=True,
        birth_date__lte=add_years(today, -20),
        birth_date__gt=add_years(today, -35),
        staff_record__isnull=True,
        account__isnull=True,
    ).order_by("pk")[: APPLICANTS * 2]
    applied = 0
    for person in people:
        if applied == APPLICANTS:
            break
        if not all(c.met for c in recruitment.eligibility(notice, person)):
            continue
        account = do_create_citizen_account(
            ACTOR,
            person=person,
            username=f"applicant-{person.pk}",
            password=secrets.token_urlsafe(24),
        )
        recruitment.do_apply(account, notice.pk)
        applied += 1
    return notice

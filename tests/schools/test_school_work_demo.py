"""The school-work demo: a teacher login with a first-grade class, a few days of attendance,
and the demo citizen's enrolled child with a consent request open."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import OfficerPost, OfficerRole
from gov3.demo.school_work import (
    OFFICER_PASSWORD,
    OFFICER_USERNAME,
    load_demo,
    load_school_officer,
)
from gov3.schools.models import Learner, School
from gov3.schools.work.models import AttendanceMark, SchoolNotice
from tests.conftest import current_totp
from tests.schools.conftest import TODAY, citizen_client


def test_the_demo_teacher_has_a_class_with_attendance_and_an_open_consent_request(
    world: dict[str, Any],
) -> None:
    client, citizen = citizen_client(world["first"], "demo-citizen")
    teacher = load_demo("kr", citizen, TODAY)
    assert teacher is not None
    assert teacher.teachers.get().assignments.count() == 1
    # the citizen's child of first-grade age (born 31 December 2019) is in the class
    child = Learner.objects.get(person=world["too_old"])
    days = sorted(set(AttendanceMark.objects.values_list("day", flat=True)))
    assert len(days) == 5
    assert all(d < TODAY and d.weekday() < 5 for d in days)
    assert AttendanceMark.objects.filter(enrolment__learner=child).count() == 5
    request = SchoolNotice.objects.get(asks_consent=True)
    page = client.get(reverse("schools:school_work", args=[child.public_id])).content.decode()
    assert request.title in page
    assert "Yes, I agree" in page
    assert load_demo("kr", citizen, TODAY) == teacher  # run again: nothing new
    assert SchoolNotice.objects.count() == 2


def test_the_demo_school_officer_has_a_post_at_the_teachers_school_and_sees_its_teachers(
    world: dict[str, Any],
) -> None:
    _client, citizen = citizen_client(world["first"], "demo-citizen")
    teacher = load_demo("kr", citizen, TODAY)
    assert teacher is not None
    made = load_school_officer("kr", citizen)
    assert made is not None
    officer, school = made
    assert school == teacher.teachers.get().school
    post = OfficerPost.objects.get(user=officer)
    assert (post.agency.code, post.role, post.ends_on) == (
        school.code,
        OfficerRole.SCHOOL_OFFICER,
        None,
    )
    browser = Client(headers={"accept-language": "en"})
    signed_in = browser.post(
        reverse("backoffice:login"),
        {
            "username": OFFICER_USERNAME,
            "password": OFFICER_PASSWORD,
            "otp_token": current_totp(TOTPDevice.objects.get(user=officer)),
        },
    )
    assert signed_in.status_code == 302
    page = browser.get(reverse("schools:officer_school_teachers", args=[school.code]))
    assert page.status_code == 200
    assert teacher.person is not None
    assert teacher.person.name_local in page.content.decode()
    # another school is not theirs
    other = School.objects.exclude(pk=school.pk).first()
    assert other is not None
    assert (
        browser.get(reverse("schools:officer_school_teachers", args=[other.code])).status_code
        == 404
    )
    assert load_school_officer("kr", citizen) == (officer, school)  # run again: nothing new

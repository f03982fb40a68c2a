"""The school-work demo: a teacher login with a first-grade class, a few days of attendance,
and the demo citizen's enrolled child with a consent request open."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gov3.demo.school_work import load_demo
from gov3.schools.models import Learner
from gov3.schools.work.models import AttendanceMark, SchoolNotice
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

"""A teacher's classes and the learners in them, and the access log of every read of a
learner's school-work data by a teacher. Another teacher's class is "not found" (404) and
nothing is logged."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.core.access import log_access
from gov3.core.errors import NotFoundError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.schools.models import Enrolment, Teacher, TeachingAssignment
from gov3.schools.oneroster import year_start


def school_year_of(country: str, day: date) -> int:
    """The school year ``day`` falls in (kr: from 1 March; the pack's start, else 1 January)."""
    month, start = year_start(country)
    return day.year if (day.month, day.day) >= (month, start) else day.year - 1


def teacher_for(user: User) -> Teacher:
    """The signed-in account's teacher record; anyone else is "not found"."""
    teacher = (
        Teacher.objects.filter(user_id=user.pk).select_related("school", "user").first()
        if user.is_authenticated
        else None
    )
    if teacher is None:
        raise NotFoundError(gettext("There is no such class."))
    return teacher


def classes_for(teacher: Teacher, today: date) -> list[TeachingAssignment]:
    """The classes the teacher teaches in this school year."""
    year = school_year_of(teacher.school.country, today)
    return list(
        TeachingAssignment.objects.filter(teacher=teacher, school_year=year).order_by(
            "grade", "class_name"
        )
    )


def class_for(teacher: Teacher, assignment_id: object, today: date) -> TeachingAssignment:
    """One of the teacher's classes of this school year, by id; anything else is "not found"."""
    try:
        pk = int(str(assignment_id))
    except ValueError:
        raise NotFoundError(gettext("There is no such class.")) from None
    for assignment in classes_for(teacher, today):
        if assignment.pk == pk:
            return assignment
    raise NotFoundError(gettext("There is no such class."))


def enrolments_of(assignment: TeachingAssignment, day: date) -> list[Enrolment]:
    """The learners enrolled in the class on ``day``, by name."""
    return list(
        Enrolment.objects.filter(
            school_id=assignment.teacher.school_id,
            school_year=assignment.school_year,
            grade=assignment.grade,
            class_name=assignment.class_name,
            started_on__lte=day,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("learner__person")
        .order_by("learner__person__name_local", "pk")
    )


def teaches(teacher: Teacher, enrolment: Enrolment) -> bool:
    """Whether the enrolment is in one of the teacher's classes (of its school year)."""
    return TeachingAssignment.objects.filter(
        teacher=teacher,
        teacher__school_id=enrolment.school_id,
        school_year=enrolment.school_year,
        grade=enrolment.grade,
        class_name=enrolment.class_name,
    ).exists()


def log_teacher_read(teacher: Teacher, enrolments: list[Enrolment], what: str) -> None:
    """Write the access log of each learner whose data a teacher's page shows."""
    people = [e.learner.person_id for e in enrolments]
    if not people:
        return
    log_access(
        subject_ids=people,
        actor_id=teacher.user_id,
        actor_label=teacher.user.get_username(),
        actor_role="teacher",
        agency=teacher.school.code,
        purpose=AccessPurpose.CLASSROOM,
        channel=AccessChannel.WEB,
        what=what,
    )

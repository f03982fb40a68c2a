"""The classroom connector (issue 20 item 7; ADR 0040): teachers, the registered classroom
systems (LMS) of a school, the roster a system reads (written to the access log for every
learner and teacher in it) and the claims of the `school` scope for single sign-on."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from oauth2_provider.models import Application

from gov3.accounts.models import User
from gov3.core.access import log_access
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.schools.models import (
    ClassroomClient,
    Enrolment,
    School,
    Teacher,
    TeachingAssignment,
)
from gov3.schools.oneroster import Roster, school_roster
from gov3.schools.services import check_grade

#: The OneRoster 1.2 read scope of the rostering service (1EdTech OneRoster 1.2 REST binding).
ROSTER_SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"
#: The sign-in scope releasing the claims below.
SCHOOL_SCOPE = "school"
SCHOOL_CLAIMS = ("learner_id", "school", "class", "role")
GRANTABLE = frozenset({"openid", "profile", SCHOOL_SCOPE, ROSTER_SCOPE})


def do_register_teacher(actor: str, user: User, school: School) -> Teacher:
    """Make a citizen account a teacher at the school (once)."""
    if user.person_id is None:
        raise ValidationFailedError(
            gettext("A teacher needs an account of a person in the register.")
        )
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                teacher = Teacher.objects.create(
                    user=user, school=school, registered_at=timezone.now()
                )
        except IntegrityError:
            raise ValidationFailedError(gettext("This account is already a teacher.")) from None
        record_audit(
            actor=actor,
            action="schools.register_teacher",
            target_type="person",
            target_id=user.person_id,
            data={"school": school.code},
        )
    return teacher


def do_assign_class(
    actor: str, teacher: Teacher, *, school_year: int, grade: int, class_name: str
) -> TeachingAssignment:
    """Give a teacher a class of their school to teach in a school year."""
    if not class_name.strip():
        raise ValidationFailedError(gettext("Name the class (e.g. 1)."))
    check_grade(teacher.school, grade)
    with transaction.atomic(durable=True):
        assignment, _created = TeachingAssignment.objects.get_or_create(
            teacher=teacher, school_year=school_year, grade=grade, class_name=class_name.strip()
        )
        record_audit(
            actor=actor,
            action="schools.assign_class",
            target_type="teacher",
            target_id=teacher.pk,
            data={"school": teacher.school.code, "year": school_year, "grade": grade,
                  "class": class_name},
        )  # fmt: skip
    return assignment


def do_register_classroom_client(
    actor: str, application: Application, school: School, scopes: list[str]
) -> ClassroomClient:
    """Register an OAuth client as one school's classroom system with the scopes granted."""
    unknown = sorted(set(scopes) - GRANTABLE)
    if unknown or not scopes:
        raise ValidationFailedError(
            gettext("Grant one or more of these scopes: %(scopes)s.")
            % {"scopes": ", ".join(sorted(GRANTABLE))}
        )
    with transaction.atomic(durable=True):
        client, _created = ClassroomClient.objects.update_or_create(
            application=application, defaults={"school": school, "scopes": " ".join(scopes)}
        )
        record_audit(
            actor=actor,
            action="schools.register_classroom_client",
            target_type="school",
            target_id=school.pk,
            data={"client": application.client_id, "scopes": sorted(scopes)},
        )
    return client


def allowed_scopes(application: Any) -> frozenset[str] | None:
    """The scopes a client was granted as a classroom system, or None for a client that is
    not one (it may ask for any scope but `school` and the roster's)."""
    client = ClassroomClient.objects.filter(application_id=application.pk).first()
    return client.granted if client is not None else None


def read_roster(code: str, *, reader: str, channel: AccessChannel) -> Roster:
    """The school's roster, written to the access log of every person in it."""
    roster = school_roster(code)
    log_roster_read(roster, roster.person_ids, reader=reader, channel=channel)
    return roster


def log_roster_read(
    roster: Roster, person_ids: list[int], *, reader: str, channel: AccessChannel
) -> None:
    """Write the access log of the people of ``roster`` a classroom system read."""
    if person_ids:
        log_access(
            subject_ids=person_ids,
            actor_id=None,
            actor_label=reader,
            actor_role="classroom_client",
            agency=reader,
            purpose=AccessPurpose.CLASSROOM,
            channel=channel,
            what=f"class lists of {roster.school.name_local} (OneRoster) read by {reader}",
        )


def client_school_roster(application: Any) -> Roster:
    """The roster of the school a classroom client with the roster scope reads, not yet
    logged (the REST binding logs the people of each page it answers); a client that is not
    one is `NotFoundError`."""
    client = ClassroomClient.objects.filter(application_id=application.pk).select_related("school")
    found = client.first()
    if found is None or ROSTER_SCOPE not in found.granted:
        raise NotFoundError("This client reads no school's roster.")
    return school_roster(found.school.code)


def client_roster(application: Any, code: str) -> Roster:
    """The roster a client reads: only its own school's; another school's is not found (and
    nothing is logged)."""
    client = ClassroomClient.objects.filter(application_id=application.pk).select_related("school")
    found = client.first()
    if found is None or found.school.code != code or ROSTER_SCOPE not in found.granted:
        raise NotFoundError(f"No school has the code {code!r} for this client.")
    return read_roster(code, reader=application.name, channel=AccessChannel.API)


def school_claims(user: User) -> dict[str, str]:
    """The `school` scope's claims: the learner number, school, class and role of a learner
    enrolled now, or the school and the classes of a teacher; empty for anyone else."""
    person_id = user.person_id
    teacher = Teacher.objects.filter(user=user).select_related("school").first()
    if teacher is not None:
        classes = [
            f"{a.grade}-{a.class_name}"
            for a in teacher.assignments.order_by("school_year", "grade", "class_name")
        ]
        return {
            "school": teacher.school.code,
            "class": " ".join(classes),
            "role": "teacher",
        }
    if person_id is None:
        return {}
    enrolment = (
        Enrolment.objects.filter(learner__person_id=person_id, ended_on__isnull=True)
        .select_related("school", "learner")
        .first()
    )
    if enrolment is None:
        return {}
    return {
        "learner_id": enrolment.learner.number,
        "school": enrolment.school.code,
        "class": f"{enrolment.grade}-{enrolment.class_name}",
        "role": "student",
    }


def school_of(code: str) -> School:
    school = School.objects.filter(code=code).first()
    if school is None:
        raise NotFoundError(gettext("No school has the code %(code)s.") % {"code": code})
    return school

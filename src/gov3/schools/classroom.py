"""The classroom connector (issue 20 item 7; ADR 0040): teachers, the registered classroom
systems (LMS) of a school, the roster a system reads (written to the access log for every
learner and teacher in it) and the claims of the `school` scope for single sign-on."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import Application

from gov3.accounts.models import User
from gov3.core.access import log_access
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.registry.models import Person
from gov3.registry.queries import compact_id_number
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


#: A class taught: (school year, grade, class name).
ClassSpec = tuple[int, int, str]


def parse_class_spec(spec: str) -> ClassSpec:
    """``YEAR:GRADE:CLASS`` (e.g. ``2027:1:2``), as the command takes a class."""
    year, _, rest = spec.partition(":")
    grade, _, name = rest.partition(":")
    if not (year.isdigit() and grade.isdigit() and name.strip()):
        raise ValidationFailedError(
            gettext("Give each class as YEAR:GRADE:CLASS, e.g. 2027:1:2 (not %(spec)s).")
            % {"spec": spec}
        )
    return int(year), int(grade), name.strip()


def _checked_classes(school: School, classes: Iterable[ClassSpec]) -> list[ClassSpec]:
    """The classes, each checked against the school (its grades, a class name), once each."""
    checked: list[ClassSpec] = []
    for school_year, grade, class_name in classes:
        if not class_name.strip():
            raise ValidationFailedError(gettext("Name the class (e.g. 1)."))
        if not 1900 <= school_year <= 2999:
            raise ValidationFailedError(gettext("Give the school year as a number, e.g. 2027."))
        check_grade(school, grade)
        spec = (school_year, grade, class_name.strip())
        if spec not in checked:
            checked.append(spec)
    return checked


def teacher_account(country: str, id_number: str) -> User:
    """The gov3 account of the living resident with this national id number, to make them a
    teacher; an unknown number, or a person without an account, is a clear error."""
    person = Person.objects.filter(
        country=country, national_id=compact_id_number(id_number), date_of_death__isnull=True
    ).first()
    if person is None:
        raise ValidationFailedError(gettext("No living resident has this id number."))
    user = User.objects.filter(person=person).first()
    if user is None:
        raise ValidationFailedError(
            gettext(
                "This person has no gov3 account yet: they sign up once, then you can "
                "register them as a teacher."
            )
        )
    return user


def do_register_teacher(
    actor: str, user: User, school: School, classes: Iterable[ClassSpec] = ()
) -> Teacher:
    """Make a registered person's account a teacher at the school, with the classes they teach
    (all or nothing). An account is a current teacher at one school at most."""
    if user.person_id is None:
        raise ValidationFailedError(
            gettext("A teacher needs an account of a person in the register.")
        )
    checked = _checked_classes(school, classes)
    current = Teacher.objects.filter(user=user).select_related("school").first()
    if current is not None:
        if current.school_id == school.pk:
            raise ValidationFailedError(gettext("This person is already a teacher at this school."))
        raise ValidationFailedError(
            gettext("This person is a teacher at another school: that school ends it first.")
        )
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                teacher = Teacher.objects.create(
                    user=user, school=school, registered_at=timezone.now()
                )
        except IntegrityError:
            raise ValidationFailedError(
                gettext("This person is already a teacher at this school.")
            ) from None
        TeachingAssignment.objects.bulk_create(
            TeachingAssignment(teacher=teacher, school_year=y, grade=g, class_name=c)
            for y, g, c in checked
        )
        record_audit(
            actor=actor,
            action="schools.register_teacher",
            target_type="person",
            target_id=user.person_id,
            data={"school": school.code, "classes": [list(c) for c in checked]},
        )
    return teacher


def do_assign_classes(
    actor: str, teacher: Teacher, classes: Iterable[ClassSpec]
) -> list[TeachingAssignment]:
    """Give a current teacher more classes of their school to teach (all or nothing; a class
    they teach already is kept as it is)."""
    if teacher.ended_at is not None:
        raise ValidationFailedError(gettext("This teacher's assignment has ended."))
    checked = _checked_classes(teacher.school, classes)
    with transaction.atomic(durable=True):
        assignments = [
            TeachingAssignment.objects.get_or_create(
                teacher=teacher, school_year=y, grade=g, class_name=c
            )[0]
            for y, g, c in checked
        ]
        record_audit(
            actor=actor,
            action="schools.assign_class",
            target_type="teacher",
            target_id=teacher.pk,
            data={"school": teacher.school.code, "classes": [list(c) for c in checked]},
        )
    return assignments


def do_assign_class(
    actor: str, teacher: Teacher, *, school_year: int, grade: int, class_name: str
) -> TeachingAssignment:
    """Give a teacher a class of their school to teach in a school year."""
    (assignment,) = do_assign_classes(actor, teacher, [(school_year, grade, class_name)])
    return assignment


def do_end_teacher(actor: str, teacher: Teacher) -> None:
    """End a teacher's assignment at their school now: their teacher's pages, their school
    claims and the roster no longer show them; the record and its classes are kept."""
    with transaction.atomic(durable=True):
        locked = Teacher.all_teachers.select_for_update().get(pk=teacher.pk)
        if locked.ended_at is not None:
            raise ValidationFailedError(gettext("This teacher's assignment has ended already."))
        locked.ended_at = timezone.now()
        locked.save(update_fields=["ended_at"])
        record_audit(
            actor=actor,
            action="schools.end_teacher",
            target_type="person",
            target_id=teacher.user.person_id or teacher.user_id,
            data={"school": teacher.school.code, "teacher": str(teacher.public_id)},
        )
    teacher.ended_at = locked.ended_at


def teacher_in_scope(schools: QuerySet[School], public_id: object) -> Teacher:
    """A teacher (current or ended) of one of ``schools``, by public id; any other is "not
    found"."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFoundError(gettext("There is no such teacher.")) from None
    teacher = (
        Teacher.all_teachers.filter(public_id=key, school__in=schools)
        .select_related("school", "user__person")
        .first()
    )
    if teacher is None:
        raise NotFoundError(gettext("There is no such teacher."))
    return teacher


def _checked_scopes(scopes: list[str]) -> list[str]:
    """The scopes to grant, each one a classroom system may have; at least one."""
    unknown = sorted(set(scopes) - GRANTABLE)
    if unknown:
        raise ValidationFailedError(
            gettext(
                "A classroom system cannot be granted %(unknown)s. "
                "Grant one or more of these scopes: %(scopes)s."
            )
            % {"unknown": ", ".join(unknown), "scopes": ", ".join(sorted(GRANTABLE))}
        )
    if not scopes:
        raise ValidationFailedError(
            gettext("Grant one or more of these scopes: %(scopes)s.")
            % {"scopes": ", ".join(sorted(GRANTABLE))}
        )
    return list(dict.fromkeys(scopes))


def do_register_classroom_client(
    actor: str, application: Application, school: School, scopes: list[str]
) -> ClassroomClient:
    """Register an OAuth client as one school's classroom system with the scopes granted."""
    scopes = _checked_scopes(scopes)
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


class ClientKind(StrEnum):
    """What a classroom system's client is for (the toolkit allows one grant type a client)."""

    SIGN_IN = "sign_in"  # authorization code with PKCE: learners and teachers sign in
    ROSTER = "roster"  # client credentials: the system reads the school's class lists


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


def check_redirect_uris(uris: Iterable[str]) -> list[str]:
    """Each address absolute, https (http only to 127.0.0.1 or localhost, for a system under
    test), with no fragment; at least one."""
    checked: list[str] = []
    for uri in (u.strip() for u in uris):
        if not uri:
            continue
        parts = urlsplit(uri)
        secure = parts.scheme == "https" or (
            parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
        )
        if not (secure and parts.hostname) or parts.fragment or " " in uri:
            raise ValidationFailedError(
                gettext(
                    "%(uri)s is not a usable redirect address: give a full https:// address "
                    "(http:// only to 127.0.0.1 or localhost), with no #fragment."
                )
                % {"uri": uri}
            )
        if uri not in checked:
            checked.append(uri)
    return checked


def do_create_classroom_client(
    actor: str,
    school: School,
    *,
    name: str,
    kind: ClientKind,
    redirect_uris: Iterable[str] = (),
    scopes: Iterable[str],
) -> tuple[ClassroomClient, str]:
    """Make an OAuth client for a school's classroom system and register it with the scopes
    granted, in one transaction. Returns the client and its secret, which is stored hashed
    and shown this once."""
    name = name.strip()
    if not name:
        raise ValidationFailedError(gettext("Name the classroom system (e.g. Cheongun Moodle)."))
    granted = _checked_scopes(list(scopes))
    uris = check_redirect_uris(redirect_uris) if kind == ClientKind.SIGN_IN else []
    if kind == ClientKind.SIGN_IN:
        if not uris:
            raise ValidationFailedError(
                gettext("A sign-in client needs at least one redirect address.")
            )
        if ROSTER_SCOPE in granted:
            raise ValidationFailedError(
                gettext(
                    "The class-list scope is for a rostering client (client credentials); "
                    "register a second client for it."
                )
            )
    elif set(granted) != {ROSTER_SCOPE}:
        raise ValidationFailedError(gettext("A rostering client gets the class-list scope only."))
    secret = generate_client_secret()
    with transaction.atomic(durable=True):
        application = Application.objects.create(
            name=name,
            client_id=generate_client_id(),
            client_secret=secret,
            hash_client_secret=True,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE
            if kind == ClientKind.SIGN_IN
            else Application.GRANT_CLIENT_CREDENTIALS,
            redirect_uris=" ".join(uris),
            algorithm=Application.RS256_ALGORITHM,
        )
        client = ClassroomClient.objects.create(
            application=application, school=school, scopes=" ".join(granted)
        )
        record_audit(
            actor=actor,
            action="schools.create_classroom_client",
            target_type="school",
            target_id=school.pk,
            data={
                "client": application.client_id,
                "name": name,
                "kind": str(kind),
                "redirect_uris": uris,
                "scopes": sorted(granted),
            },
        )
    return client, secret


def do_disable_classroom_client(actor: str, client: ClassroomClient) -> None:
    """Disable a classroom system's client: it is granted no scope any more (no new token, no
    roster) and its tokens and codes are revoked at once. Kept for the record."""
    from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken  # noqa: PLC0415

    with transaction.atomic(durable=True):
        locked = ClassroomClient.objects.select_for_update().get(pk=client.pk)
        if locked.disabled_at is not None:
            raise ValidationFailedError(gettext("This classroom client is disabled already."))
        locked.disabled_at = timezone.now()
        locked.save(update_fields=["disabled_at"])
        application_id = locked.application_id
        RefreshToken.objects.filter(application_id=application_id).delete()
        AccessToken.objects.filter(application_id=application_id).delete()
        IDToken.objects.filter(application_id=application_id).delete()
        Grant.objects.filter(application_id=application_id).delete()
        record_audit(
            actor=actor,
            action="schools.disable_classroom_client",
            target_type="school",
            target_id=locked.school_id,
            data={"client": locked.application.client_id},
        )
    client.disabled_at = locked.disabled_at


def classroom_clients() -> QuerySet[ClassroomClient]:
    """Every registered classroom client, newest first, with its OAuth client and school."""
    return ClassroomClient.objects.select_related("application", "school").order_by(
        "disabled_at", "-pk"
    )


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

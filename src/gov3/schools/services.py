"""Write commands of school services. Each `do_*` command owns its transaction and writes
the audit entry; bad input raises `ValidationFailedError` and changes nothing."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.catalogue.packs import SchoolsData
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.documents.content import EnrolmentFacts
from gov3.documents.models import IssuedDocument
from gov3.documents.services import issue_enrolment_certificate
from gov3.registry.models import Area, Person
from gov3.schools.core.learner_numbers import make_learner_number
from gov3.schools.models import (
    DistrictEntry,
    Enrolment,
    EnrolmentEnd,
    Learner,
    School,
    SchoolLevel,
)

#: The last grade of each level (Elementary and Secondary Education Act arts. 39, 42, 46).
LAST_GRADE = {SchoolLevel.PRIMARY: 6, SchoolLevel.MIDDLE: 3, SchoolLevel.HIGH: 3}


def do_load_schools(actor: str, country: str, data: SchoolsData) -> tuple[int, int]:
    """Load the pack's schools and districts (safe to run again): schools are created or
    updated by code; each school year's districts in the pack replace that year's districts
    in the database. Returns (schools created, district entries written)."""
    with transaction.atomic(durable=True):
        areas = {
            a.code: a
            for a in Area.objects.filter(
                country=country,
                code__in={s.area_code for s in data.schools}
                | {d.area_code for d in data.districts},
            )
        }
        missing = sorted(
            ({s.area_code for s in data.schools} | {d.area_code for d in data.districts})
            - set(areas)
        )
        if missing:
            raise ValidationFailedError(
                f"Areas {', '.join(missing)} are not loaded; run `gov3 country load {country}` "
                "first."
            )
        created = 0
        schools: dict[str, School] = {}
        for row in data.schools:
            school, was_created = School.objects.update_or_create(
                country=country,
                code=row.code,
                defaults={
                    "name_local": row.name_local,
                    "name_en": row.name_en,
                    "level": row.level,
                    "area": areas[row.area_code],
                    "street": row.street,
                    "capacity": row.capacity,
                    "entry_places": row.entry_places,
                },
            )
            created += was_created
            schools[row.code] = school
        years = {d.school_year for d in data.districts}
        DistrictEntry.objects.filter(school__country=country, school_year__in=years).delete()
        DistrictEntry.objects.bulk_create(
            DistrictEntry(
                school_year=d.school_year,
                area=areas[d.area_code],
                school=schools[d.school_code],
                priority=d.priority,
            )
            for d in data.districts
        )
        record_audit(
            actor=actor,
            action="schools.load",
            target_type="country",
            target_id=country,
            data={
                "schools": len(data.schools),
                "created": created,
                "districts": len(data.districts),
                "years": sorted(years),
            },
        )
    return created, len(data.districts)


def do_register_learner(actor: str, person: Person, data: SchoolsData) -> Learner:
    """Give a registered person a permanent learner number (once: a second call returns the
    same learner)."""
    if person.date_of_death is not None:
        raise ValidationFailedError(gettext("This person has died; no learner number is given."))
    spec = data.learner_id
    with transaction.atomic(durable=True):
        existing = Learner.objects.filter(person=person).first()
        if existing is not None:
            return existing
        serial = Learner.objects.filter(country=person.country).count() + 1
        try:
            with transaction.atomic():
                learner = Learner.objects.create(
                    country=person.country,
                    number=make_learner_number(spec.pattern, spec.check, serial),
                    person=person,
                    registered_at=timezone.now(),
                )
        except IntegrityError:
            raise ValidationFailedError(
                "Another learner number was given at the same moment; try again."
            ) from None
        record_audit(
            actor=actor,
            action="schools.register_learner",
            target_type="person",
            target_id=person.pk,
            data={"learner": learner.number, "scheme": spec.scheme},
        )
    return learner


def _open_enrolment(learner: Learner) -> Enrolment | None:
    return (
        Enrolment.objects.select_for_update()
        .filter(learner=learner, ended_on__isnull=True)
        .select_related("school")
        .first()
    )


def last_grade(school: School) -> int:
    """The school level's last grade in the school's country (the pack's ``grades``; kr:
    primary 6, middle 3, high 3; vn: 5, 4, 3)."""
    from gov3.schools.installed import schools_data  # noqa: PLC0415 - reads the pack once

    try:
        return schools_data(school.country).last_grade(school.level)
    except ValidationFailedError:
        return LAST_GRADE[SchoolLevel(school.level)]


def check_grade(school: School, grade: int) -> None:
    last = last_grade(school)
    if not 1 <= grade <= last:
        raise ValidationFailedError(
            gettext("A %(level)s has grades 1 to %(last)s.")
            % {"level": SchoolLevel(school.level).label, "last": last}
        )


def _end(enrolment: Enrolment, on: date, reason: EnrolmentEnd, note: str = "") -> None:
    if on < enrolment.started_on:
        raise ValidationFailedError(
            gettext("The date is before the current enrolment started (%(start)s).")
            % {"start": enrolment.started_on.isoformat()}
        )
    enrolment.ended_on = on
    enrolment.end_reason = reason
    enrolment.end_note = note[:300]
    enrolment.save(update_fields=["ended_on", "end_reason", "end_note"])


def _audit(actor: str, action: str, learner: Learner, **data: object) -> None:
    record_audit(
        actor=actor,
        action=f"schools.{action}",
        target_type="learner",
        target_id=learner.pk,
        data={"learner": learner.number, **data},
    )


def do_enrol(
    actor: str,
    learner: Learner,
    school: School,
    *,
    school_year: int,
    grade: int,
    class_name: str = "",
    on: date,
) -> Enrolment:
    """Enrol a learner who is not enrolled anywhere."""
    check_grade(school, grade)
    if school.country != learner.country:
        raise ValidationFailedError(gettext("The school is in another country."))
    with transaction.atomic(durable=True):
        if _open_enrolment(learner) is not None:
            raise ValidationFailedError(
                gettext("The learner is already enrolled; transfer them instead.")
            )
        enrolment = Enrolment.objects.create(
            learner=learner,
            school=school,
            school_year=school_year,
            grade=grade,
            class_name=class_name,
            started_on=on,
        )
        _audit(actor, "enrol", learner, school=school.code, year=school_year, grade=grade)
    return enrolment


def do_transfer(
    actor: str, learner: Learner, school: School, *, on: date, class_name: str = ""
) -> Enrolment:
    """Move an enrolled learner to another school in the same grade and year; the record
    follows the learner (the same learner number)."""
    with transaction.atomic(durable=True):
        current = _open_enrolment(learner)
        if current is None:
            raise ValidationFailedError(gettext("The learner is not enrolled anywhere."))
        if current.school_id == school.pk:
            raise ValidationFailedError(gettext("The learner is already at this school."))
        if school.level != current.school.level:
            raise ValidationFailedError(gettext("A transfer is to a school of the same level."))
        _end(current, on, EnrolmentEnd.TRANSFERRED, school.code)
        enrolment = Enrolment.objects.create(
            learner=learner,
            school=school,
            school_year=current.school_year,
            grade=current.grade,
            class_name=class_name,
            started_on=on,
        )
        _audit(actor, "transfer", learner, from_school=current.school.code, to_school=school.code)
    return enrolment


def do_promote(
    actor: str, learner: Learner, *, school_year: int, on: date, class_name: str = ""
) -> Enrolment:
    """Promote a learner to the next grade for ``school_year`` (after the last grade the
    learner graduates instead)."""
    with transaction.atomic(durable=True):
        current = _open_enrolment(learner)
        if current is None:
            raise ValidationFailedError(gettext("The learner is not enrolled anywhere."))
        if school_year != current.school_year + 1:
            raise ValidationFailedError(
                gettext("A promotion is to the next school year (%(year)s).")
                % {"year": current.school_year + 1}
            )
        if current.grade >= last_grade(current.school):
            raise ValidationFailedError(
                gettext("The learner is in the last grade; record the graduation instead.")
            )
        _end(current, on, EnrolmentEnd.PROMOTED)
        enrolment = Enrolment.objects.create(
            learner=learner,
            school=current.school,
            school_year=school_year,
            grade=current.grade + 1,
            class_name=class_name,
            started_on=on,
        )
        _audit(actor, "promote", learner, grade=enrolment.grade, year=school_year)
    return enrolment


def do_graduate(actor: str, learner: Learner, *, on: date) -> Enrolment:
    """Record the graduation of a learner in the last grade of their school."""
    with transaction.atomic(durable=True):
        current = _open_enrolment(learner)
        if current is None:
            raise ValidationFailedError(gettext("The learner is not enrolled anywhere."))
        if current.grade != last_grade(current.school):
            raise ValidationFailedError(
                gettext("Only a learner in the last grade graduates; promote them instead.")
            )
        _end(current, on, EnrolmentEnd.GRADUATED)
        _audit(actor, "graduate", learner, school=current.school.code)
    return current


def do_withdraw(actor: str, learner: Learner, *, on: date, reason: str) -> Enrolment:
    """Record that a learner left school (a reason is required: it goes on the record)."""
    if not reason.strip():
        raise ValidationFailedError(gettext("Say why the learner is withdrawn."))
    with transaction.atomic(durable=True):
        current = _open_enrolment(learner)
        if current is None:
            raise ValidationFailedError(gettext("The learner is not enrolled anywhere."))
        _end(current, on, EnrolmentEnd.WITHDRAWN, reason.strip())
        _audit(actor, "withdraw", learner, school=current.school.code, reason=reason.strip())
    return current


def do_issue_school_certificate(user: User, learner: Learner, kind: str) -> IssuedDocument:
    """Issue a certificate at once, with no officer, for the citizen's own record or a child's
    they act for (`queries.learner_for` checked that): ``kind`` "enrolment" needs a current
    enrolment, "graduation" a recorded graduation, "transcript" any enrolment
    (`schools.transcript`)."""
    if kind == "transcript":
        from gov3.schools.transcript import do_issue_transcript  # noqa: PLC0415

        return do_issue_transcript(user, learner)
    if kind == "graduation":
        enrolment = (
            Enrolment.objects.filter(learner=learner, end_reason=EnrolmentEnd.GRADUATED)
            .select_related("school")
            .order_by("-ended_on", "-pk")
            .first()
        )
        missing = gettext("The learner has no recorded graduation: there is nothing to certify.")
    elif kind == "enrolment":
        enrolment = (
            Enrolment.objects.filter(learner=learner, ended_on__isnull=True)
            .select_related("school")
            .first()
        )
        missing = gettext("The learner is not enrolled anywhere: there is nothing to certify.")
    else:
        raise ValidationFailedError(gettext("There is no such certificate."))
    if enrolment is None:
        raise ValidationFailedError(missing)
    school = enrolment.school
    return issue_enrolment_certificate(
        learner.person,
        EnrolmentFacts(
            learner_number=learner.number,
            school_name_local=school.name_local,
            school_name_en=school.name_en,
            school_code=school.code,
            school_year=enrolment.school_year,
            grade=enrolment.grade,
            class_name=enrolment.class_name,
            enrolled_since=enrolment.started_on,
            graduated_on=enrolment.ended_on if kind == "graduation" else None,
        ),
        requested_by=user,
        actor=f"citizen:{user.get_username()}",
    )

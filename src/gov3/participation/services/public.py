"""Public petitions: a citizen opens one, others sign it (one signature per person, the
person known from their account's link to the register), and one that reaches the pack's
threshold within its period must be answered publicly by the agency."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.participation.installed import policy
from gov3.participation.models import PublicPetition, PublicPetitionStatus, Signature
from gov3.participation.services.actors import acting_officer, agency_by_code, citizen_person
from gov3.participation.services.submissions import MAX_TITLE, clean_text


def effective_status(petition: PublicPetition, today: date) -> str:
    """An open petition past its last day is closed, whatever the row says."""
    if petition.status == PublicPetitionStatus.OPEN and today > petition.closes_on:
        return PublicPetitionStatus.CLOSED
    return petition.status


def collecting(petition: PublicPetition, today: date) -> bool:
    """Signatures count from the day it opens to the last day of its period, also after the
    threshold is reached (as the National Assembly's petitions keep counting agreement for
    the whole period), until the agency answers publicly."""
    return (
        petition.status in (PublicPetitionStatus.OPEN, PublicPetitionStatus.REACHED)
        and petition.opened_on <= today <= petition.closes_on
    )


def do_open_public_petition(
    user: User, *, title: str, text: str, category: str, today: date | None = None
) -> PublicPetition:
    """Open a public petition to the agency of its category; its threshold and period are
    the pack's on the day it opens (signatures count on that day and the next days of the
    period)."""
    person = citizen_person(user)
    rules = policy(person.country)
    if category not in rules.categories:
        raise ValidationFailedError(gettext("There is no such category."))
    title = clean_text(
        title, required=gettext("Please give the petition a title."), limit=MAX_TITLE
    )
    text = clean_text(text, required=gettext("Please write what the petition is about."))
    today = today or timezone.localdate()
    threshold = rules.public_on(today)
    agency = agency_by_code(rules.categories[category].agency)
    with transaction.atomic(durable=True):
        petition = PublicPetition.objects.create(
            country=person.country,
            title=title,
            text=text,
            opened_by=person,
            agency=agency,
            category=category,
            opened_on=today,
            closes_on=today + timedelta(days=threshold.within_days - 1),
            threshold=threshold.signatures,
        )
        record_audit(
            actor=f"citizen:{user.get_username()}",
            action="participation.public_petition_opened",
            target_type="public_petition",
            target_id=petition.pk,
            data={"agency": agency.code, "threshold": threshold.signatures},
        )
    return petition


def do_sign(user: User, petition: PublicPetition, *, today: date | None = None) -> PublicPetition:
    """Sign once. Two signatures of the same person at once: the database's unique
    constraint lets one in; the count is raised in the same transaction as the signature."""
    person = citizen_person(user)
    today = today or timezone.localdate()
    if not collecting(petition, today):
        raise ValidationFailedError(gettext("This petition is not collecting signatures."))
    try:
        with transaction.atomic(durable=True):
            Signature.objects.create(petition=petition, person=person, signed_at=timezone.now())
            PublicPetition.objects.filter(pk=petition.pk).update(
                signature_count=F("signature_count") + 1
            )
            reached = PublicPetition.objects.filter(
                pk=petition.pk,
                status=PublicPetitionStatus.OPEN,
                signature_count__gte=F("threshold"),
            ).update(status=PublicPetitionStatus.REACHED, reached_on=today)
            record_audit(
                actor=f"citizen:{user.get_username()}",
                action="participation.signed",
                target_type="public_petition",
                target_id=petition.pk,
                data={"reached": bool(reached)},
            )
    except IntegrityError:
        raise ValidationFailedError(gettext("You have already signed this petition.")) from None
    petition.refresh_from_db()
    return petition


def do_answer_public_petition(
    officer: User, petition: PublicPetition, *, text: str
) -> PublicPetition:
    """The agency's public answer (required once the threshold is reached)."""
    acting_officer(officer, petition.agency)
    text = clean_text(text, required=gettext("Please write the answer."))
    if petition.status == PublicPetitionStatus.ANSWERED:
        raise ValidationFailedError(gettext("This petition is already answered."))
    with transaction.atomic(durable=True):
        PublicPetition.objects.filter(pk=petition.pk).update(
            status=PublicPetitionStatus.ANSWERED, public_answer=text, answered_at=timezone.now()
        )
        record_audit(
            actor=f"officer:{officer.get_username()}",
            action="participation.public_petition_answered",
            target_type="public_petition",
            target_id=petition.pk,
        )
    petition.refresh_from_db()
    return petition

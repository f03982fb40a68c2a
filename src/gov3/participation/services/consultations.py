"""Consultations with impact previews: an agency drafts a change to a service (new parameter
values or a changed rule, as draft country-pack files), gov3 computes what it would do over the
whole register with the vectorised evaluator, the public comments, supports or opposes, the
agency responds, and adoption installs the draft and publishes it through `gov3 offers
publish` (open offers superseded and made again under the new version)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.cases.services import handling_agency
from gov3.catalogue.installed import country_pack, rules_pack
from gov3.catalogue.packs import pack_path
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.offers.publish import Republished, publish_services
from gov3.participation import drafts
from gov3.participation.core.impact import Version, compute_impact
from gov3.participation.impact_tables import published_impact
from gov3.participation.models import (
    Consultation,
    ConsultationComment,
    ConsultationStatus,
    Stance,
)
from gov3.participation.services.actors import acting_officer, citizen_person
from gov3.participation.services.submissions import MAX_TITLE, clean_text
from gov3.registry.snapshot import write_snapshot
from gov3.rules.pack import RulePack
from gov3.rules.vectorised import Population

ACTOR = "system:consultation"


def _check_versions(current: RulePack, draft: RulePack, service_id: str, day: date) -> None:
    """Every service the draft changes must carry a new version (else `gov3 offers publish`
    would not re-evaluate it)."""
    if service_id not in draft.services:
        raise ValidationFailedError(gettext("The draft has no such service."))
    for sid, new in draft.services.items():
        old = current.services.get(sid)
        if old is None:
            continue
        changed = (old.eligible_text, old.amount_text) != (new.eligible_text, new.amount_text)
        try:
            changed = changed or current.params_on(old, day) != draft.params_on(new, day)
        except Exception:
            changed = True
        if changed and old.version == new.version:
            raise ValidationFailedError(
                gettext(
                    "The draft changes %(service)s but keeps its version %(version)s; give it "
                    "a new version."
                )
                % {"service": sid, "version": old.version}
            )
    if draft.services[service_id].version == current.services[service_id].version:
        raise ValidationFailedError(gettext("The draft must give the service a new version."))


def register_population(country: str) -> Population:
    """Every living resident's facts, read from the register (written to a temporary
    snapshot and read back; the export is in the audit log)."""
    with tempfile.TemporaryDirectory(prefix="gov3-impact-") as work:
        path = Path(work) / "facts.parquet"
        write_snapshot(path, country=country, actor=ACTOR)
        return Population.read(path)


def impact_of(
    country: str, service_id: str, draft: RulePack, day: date, population: Population
) -> dict[str, object]:
    current = rules_pack(country)
    raw = compute_impact(
        population,
        Version(current.services[service_id], current.params_on(current.services[service_id], day)),
        Version(draft.services[service_id], draft.params_on(draft.services[service_id], day)),
        day,
    )
    return published_impact(raw, int(settings.GOV3_OPEN_DATA_MIN_CELL))


def do_open_consultation(
    officer: User,
    *,
    service_id: str,
    title: str,
    summary: str,
    files: Mapping[str, str],
    effective_on: date,
    opens_on: date,
    closes_on: date,
    population: Population | None = None,
) -> Consultation:
    """Put a draft to the public with its impact. A draft that does not load is refused with
    every problem's file:line:column, and nothing is published."""
    agency = acting_officer(officer, None)
    country = agency.country
    current = rules_pack(country)
    if service_id not in current.services:
        raise ValidationFailedError(gettext("There is no such service."))
    handler = handling_agency(country, service_id)
    if handler is None or handler.pk != agency.pk:
        raise ValidationFailedError(
            gettext("Only the agency that handles the service can consult on it.")
        )
    title = clean_text(
        title, required=gettext("Please give the consultation a title."), limit=MAX_TITLE
    )
    summary = clean_text(summary, required=gettext("Please summarise the draft."))
    if not opens_on <= closes_on:
        raise ValidationFailedError(
            gettext("The consultation must close on or after the day it opens.")
        )
    if not files:
        raise ValidationFailedError(gettext("The draft changes no file."))
    draft = drafts.load_draft(pack_path(country, settings.GOV3_COUNTRIES_DIR), files)
    _check_versions(current, draft, service_id, effective_on)
    impact = impact_of(
        country, service_id, draft, effective_on, population or register_population(country)
    )
    with transaction.atomic(durable=True):
        consultation = Consultation.objects.create(
            country=country,
            service_id=service_id,
            title=title,
            summary=summary,
            agency=agency,
            drafted_by=officer,
            files=dict(files),
            current_version=current.services[service_id].version,
            draft_version=draft.services[service_id].version,
            effective_on=effective_on,
            opens_on=opens_on,
            closes_on=closes_on,
            impact=impact,
        )
        record_audit(
            actor=f"officer:{officer.get_username()}",
            action="participation.consultation_opened",
            target_type="consultation",
            target_id=consultation.pk,
            data={"service": service_id, "draft_version": consultation.draft_version},
        )
    return consultation


def draft_pack(consultation: Consultation) -> RulePack:
    return drafts.load_draft(
        pack_path(consultation.country, settings.GOV3_COUNTRIES_DIR), consultation.files
    )


def do_comment(
    user: User, consultation: Consultation, *, stance: str, text: str, today: date | None = None
) -> ConsultationComment:
    """Support, oppose or comment, once, within the consultation period."""
    person = citizen_person(user)
    today = today or timezone.localdate()
    if consultation.country != person.country:
        raise ValidationFailedError(gettext("This consultation is not for your country."))
    if consultation.status != ConsultationStatus.OPEN or not (
        consultation.opens_on <= today <= consultation.closes_on
    ):
        raise ValidationFailedError(gettext("This consultation is not open for comments."))
    if stance not in Stance.values:
        raise ValidationFailedError(gettext("Choose support, oppose or comment."))
    text = (text or "").strip()
    if stance == Stance.COMMENT and not text:
        raise ValidationFailedError(gettext("Please write your comment."))
    if len(text) > 5000:
        raise ValidationFailedError(
            gettext("The text is too long (at most %(n)d characters).") % {"n": 5000}
        )
    try:
        with transaction.atomic(durable=True):
            comment = ConsultationComment.objects.create(
                consultation=consultation,
                person=person,
                stance=stance,
                text=text,
                created_at=timezone.now(),
            )
            record_audit(
                actor=f"citizen:{user.get_username()}",
                action="participation.commented",
                target_type="consultation",
                target_id=consultation.pk,
                data={"stance": stance},
            )
    except IntegrityError:
        raise ValidationFailedError(
            gettext("You have already answered this consultation.")
        ) from None
    return comment


def do_respond(officer: User, consultation: Consultation, *, text: str) -> Consultation:
    """The agency's published response to the comments."""
    acting_officer(officer, consultation.agency)
    text = clean_text(text, required=gettext("Please write the response."))
    with transaction.atomic(durable=True):
        Consultation.objects.filter(pk=consultation.pk).update(
            response=text, responded_at=timezone.now()
        )
        record_audit(
            actor=f"officer:{officer.get_username()}",
            action="participation.consultation_response",
            target_type="consultation",
            target_id=consultation.pk,
        )
    consultation.refresh_from_db()
    return consultation


def do_adopt(
    officer: User, consultation: Consultation, *, day: date | None = None
) -> list[Republished]:
    """Install the draft into the country pack and publish it (`gov3 offers publish`): open
    offers of the service are superseded and made again under the new version. Refused,
    with nothing changed, if the draft no longer loads or the service changed since."""
    acting_officer(officer, consultation.agency)
    if consultation.status not in (ConsultationStatus.OPEN, ConsultationStatus.CLOSED):
        raise ValidationFailedError(gettext("This consultation cannot be adopted."))
    country = consultation.country
    current = rules_pack(country)
    if current.services[consultation.service_id].version != consultation.current_version:
        raise ValidationFailedError(
            gettext("The service changed since the draft was made; make a new draft.")
        )
    pack_dir = pack_path(country, settings.GOV3_COUNTRIES_DIR)
    drafts.load_draft(pack_dir, consultation.files)  # refused here if it no longer loads
    with transaction.atomic(durable=True):
        updated = Consultation.objects.filter(
            pk=consultation.pk, status__in=[ConsultationStatus.OPEN, ConsultationStatus.CLOSED]
        ).update(status=ConsultationStatus.ADOPTED, adopted_at=timezone.now())
        if not updated:
            raise ValidationFailedError(gettext("This consultation cannot be adopted."))
        record_audit(
            actor=f"officer:{officer.get_username()}",
            action="participation.consultation_adopted",
            target_type="consultation",
            target_id=consultation.pk,
            data={"files": sorted(consultation.files), "version": consultation.draft_version},
        )
    drafts.install(pack_dir, consultation.files)
    rules_pack.cache_clear()
    country_pack.cache_clear()
    consultation.refresh_from_db()
    return publish_services(country, day)

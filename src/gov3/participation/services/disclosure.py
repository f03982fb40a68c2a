"""Information disclosure requests (Korea: Official Information Disclosure Act): request →
decision within the pack's period (extendable once, with the reason told) → disclose, partly
disclose or refuse with the legal ground. No decision by the end of the period is a deemed
refusal; the requester may object to a refusal, a partial disclosure or a deemed refusal.
Disclosed files reach the requester inside a signed document (gov3.documents)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gov3.accounts.models import User
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, StaleVersionError, ValidationFailedError
from gov3.core.translations import in_every_language
from gov3.documents.models import IssuedDocument
from gov3.documents.services import issue_disclosure
from gov3.notifications.models import NotificationKind
from gov3.notifications.services import do_notify
from gov3.participation.core.deadlines import Period, extend, period_end
from gov3.participation.installed import policy
from gov3.participation.models import (
    DisclosureDecision,
    DisclosureFile,
    DisclosureObjection,
    DisclosureRequest,
    ObjectionOutcome,
    ProactivePublication,
)
from gov3.participation.services.actors import acting_officer, agency_by_code, citizen_person
from gov3.participation.services.submissions import Upload, checked_uploads, clean_text


def request_link(request: DisclosureRequest) -> str:
    return f"/me/disclosure/{request.public_id}/"


def deemed_refused(request: DisclosureRequest, today: date) -> bool:
    """No decision by the end of the period: the law treats it as a refusal."""
    return not request.decision and today > request.due_on


def do_request_disclosure(
    user: User, *, agency_code: str, subject: str, today: date | None = None
) -> DisclosureRequest:
    """Ask an agency for information it holds (no reason needs to be given)."""
    person = citizen_person(user)
    rules = policy(person.country)
    agency = agency_by_code(agency_code)
    if agency.country != person.country:
        raise ValidationFailedError(gettext("Choose an agency of your country."))
    subject = clean_text(subject, required=gettext("Say what information you ask for."))
    today = today or timezone.localdate()
    due = period_end(today, rules.disclosure_on(today).period, rules.calendar)
    with transaction.atomic(durable=True):
        request = DisclosureRequest.objects.create(
            country=person.country,
            requester=person,
            filed_by=user,
            agency=agency,
            subject=subject,
            received_on=today,
            due_on=due,
        )
        record_audit(
            actor=f"citizen:{user.get_username()}",
            action="participation.disclosure_requested",
            target_type="disclosure",
            target_id=request.pk,
            data={"agency": agency.code, "due_on": due.isoformat()},
        )
    return request


def _locked(request: DisclosureRequest, expected_version: int, **changes: object) -> None:
    updated = DisclosureRequest.objects.filter(
        pk=request.pk, version=expected_version, decision=""
    ).update(version=F("version") + 1, **changes)
    if not updated:
        raise StaleVersionError(
            gettext("Someone changed this request while you were looking at it. Open it again.")
        )
    request.refresh_from_db()


def do_extend_disclosure(
    officer: User, request: DisclosureRequest, *, reason: str, expected_version: int
) -> DisclosureRequest:
    """Extend the period once; the requester is told the reason and the new date."""
    acting_officer(officer, request.agency)
    reason = clean_text(
        reason, required=gettext("An extension needs a reason the requester reads.")
    )
    if request.extended:
        raise ValidationFailedError(gettext("The period can be extended only once."))
    rules = policy(request.country)
    extra = rules.disclosure_on(request.received_on)
    new_due = extend(
        request.due_on,
        Period(extra.extension_days, extra.period.counting, first_day_counts=False),
        rules.calendar,
    )
    with transaction.atomic(durable=True):
        _locked(request, expected_version, due_on=new_due, extended=True, extension_reason=reason)
        do_notify(
            request.requester,
            NotificationKind.DECISION,
            title=in_every_language(gettext_noop("Your information request needs more time")),
            body=in_every_language(
                gettext_noop("The decision is now due on %(due)s. The reason: %(reason)s"),
                due=new_due.isoformat(),
                reason=reason,
            ),
            link=request_link(request),
            key=f"disclosure:{request.public_id}:extended",
        )
        record_audit(
            actor=f"officer:{officer.get_username()}",
            action="participation.disclosure_extended",
            target_type="disclosure",
            target_id=request.pk,
            data={"due_on": new_due.isoformat()},
        )
    return request


def do_decide_disclosure(
    officer: User,
    request: DisclosureRequest,
    *,
    decision: str,
    grounds: list[str],
    reason: str,
    files: list[Upload],
    expected_version: int,
) -> DisclosureRequest:
    """Disclose (files required), partly disclose (files and a ground) or refuse (a ground).
    Disclosed files are delivered inside a signed document."""
    agency = acting_officer(officer, request.agency)
    rules = policy(request.country)
    if decision not in DisclosureDecision.values:
        raise ValidationFailedError(gettext("Choose disclose, partly disclose or refuse."))
    unknown = [g for g in grounds if g not in rules.grounds]
    if unknown:
        raise ValidationFailedError(gettext("There is no such legal ground."))
    if decision != DisclosureDecision.DISCLOSE and not grounds:
        raise ValidationFailedError(
            gettext("Not disclosing all of it needs the legal ground (art. 9).")
        )
    if decision == DisclosureDecision.DISCLOSE and grounds:
        raise ValidationFailedError(gettext("A full disclosure has no ground for refusal."))
    files = checked_uploads(files)
    if decision != DisclosureDecision.REFUSE and not files:
        raise ValidationFailedError(gettext("Attach the files that are disclosed."))
    if decision == DisclosureDecision.REFUSE and files:
        raise ValidationFailedError(gettext("A refusal discloses no files."))
    reason = reason.strip()[:2000]
    today = timezone.localdate()
    actor = f"officer:{officer.get_username()}"
    ground_texts = [rules.grounds[g]["ko"] for g in grounds]

    def record(document: IssuedDocument | None) -> None:
        _locked(
            request,
            expected_version,
            decision=decision,
            grounds=grounds,
            reason=reason,
            decided_at=timezone.now(),
            decided_on=today,
            decided_by=officer,
            document=document,
        )
        for upload in files:
            DisclosureFile.objects.create(
                request=request,
                name=upload.name[:200],
                content_type=upload.content_type,
                size=len(upload.data),
                sha256=upload.sha256,
                data=upload.data,
            )
        do_notify(
            request.requester,
            NotificationKind.DECISION,
            title=in_every_language(gettext_noop("Decision on your information request")),
            body=in_every_language(
                gettext_noop("The agency decided on your request: %(decision)s."),
                decision=str(DisclosureDecision(decision).label),
            ),
            link=request_link(request),
            key=f"disclosure:{request.public_id}:decided",
        )
        record_audit(
            actor=actor,
            action="participation.disclosure_decided",
            target_type="disclosure",
            target_id=request.pk,
            data={"decision": decision, "grounds": grounds, "files": len(files)},
        )

    with transaction.atomic(durable=True):
        if files:
            issue_disclosure(
                request.requester,
                requested_by=request.filed_by,
                actor=actor,
                agency=agency.name_local,
                request_number=str(request.public_id),
                subject=request.subject,
                decision=decision,
                grounds=ground_texts,
                files=[(u.name[:200], u.data, u.sha256) for u in files],
                inside=record,
            )
        else:
            record(None)
    return request


def objection_deadline(request: DisclosureRequest, today: date) -> date | None:
    """The last day to object: counted from the decision, or from the day the request became
    deemed refused; None when there is nothing to object to."""
    rules = policy(request.country)
    if request.decision in (DisclosureDecision.PARTIAL, DisclosureDecision.REFUSE):
        start = request.decided_on
    elif deemed_refused(request, today):
        start = request.due_on
    else:
        return None
    assert start is not None
    period = rules.disclosure_objection_on(start).object_within
    return period_end(start, period, rules.calendar)


def do_object_to_disclosure(
    user: User, request: DisclosureRequest, *, text: str, today: date | None = None
) -> DisclosureObjection:
    """Object to a refusal, a partial disclosure or a deemed refusal, within the period."""
    person = citizen_person(user)
    if request.requester_id != person.pk:
        raise NotFoundError(gettext("There is no such request."))
    text = clean_text(text, required=gettext("Please say why you object."))
    today = today or timezone.localdate()
    deadline = objection_deadline(request, today)
    if deadline is None:
        raise ValidationFailedError(
            gettext(
                "There is nothing to object to: the information was disclosed or the "
                "agency can still decide."
            )
        )
    if today > deadline:
        raise ValidationFailedError(gettext("The period to object has ended."))
    if DisclosureObjection.objects.filter(request=request).exists():
        raise ValidationFailedError(gettext("You have already objected."))
    rules = policy(request.country)
    due = period_end(today, rules.disclosure_objection_on(today).decide_within, rules.calendar)
    with transaction.atomic(durable=True):
        objection = DisclosureObjection.objects.create(
            request=request, text=text, filed_on=today, due_on=due
        )
        record_audit(
            actor=f"citizen:{user.get_username()}",
            action="participation.disclosure_objection",
            target_type="disclosure",
            target_id=request.pk,
            data={"deemed": not request.decision},
        )
    return objection


def do_decide_disclosure_objection(
    officer: User, request: DisclosureRequest, *, outcome: str, reason: str
) -> DisclosureObjection:
    acting_officer(officer, request.agency)
    if outcome not in ObjectionOutcome.values:
        raise ValidationFailedError(gettext("Choose whether the objection is upheld or dismissed."))
    reason = clean_text(reason, required=gettext("A decision on an objection needs a reason."))
    objection = DisclosureObjection.objects.filter(request=request, outcome="").first()
    if objection is None:
        raise ValidationFailedError(gettext("There is no open objection to this request."))
    with transaction.atomic(durable=True):
        DisclosureObjection.objects.filter(pk=objection.pk).update(
            outcome=outcome, reason=reason, decided_at=timezone.now()
        )
        record_audit(
            actor=f"officer:{officer.get_username()}",
            action="participation.disclosure_objection_decided",
            target_type="disclosure",
            target_id=request.pk,
            data={"outcome": outcome},
        )
    objection.refresh_from_db()
    return objection


def do_publish_proactively(
    officer: User, *, title: str, url: str, today: date | None = None
) -> ProactivePublication:
    """Add an item to the agency's proactive publication list."""
    agency = acting_officer(officer, None)
    title = clean_text(title, required=gettext("Please give the title."), limit=300)
    if not url.startswith(("https://", "http://")):
        raise ValidationFailedError(gettext("The address must start with https://."))
    with transaction.atomic(durable=True):
        item = ProactivePublication.objects.create(
            agency=agency, title=title, url=url[:200], published_on=today or timezone.localdate()
        )
        record_audit(
            actor=f"officer:{officer.get_username()}",
            action="participation.published",
            target_type="publication",
            target_id=item.pk,
        )
    return item

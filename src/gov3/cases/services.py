"""Write commands for cases: open (from a confirmed offer or an application), decide
(approve, reject with a reason, return for information), reply, object.

A service that allows it is approved automatically, except a random sample
(`GOV3_QC_SAMPLE_RATE`) that goes to an officer for quality control. Every decision is a
conditional UPDATE on the case's version, so two officers deciding at once give exactly one
decision. The citizen is told in the decision's transaction, and `case_decided` is sent by a
worker after commit (the documents app issues what an approved document service promises).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.queries import children_acted_for
from gov3.cases.models import (
    OPEN_CASE_STATUSES,
    UNDECIDED_CASE_STATUSES,
    Case,
    CaseOrigin,
    CaseStatus,
    Decision,
    DecisionOutcome,
    FeePayment,
    Objection,
    ObjectionStatus,
    PaymentInstruction,
    PaymentStatus,
)
from gov3.cases.payments import PaymentOrder, payment_provider
from gov3.catalogue.installed import country_pack, rules_pack
from gov3.core.audit import record_audit
from gov3.core.errors import (
    NotFoundError,
    PermissionRefusedError,
    StaleVersionError,
    ValidationFailedError,
)
from gov3.core.translations import in_every_language
from gov3.notifications.models import NotificationKind
from gov3.notifications.services import do_notify
from gov3.offers.models import ConsentReceipt, Offer
from gov3.offers.proposals import Proposal, propose
from gov3.registry.models import Person
from gov3.rules.pack import Service
from gov3.tasks.runner import enqueue_signal

MAX_TEXT = 2000
SYSTEM = "system:cases"


def handling_agency(country: str, service_id: str) -> Agency | None:
    """The agency that decides a service's cases: the one naming the service, else the one
    marked "*"."""
    agencies = list(Agency.objects.filter(country=country).order_by("code"))
    for agency in agencies:
        if service_id in agency.services:
            return agency
    return next((agency for agency in agencies if "*" in agency.services), None)


def _sampled() -> bool:
    rate = float(settings.GOV3_QC_SAMPLE_RATE)
    return rate > 0 and random.SystemRandom().random() < rate


def _service(country: str, service_id: str) -> Service:
    service = rules_pack(country).services.get(service_id)
    if service is None:
        raise NotFoundError(gettext("There is no such service."))
    return service


def _open(
    *,
    service: Service,
    origin: CaseOrigin,
    applicant: Person,
    basis: Offer | Proposal,
    actor: str,
    consent: str = "",
) -> Case:
    """Open a case inside the caller's transaction and approve it if the service allows.
    `basis` is the confirmed offer or, for an application, the rules' answer: the amount,
    period and evidence (facts, parameters, explanation) come from it."""
    subject = basis.subject
    offer = basis if isinstance(basis, Offer) else None
    evidence: dict[str, Any] = {
        "facts": basis.facts,
        "params": basis.params,
        "explanation": basis.explanation,
    }
    if consent:
        evidence["consent"] = consent
    today = timezone.localdate()
    # A service that needs something from the applicant (a photo, a fee) waits for it first;
    # the automatic decision, if any, is made when it arrives (`do_provide`).
    waits = bool(service.applicant_provides) or service.fee is not None
    if service.fee is not None:
        fee = rules_pack(subject.country).params[service.fee].at(today).value
        assert isinstance(fee, int)  # the pack loader checked: a money parameter
        evidence["fee"] = {
            "amount": fee,
            "currency": country_pack(subject.country).currency.code,
            "parameter": service.fee,
        }
    if service.applicant_provides:
        evidence["provides"] = list(service.applicant_provides)
    automatic = not waits and service.auto_approve and not _sampled()
    case = Case.objects.create(
        country=subject.country,
        service_id=service.id,
        service_version=service.version,
        service_kind=service.kind,
        service_name=dict(service.name),
        origin=origin,
        offer=offer,
        applicant=applicant,
        subject=subject,
        agency=handling_agency(subject.country, service.id),
        province=basis.province,
        status=CaseStatus.AWAITING if waits else CaseStatus.IN_REVIEW,
        quality_check=not waits and service.auto_approve and not automatic,
        amount=basis.amount,
        currency=basis.currency,
        period=basis.period,
        evidence=evidence,
        opened_at=timezone.now(),
        due_on=today + timedelta(days=int(settings.GOV3_CASE_DUE_DAYS)),
    )
    record_audit(
        actor=actor,
        action="cases.opened",
        target_type="case",
        target_id=case.pk,
        data={"service": service.id, "origin": origin, "quality_check": case.quality_check},
    )
    if automatic:
        _decide(case, None, DecisionOutcome.APPROVED, reason="", automatic=True)
    return case


def on_offer_confirmed(sender: Any, offer: Offer, receipt: ConsentReceipt, **kwargs: Any) -> None:
    """Receiver of `offer_confirmed`, inside the confirmation's transaction: the case."""
    if Case.objects.filter(offer=offer).exists():
        return
    _open(
        service=_service(offer.country, offer.service_id),
        origin=CaseOrigin.OFFER,
        applicant=offer.recipient,
        basis=offer,
        actor=f"citizen:{receipt.confirmed_by.get_username()}",
        consent=receipt.offer_sha256,
    )


def _may_act_for(user: User, subject: Person) -> Person:
    """The person a citizen may apply for: themselves or a child they act for."""
    if not user.is_citizen or user.person is None:
        raise PermissionRefusedError(gettext("Only a citizen can apply."))
    if subject.pk == user.person.pk:
        return user.person
    if children_acted_for(user).filter(pk=subject.pk).exists():
        return user.person
    raise NotFoundError(gettext("There is no such person."))


def do_apply(user: User, subject: Person, service_id: str) -> Case | None:
    """The classic path: the citizen asks; the rules are applied at once. Returns the case
    opened, or None when the rules say no (the page explains why)."""
    applicant = _may_act_for(user, subject)
    service = _service(subject.country, service_id)
    proposal = propose(service, subject, timezone.localdate())
    if proposal is None:
        return None
    open_case = Case.objects.filter(
        service_id=service.id, subject=subject, status__in=UNDECIDED_CASE_STATUSES
    ).first()
    if open_case is not None:
        return open_case
    with transaction.atomic(durable=True):
        return _open(
            service=service,
            origin=CaseOrigin.APPLICATION,
            applicant=applicant,
            basis=proposal,
            actor=f"citizen:{user.get_username()}",
        )


def open_request_case(
    *,
    service_id: str,
    applicant: Person,
    proposal: Proposal,
    actor: str,
    request: dict[str, Any],
) -> Case:
    """Open a case for a citizen's request received by a programme above `cases` (e.g. a
    guardian asking to defer school entry), inside the caller's transaction; ``request``
    (what was asked and why) goes into the case's evidence for the officer."""
    case = _open(
        service=_service(proposal.subject.country, service_id),
        origin=CaseOrigin.APPLICATION,
        applicant=applicant,
        basis=proposal,
        actor=actor,
    )
    case.evidence = {**case.evidence, "request": request}
    case.save(update_fields=["evidence"])
    return case


_DECIDED = {
    DecisionOutcome.APPROVED: (
        gettext_noop("Approved: %(service)s"),
        gettext_noop("Your case for %(service)s was approved."),
    ),
    DecisionOutcome.REJECTED: (
        gettext_noop("Decision on %(service)s"),
        gettext_noop("Your case for %(service)s was not approved. The reason: %(reason)s"),
    ),
    DecisionOutcome.RETURNED: (
        gettext_noop("More information needed: %(service)s"),
        gettext_noop("The agency needs more information for %(service)s: %(reason)s"),
    ),
}


def case_link(case: Case) -> str:
    return f"/me/cases/{case.public_id}/"


def _decide(
    case: Case, officer: User | None, outcome: DecisionOutcome, *, reason: str, automatic: bool
) -> Decision:
    """Record the decision inside the caller's transaction; tell the citizen after commit."""
    now = timezone.now()
    decision = Decision(
        case=case,
        outcome=outcome,
        reason=reason,
        automatic=automatic,
        decided_by=officer,
        decided_at=now,
    )
    decision.save()
    status = {
        DecisionOutcome.APPROVED: CaseStatus.APPROVED,
        DecisionOutcome.REJECTED: CaseStatus.REJECTED,
        DecisionOutcome.RETURNED: CaseStatus.RETURNED,
    }[outcome]
    changes: dict[str, Any] = {"status": status}
    if outcome is DecisionOutcome.RETURNED:
        changes["information_request"] = reason
    else:
        changes["decided_at"] = now
    Case.objects.filter(pk=case.pk).update(**changes)
    for name, value in changes.items():
        setattr(case, name, value)
    # Only a benefit pays: an approved `eligibility` case is the entitlement itself (ADR 0008).
    if outcome is DecisionOutcome.APPROVED and case.service_kind == "benefit" and case.amount:
        _instruct_payment(case)
    record_audit(
        actor=SYSTEM if officer is None else f"officer:{officer.get_username()}",
        action=f"cases.{outcome}",
        target_type="case",
        target_id=case.pk,
        data={"automatic": automatic, "reason": reason, "service": case.service_id},
    )
    title, body = _DECIDED[outcome]
    count = case.decisions.count()
    do_notify(
        case.applicant,
        NotificationKind.INFORMATION_REQUESTED
        if outcome is DecisionOutcome.RETURNED
        else NotificationKind.DECISION,
        title=in_every_language(title, service=case.service_name),
        body=in_every_language(body, service=case.service_name, reason=reason),
        link=case_link(case),
        key=f"case:{case.public_id}:decision:{count}",
    )
    # What the decision brings (a passport issued) is done by a worker once this commits.
    enqueue_signal("case_decided", case=case, decision=decision)
    return decision


def _instruct_payment(case: Case) -> PaymentInstruction:
    provider = payment_provider()
    payee = case.applicant
    receipt = provider.pay(
        PaymentOrder(
            case=str(case.public_id),
            payee_national_id=payee.national_id,
            payee_name=payee.name_local,
            amount=int(case.amount or 0),
            currency=case.currency,
            purpose=case.service_id,
        )
    )
    instruction = PaymentInstruction(
        case=case,
        amount=int(case.amount or 0),
        currency=case.currency,
        payee=payee,
        provider=provider.name,
        reference=receipt.reference,
        status=PaymentStatus.INSTRUCTED if receipt.accepted else PaymentStatus.FAILED,
        sandbox=provider.sandbox,
        created_at=timezone.now(),
    )
    instruction.save()
    return instruction


def may_decide(officer: User, case: Case) -> bool:
    """Officers of the case's agency decide it (auditors only read)."""
    return (
        officer.is_officer
        and officer.agency_id is not None
        and officer.agency_id == case.agency_id
        and officer.role != OfficerRole.AUDITOR
    )


def _clean_text(text: str, *, required: str | None = None) -> str:
    """`text` stripped; refused if too long, or empty when `required` (the message) is given."""
    text = text.strip()
    if required is not None and not text:
        raise ValidationFailedError(required)
    if len(text) > MAX_TEXT:
        raise ValidationFailedError(
            gettext("The text is too long (at most %(n)d characters).") % {"n": MAX_TEXT}
        )
    return text


def _officer_decides(
    officer: User,
    case: Case,
    *,
    expected_version: int,
    outcome: DecisionOutcome,
    reason: str,
    allowed: tuple[str, ...],
    required: str | None = None,
) -> Decision:
    if not may_decide(officer, case):
        raise NotFoundError(gettext("There is no such case in your agency's queue."))
    reason = _clean_text(reason, required=required)
    with transaction.atomic(durable=True):
        updated = Case.objects.filter(
            pk=case.pk, version=expected_version, status__in=allowed
        ).update(version=F("version") + 1)
        if not updated:
            raise StaleVersionError(
                gettext(
                    "Someone else decided or changed this case while you were looking at it. "
                    "Open it again to see its state."
                )
            )
        case.version = expected_version + 1
        return _decide(case, officer, outcome, reason=reason, automatic=False)


def do_approve_case(
    officer: User, case: Case, *, expected_version: int, note: str = ""
) -> Decision:
    """Approve; a benefit gets its payment instruction."""
    return _officer_decides(
        officer,
        case,
        expected_version=expected_version,
        outcome=DecisionOutcome.APPROVED,
        reason=note,
        allowed=(CaseStatus.IN_REVIEW,),
    )


def do_reject_case(officer: User, case: Case, *, expected_version: int, reason: str) -> Decision:
    """Reject, with the reason the citizen will read (required)."""
    return _officer_decides(
        officer,
        case,
        expected_version=expected_version,
        outcome=DecisionOutcome.REJECTED,
        reason=reason,
        allowed=OPEN_CASE_STATUSES,
        required=gettext("A rejection needs a reason the citizen can read."),
    )


def do_return_case(officer: User, case: Case, *, expected_version: int, request: str) -> Decision:
    """Ask the citizen for information (required: what is needed)."""
    return _officer_decides(
        officer,
        case,
        expected_version=expected_version,
        outcome=DecisionOutcome.RETURNED,
        reason=request,
        allowed=(CaseStatus.IN_REVIEW,),
        required=gettext("Say what information the citizen should send."),
    )


def do_reply_to_case(user: User, case: Case, *, expected_version: int, text: str) -> Case:
    """The citizen answers a request for information; the case goes back to the queue."""
    if not user.is_citizen or user.person_id != case.applicant_id:
        raise NotFoundError(gettext("There is no such case."))
    text = _clean_text(text, required=gettext("Please write the information asked for."))
    with transaction.atomic(durable=True):
        updated = Case.objects.filter(
            pk=case.pk, version=expected_version, status=CaseStatus.RETURNED
        ).update(version=F("version") + 1, status=CaseStatus.IN_REVIEW, citizen_reply=text)
        if not updated:
            raise StaleVersionError(gettext("This case is not waiting for your answer any more."))
        record_audit(
            actor=f"citizen:{user.get_username()}",
            action="cases.replied",
            target_type="case",
            target_id=case.pk,
        )
    case.refresh_from_db()
    return case


def do_provide(
    user: User,
    case: Case,
    *,
    expected_version: int,
    provided: dict[str, Any],
    store: Callable[[Case], None] | None = None,
) -> Case:
    """The applicant provides what an awaiting case needs (`provided`: what, e.g. the photo's
    SHA-256) and pays its fee. In one transaction: `store` keeps the upload, the fee is
    collected through the payment provider (a refusal changes nothing), and the case goes to
    the queue, or is approved at once where the service allows (except the QC sample)."""
    if not user.is_citizen or user.person_id != case.applicant_id:
        raise NotFoundError(gettext("There is no such case."))
    service = _service(case.country, case.service_id)
    missing = [need for need in service.applicant_provides if need not in provided]
    if missing:
        raise ValidationFailedError(gettext("Something the case needs is missing."))
    fee = case.evidence.get("fee")
    with transaction.atomic(durable=True):
        updated = Case.objects.filter(
            pk=case.pk, version=expected_version, status=CaseStatus.AWAITING
        ).update(version=F("version") + 1, status=CaseStatus.IN_REVIEW)
        if not updated:
            raise StaleVersionError(gettext("This case is not waiting for anything from you."))
        case.version = expected_version + 1
        case.status = CaseStatus.IN_REVIEW
        if store is not None:
            store(case)
        if fee:
            _collect_fee(case, int(fee["amount"]), str(fee["currency"]))
        automatic = service.auto_approve and not _sampled()
        evidence = {**case.evidence, "provided": provided}
        Case.objects.filter(pk=case.pk).update(
            evidence=evidence, quality_check=service.auto_approve and not automatic
        )
        case.evidence = evidence
        record_audit(
            actor=f"citizen:{user.get_username()}",
            action="cases.provided",
            target_type="case",
            target_id=case.pk,
            data={"provided": sorted(provided), "fee": bool(fee)},
        )
        if automatic:
            _decide(case, None, DecisionOutcome.APPROVED, reason="", automatic=True)
    return case


def _collect_fee(case: Case, amount: int, currency: str) -> FeePayment:
    provider = payment_provider()
    payer = case.applicant
    receipt = provider.collect(
        PaymentOrder(
            case=str(case.public_id),
            payee_national_id=payer.national_id,
            payee_name=payer.name_local,
            amount=amount,
            currency=currency,
            purpose=f"fee:{case.service_id}",
        )
    )
    if not receipt.accepted:
        raise ValidationFailedError(
            gettext("The fee could not be paid: %(why)s. Nothing was changed; please try again.")
            % {"why": receipt.message or gettext("refused by the payment service")}
        )
    fee = FeePayment(
        case=case,
        amount=amount,
        currency=currency,
        payer=payer,
        provider=provider.name,
        reference=receipt.reference,
        sandbox=provider.sandbox,
        paid_at=timezone.now(),
    )
    fee.save()
    return fee


def do_object(
    user: User, *, text: str, offer: Offer | None = None, case: Case | None = None
) -> Objection:
    """ "This is wrong": the citizen disputes an offer's data or a decision. The objection goes
    to the agency that decides the service."""
    with transaction.atomic(durable=True):
        return _record_objection(user, text=text, offer=offer, case=case)


def on_offer_objected(sender: Any, user: User, offer: Offer, text: str, **kwargs: Any) -> Objection:
    """Receiver of `offer_objected`, inside the offer's transaction: the objection."""
    return _record_objection(user, text=text, offer=offer)


def _record_objection(
    user: User, *, text: str, offer: Offer | None = None, case: Case | None = None
) -> Objection:
    """Record an objection inside the caller's transaction (see `do_object`)."""
    person = user.person if user.is_citizen else None
    target_person = offer.recipient_id if offer is not None else case.applicant_id if case else None
    if person is None or target_person != person.pk:
        raise NotFoundError(gettext("There is no such offer or case."))
    text = _clean_text(text, required=gettext("Please say what is wrong."))
    service_id = offer.service_id if offer is not None else case.service_id  # type: ignore[union-attr]
    already = gettext(
        "You have already said what is wrong with this; the agency will answer that first."
    )
    # One open objection per offer or case: the agency answers it first.
    if Objection.objects.filter(offer=offer, case=case, status=ObjectionStatus.OPEN).exists():
        raise ValidationFailedError(already)
    try:
        # A savepoint: a concurrent request's open objection fails only this insert, and the
        # caller's transaction rolls back on the error raised below.
        with transaction.atomic():
            objection = Objection.objects.create(
                person=person,
                offer=offer,
                case=case,
                service_id=service_id,
                agency=handling_agency(person.country, service_id),
                text=text,
                created_at=timezone.now(),
                due_on=timezone.localdate() + timedelta(days=int(settings.GOV3_CASE_DUE_DAYS)),
            )
    except IntegrityError as error:  # a concurrent request took the one open objection
        raise ValidationFailedError(already) from error
    record_audit(
        actor=f"citizen:{user.get_username()}",
        action="cases.objection",
        target_type="objection",
        target_id=objection.pk,
        data={"service": service_id},
    )
    return objection

"""Confirm → case → decision: automatic approval with payment, the officer's queue, one
decision when two officers decide at once, permissions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.cases.models import Case, CaseStatus, Decision, Objection, PaymentInstruction
from gov3.cases.services import (
    do_apply,
    do_approve_case,
    do_object,
    do_reject_case,
    do_reply_to_case,
    do_return_case,
)
from gov3.core.errors import NotFoundError, StaleVersionError, ValidationFailedError
from gov3.notifications.models import Notification
from gov3.offers.models import ConsentReceipt, Offer, OfferStatus
from gov3.offers.services import do_confirm_offer, do_decline_offer, do_object_to_offer
from gov3.registry.models import Person
from gov3.registry.services import do_register_birth
from tests.conftest import ACTOR, PASSWORD


@pytest.fixture
def baby_offers(
    register_birth: Callable[..., Person], citizen: User, welfare_agency: Agency
) -> dict[str, Offer]:
    baby = register_birth()
    return {o.service_id: o for o in Offer.objects.filter(subject=baby)}


def _confirm(citizen: User, offer: Offer, capture: Any) -> ConsentReceipt:
    with capture(execute=True):
        return do_confirm_offer(citizen, offer, expected_version=offer.version, language="en")


def test_confirming_records_a_receipt_and_an_auto_approved_paid_case(
    baby_offers: dict[str, Offer],
    citizen: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 0
    offer = baby_offers["child_allowance"]
    receipt = _confirm(citizen, offer, django_capture_on_commit_callbacks)
    assert receipt.acting_for == offer.subject  # the mother acts for her baby
    assert receipt.confirmed_by == citizen
    assert len(receipt.agreement_sha256) == 64
    assert offer.subject.name_local in receipt.agreement_text
    assert receipt.offer_snapshot["amount"] == 100_000
    case = Case.objects.get(offer=offer)
    assert case.status == CaseStatus.APPROVED
    assert case.decisions.get().automatic
    payment = PaymentInstruction.objects.get(case=case)
    assert payment.sandbox
    assert payment.reference.startswith("SANDBOX-")
    assert payment.amount == 100_000
    assert payment.payee == citizen.person
    assert Notification.objects.filter(person=citizen.person, kind="decision").count() == 1


def test_confirming_twice_opens_one_case(
    baby_offers: dict[str, Offer], citizen: User, django_capture_on_commit_callbacks: Any
) -> None:
    offer = baby_offers["first_meeting_voucher"]
    first = _confirm(citizen, offer, django_capture_on_commit_callbacks)
    stale = Offer.objects.get(pk=offer.pk)
    again = _confirm(citizen, stale, django_capture_on_commit_callbacks)
    assert again.pk == first.pk
    assert Case.objects.filter(offer=offer).count() == 1
    assert ConsentReceipt.objects.filter(offer=offer).count() == 1


def test_someone_else_cannot_confirm_or_decline(
    baby_offers: dict[str, Offer], family: dict[str, Person]
) -> None:
    stranger = do_create_citizen_account(
        ACTOR, person=family["stranger"], username="stranger", password=PASSWORD
    )
    offer = baby_offers["parent_benefit"]
    with pytest.raises(NotFoundError):
        do_confirm_offer(stranger, offer, expected_version=offer.version, language="en")
    with pytest.raises(NotFoundError):
        do_decline_offer(stranger, offer, expected_version=offer.version, reason="no")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.NOTIFIED
    assert not Case.objects.exists()


def test_declining_needs_a_reason_and_then_closes_the_offer(
    baby_offers: dict[str, Offer], citizen: User
) -> None:
    offer = baby_offers["parent_benefit"]
    with pytest.raises(ValidationFailedError):
        do_decline_offer(citizen, offer, expected_version=offer.version, reason="  ")
    do_decline_offer(citizen, offer, expected_version=offer.version, reason="We live abroad.")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    with pytest.raises(ValidationFailedError):
        do_confirm_offer(citizen, offer, expected_version=offer.version, language="en")
    assert not Case.objects.exists()


@pytest.fixture
def queued_case(
    baby_offers: dict[str, Offer],
    citizen: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> Case:
    """A case sampled for quality control: it waits in the agency's queue."""
    settings.GOV3_QC_SAMPLE_RATE = 1
    _confirm(citizen, baby_offers["child_allowance"], django_capture_on_commit_callbacks)
    case = Case.objects.get()
    assert case.status == CaseStatus.IN_REVIEW
    assert case.quality_check
    return case


def _officer(agency: Agency, name: str, role: str = OfficerRole.WELFARE_OFFICER) -> User:
    return do_create_officer_account(
        ACTOR, username=name, password=PASSWORD, agency=agency, role=role
    )[0]


def test_an_officer_of_another_agency_cannot_decide(queued_case: Case) -> None:
    other = do_create_agency(
        ACTOR,
        code="kr-mofa",
        name_local="외교부",
        name_en="MOFA",
        country="kr",
        services=["passport_renewal"],
    )
    outsider = _officer(other, "outsider")
    with pytest.raises(NotFoundError):
        do_approve_case(outsider, queued_case, expected_version=queued_case.version)
    auditor = _officer(queued_case.agency, "auditor", OfficerRole.AUDITOR)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        do_approve_case(auditor, queued_case, expected_version=queued_case.version)
    queued_case.refresh_from_db()
    assert queued_case.status == CaseStatus.IN_REVIEW
    assert not queued_case.decisions.exists()


def test_reject_needs_a_reason_and_return_then_reply_goes_back_to_the_queue(
    queued_case: Case, citizen: User, django_capture_on_commit_callbacks: Any
) -> None:
    officer = _officer(queued_case.agency, "welfare1")  # type: ignore[arg-type]
    with pytest.raises(ValidationFailedError):
        do_reject_case(officer, queued_case, expected_version=queued_case.version, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        do_return_case(
            officer,
            queued_case,
            expected_version=queued_case.version,
            request="Please confirm the child lives with you.",
        )
    queued_case.refresh_from_db()
    assert queued_case.status == CaseStatus.RETURNED
    assert Notification.objects.filter(person=citizen.person, kind="information_requested").exists()
    do_reply_to_case(citizen, queued_case, expected_version=queued_case.version, text="Yes.")
    queued_case.refresh_from_db()
    assert queued_case.status == CaseStatus.IN_REVIEW
    do_reject_case(officer, queued_case, expected_version=queued_case.version, reason="Abroad.")
    queued_case.refresh_from_db()
    assert queued_case.status == CaseStatus.REJECTED
    assert not PaymentInstruction.objects.exists()


def test_two_officers_deciding_at_once_give_exactly_one_decision(queued_case: Case) -> None:
    first = _officer(queued_case.agency, "first")  # type: ignore[arg-type]
    second = _officer(queued_case.agency, "second")  # type: ignore[arg-type]
    version = queued_case.version
    do_approve_case(first, queued_case, expected_version=version)
    stale = Case.objects.get(pk=queued_case.pk)
    with pytest.raises(StaleVersionError):
        do_reject_case(second, stale, expected_version=version, reason="Too late")
    assert Decision.objects.filter(case=queued_case).count() == 1
    assert Case.objects.get(pk=queued_case.pk).status == CaseStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_in_two_threads_give_one_decision(
    family: dict[str, Person], settings: Any
) -> None:
    """Real concurrency on the database: two threads, two connections."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the conditional UPDATE is tested above")
    settings.GOV3_QC_SAMPLE_RATE = 1
    agency = do_create_agency(
        ACTOR, code="kr-all", name_local="구청", name_en="Office", country="kr", services=["*"]
    )
    parent = do_create_citizen_account(
        ACTOR, person=family["mother"], username="mum", password=PASSWORD
    )
    baby = do_register_birth(
        ACTOR,
        mother=family["mother"],
        father=None,
        name_local="아기",
        name_latin="AGI",
        birth_date=family["son"].birth_date.replace(year=2026, month=1),
        sex="M",
    )
    offer = Offer.objects.get(subject=baby, service_id="child_allowance")
    do_confirm_offer(parent, offer, expected_version=offer.version, language="en")
    case = Case.objects.get()
    officers = [_officer(agency, f"o{n}") for n in range(2)]
    results: list[str] = []
    barrier = threading.Barrier(2)

    def decide(officer: User) -> None:
        barrier.wait()
        try:
            do_approve_case(officer, Case.objects.get(pk=case.pk), expected_version=case.version)
            results.append("ok")
        except StaleVersionError:
            results.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "stale"]
    assert Decision.objects.filter(case=case).count() == 1
    assert PaymentInstruction.objects.filter(case=case).count() == 1


def test_apply_opens_a_case_only_when_the_rules_say_yes(
    family: dict[str, Person], citizen: User, welfare_agency: Agency, settings: Any
) -> None:
    settings.GOV3_QC_SAMPLE_RATE = 0
    assert do_apply(citizen, family["mother"], "basic_pension") is None  # 51, not 65
    case = do_apply(citizen, family["son"], "child_allowance")
    assert case is not None
    assert case.origin == "application"
    assert case.subject == family["son"]
    assert case.applicant == family["mother"]
    with pytest.raises(NotFoundError):
        do_apply(citizen, family["stranger"], "child_allowance")
    with pytest.raises(NotFoundError):
        do_apply(citizen, family["son"], "no_such_service")


def test_an_objection_goes_to_the_agency(
    baby_offers: dict[str, Offer], citizen: User, welfare_agency: Agency
) -> None:
    offer = baby_offers["parent_benefit"]
    with pytest.raises(ValidationFailedError):
        do_object(citizen, offer=offer, text="")
    objection = do_object(citizen, offer=offer, text="The father is missing.")
    assert objection.agency == welfare_agency
    assert Objection.objects.count() == 1


def test_an_objection_to_an_offer_reaches_cases_through_the_event(
    baby_offers: dict[str, Offer], citizen: User, welfare_agency: Agency
) -> None:
    """`offers` does not import `cases`: its command sends `offer_objected` and `cases` records
    the objection in the same transaction, refusals included."""
    offer = baby_offers["parent_benefit"]
    with pytest.raises(ValidationFailedError):
        do_object_to_offer(citizen, offer, text="  ")
    assert not Objection.objects.exists()
    made = do_object_to_offer(citizen, offer, text="The father is missing.")
    objection = Objection.objects.get()
    assert (made.public_id, made.due_on) == (objection.public_id, objection.due_on)
    assert objection.agency == welfare_agency
    assert objection.offer == offer
    with pytest.raises(ValidationFailedError):  # one open objection per offer
        do_object_to_offer(citizen, offer, text="And again.")
    assert Objection.objects.count() == 1

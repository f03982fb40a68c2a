"""A registered move proposes a school transfer: when a learner's household moves to an area
that their school does not serve, the guardian gets an **offer** of the pack's transfer service
naming the first school of the new district and why; confirming it moves the enrolment (the
learner number and the record follow, Enforcement Decree art. 21)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from gov3.catalogue.installed import rules_pack
from gov3.core.audit import record_audit
from gov3.core.translations import LANGUAGES
from gov3.offers.models import Offer, OfferStatus, OfferTrigger
from gov3.offers.proposals import propose
from gov3.offers.services import supersede_offers, write_offers
from gov3.registry.models import Area, LifeEvent, LifeEventKind
from gov3.schools.entry import district_order
from gov3.schools.models import Enrolment, EnrolmentEnd, School
from gov3.tasks.runner import enqueue

WHY = gettext_noop(
    "The household moved to %(area)s, which %(old)s does not serve; %(school)s is the first "
    "school of that school district for %(year)s."
)
WHY_FULL = gettext_noop(
    "The household moved to %(area)s, which %(old)s does not serve; %(full)s is full, and "
    "%(school)s is the next school of that school district with a free place for %(year)s."
)


def first_with_a_place(country: str, codes: list[str]) -> School | None:
    """The first of `codes` (a district's schools, in order) that has a free place: fewer
    learners enrolled now than its capacity (the pack's `next_in_district` overflow rule)."""
    schools = {
        s.code: s
        for s in School.objects.filter(country=country, code__in=codes).annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__ended_on__isnull=True))
        )
    }
    for code in codes:
        school = schools.get(code)
        if school is not None and school.enrolled < school.capacity:
            return school
    return None


def _name(school: School, language: str) -> str:
    return school.name_local if language == "ko" else f"{school.name_en} ({school.name_local})"


def propose_transfer(event: LifeEvent) -> Offer | None:
    """The transfer offer a move makes for an enrolled learner, or None (not a learner, the
    school still serves the new address, or no district covers it or none of its schools has a
    free place: the office decides)."""
    if event.kind != LifeEventKind.MOVE:
        return None
    child = event.person
    enrolment = (
        Enrolment.objects.filter(learner__person=child, ended_on__isnull=True)
        .select_related("school", "learner")
        .first()
    )
    to_area = str(event.details.get("to_area", ""))
    if enrolment is None or not to_area:
        return None
    order = district_order(child.country, enrolment.school_year, enrolment.school.level)
    serving = order.get(to_area, [])
    if not serving or enrolment.school.code in serving:
        return None
    from gov3.schools.installed import schools_data  # noqa: PLC0415

    data = schools_data(child.country)
    service = rules_pack(child.country).services.get(data.transfer_service)
    target = first_with_a_place(child.country, serving)
    area = Area.objects.filter(country=child.country, code=to_area).first()
    if service is None or target is None or area is None:
        return None
    today = timezone.localdate()
    proposal = propose(service, child, today, asked=True)
    if proposal is None:
        return None
    fields = proposal.fields()
    fields["period"] = event.occurred_on.isoformat()  # one transfer offer per move
    proposed: dict[str, Any] = {}
    for language in LANGUAGES:
        with translation.override(language):
            values = {
                "area": area.name_local if language == "ko" else area.name_en,
                "old": _name(enrolment.school, language),
                "school": _name(target, language),
                "year": enrolment.school_year,
            }
            if target.code == serving[0]:
                why = gettext(WHY) % values
            else:
                first = School.objects.get(country=child.country, code=serving[0])
                why = gettext(WHY_FULL) % {**values, "full": _name(first, language)}
            proposed[language] = {
                "rows": [
                    [gettext("New school"), _name(target, language)],
                    [gettext("Why this school"), why],
                ],
                "actions": [],
            }
    with transaction.atomic(durable=True):
        open_offers = Offer.objects.filter(
            service_id=service.id,
            subject=child,
            status__in=[OfferStatus.PROPOSED, OfferStatus.NOTIFIED, OfferStatus.VIEWED],
        )
        supersede_offers(list(open_offers), reason="a newer move")
        made = write_offers(
            [fields],
            trigger=OfferTrigger.LIFE_EVENT,
            detail={
                "life_event": event.pk,
                "transfer_to": target.code,
                "learner": enrolment.learner.number,
                "proposed": proposed,
            },
        )
        if made:
            record_audit(
                actor="system:schools-transfer",
                action="schools.transfer_offered",
                target_type="learner",
                target_id=enrolment.learner.pk,
                data={"offer": made[0].pk, "to_school": target.code, "life_event": event.pk},
            )
            enqueue("offers.notify", offer_ids=[made[0].pk])
    return made[0] if made else None


def on_life_event(sender: Any, event: LifeEvent, **kwargs: Any) -> None:
    """Receiver of `life_event_committed`, in a worker after the registry write committed: a
    failure fails the job, which is retried (the move stays)."""
    propose_transfer(event)


def transfer_on_confirmation(offer: Offer, actor: str) -> None:
    """Inside the confirmation's transaction: a confirmed transfer offer moves the enrolment
    to the new school (same year, grade; the learner number follows)."""
    code = (
        offer.trigger_detail.get("transfer_to") if isinstance(offer.trigger_detail, dict) else None
    )
    if not code:
        return
    current = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(learner__person=offer.subject, ended_on__isnull=True)
        .select_related("school", "learner")
        .first()
    )
    target = School.objects.filter(country=offer.country, code=code).first()
    if current is None or target is None or current.school_id == target.pk:
        return
    today = timezone.localdate()
    current.ended_on = max(today, current.started_on)
    current.end_reason = EnrolmentEnd.TRANSFERRED
    current.end_note = target.code
    current.save(update_fields=["ended_on", "end_reason", "end_note"])
    Enrolment.objects.create(
        learner=current.learner,
        school=target,
        school_year=current.school_year,
        grade=current.grade,
        started_on=current.ended_on,
    )
    record_audit(
        actor=actor,
        action="schools.transfer",
        target_type="learner",
        target_id=current.learner.pk,
        data={"from_school": current.school.code, "to_school": target.code, "offer": offer.pk},
    )

"""Life events → offers: after a registry change commits, apply the services it triggers to
the people it affects.

A birth affects the child and both parents; a marriage both spouses; every event also affects
the living members of the person's household (a household service may change for them). Each
service whose `triggers.life_events` names the event is applied to each affected person; new
offers are written and their recipients told, open offers of people who no longer qualify are
withdrawn.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gov3.catalogue.installed import rules_pack
from gov3.offers.models import OPEN_STATUSES, Offer, OfferTrigger
from gov3.offers.proposals import Proposal, propose
from gov3.offers.services import do_make_offers, supersede_offers
from gov3.registry.facts import household_subjects
from gov3.registry.models import LifeEvent, Person
from gov3.rules.errors import RulesError
from gov3.rules.facts import Subject

logger = logging.getLogger(__name__)

ACTOR = "system:offers"


def affected_people(event: LifeEvent) -> list[Person]:
    """The living people whose services a life event may change."""
    person = event.person
    ids = {person.pk}
    for key in ("mother", "father", "spouse", "other"):
        value = event.details.get(key)
        if isinstance(value, int):
            ids.add(value)
    for kin in (person.mother_id, person.father_id, person.spouse_id):
        if kin is not None:
            ids.add(kin)
    if person.household_id is not None:
        ids.update(
            Person.objects.filter(
                household_id=person.household_id, date_of_death__isnull=True
            ).values_list("pk", flat=True)
        )
    return list(Person.objects.filter(pk__in=ids).select_related("mother", "father").order_by("pk"))


def offers_for_event(event: LifeEvent) -> list[Offer]:
    """Apply the triggered services to everyone the event affects; returns the new offers."""
    try:
        pack = rules_pack(event.person.country)
    except RulesError:
        logger.exception(
            "the rules of %s do not load; no offers for event %s", event.person.country, event.pk
        )
        return []
    day = timezone.localdate()
    if event.kind == "death":
        _after_death(event.person, day)
    services = [s for s in pack.services.values() if event.kind in s.life_events]
    if not services:
        return []
    proposals: list[Proposal] = []
    withdraw: list[tuple[str, int]] = []
    subjects: dict[int, Subject] = {}
    for person in affected_people(event):
        if person.date_of_death is not None:
            withdraw += [(service.id, person.pk) for service in services]
            continue
        if person.pk not in subjects:  # one reading per household, for all its members
            subjects.update(household_subjects(person))
        subject = subjects[person.pk]
        for service in services:
            proposal = propose(service, person, day, subject=subject)
            if proposal is None:
                withdraw.append((service.id, person.pk))
            else:
                proposals.append(proposal)
    detail: dict[str, Any] = {"life_event": event.pk, "kind": event.kind}
    made = do_make_offers(ACTOR, proposals, trigger=OfferTrigger.LIFE_EVENT, detail=detail)
    _withdraw(withdraw, reason=f"life event {event.kind}")
    return made


def _after_death(person: Person, day: date) -> None:
    """Nobody answers for the dead: their open offers, and those addressed to them for a child,
    are withdrawn; the child's are made again for the other parent."""
    open_offers = list(
        Offer.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(subject=person) | Q(recipient=person))
        .select_related("subject")
    )
    if not open_offers:
        return
    pack = rules_pack(person.country)
    with transaction.atomic(durable=True):
        supersede_offers(open_offers, reason="death")
    again = [
        proposal
        for offer in open_offers
        if offer.subject_id != person.pk and offer.service_id in pack.services
        for proposal in [propose(pack.services[offer.service_id], offer.subject, day)]
        if proposal is not None
    ]
    do_make_offers(ACTOR, again, trigger=OfferTrigger.LIFE_EVENT, detail={"kind": "death"})


def _withdraw(pairs: list[tuple[str, int]], *, reason: str) -> None:
    if not pairs:
        return
    services = {service for service, _ in pairs}
    subjects = {subject for _, subject in pairs}
    wanted = set(pairs)
    candidates = [
        offer
        for offer in Offer.objects.filter(
            service_id__in=services, subject_id__in=subjects, status__in=OPEN_STATUSES
        )
        if (offer.service_id, offer.subject_id) in wanted
    ]
    if candidates:
        with transaction.atomic(durable=True):
            supersede_offers(candidates, reason=reason)


def on_life_event(sender: Any, event: LifeEvent, **kwargs: Any) -> None:
    """Receiver of `life_event_committed`, in a worker after the registry write committed: a
    failure fails the job, which is retried with backoff (and parked for an operator if it
    keeps failing); the registry write stays."""
    offers_for_event(event)

"""Rule changes: publishing a new version of a service re-evaluates it.

`gov3 offers publish` compares each installed service's version with the version its offers
were made under (`PublishedService`). For a changed service:

* an unanswered offer is withdrawn (superseded); if the person still qualifies a new offer
  under the new version replaces it, with the new amount and explanation;
* a confirmed benefit whose amount changes gets a notice (the case and its payments follow the
  new rules from the agency's side), and so does a confirmed entitlement (`eligibility`) the
  person no longer qualifies for;
* everyone who qualifies only now gets an offer (a sweep of that service, trigger
  "rule change").

The first publication of a service only records its version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from gov3.catalogue.installed import rules_pack
from gov3.core.audit import record_audit
from gov3.offers.models import OPEN_STATUSES, Offer, OfferStatus, OfferTrigger, PublishedService
from gov3.offers.proposals import propose
from gov3.offers.services import (
    notice_amount_changed,
    notice_entitlement_ended,
    notify_offers,
    supersede_offers,
    write_offers,
)
from gov3.offers.sweep import run_sweep, swept_services
from gov3.registry.facts import subject_for
from gov3.rules.explain import evaluate_service

ACTOR = "system:publish"


@dataclass
class Republished:
    """What publishing one service changed."""

    service: str
    old_version: str
    new_version: str
    withdrawn: int = 0
    replaced: int = 0
    amount_notices: int = 0
    entitlement_notices: int = 0
    new_offers: int = 0
    offer_ids: list[int] = field(default_factory=list)


def _republish(country: str, service_id: str, old: str, day: date) -> Republished:
    pack = rules_pack(country)
    service = pack.services[service_id]
    report = Republished(service_id, old, service.version)
    stale = Offer.objects.filter(country=country, service_id=service_id).exclude(
        service_version=service.version
    )
    for offer in stale.filter(status__in=OPEN_STATUSES).select_related("subject"):
        with transaction.atomic(durable=True):
            supersede_offers([offer], reason=f"rules {old} → {service.version}")
            proposal = propose(service, offer.subject, day)
            report.withdrawn += 1
            if proposal is not None:
                made = write_offers(
                    [proposal.fields()],
                    trigger=OfferTrigger.RULE_CHANGE,
                    detail={"from_version": old, "to_version": service.version},
                )
                report.replaced += len(made)
                report.offer_ids += [o.pk for o in made]
    for offer in stale.filter(status=OfferStatus.CONFIRMED).select_related("subject", "recipient"):
        if service.amount is None and service.kind != "eligibility":
            continue
        eligible, amount = evaluate_service(pack, service, subject_for(offer.subject), day)
        if service.kind == "eligibility":
            if not eligible:
                with transaction.atomic(durable=True):
                    notice_entitlement_ended(offer)
                report.entitlement_notices += 1
            continue
        new_amount = amount if eligible else 0
        if new_amount != offer.amount:
            with transaction.atomic(durable=True):
                notice_amount_changed(offer, offer.amount, new_amount)
            report.amount_notices += 1
    if service.id in {s.id for s in swept_services(country)}:
        swept = run_sweep(
            country, day, services=[service_id], notify=False, trigger=OfferTrigger.RULE_CHANGE
        )
        report.new_offers = swept.total_written
        report.offer_ids += swept.offer_ids
    return report


def publish_services(country: str, day: date | None = None) -> list[Republished]:
    """Re-evaluate every service whose installed version differs from the published one."""
    day = day or timezone.localdate()
    pack = rules_pack(country)
    published = {row.service_id: row for row in PublishedService.objects.filter(country=country)}
    reports = []
    for service in sorted(pack.services.values(), key=lambda s: s.id):
        row = published.get(service.id)
        if row is not None and row.version == service.version:
            continue
        if row is not None:
            report = _republish(country, service.id, row.version, day)
            reports.append(report)
            notify_offers(report.offer_ids)
        with transaction.atomic(durable=True):
            PublishedService.objects.update_or_create(
                country=country,
                service_id=service.id,
                defaults={"version": service.version, "published_at": timezone.now()},
            )
            record_audit(
                actor=ACTOR,
                action="offers.published",
                target_type="service",
                target_id=service.id,
                data={"version": service.version, "previous": row.version if row else None},
            )
    return reports

"""Write commands for offers: make (idempotently), notify, view, confirm, decline, expire,
supersede.

Each `do_*` command owns its transaction and writes an audit entry. Confirming sends
`offer_confirmed` inside the transaction, so the case the `cases` app opens commits (or rolls
back) together with the consent receipt; "this is wrong" sends `offer_objected` the same way, so
`offers` never imports `cases` (docs/architecture.md).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Protocol, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gov3.accounts.models import User
from gov3.accounts.queries import age_of_majority, children_acted_for
from gov3.catalogue.installed import country_pack, rules_pack
from gov3.core import metrics
from gov3.core.audit import record_audit
from gov3.core.bulk import EncodedJson, copy_rows, next_ids
from gov3.core.dates import add_years
from gov3.core.errors import NotFoundError, StaleVersionError, ValidationFailedError
from gov3.core.events import offer_confirmed, offer_objected
from gov3.core.translations import LANGUAGES, in_every_language
from gov3.notifications.models import NotificationKind
from gov3.notifications.services import do_notify
from gov3.offers.agreement import AGREEMENT_VERSION, agreement_text, sha256_json, sha256_text
from gov3.offers.models import (
    OPEN_STATUSES,
    ConsentReceipt,
    Offer,
    OfferNotice,
    OfferStatus,
    OfferTrigger,
    snapshot_of,
)
from gov3.offers.proposals import (
    Proposal,
    explanations,
    legal_basis_record,
    params_record,
)
from gov3.registry.facts import subject_for
from gov3.rules.errors import EvaluationError
from gov3.rules.explain import evaluate_service
from gov3.tasks.runner import enqueue

MAX_REASON = 2000


def _key(fields: dict[str, Any]) -> tuple[int, str, int, str]:
    return (
        fields["recipient"].pk if "recipient" in fields else fields["recipient_id"],
        fields["service_id"],
        fields["subject"].pk if "subject" in fields else fields["subject_id"],
        fields["period"],
    )


def write_offers(
    rows: Sequence[dict[str, Any]], *, trigger: OfferTrigger, detail: dict[str, Any]
) -> list[Offer]:
    """Insert the offers in `rows` (model fields) that are not live yet, inside the caller's
    transaction; returns those written. Running it twice, or twice at once, writes each offer
    once: existing live offers are skipped, and the unique constraint settles a race."""
    if not rows:
        return []
    services = {row["service_id"] for row in rows}
    subjects = {_key(row)[2] for row in rows}
    live = set(
        Offer.objects.filter(service_id__in=services, subject_id__in=subjects)
        .exclude(status=OfferStatus.SUPERSEDED)
        .values_list("recipient_id", "service_id", "subject_id", "period")
    )
    now = timezone.now()
    new = []
    for row in rows:
        key = _key(row)
        if key in live:
            continue
        live.add(key)
        # A row may carry its own detail (a school-entry notice names the child's school).
        new.append(Offer(**{"trigger_detail": detail, **row}, trigger=trigger, created_at=now))
    if not new:
        return []
    Offer.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    written = list(Offer.objects.filter(public_id__in=[offer.public_id for offer in new]))
    metrics.count_on_commit(metrics.OFFERS_MADE, len(written), trigger=str(trigger))
    return written


def do_make_offers(
    actor: str,
    proposals: Iterable[Proposal],
    *,
    trigger: OfferTrigger,
    detail: dict[str, Any],
) -> list[Offer]:
    """Write the offers that are new; a worker notifies their recipients after commit."""
    rows = [proposal.fields() for proposal in proposals]
    with transaction.atomic(durable=True):
        made = write_offers(rows, trigger=trigger, detail=detail)
        if made:
            record_audit(
                actor=actor,
                action="offers.made",
                target_type="offer",
                target_id=made[0].pk,
                data={
                    "trigger": trigger,
                    **detail,
                    "offers": [offer.pk for offer in made],
                    "services": sorted({o.service_id for o in made}),
                },
            )
            enqueue("offers.notify", offer_ids=[offer.pk for offer in made])
    return made


def offer_link(offer: Offer) -> str:
    return f"/me/offers/{offer.public_id}/"


def notify_offers(offer_ids: Sequence[int]) -> int:
    """Tell each recipient about their new offers (in-app, and e-mail by their preferences);
    the offers become "notified". Returns how many were notified."""
    count = 0
    offers = Offer.objects.filter(pk__in=offer_ids, status=OfferStatus.PROPOSED).select_related(
        "recipient", "subject"
    )
    for offer in offers.iterator(chunk_size=500):
        child = offer.subject.name_local if offer.for_someone_else else ""
        title = in_every_language(
            gettext_noop("A proposal for you: %(service)s"), service=offer.service_name
        )
        if child:
            body = in_every_language(
                gettext_noop(
                    "Based on the register, %(child)s can receive %(service)s. Open the offer to "
                    "see why and confirm it with one click by %(deadline)s."
                ),
                child=child,
                service=offer.service_name,
                deadline=offer.deadline.isoformat(),
            )
        else:
            body = in_every_language(
                gettext_noop(
                    "Based on the register, you can receive %(service)s. Open the offer to see "
                    "why and confirm it with one click by %(deadline)s."
                ),
                service=offer.service_name,
                deadline=offer.deadline.isoformat(),
            )
        with transaction.atomic():
            do_notify(
                offer.recipient,
                NotificationKind.OFFER,
                title=title,
                body=body,
                link=offer_link(offer),
                key=f"offer:{offer.public_id}",
            )
            Offer.objects.filter(pk=offer.pk, status=OfferStatus.PROPOSED).update(
                status=OfferStatus.NOTIFIED, notified_at=timezone.now(), version=F("version") + 1
            )
        count += 1
    return count


def _advance(offer: Offer, expected_version: int, allowed: Sequence[str], **changes: Any) -> None:
    """One conditional UPDATE: of two answers at once exactly one wins."""
    updated = Offer.objects.filter(
        pk=offer.pk, version=expected_version, status__in=allowed
    ).update(version=F("version") + 1, **changes)
    if updated:
        for name, value in changes.items():
            setattr(offer, name, value)
        offer.version = expected_version + 1
        return
    current = Offer.objects.filter(pk=offer.pk).values("status").first()
    if current is not None and current["status"] not in allowed:
        raise ValidationFailedError(
            gettext("This offer can no longer be answered: it is %(status)s.")
            % {"status": OfferStatus(current["status"]).label}
        )
    raise StaleVersionError(
        gettext("The offer changed while you were reading it. Please open it again.")
    )


def do_view_offer(offer: Offer) -> Offer:
    """The recipient opened the offer: it becomes "viewed"; an offer made in bulk by a sweep
    is completed now (see `completion`)."""
    changes = completion(offer)
    if offer.status in (OfferStatus.PROPOSED, OfferStatus.NOTIFIED):
        changes["status"] = OfferStatus.VIEWED
        changes["viewed_at"] = timezone.now()
    if not changes:
        return offer
    with transaction.atomic(durable=True):
        updated = Offer.objects.filter(pk=offer.pk, version=offer.version).update(
            version=F("version") + 1, **changes
        )
    if updated:
        for name, value in changes.items():
            setattr(offer, name, value)
        offer.version += 1
    return offer


def completion(offer: Offer) -> dict[str, Any]:
    """What an offer written in bulk by a sweep lacks, computed for its rules version and day:
    the explanation (from the register as it stands now), the parameters in force with their
    sources, and the legal basis. Writing these for every swept offer would multiply the
    sweep's volume; they are the same for every offer of a service version on a day."""
    if offer.explanation and offer.legal_basis:
        return {}
    pack = rules_pack(offer.country)
    service = pack.services.get(offer.service_id)
    if service is None or service.version != offer.service_version:
        return {}
    changes: dict[str, Any] = {}
    if not offer.legal_basis:
        changes["legal_basis"] = legal_basis_record(service)
        changes["params"] = params_record(pack, service, offer.evaluated_on)
    if not offer.explanation:
        currency = country_pack(offer.country).currency.code
        changes["explanation"] = explanations(
            pack,
            service,
            subject_for(offer.subject),
            offer.evaluated_on,
            currency,
            subject_name=offer.subject.name_local if offer.for_someone_else else None,
        )
    return changes


def live_offer_keys(
    service_id: str, *, period: str | None = None, subjects: Sequence[int] | None = None
) -> set[tuple[int, int, str]]:
    """The (recipient id, subject id, period) of the offers of `service_id` that are live (not
    superseded): of one period, or of some subjects (`insert_offers` skips them)."""
    offers = Offer.objects.filter(service_id=service_id).exclude(status=OfferStatus.SUPERSEDED)
    if period is not None:
        offers = offers.filter(period=period)
    if subjects is not None:
        offers = offers.filter(subject_id__in=subjects)
    return {(r, s, p) for r, s, p in offers.values_list("recipient_id", "subject_id", "period")}


def insert_offers(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    common: dict[str, Any],
    trigger: OfferTrigger,
    live: set[tuple[int, int, str]] | None = None,
) -> list[tuple[int, int]]:
    """Write many new offers inside the caller's transaction: each of `rows` the values of
    `columns` (attnames, ``recipient_id``, ``subject_id`` and ``period`` among them; a JSON
    value may be given `EncodedJson`), `common` the values every offer shares (``service_id``
    among them); the (id, subject id) of each offer written. An offer already live (not
    superseded) for the same recipient, service, subject and period is skipped: `live` holds
    their (recipient id, subject id, period) when the caller has read them (`live_offer_keys`;
    updated with those written), else they are read here. PostgreSQL
    takes them through COPY straight into the table, with ids drawn from its sequence
    (`core.bulk.copy_rows`), other databases through `write_offers`. For a national round (the
    school-entry notices): the ORM's INSERT of JSON columns costs more than everything else.

    Should another writer make one of these offers between the check and the COPY, the
    one-live-offer constraint refuses the COPY: `ValidationFailedError`, and the caller's
    transaction writes nothing."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        decoded = [
            {
                **common,
                **{
                    k: json.loads(v) if isinstance(v, EncodedJson) else v
                    for k, v in zip(columns, row, strict=True)
                },
            }
            for row in rows
        ]
        return [
            (offer.pk, offer.subject_id)
            for offer in write_offers(decoded, trigger=trigger, detail={})
        ]
    at = {name: n for n, name in enumerate(columns)}
    recipient, subject, period = at["recipient_id"], at["subject_id"], at["period"]
    if live is None:
        live = live_offer_keys(common["service_id"], subjects=[row[subject] for row in rows])
    new = []
    for row in rows:
        key = (row[recipient], row[subject], row[period])
        if key not in live:
            live.add(key)
            new.append(row)
    ids = next_ids(Offer, len(new))
    try:
        with transaction.atomic():
            copy_rows(
                Offer,
                ["id", *columns],
                [(pk, *row) for pk, row in zip(ids, new, strict=True)],
                common={**common, "trigger": trigger, "created_at": timezone.now()},
            )
    except IntegrityError as error:
        raise ValidationFailedError(
            gettext(
                "Some of these offers were made by another task at the same time; nothing was "
                "written. Run it again."
            )
        ) from error
    made = [(pk, int(row[subject])) for pk, row in zip(ids, new, strict=True)]
    metrics.count_on_commit(metrics.OFFERS_MADE, len(made), trigger=str(trigger))
    return made


def _acting_person(user: User, offer: Offer) -> None:
    if not user.is_citizen or user.person_id != offer.recipient_id:
        raise NotFoundError(gettext("There is no such offer."))


def confirmation_problem(user: User, offer: Offer, day: date | None = None) -> str | None:
    """Why `user` cannot confirm `offer` on `day` (default today), or None if they can.

    Checked when the offer is shown and again when it is confirmed, because the register may
    have changed since the offer was made: the recipient must still act for the subject (a
    child who came of age answers for themselves), and the rule must still hold for the
    subject as of that day."""
    day = day or timezone.localdate()
    subject = offer.subject
    if subject.date_of_death is not None:
        return gettext("The register records that %(name)s has died.") % {
            "name": subject.name_local
        }
    if offer.for_someone_else and not children_acted_for(user, day).filter(pk=subject.pk):
        return gettext(
            "You no longer act for %(name)s (for example, they have come of age): they can "
            "answer offers themselves."
        ) % {"name": subject.name_local}
    pack = rules_pack(offer.country)
    service = pack.services.get(offer.service_id)
    if service is None:
        return gettext("This service is no longer offered.")
    try:
        eligible, _ = evaluate_service(pack, service, subject_for(subject), day)
    except EvaluationError:
        return gettext("This offer cannot be checked against today's rules; please try later.")
    if not eligible:
        return gettext(
            "According to the register today, %(name)s no longer qualifies for this service. "
            "You can still apply and have it checked."
        ) % {"name": subject.name_local}
    return None


def do_confirm_offer(
    user: User,
    offer: Offer,
    *,
    expected_version: int,
    language: str,
    channel: str = "web",
) -> ConsentReceipt:
    """Confirm with one action: a consent receipt pins the agreement text and the offer as
    shown. Confirming an offer already confirmed returns the first receipt (one case). An offer
    the recipient may no longer confirm (`confirmation_problem`) is refused: no case opens."""
    _acting_person(user, offer)
    existing = ConsentReceipt.objects.filter(offer=offer).first()
    if existing is not None:
        return existing
    problem = confirmation_problem(user, offer)
    if problem is not None:
        raise ValidationFailedError(problem)
    language = language if language in LANGUAGES else "en"
    child = offer.subject if offer.for_someone_else else None
    name = offer.service_name.get(language) or offer.service_name.get("en", offer.service_id)
    text = agreement_text(name, child.name_local if child else None, language)
    with transaction.atomic(durable=True):
        now = timezone.now()
        _advance(
            offer,
            expected_version,
            OPEN_STATUSES,
            status=OfferStatus.CONFIRMED,
            answered_at=now,
            **completion(offer),
        )
        snapshot = snapshot_of(offer)
        receipt = ConsentReceipt(
            offer=offer,
            agreement_version=AGREEMENT_VERSION,
            agreement_language=language,
            agreement_text=text,
            agreement_sha256=sha256_text(text),
            offer_snapshot=snapshot,
            offer_sha256=sha256_json(snapshot),
            confirmed_at=now,
            confirmed_by=user,
            person_id=offer.recipient_id,
            acting_for=child,
            channel=channel,
        )
        receipt.save()
        record_audit(
            actor=f"citizen:{user.get_username()}",
            action="offers.confirmed",
            target_type="offer",
            target_id=offer.pk,
            data={
                "service": offer.service_id,
                "agreement": AGREEMENT_VERSION,
                "agreement_sha256": receipt.agreement_sha256,
                "offer_sha256": receipt.offer_sha256,
                "acting_for": child.pk if child else None,
            },
        )
        offer_confirmed.send(sender=Offer, offer=offer, receipt=receipt)
        metrics.count_on_commit(metrics.OFFERS_CONFIRMED)
    return receipt


class ObjectionRecord(Protocol):
    """What the subscriber to `offer_objected` recorded: enough to tell the citizen."""

    public_id: uuid.UUID
    due_on: date


def do_object_to_offer(user: User, offer: Offer, *, text: str) -> ObjectionRecord:
    """ "This is wrong": the citizen disputes an offer's data. `cases` records the objection for
    the agency that decides the service, inside this transaction (and refuses, with an error the
    citizen reads, an empty text or a second open objection)."""
    with transaction.atomic(durable=True):
        answers = offer_objected.send(sender=Offer, user=user, offer=offer, text=text)
    # django-stubs types a receiver's answer as str; `cases` answers with its Objection.
    recorded = [cast("ObjectionRecord", answer) for _, answer in answers if answer is not None]
    if not recorded:
        # Only when the `cases` app is not installed: an operator's error, not the citizen's.
        msg = "No app takes objections to offers: is gov3.cases in INSTALLED_APPS?"
        raise RuntimeError(msg)
    return recorded[0]


def do_decline_offer(user: User, offer: Offer, *, expected_version: int, reason: str) -> Offer:
    """Decline, with a reason (required, so the agency learns why)."""
    with transaction.atomic(durable=True):
        decline_within(user, offer, expected_version=expected_version, reason=reason)
    return offer


def decline_within(user: User, offer: Offer, *, expected_version: int, reason: str) -> None:
    """`do_decline_offer`'s work inside the caller's transaction: for an app whose own answer
    replaces the offer's (a guardian who asks the education office for a deferral instead of
    confirming the proposed school), so that the offer cannot be confirmed afterwards."""
    _acting_person(user, offer)
    reason = reason.strip()
    if not reason:
        raise ValidationFailedError(gettext("Please say why you decline this offer."))
    if len(reason) > MAX_REASON:
        raise ValidationFailedError(
            gettext("The reason is too long (at most %(n)d characters).") % {"n": MAX_REASON}
        )
    _advance(
        offer,
        expected_version,
        OPEN_STATUSES,
        status=OfferStatus.DECLINED,
        answered_at=timezone.now(),
        decline_reason=reason,
    )
    record_audit(
        actor=f"citizen:{user.get_username()}",
        action="offers.declined",
        target_type="offer",
        target_id=offer.pk,
        data={"service": offer.service_id},
    )


def do_expire_offers(actor: str, day: date) -> int:
    """Offers still unanswered after their deadline expire; returns how many."""
    with transaction.atomic(durable=True):
        expired = Offer.objects.filter(status__in=OPEN_STATUSES, deadline__lt=day).update(
            status=OfferStatus.EXPIRED, version=F("version") + 1
        )
        if expired:
            record_audit(
                actor=actor,
                action="offers.expired",
                target_type="offer",
                data={"count": expired, "day": day.isoformat()},
            )
    return expired


def do_withdraw_offers_of_adults(actor: str, country: str, day: date) -> int:
    """Withdraw the open offers a parent received for a child who has come of age by `day`
    (the child answers for themselves now; the sweep proposes to them). Returns how many."""
    cutoff = add_years(day, -age_of_majority(country))
    with transaction.atomic(durable=True):
        grown = list(
            Offer.objects.filter(
                country=country, status__in=OPEN_STATUSES, subject__birth_date__lte=cutoff
            )
            .exclude(subject_id=F("recipient_id"))
            .select_related("subject")
        )
        withdrawn = supersede_offers(grown, reason="came_of_age")
        if withdrawn:
            record_audit(
                actor=actor,
                action="offers.withdrawn_came_of_age",
                target_type="offer",
                data={"count": withdrawn, "day": day.isoformat()},
            )
    return withdrawn


#: What a withdrawn offer's notice says, by the reason it was withdrawn.
WITHDRAWN_BODIES = {
    "came_of_age": gettext_noop(
        "%(child)s has come of age and can answer offers themselves, so the offer of "
        "%(service)s made to you for them was withdrawn."
    ),
}
WITHDRAWN_BODY = gettext_noop(
    "After a change in the rules you no longer qualify, so the offer of "
    "%(service)s was withdrawn. You can still apply and have it checked."
)


def supersede_offers(offers: Sequence[Offer], *, reason: str) -> int:
    """Withdraw unanswered offers (inside the caller's transaction) and tell the recipients
    after commit; returns how many were withdrawn."""
    ids = [offer.pk for offer in offers]
    withdrawn = list(
        Offer.objects.filter(pk__in=ids, status__in=OPEN_STATUSES).select_related(
            "recipient", "subject"
        )
    )
    Offer.objects.filter(pk__in=[o.pk for o in withdrawn]).update(
        status=OfferStatus.SUPERSEDED, version=F("version") + 1
    )
    now = timezone.now()
    OfferNotice.objects.bulk_create(
        [
            OfferNotice(offer=o, kind="withdrawn", details={"reason": reason}, at=now)
            for o in withdrawn
        ]
    )

    def tell() -> None:
        for offer in withdrawn:
            do_notify(
                offer.recipient,
                NotificationKind.OFFER_WITHDRAWN,
                title=in_every_language(
                    gettext_noop("An offer was withdrawn: %(service)s"), service=offer.service_name
                ),
                body=in_every_language(
                    WITHDRAWN_BODIES.get(reason, WITHDRAWN_BODY),
                    service=offer.service_name,
                    child=offer.subject.name_local,
                ),
                link=offer_link(offer),
                key=f"offer:{offer.public_id}:withdrawn",
            )

    transaction.on_commit(tell)
    return len(withdrawn)


def notice_entitlement_ended(offer: Offer) -> None:
    """Record and send (after commit) a notice that a confirmed entitlement (an `eligibility`
    service, which has no amount to change) ends: under the new rules the person no longer
    qualifies."""
    OfferNotice.objects.create(offer=offer, kind="entitlement_ended", at=timezone.now())

    def tell() -> None:
        do_notify(
            offer.recipient,
            NotificationKind.ENTITLEMENT_ENDED,
            title=in_every_language(
                gettext_noop("%(service)s ends under new rules"), service=offer.service_name
            ),
            body=in_every_language(
                gettext_noop(
                    "Under the new rules of %(service)s, the register no longer shows that you "
                    "qualify: the entitlement you confirmed ends."
                ),
                service=offer.service_name,
            ),
            link=offer_link(offer),
            key=f"offer:{offer.public_id}:entitlement_ended",
        )

    transaction.on_commit(tell)


def notice_amount_changed(offer: Offer, old: int | None, new: int | None) -> None:
    """Record and send (after commit) a notice that a confirmed benefit's amount changed."""
    OfferNotice.objects.create(
        offer=offer, kind="amount_changed", details={"old": old, "new": new}, at=timezone.now()
    )

    def tell() -> None:
        do_notify(
            offer.recipient,
            NotificationKind.AMOUNT_CHANGED,
            title=in_every_language(
                gettext_noop("The amount of %(service)s changes"), service=offer.service_name
            ),
            body=in_every_language(
                gettext_noop("Under the new rules the amount changes from %(old)s to %(new)s."),
                old=f"{old or 0:,}",
                new=f"{new or 0:,}",
            ),
            link=offer_link(offer),
            key=f"offer:{offer.public_id}:amount:{new}",
        )

    transaction.on_commit(tell)

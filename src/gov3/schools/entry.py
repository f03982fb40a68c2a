"""The school-entry round, the Government 3.0 way: the state proposes, the guardian confirms.

On the reference date (kr: 1 October, Enforcement Decree art. 15) the roster of children
reaching school age is drawn from the register by the pack's notice service rule; each child is
assigned a school from the registered address and the schools' first-grade places
(`core.assignment`); the guardian (the living parent the register names, `offers.proposals`)
receives the notice as an **offer** with the school and why. Confirming the offer (one click,
consent receipt, `offers`) registers the learner and enrols them; asking for a deferral, early
entry, special-education support or another school opens a case of the pack's request service
for the education office. A child with no guardian in the register, or no school, goes to the
follow-up list. Nothing here is a date or an age in code: they are the pack's parameters and
rules (countries/<cc>/parameters/school_entry.yaml, services/*.yaml).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop

from gov3.accounts.models import User
from gov3.accounts.queries import children_acted_for
from gov3.cases.models import Case
from gov3.cases.services import open_request_case
from gov3.catalogue.installed import rules_pack
from gov3.catalogue.packs import SchoolsData
from gov3.core.audit import record_audit
from gov3.core.bulk import EncodedJson, Pipeline
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.translations import LANGUAGES
from gov3.offers.models import OPEN_STATUSES, Offer, OfferTrigger
from gov3.offers.proposals import facts_encoder, facts_read, period_of, proactive, propose
from gov3.offers.services import (
    decline_within,
    insert_offers,
    live_offer_keys,
    supersede_offers,
)
from gov3.registry.models import Area, Person
from gov3.rules.pack import Service
from gov3.schools.core.assignment import Assignment, AssignmentReason, assign_schools
from gov3.schools.core.learner_numbers import make_learner_number
from gov3.schools.models import (
    DistrictEntry,
    Enrolment,
    EntryRound,
    Learner,
    Placement,
    PlacementStatus,
    RequestKind,
    School,
)
from gov3.schools.roster import RosterRow, batched, insert_placements, roster_rows
from gov3.tasks.runner import enqueue

#: Why a child got their school, as the guardian reads it.
REASONS = {
    AssignmentReason.DISTRICT: gettext_noop(
        "%(school)s is the first school of the school district of the registered address "
        "(%(area)s) for %(year)s."
    ),
    AssignmentReason.OVERFLOW: gettext_noop(
        "The first school of the district of the registered address (%(area)s), %(full)s, has "
        "no first-grade place left; %(school)s is the next school of the district."
    ),
    AssignmentReason.NO_DISTRICT: gettext_noop(
        "No school district covers the registered address: the education office assigns the school."
    ),
    AssignmentReason.ALL_FULL: gettext_noop(
        "Every school of the district is full: the education office assigns the school."
    ),
}


def param(country: str, name: str, on: date) -> int:
    """An integer parameter of the pack (e.g. ``school_entry.entry_age``) in force on ``on``."""
    value = rules_pack(country).params[name].at(on).value
    assert isinstance(value, int)
    return value


def school_start(country: str, school_year: int) -> date:
    """The first day of ``school_year`` (the pack's ``school_year.starts``: kr 1 March, vn
    5 September)."""
    from gov3.schools.installed import schools_data  # noqa: PLC0415 - reads the pack once

    return date(school_year, *schools_data(country).year_start)


def reference_date(country: str, school_year: int) -> date:
    """The roster's reference date for entry in ``school_year``: the last (notice month,
    reference day) before the school year starts (kr: 1 October of the year before; vn: 1 June
    of the same year)."""
    start = school_start(country, school_year)
    year_before = date(school_year - 1, 1, 1)
    month = param(country, "school_entry.notice_from_month", year_before)
    day = param(country, "school_entry.reference_day", year_before)
    same_year = date(school_year, month, day)
    return same_year if same_year < start else date(school_year - 1, month, day)


def entry_date_text(start: date) -> str:
    """The school year's first day as the notice writes it."""
    if (start.month, start.day) == (3, 1):
        return gettext("1 March %(year)s") % {"year": start.year}
    return formats.date_format(start, "DATE_FORMAT")


def _name(school: School, language: str) -> str:
    return school.name_local if language == "ko" else f"{school.name_en} ({school.name_local})"


def _proposed(
    area: Area | None,
    assignment: Assignment,
    schools: dict[str, School],
    year: int,
    start: date | None = None,
) -> dict[str, Any]:
    """The school and why, and the other answers (the request page's address is the
    placement's: added by the caller), in every language (the offer page shows them under
    "What is proposed")."""
    out: dict[str, Any] = {}
    for language in LANGUAGES:
        with translation.override(language):
            area_name = (
                "" if area is None else (area.name_local if language == "ko" else area.name_en)
            )
            school = schools.get(assignment.school or "")
            full = ", ".join(_name(schools[c], language) for c in assignment.full if c in schools)
            why = gettext(REASONS[assignment.reason]) % {
                "school": _name(school, language) if school else "",
                "area": area_name,
                "year": year,
                "full": full,
            }
            rows = [
                [gettext("School assigned"), _name(school, language) if school else "—"],
                [gettext("Why this school"), why],
                [gettext("Entry"), entry_date_text(start or date(year, 3, 1))],
            ]
            out[language] = {
                "rows": rows,
                "actions": [
                    {
                        "url": "",
                        "label": gettext(
                            "Ask for a deferral, early entry, special-education support or "
                            "another school"
                        ),
                    }
                ],
            }
    return out


#: The columns of a notice that differ from child to child (`insert_offers`).
_OFFER_COLUMNS = ("subject_id", "recipient_id", "province", "period", "facts")

#: The offer's ``trigger_detail["proposed_by"]`` naming `proposed_for` (`offers.views`).
PROPOSED_BY_ROUND = "school_entry_round"


def _request_url(placement_id: object) -> str:
    return f"/me/schools/entry/{placement_id}/request/"


def proposed_for(offer: Offer) -> dict[str, Any] | None:
    """What the round proposed with ``offer``, in every language: the school and why, worked out
    from the offer's placement when the offer is shown (a national round stores no text with
    its notices; it was ~1.5 KB a notice in every language). None without a placement."""
    placement = (
        Placement.objects.filter(offer_id=offer.pk)
        .select_related("round", "area", "school")
        .first()
    )
    if placement is None:
        return None
    codes = [*placement.passed_over, *([placement.school.code] if placement.school else [])]
    schools = {
        s.code: s for s in School.objects.filter(country=placement.round.country, code__in=codes)
    }
    assignment = Assignment(
        str(placement.child_id),
        placement.school.code if placement.school else None,
        AssignmentReason(placement.reason),
        tuple(placement.passed_over),
    )
    year = placement.round.school_year
    start = school_start(placement.round.country, year)
    proposed = _proposed(placement.area, assignment, schools, year, start)
    for text in proposed.values():
        text["actions"][0]["url"] = _request_url(placement.public_id)
    return proposed


def _write_roster(
    entry_round: EntryRound,
    service: Service,
    *,
    day: date,
    roster: Sequence[RosterRow],
    assignments: Sequence[Assignment],
    schools: dict[str, School],
) -> list[int]:
    """Write a placement for every child of ``roster`` and, where a school and a guardian are
    known, the guardian's offer naming the school and why, in batches; the offers' ids.

    The offers are written as the sweep writes its own: the explanation, parameters and legal
    basis are the same for everyone and are added when an offer is first opened
    (`offers.services.completion`); the school and why are the child's own."""
    year = entry_round.school_year
    period = period_of(service, day)
    fixed = {
        "country": entry_round.country,
        "service_id": service.id,
        "service_version": service.version,
        "service_kind": service.kind,
        "service_name": dict(service.name),
        "evaluated_on": day,
        "amount": None,
        "currency": "",
        "params": [],
        "legal_basis": [],
        "explanation": {},
        "deadline": day + timedelta(days=service.deadline_days),
        # The school and why are the placement's, said when the offer is shown (`proposed_for`):
        # the same detail for the whole round.
        "trigger_detail": {"school_entry_round": year, "proposed_by": PROPOSED_BY_ROUND},
    }
    facts_json = facts_encoder(facts_read(service))

    # An offer of the notice made earlier (by the monthly sweep) has no school yet: withdrawn
    # for every child the round offers a school (this round's own offers, of a run before,
    # are the placements').
    earlier = {
        offer.subject_id: offer
        for offer in Offer.objects.filter(
            service_id=service.id, period=period, status__in=OPEN_STATUSES
        ).filter(school_placement__isnull=True)
    }
    # The offers of the period a notice must not repeat (those withdrawn below aside).
    withdrawn = {(o.recipient_id, o.subject_id, o.period) for o in earlier.values()}
    live = live_offer_keys(service.id, period=period) - withdrawn
    # Most children pass over no school: each list of schools passed over is encoded once.
    passed_over: dict[tuple[str, ...], EncodedJson] = {}
    offers: list[int] = []

    def write(rows: list[tuple[Any, ...]], placements: list[dict[str, Any]]) -> None:
        superseded = [earlier[r[0]] for r in rows if r[0] in earlier]
        if superseded:
            supersede_offers(superseded, reason="school-entry round")
        made = {
            subject: pk
            for pk, subject in insert_offers(
                _OFFER_COLUMNS, rows, common=fixed, trigger=OfferTrigger.SWEEP, live=live
            )
        }
        for placement in placements:
            placement["offer_id"] = made.get(placement["child_id"])
        insert_placements(placements)
        offers.extend(made.values())

    # Written in the order of the children's ids (the schools were assigned oldest first): most
    # of the indexes on placements and offers start with the child, so each batch lands at
    # their ends instead of on as many pages as it has rows. The database stores a batch while
    # the next is prepared.
    by_child = sorted(zip(roster, assignments, strict=True), key=lambda pair: pair[0].child_id)
    with Pipeline() as pipeline:
        for batch in batched(by_child):
            placements: list[dict[str, Any]] = []
            rows: list[tuple[Any, ...]] = []
            for row, assignment in batch:
                school = schools.get(assignment.school or "")
                if school is None:
                    status = PlacementStatus.UNASSIGNED
                elif row.guardian_id is None:
                    status = PlacementStatus.NO_GUARDIAN
                else:
                    status = PlacementStatus.OFFERED
                full = passed_over.get(assignment.full)
                if full is None:
                    full = passed_over[assignment.full] = EncodedJson(
                        json.dumps(list(assignment.full))
                    )
                placement = {
                    "round_id": entry_round.pk,
                    "child_id": row.child_id,
                    "guardian_id": row.guardian_id,
                    "area_id": row.area_id,
                    "school_id": None if school is None else school.pk,
                    "reason": str(assignment.reason),
                    "passed_over": full,
                    "status": str(status),
                    "offer_id": None,
                }
                placements.append(placement)
                if status == PlacementStatus.OFFERED and proactive(service):
                    rows.append(
                        (
                            row.child_id,
                            row.guardian_id,
                            row.province,
                            period,
                            EncodedJson(facts_json(row.facts)),
                        )
                    )
            pipeline.put(partial(write, rows, placements))
    return offers


def district_order(country: str, school_year: int, level: str) -> dict[str, list[str]]:
    """Area code → the school codes serving it in ``school_year``, in priority order."""
    districts: dict[str, list[tuple[int, str]]] = {}
    for entry in DistrictEntry.objects.filter(
        school_year=school_year, school__country=country, school__level=level
    ).select_related("area", "school"):
        districts.setdefault(entry.area.code, []).append((entry.priority, entry.school.code))
    return {area: [code for _, code in sorted(pairs)] for area, pairs in districts.items()}


def _free_places(entry_round: EntryRound, schools: dict[str, School]) -> dict[str, int]:
    """First-grade places not yet taken by this round's placements."""
    taken: dict[str, int] = {}
    for code in entry_round.placements.exclude(school=None).values_list("school__code", flat=True):
        taken[code] = taken.get(code, 0) + 1
    return {code: s.entry_places - taken.get(code, 0) for code, s in schools.items()}


def do_build_entry_round(
    actor: str, country: str, school_year: int, *, on: date | None = None, notify: bool = True
) -> EntryRound:
    """Draw the roster for entry in ``school_year`` from the register, assign the schools and
    send each guardian the notice as an offer (notified after commit unless ``notify`` is
    false: `gov3 offers notify` sends them later). Run again (e.g. after people moved in), it adds
    only children not yet on the roster, with the places left."""
    day = on or reference_date(country, school_year)
    pack = rules_pack(country)
    from gov3.schools.installed import schools_data  # noqa: PLC0415 - reads the pack once

    data: SchoolsData = schools_data(country)
    service = pack.services.get(data.notice_service)
    if service is None:
        raise ValidationFailedError(
            f"The pack names the notice service {data.notice_service!r}, which has no file in "
            f"countries/{country}/services/."
        )
    entry_age = param(country, "school_entry.entry_age", day)
    born_in = school_year - data.entry_year_offset - entry_age
    with transaction.atomic(durable=True):
        entry_round, _ = EntryRound.objects.get_or_create(
            country=country,
            school_year=school_year,
            defaults={"reference_date": day, "built_at": timezone.now(), "built_by": actor},
        )
        roster = roster_rows(entry_round.pk, pack, service, born_in, day)
        order = district_order(country, school_year, data.entry_level)
        schools = {s.code: s for s in School.objects.filter(country=country)}
        free = _free_places(entry_round, schools)
        assignments = assign_schools(
            [(str(row.child_id), row.area_code) for row in roster], order, free
        )
        offers = _write_roster(
            entry_round,
            service,
            day=day,
            roster=roster,
            assignments=assignments,
            schools=schools,
        )
        record_audit(
            actor=actor,
            action="schools.entry_round",
            target_type="entry_round",
            target_id=entry_round.pk,
            data={
                "school_year": school_year,
                "reference_date": day.isoformat(),
                "roster_added": len(roster),
                "offers": len(offers),
            },
        )
        if offers and notify:
            # The guardians are told by a worker once the round commits.
            enqueue("offers.notify", offer_ids=offers)
    return entry_round


def current_school_year(country: str, today: date) -> int:
    """The year of entry whose round is in season on ``today`` (from the reference month to
    February), or the next one to come."""
    return today.year if today < school_start(country, today.year) else today.year + 1


def _learner_inside(person: Person, data: SchoolsData) -> Learner:
    """The person's learner record, made inside the caller's transaction if missing."""
    existing = Learner.objects.filter(person=person).first()
    if existing is not None:
        return existing
    serial = Learner.objects.filter(country=person.country).count() + 1
    spec = data.learner_id
    return Learner.objects.create(
        country=person.country,
        number=make_learner_number(spec.pattern, spec.check, serial),
        person=person,
        registered_at=timezone.now(),
    )


def on_offer_confirmed(sender: Any, offer: Offer, receipt: Any, **kwargs: Any) -> None:
    """Receiver of `offer_confirmed`, inside the confirmation's transaction: a confirmed
    school-entry notice registers the learner and enrols them in grade 1 from the first day of
    the school year (kr: 1 March)."""
    placement = (
        # Lock the placement only: PostgreSQL cannot lock the nullable side of an outer join.
        Placement.objects.select_for_update(of=("self",))
        .filter(offer=offer)
        .select_related("round", "school", "child")
        .first()
    )
    if placement is None:
        from gov3.schools.transfers import transfer_on_confirmation  # noqa: PLC0415 - a cycle

        transfer_on_confirmation(offer, f"citizen:{receipt.confirmed_by.get_username()}")
        return
    if placement.school is None:
        return
    if placement.status == PlacementStatus.REQUESTED:
        # Another guardian asked the education office instead: its decision says the school.
        raise ValidationFailedError(
            gettext(
                "A request about this child's school entry is with the education office: its "
                "decision will tell you the school."
            )
        )
    from gov3.schools.installed import schools_data  # noqa: PLC0415

    learner = _learner_inside(placement.child, schools_data(offer.country))
    if not Enrolment.objects.filter(learner=learner, ended_on__isnull=True).exists():
        Enrolment.objects.create(
            learner=learner,
            school=placement.school,
            school_year=placement.round.school_year,
            grade=1,
            started_on=school_start(offer.country, placement.round.school_year),
        )
    placement.status = PlacementStatus.CONFIRMED
    placement.answered_at = timezone.now()
    placement.save(update_fields=["status", "answered_at"])
    record_audit(
        actor=f"citizen:{receipt.confirmed_by.get_username()}",
        action="schools.entry_confirmed",
        target_type="placement",
        target_id=placement.pk,
        data={"school": placement.school.code, "learner": learner.number},
    )


def placement_for_guardian(user: User, public_id: object) -> Placement:
    """A placement the signed-in citizen answers for (their child's); anything else is
    `NotFoundError`, nothing logged."""
    if not user.is_citizen or user.person is None:
        raise NotFoundError(gettext("There is no such school-entry notice."))
    children = [user.person.pk, *children_acted_for(user).values_list("pk", flat=True)]
    placement = (
        Placement.objects.filter(public_id=str(public_id), child_id__in=children)
        .select_related("school", "child", "round", "offer")
        .first()
        if _is_uuid(public_id)
        else None
    )
    if placement is None:
        raise NotFoundError(gettext("There is no such school-entry notice."))
    return placement


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _in_every_language(label: object) -> dict[str, str]:
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            texts[language] = str(label)
    return texts


def do_request_entry_change(
    user: User, placement: Placement, *, kind: str, reason: str, on: date | None = None
) -> Case:
    """The guardian asks the education office for a deferral, early entry, special-education
    support or another school, with a reason: a case in the office's queue."""
    day = on or timezone.localdate()
    if kind not in RequestKind.values:
        raise ValidationFailedError(gettext("Choose what you ask for."))
    reason = reason.strip()
    if not reason:
        raise ValidationFailedError(gettext("Say why: the education office decides on it."))
    if placement.status not in (PlacementStatus.OFFERED,):
        raise ValidationFailedError(
            gettext("This notice was already answered; see your case for what happens next.")
        )
    assert user.person is not None
    from gov3.schools.installed import schools_data  # noqa: PLC0415

    data = schools_data(placement.round.country)
    service = rules_pack(placement.round.country).services[data.request_service]
    proposal = propose(service, placement.child, day, asked=True)
    if proposal is None:
        raise ValidationFailedError(
            gettext(
                "This request cannot be made for this child today: see the rules of the service."
            )
        )
    with transaction.atomic(durable=True):
        locked = Placement.objects.select_for_update().get(pk=placement.pk)
        if locked.status != PlacementStatus.OFFERED:
            raise ValidationFailedError(
                gettext("This notice was already answered; see your case for what happens next.")
            )
        case = open_request_case(
            service_id=service.id,
            applicant=user.person,
            proposal=proposal,
            actor=f"citizen:{user.get_username()}",
            request={
                "kind": kind,
                "what": _in_every_language(RequestKind(kind).label),
                "reason": reason[:2000],
                "school": locked.school.code if locked.school else "",
                "school_year": str(placement.round.school_year),
            },
        )
        offer = locked.offer
        if offer is not None and offer.recipient_id == user.person_id:
            # The request answers the notice: it can no longer be confirmed as well.
            decline_within(user, offer, expected_version=offer.version, reason=reason[:2000])
        locked.status = PlacementStatus.REQUESTED
        locked.request_kind = kind
        locked.request_reason = reason[:2000]
        locked.case = case
        locked.answered_at = timezone.now()
        locked.save(
            update_fields=["status", "request_kind", "request_reason", "case", "answered_at"]
        )
        record_audit(
            actor=f"citizen:{user.get_username()}",
            action="schools.entry_request",
            target_type="placement",
            target_id=locked.pk,
            data={"kind": kind, "case": case.pk},
        )
    return case

"""Petitions and civil complaints (e-People): file → routed to the competent agency (the
category and area chosen, and the routing classifier) → grouped with alike petitions →
transferred, extended, answered (once for a whole group) → rated → objection.

Periods come from the country pack (`participation.core.policy`), counted with its working
days; an extension needs a reason and tells the petitioner at once.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gov3.accounts.models import Agency, User
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, StaleVersionError, ValidationFailedError
from gov3.core.translations import in_every_language
from gov3.notifications.models import NotificationKind
from gov3.notifications.services import do_notify
from gov3.participation.core import similarity
from gov3.participation.core.deadlines import Period, extend, period_end
from gov3.participation.installed import policy, router
from gov3.participation.models import (
    ObjectionOutcome,
    Petition,
    PetitionAttachment,
    PetitionBand,
    PetitionEvent,
    PetitionEventKind,
    PetitionGroup,
    PetitionKind,
    PetitionObjection,
    PetitionStatus,
)
from gov3.participation.services.actors import acting_officer, agency_by_code, citizen_person
from gov3.participation.services.submissions import MAX_TITLE, Upload, checked_uploads, clean_text
from gov3.registry.models import Area


def petition_link(petition: Petition) -> str:
    return f"/me/petitions/{petition.public_id}/"


def _event(
    petition: Petition,
    kind: PetitionEventKind,
    actor: str,
    *,
    reason: str = "",
    from_agency: Agency | None = None,
    to_agency: Agency | None = None,
    data: dict[str, object] | None = None,
) -> None:
    PetitionEvent(
        petition=petition,
        kind=kind,
        at=timezone.now(),
        actor=actor,
        reason=reason,
        from_agency=from_agency,
        to_agency=to_agency,
        data=data or {},
    ).save()


def _period(petition: Petition) -> Period:
    return policy(petition.country).types[petition.kind].on(petition.filed_on).period


def _write_bands(petition: Petition, sig: object) -> None:
    PetitionBand.objects.filter(petition=petition).delete()
    PetitionBand.objects.bulk_create(
        PetitionBand(petition=petition, agency_id=petition.agency_id, key=key)
        for key in similarity.band_keys(sig)  # type: ignore[arg-type]
    )


def find_alike(agency: Agency, text: str, *, exclude: int = 0) -> tuple[Petition, float]:
    """The open petition of ``agency`` most alike ``text`` at or above the pack's threshold,
    with its score; raises LookupError if there is none."""
    sig = similarity.signature(text)
    keys = similarity.band_keys(sig)
    ids = set(
        PetitionBand.objects.filter(agency=agency, key__in=keys)
        .exclude(petition_id=exclude)
        .values_list("petition_id", flat=True)
    )
    if not ids:
        raise LookupError
    rows = list(
        Petition.objects.filter(pk__in=ids, status=PetitionStatus.OPEN)
        .order_by("filed_at", "pk")
        .values_list("pk", "signature")
    )
    threshold = policy(agency.country).duplicate_threshold
    found = similarity.best_match(
        sig, [(pk, similarity.from_bytes(bytes(sig_bytes))) for pk, sig_bytes in rows], threshold
    )
    if found is None:
        raise LookupError
    return Petition.objects.get(pk=int(found.key)), found.score  # type: ignore[call-overload]


def _join_alike(petition: Petition, actor: str) -> None:
    """Put a new petition into the group of the most alike open petition of its agency."""
    try:
        match, score = find_alike(petition.agency, petition.text, exclude=petition.pk)
    except LookupError:
        return
    if match.group_id is None:
        group = PetitionGroup.objects.create(agency=petition.agency, created_at=timezone.now())
        Petition.objects.filter(pk=match.pk).update(group=group, version=F("version") + 1)
        _event(match, PetitionEventKind.GROUPED, actor, data={"group": group.pk})
    else:
        group = match.group  # type: ignore[assignment]
    petition.group = group
    petition.similarity = score
    Petition.objects.filter(pk=petition.pk).update(group=group, similarity=score)
    _event(
        petition,
        PetitionEventKind.GROUPED,
        actor,
        data={"group": group.pk, "like": str(match.public_id), "score": round(score, 3)},
    )


def do_file_petition(
    user: User,
    *,
    kind: str,
    category: str,
    area_code: str,
    title: str,
    text: str,
    attachments: list[Upload] | None = None,
    today: date | None = None,
) -> Petition:
    """File a petition; it is routed at once and grouped with an alike open petition."""
    person = citizen_person(user)
    country = person.country
    rules = policy(country)
    if kind not in PetitionKind.values:
        raise ValidationFailedError(
            gettext("Choose whether it is a complaint, a question or a proposal.")
        )
    if category and category not in rules.categories:
        raise ValidationFailedError(gettext("There is no such category."))
    area = None
    if area_code:
        area = Area.objects.filter(country=country, code=area_code).first()
        if area is None:
            raise ValidationFailedError(gettext("There is no such area."))
    title = clean_text(
        title, required=gettext("Please give the petition a title."), limit=MAX_TITLE
    )
    text = clean_text(text, required=gettext("Please write what the petition is about."))
    files = checked_uploads(attachments or [])
    guess = router(country).guess(f"{title} {text}")
    chosen = category or guess.category
    agency = agency_by_code(rules.agency_for(chosen, area.code if area else ""))
    today = today or timezone.localdate()
    due = period_end(today, rules.types[kind].on(today).period, rules.calendar)
    sig = similarity.signature(text)
    actor = f"citizen:{user.get_username()}"
    with transaction.atomic(durable=True):
        petition = Petition.objects.create(
            country=country,
            kind=kind,
            category=chosen,
            area=area,
            title=title,
            text=text,
            petitioner=person,
            filed_by=user,
            agency=agency,
            routing={
                "chosen": category,
                "guessed": guess.category,
                "confidence": round(guess.confidence, 3),
                "by": "citizen" if category else "classifier",
            },
            filed_at=timezone.now(),
            filed_on=today,
            due_on=due,
            signature=similarity.to_bytes(sig),
        )
        for upload in files:
            PetitionAttachment.objects.create(
                petition=petition,
                name=upload.name[:200],
                content_type=upload.content_type,
                size=len(upload.data),
                sha256=upload.sha256,
                data=upload.data,
            )
        _event(petition, PetitionEventKind.FILED, actor, to_agency=agency)
        _join_alike(petition, actor)
        _write_bands(petition, sig)
        record_audit(
            actor=actor,
            action="participation.petition_filed",
            target_type="petition",
            target_id=petition.pk,
            data={"agency": agency.code, "category": chosen, "group": petition.group_id},
        )
    return petition


def _locked_update(petition: Petition, expected_version: int, **changes: object) -> None:
    updated = Petition.objects.filter(pk=petition.pk, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        raise StaleVersionError(
            gettext("Someone changed this petition while you were looking at it. Open it again.")
        )
    petition.refresh_from_db()


def do_transfer_petition(
    officer: User, petition: Petition, *, to_agency: str, reason: str, expected_version: int
) -> Petition:
    """Send a petition to the competent agency, with the reason (kept in its history)."""
    current = acting_officer(officer, petition.agency)
    reason = clean_text(reason, required=gettext("Say why the petition goes to another agency."))
    target = agency_by_code(to_agency)
    if target.pk == current.pk or target.country != petition.country:
        raise ValidationFailedError(gettext("Choose another agency of this country."))
    if petition.status != PetitionStatus.OPEN:
        raise ValidationFailedError(gettext("An answered petition cannot be transferred."))
    actor = f"officer:{officer.get_username()}"
    with transaction.atomic(durable=True):
        _locked_update(petition, expected_version, agency=target, group=None, similarity=None)
        PetitionBand.objects.filter(petition=petition).update(agency=target)
        _event(
            petition,
            PetitionEventKind.TRANSFERRED,
            actor,
            reason=reason,
            from_agency=current,
            to_agency=target,
        )
        _join_alike(petition, actor)
        record_audit(
            actor=actor,
            action="participation.petition_transferred",
            target_type="petition",
            target_id=petition.pk,
            data={"from": current.code, "to": target.code},
        )
    return petition


def do_extend_petition(
    officer: User, petition: Petition, *, reason: str, expected_version: int
) -> Petition:
    """Extend the period once by at most its own length; the petitioner is told at once."""
    acting_officer(officer, petition.agency)
    reason = clean_text(
        reason, required=gettext("An extension needs a reason the petitioner reads.")
    )
    rules = policy(petition.country)
    if petition.extended or petition.status != PetitionStatus.OPEN:
        raise ValidationFailedError(
            gettext("The period of this petition can be extended only once, before it is answered.")
        )
    new_due = extend(petition.due_on, _period(petition), rules.calendar)
    actor = f"officer:{officer.get_username()}"
    with transaction.atomic(durable=True):
        old_due = petition.due_on
        _locked_update(petition, expected_version, due_on=new_due, extended=True)
        _event(
            petition,
            PetitionEventKind.EXTENDED,
            actor,
            reason=reason,
            data={"from": old_due.isoformat(), "to": new_due.isoformat()},
        )
        do_notify(
            petition.petitioner,
            NotificationKind.DECISION,
            title=in_every_language(gettext_noop("Your petition needs more time")),
            body=in_every_language(
                gettext_noop(
                    "The answer to “%(title)s” is now due on %(due)s. The reason: %(reason)s"
                ),
                title=petition.title,
                due=new_due.isoformat(),
                reason=reason,
            ),
            link=petition_link(petition),
            key=f"petition:{petition.public_id}:extended",
        )
        record_audit(
            actor=actor,
            action="participation.petition_extended",
            target_type="petition",
            target_id=petition.pk,
            data={"due_on": new_due.isoformat()},
        )
    return petition


def do_answer_petition(
    officer: User, petition: Petition, *, text: str, expected_version: int
) -> list[Petition]:
    """Answer a petition and every open petition grouped with it: each petitioner is told.
    Returns the petitions answered."""
    acting_officer(officer, petition.agency)
    text = clean_text(text, required=gettext("Please write the answer."))
    if petition.status != PetitionStatus.OPEN:
        raise ValidationFailedError(gettext("This petition is already answered."))
    actor = f"officer:{officer.get_username()}"
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        _locked_update(petition, expected_version)
        members = [petition]
        if petition.group_id is not None:
            members += list(
                Petition.objects.filter(group_id=petition.group_id, status=PetitionStatus.OPEN)
                .exclude(pk=petition.pk)
                .select_related("petitioner")
            )
        Petition.objects.filter(pk__in=[p.pk for p in members]).update(
            status=PetitionStatus.ANSWERED,
            answer=text,
            answered_at=now,
            answered_on=today,
            answered_by=officer,
            version=F("version") + 1,
        )
        for member in members:
            _event(member, PetitionEventKind.ANSWERED, actor, data={"group": petition.group_id})
            do_notify(
                member.petitioner,
                NotificationKind.DECISION,
                title=in_every_language(gettext_noop("Your petition was answered")),
                body=in_every_language(
                    gettext_noop("The agency answered “%(title)s”. Read the answer and rate it."),
                    title=member.title,
                ),
                link=petition_link(member),
                key=f"petition:{member.public_id}:answered",
            )
        record_audit(
            actor=actor,
            action="participation.petition_answered",
            target_type="petition",
            target_id=petition.pk,
            data={"answered": len(members), "group": petition.group_id},
        )
    for member in members:
        member.refresh_from_db()
    return members


def do_split_petition(
    officer: User, petition: Petition, *, reason: str, expected_version: int
) -> Petition:
    """Take a wrongly grouped petition out of its group (it is then answered on its own)."""
    acting_officer(officer, petition.agency)
    reason = clean_text(reason, required=gettext("Say why this petition is not like the others."))
    if petition.group_id is None or petition.status != PetitionStatus.OPEN:
        raise ValidationFailedError(gettext("This petition is not in a group of open petitions."))
    actor = f"officer:{officer.get_username()}"
    with transaction.atomic(durable=True):
        group = petition.group_id
        _locked_update(petition, expected_version, group=None, similarity=None)
        _event(petition, PetitionEventKind.SPLIT, actor, reason=reason, data={"group": group})
        record_audit(
            actor=actor,
            action="participation.petition_split",
            target_type="petition",
            target_id=petition.pk,
            data={"group": group},
        )
    return petition


def do_rate_petition(user: User, petition: Petition, *, rating: int) -> Petition:
    """The petitioner rates the answer, 1 (very unsatisfied) to 5 (very satisfied), once."""
    person = citizen_person(user)
    if petition.petitioner_id != person.pk:
        raise NotFoundError(gettext("There is no such petition."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailedError(gettext("Rate the answer from 1 to 5."))
    with transaction.atomic(durable=True):
        updated = Petition.objects.filter(
            pk=petition.pk, status=PetitionStatus.ANSWERED, satisfaction__isnull=True
        ).update(satisfaction=rating, version=F("version") + 1)
        if not updated:
            raise ValidationFailedError(gettext("Only an answer not yet rated can be rated."))
        actor = f"citizen:{user.get_username()}"
        _event(petition, PetitionEventKind.RATED, actor, data={"rating": rating})
        record_audit(
            actor=actor,
            action="participation.petition_rated",
            target_type="petition",
            target_id=petition.pk,
            data={"rating": rating},
        )
    petition.refresh_from_db()
    return petition


def objection_deadline(petition: Petition) -> date | None:
    """The last day to object to the answer (None before it is answered)."""
    if petition.answered_on is None:
        return None
    rules = policy(petition.country)
    period = rules.objection_on(petition.answered_on).object_within
    return period_end(petition.answered_on, period, rules.calendar)


def do_object_to_petition(
    user: User, petition: Petition, *, text: str, today: date | None = None
) -> PetitionObjection:
    """Object to the answer within the legal period; the agency decides within its period."""
    person = citizen_person(user)
    if petition.petitioner_id != person.pk:
        raise NotFoundError(gettext("There is no such petition."))
    text = clean_text(text, required=gettext("Please say why you object."))
    today = today or timezone.localdate()
    deadline = objection_deadline(petition)
    if deadline is None or today > deadline:
        raise ValidationFailedError(
            gettext("An objection can be made only within the legal period after the answer.")
        )
    if PetitionObjection.objects.filter(petition=petition).exists():
        raise ValidationFailedError(gettext("You have already objected to this answer."))
    rules = policy(petition.country)
    due = period_end(today, rules.objection_on(today).decide_within, rules.calendar)
    actor = f"citizen:{user.get_username()}"
    with transaction.atomic(durable=True):
        objection = PetitionObjection.objects.create(
            petition=petition, text=text, filed_on=today, due_on=due
        )
        _event(petition, PetitionEventKind.OBJECTED, actor, reason=text)
        record_audit(
            actor=actor,
            action="participation.petition_objection",
            target_type="petition",
            target_id=petition.pk,
        )
    return objection


def do_decide_petition_objection(
    officer: User, petition: Petition, *, outcome: str, reason: str
) -> PetitionObjection:
    """Uphold (the answer is reconsidered: the petition is open again) or dismiss."""
    acting_officer(officer, petition.agency)
    if outcome not in ObjectionOutcome.values:
        raise ValidationFailedError(gettext("Choose whether the objection is upheld or dismissed."))
    reason = clean_text(reason, required=gettext("A decision on an objection needs a reason."))
    objection = PetitionObjection.objects.filter(petition=petition, outcome="").first()
    if objection is None:
        raise ValidationFailedError(gettext("There is no open objection to this petition."))
    actor = f"officer:{officer.get_username()}"
    with transaction.atomic(durable=True):
        PetitionObjection.objects.filter(pk=objection.pk).update(
            outcome=outcome, reason=reason, decided_at=timezone.now()
        )
        if outcome == ObjectionOutcome.UPHELD:
            rules = policy(petition.country)
            today = timezone.localdate()
            Petition.objects.filter(pk=petition.pk).update(
                status=PetitionStatus.OPEN,
                group=None,
                due_on=period_end(today, _period(petition), rules.calendar),
                version=F("version") + 1,
            )
        _event(
            petition,
            PetitionEventKind.OBJECTION_DECIDED,
            actor,
            reason=reason,
            data={"outcome": outcome},
        )
        do_notify(
            petition.petitioner,
            NotificationKind.DECISION,
            title=in_every_language(gettext_noop("Decision on your objection")),
            body=in_every_language(
                gettext_noop("Your objection about “%(title)s” was decided: %(reason)s"),
                title=petition.title,
                reason=reason,
            ),
            link=petition_link(petition),
            key=f"petition:{petition.public_id}:objection",
        )
        record_audit(
            actor=actor,
            action="participation.petition_objection_decided",
            target_type="petition",
            target_id=petition.pk,
            data={"outcome": outcome},
        )
    objection.refresh_from_db()
    return objection

"""Open positions (issue 18 item 8): an HR officer designates posts of the senior civil
service as open positions (within the pack's share, kr: 20 % of the agency's SCS posts),
publishes a posting open to outsiders, forms its selection committee (chair and a majority
external) and selects a candidate, whose appointment order carries the contract's end (a
term of 2 to 5 years in kr). The rules are country-pack data (`open_positions` entries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gov3.accounts.models import Agency, User
from gov3.catalogue.packs import personnel_service as service_pack
from gov3.core.access import log_access
from gov3.core.audit import record_audit
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.personnel.models import (
    EntryTrack,
    OrderKind,
    PersonnelOrder,
    Position,
    PositionType,
    StaffRecord,
)
from gov3.personnel.open_position_models import (
    ApplicationStatus,
    CommitteeMember,
    OpenApplication,
    OpenContract,
    OpenPosting,
    PostingStatus,
)
from gov3.personnel.queries import is_hr_officer
from gov3.personnel.services import (
    OrderDraft,
    add_years,
    appointment_on,
    do_create_staff_record,
    do_issue_order,
)

APPLICATIONS_PARTS = "open-position applications: names, birth dates, statements"
MAX_TEXT = 5000


class OpenPositionRuleError(ValidationFailedError):
    """A rule of open positions is broken; the message names it and its legal basis."""


def rules_for(country: str, day: date | None = None) -> service_pack.OpenPositionRules:
    """The country's open-position rules in force on `day` (refused if the pack has none)."""
    try:
        data = service_pack.load(str(settings.GOV3_COUNTRIES_DIR), country)
    except service_pack.ServicePackError as error:
        raise ValidationFailedError(str(error)) from None
    rules = data.open_positions_on(day or timezone.localdate())
    if rules is None:
        raise ValidationFailedError("The country pack has no rules for open positions.")
    return rules


def _hr_agency(officer: User) -> Agency:
    if not is_hr_officer(officer) or officer.agency is None:
        raise PermissionRefusedError("Only an HR officer of the agency manages open positions.")
    return officer.agency


@dataclass(frozen=True)
class Share:
    """The agency's SCS posts, how many are open positions, and how many may be."""

    scs_posts: int
    open_posts: int
    allowed: int
    percent: int
    legal_basis: str


def scs_positions(agency: Agency, rules: service_pack.OpenPositionRules) -> QuerySet[Position]:
    """The agency's posts of the senior civil service (in units still open)."""
    return Position.objects.filter(
        unit__agency=agency, unit__closed_on__isnull=True, grade_high__in=rules.scs_grades
    ).order_by("code")


def share(agency: Agency, day: date | None = None) -> Share:
    rules = rules_for(agency.country, day)
    posts = scs_positions(agency, rules)
    total = posts.count()
    return Share(
        scs_posts=total,
        open_posts=posts.filter(position_type=PositionType.OPEN).count(),
        allowed=rules.max_open(total),
        percent=rules.max_share_percent,
        legal_basis=rules.share_legal_basis,
    )


def do_designate_open_position(officer: User, position_id: int) -> Position:
    """Designate an SCS post of the officer's agency as an open position; refused over the
    pack's share, naming the rule."""
    agency = _hr_agency(officer)
    rules = rules_for(agency.country)
    position = scs_positions(agency, rules).filter(pk=position_id).first()
    if position is None:
        raise NotFoundError("There is no such senior civil service post in your agency.")
    if position.position_type == PositionType.OPEN:
        raise ValidationFailedError(f"{position.code} is already an open position.")
    now = share(agency)
    if now.open_posts + 1 > now.allowed:
        raise OpenPositionRuleError(
            f"At most {now.percent} % of the agency's {now.scs_posts} senior civil service "
            f"posts may be open positions ({now.allowed}); {now.open_posts} already are "
            f"({now.legal_basis})."
        )
    with transaction.atomic(durable=True):
        before = position.position_type
        Position.objects.filter(pk=position.pk).update(position_type=PositionType.OPEN)
        record_audit(
            actor=officer.get_username(),
            action="personnel.open_position_designated",
            target_type="position",
            target_id=position.code,
            data={"before": before, "open": now.open_posts + 1, "allowed": now.allowed},
        )
    position.refresh_from_db()
    return position


@dataclass(frozen=True)
class PostingDraft:
    title: str
    duties: str
    requirements: str
    opens_on: date
    closes_on: date
    contract_years: int


def _check_years(rules: service_pack.OpenPositionRules, years: int) -> None:
    if not rules.contract_min_years <= years <= rules.contract_max_years:
        raise OpenPositionRuleError(
            f"An open position's contract runs {rules.contract_min_years} to "
            f"{rules.contract_max_years} years, not {years} ({rules.contract_legal_basis})."
        )


def do_publish_posting(officer: User, position_id: int, draft: PostingDraft) -> OpenPosting:
    """Publish a posting of an open position of the officer's agency, open to anyone."""
    agency = _hr_agency(officer)
    rules = rules_for(agency.country)
    position = Position.objects.filter(
        pk=position_id, unit__agency=agency, position_type=PositionType.OPEN
    ).first()
    if position is None:
        raise NotFoundError("There is no such open position in your agency.")
    title, duties = draft.title.strip(), draft.duties.strip()
    if not title or not duties:
        raise ValidationFailedError("Give the posting's title and the duties.")
    if len(title) > 200 or len(duties) > MAX_TEXT or len(draft.requirements) > MAX_TEXT:
        raise ValidationFailedError("The title or a text is too long.")
    if draft.closes_on < draft.opens_on:
        raise ValidationFailedError("The posting closes before it opens.")
    if draft.closes_on < timezone.localdate():
        raise ValidationFailedError("The posting would already be closed.")
    _check_years(rules, draft.contract_years)
    if OpenPosting.objects.filter(position=position, status=PostingStatus.OPEN).exists():
        raise ValidationFailedError(f"{position.code} already has a posting open.")
    with transaction.atomic(durable=True):
        posting = OpenPosting.objects.create(
            agency=agency,
            position=position,
            title=title,
            duties=duties,
            requirements=draft.requirements.strip(),
            opens_on=draft.opens_on,
            closes_on=draft.closes_on,
            contract_years=draft.contract_years,
            status=PostingStatus.OPEN,
            created_by=officer,
            created_at=timezone.now(),
        )
        record_audit(
            actor=officer.get_username(),
            action="personnel.open_posting_published",
            target_type="open_posting",
            target_id=posting.pk,
            data={"position": position.code, "closes_on": draft.closes_on.isoformat()},
        )
    return posting


@dataclass(frozen=True)
class MemberDraft:
    name: str
    affiliation: str
    external: bool
    chair: bool = False


def check_committee(rules: service_pack.OpenPositionRules, members: list[MemberDraft]) -> None:
    """Refuse a committee without enough members, without exactly one chair, with an
    internal chair or without an external majority, naming the rule."""
    basis = rules.committee_legal_basis
    if len(members) < rules.committee_min_members:
        raise OpenPositionRuleError(
            f"A selection committee has at least {rules.committee_min_members} members, not "
            f"{len(members)} ({basis})."
        )
    chairs = [m for m in members if m.chair]
    if len(chairs) != 1:
        raise ValidationFailedError("Name exactly one chair of the committee.")
    if not chairs[0].external:
        raise OpenPositionRuleError(f"The chair of the committee must be external ({basis}).")
    external = sum(1 for m in members if m.external)
    if external * 2 <= len(members):
        raise OpenPositionRuleError(
            f"A majority of the committee must be external: {external} of {len(members)} "
            f"are ({basis})."
        )


def posting_for_hr(officer: User, posting_id: int) -> OpenPosting:
    """A posting of the officer's agency (another agency's: not found)."""
    agency = _hr_agency(officer)
    posting = (
        OpenPosting.objects.select_related("position__unit")
        .filter(pk=posting_id, agency=agency)
        .first()
    )
    if posting is None:
        raise NotFoundError("There is no such posting in your agency.")
    return posting


def do_form_committee(
    officer: User, posting_id: int, members: list[MemberDraft]
) -> list[CommitteeMember]:
    """Form (or form again, before a selection) a posting's selection committee."""
    posting = posting_for_hr(officer, posting_id)
    if posting.status != PostingStatus.OPEN:
        raise ValidationFailedError("The posting is filled; its committee cannot change.")
    cleaned = [
        MemberDraft(m.name.strip(), m.affiliation.strip(), m.external, m.chair) for m in members
    ]
    if any(not m.name or not m.affiliation or len(m.name) > 200 for m in cleaned):
        raise ValidationFailedError("Give each member's name and affiliation.")
    check_committee(rules_for(posting.agency.country), cleaned)
    with transaction.atomic(durable=True):
        CommitteeMember.objects.filter(posting=posting).delete()
        made = [
            CommitteeMember.objects.create(
                posting=posting,
                name=m.name,
                affiliation=m.affiliation,
                external=m.external,
                chair=m.chair,
            )
            for m in cleaned
        ]
        record_audit(
            actor=officer.get_username(),
            action="personnel.committee_formed",
            target_type="open_posting",
            target_id=posting.pk,
            data={"members": len(made), "external": sum(1 for m in cleaned if m.external)},
        )
    return made


def open_postings(day: date | None = None) -> QuerySet[OpenPosting]:
    """Postings anyone may apply to on `day` (the public list)."""
    day = day or timezone.localdate()
    return (
        OpenPosting.objects.filter(status=PostingStatus.OPEN, opens_on__lte=day, closes_on__gte=day)
        .select_related("agency", "position")
        .order_by("closes_on", "pk")
    )


def public_posting(posting_id: int) -> OpenPosting:
    posting = open_postings().filter(pk=posting_id).first()
    if posting is None:
        raise NotFoundError("There is no such posting open.")
    return posting


def do_apply(user: User, posting_id: int, statement: str) -> OpenApplication:
    """A signed-in person applies to an open posting (once); who they are is the register's."""
    posting = public_posting(posting_id)
    person = user.person
    if person is None:
        raise PermissionRefusedError("Sign in with an account linked to the register to apply.")
    statement = statement.strip()
    if not statement:
        raise ValidationFailedError("Write why you apply and what you bring to the post.")
    if len(statement) > MAX_TEXT:
        raise ValidationFailedError(f"The statement is longer than {MAX_TEXT} characters.")
    if OpenApplication.objects.filter(posting=posting, person=person).exists():
        raise ValidationFailedError("You have already applied to this posting.")
    with transaction.atomic(durable=True):
        application = OpenApplication.objects.create(
            posting=posting,
            applicant=user,
            person=person,
            statement=statement,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        record_audit(
            actor=user.get_username(),
            action="personnel.open_application_submitted",
            target_type="open_posting",
            target_id=posting.pk,
            data={"application": application.pk},
        )
    return application


def my_applications(user: User) -> QuerySet[OpenApplication]:
    return OpenApplication.objects.filter(applicant=user).select_related("posting")


def applications_for_hr(
    officer: User, posting_id: int, channel: AccessChannel = AccessChannel.WEB
) -> list[OpenApplication]:
    """The applications to a posting of the officer's agency (the read is logged)."""
    posting = posting_for_hr(officer, posting_id)
    found = list(posting.applications.select_related("person").order_by("submitted_at"))
    if found:
        log_access(
            subject_ids=[a.person_id for a in found],
            actor_id=officer.pk,
            actor_label=officer.get_username(),
            actor_role=officer.role,
            agency=officer.agency.name_local if officer.agency else "",
            purpose=AccessPurpose.PERSONNEL_ADMINISTRATION,
            channel=channel,
            what=APPLICATIONS_PARTS,
        )
    return found


def contract_end(starts_on: date, years: int) -> date:
    """The last day of a contract of `years` from `starts_on`."""
    return add_years(starts_on, years) - timedelta(days=1)


def do_select_candidate(
    officer: User, application_id: int, *, starts_on: date, years: int | None = None
) -> OpenContract:
    """Select a candidate (the committee formed): they get a staff record if they had none and
    an appointment order (a transfer for a serving civil servant) awaiting the usual approval;
    the contract, with its end, is attached to that order."""
    agency = _hr_agency(officer)
    application = (
        OpenApplication.objects.select_related("posting__position__unit__agency", "person")
        .filter(pk=application_id, posting__agency=agency)
        .first()
    )
    if application is None:
        raise NotFoundError("There is no such application in your agency.")
    posting = application.posting
    if posting.status != PostingStatus.OPEN:
        raise ValidationFailedError("The posting is already filled.")
    rules = rules_for(agency.country, starts_on)
    members = [
        MemberDraft(m.name, m.affiliation, m.external, m.chair) for m in posting.committee.all()
    ]
    check_committee(rules, members)
    years = years or posting.contract_years
    _check_years(rules, years)
    person = application.person
    record = StaffRecord.objects.filter(person=person).first()
    current = appointment_on(record, starts_on - timedelta(days=1)) if record else None
    kind = OrderKind.TRANSFER if current is not None else OrderKind.APPOINTMENT
    draft = OrderDraft(
        kind=kind,
        position=posting.position,
        grade=posting.position.grade_high,
        step=1,
        effective_on=starts_on,
    )
    if record is None:
        account: User | None = application.applicant
        if StaffRecord.objects.filter(account=account).exists():
            account = None
        record = do_create_staff_record(
            officer.get_username(),
            person=person,
            employee_number=f"OP{application.pk:08d}",
            country=agency.country,
            entry=EntryTrack.EXPERIENCED,
            entered_on=starts_on,
            account=account,
        )
    order: PersonnelOrder = do_issue_order(officer, record, draft)
    with transaction.atomic(durable=True):
        contract = OpenContract.objects.create(
            posting=posting,
            application=application,
            order=order,
            starts_on=starts_on,
            ends_on=contract_end(starts_on, years),
            years=years,
        )
        OpenApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.SELECTED)
        OpenPosting.objects.filter(pk=posting.pk).update(status=PostingStatus.FILLED)
        record_audit(
            actor=officer.get_username(),
            action="personnel.open_candidate_selected",
            target_type="personnel_order",
            target_id=order.number,
            data={
                "posting": posting.pk,
                "application": application.pk,
                "contract_ends_on": contract.ends_on.isoformat(),
            },
        )
    return contract


def contract_of(order: PersonnelOrder) -> OpenContract | None:
    """The open-position contract an order carries, if any."""
    return OpenContract.objects.filter(order=order).first()

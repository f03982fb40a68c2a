"""Commands for village projects: drafting, the bill of quantities, and the approval workflow.

draft → submitted → checked (eup/myeon) → approved (county) → completed; a submitted or
checked project can be returned for correction and submitted again. Each decision is one
conditional UPDATE on the project's ``version`` (optimistic locking), and the approved grant is
locked once approved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from gov3.saemaul.errors import LockedError
from gov3.saemaul.geo import valid_point
from gov3.saemaul.models import (
    Allocation,
    AllocationLine,
    InfrastructureItem,
    Material,
    PhotoStage,
    ProgrammeRound,
    Project,
    ProjectAction,
    ProjectCategory,
    ProjectDecision,
    ProjectLine,
    ProjectStatus,
    Resolution,
    RoundStatus,
    Tranche,
    Village,
    VillageInfrastructure,
)
from gov3.saemaul.services._common import advance_version, audit, refuse

EDITABLE = (ProjectStatus.DRAFT, ProjectStatus.RETURNED)
#: Fields that fix money; after approval they are locked.
MONEY_FIELDS = ("requested_grant_krw", "community_cash_krw", "community_labour_days")
OTHER_FIELDS = (
    "title",
    "description",
    "category",
    "infrastructure_item",
    "latitude",
    "longitude",
    "starts_on",
    "ends_on",
)


@dataclass(frozen=True)
class BoqLine:
    """A line of the bill of quantities and materials."""

    description: str
    quantity: Decimal | int | str
    unit: str
    unit_price_krw: int = 0
    material: str = ""


def _advance(
    project: Project,
    *,
    expected_version: int,
    allowed: tuple[str, ...],
    changes: dict[str, Any],
) -> None:
    """Move the project on if it is still at ``expected_version`` in an ``allowed`` status."""
    advance_version(
        Project,
        pk=project.pk,
        expected_version=expected_version,
        allowed_statuses=allowed,
        statuses=ProjectStatus,
        what=gettext("project"),
        changes=changes,
    )


def _line_rows(project: Project, lines: Sequence[BoqLine]) -> list[ProjectLine]:
    rows = []
    for position, line in enumerate(lines, start=1):
        try:
            quantity = Decimal(str(line.quantity)).quantize(Decimal("0.01"))
        except InvalidOperation:
            refuse(
                gettext("Line %(n)s: the quantity %(value)s is not a number.")
                % {"n": position, "value": line.quantity}
            )
        if quantity <= 0 or line.unit_price_krw < 0:
            refuse(
                gettext("Line %(n)s: quantity must be more than 0 and the price not negative.")
                % {"n": position}
            )
        if not line.description.strip() or not line.unit.strip():
            refuse(gettext("Line %(n)s needs a description and a unit.") % {"n": position})
        if line.material and line.material not in Material.values:
            refuse(
                gettext("Line %(n)s: unknown material %(m)s.") % {"n": position, "m": line.material}
            )
        amount = int((quantity * line.unit_price_krw).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        rows.append(
            ProjectLine(
                project=project,
                position=position,
                description=line.description.strip(),
                material=line.material,
                quantity=quantity,
                unit=line.unit.strip(),
                unit_price_krw=line.unit_price_krw,
                amount_krw=amount,
            )
        )
    return rows


def _check_fields(fields: dict[str, Any]) -> None:
    if "title" in fields and not str(fields["title"]).strip():
        refuse(gettext("A project needs a title."))
    if "category" in fields and fields["category"] not in ProjectCategory.values:
        refuse(gettext("Choose the project's category."))
    item = fields.get("infrastructure_item", "")
    if item and item not in InfrastructureItem.values:
        refuse(gettext("%(item)s is not an item of the infrastructure checklist.") % {"item": item})
    for key in MONEY_FIELDS:
        if key in fields and fields[key] < 0:
            refuse(gettext("Amounts and labour days cannot be negative."))
    latitude, longitude = fields.get("latitude"), fields.get("longitude")
    if (latitude is not None or longitude is not None) and not valid_point(latitude, longitude):
        refuse(
            gettext(
                "The location needs both a latitude (-90 to 90) and a longitude "
                "(-180 to 180) in decimal degrees."
            )
        )
    starts_on, ends_on = fields.get("starts_on"), fields.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        refuse(gettext("A project cannot end before it starts."))


def _check_resolution(village: Village, resolution: Resolution | None) -> None:
    if resolution is not None and resolution.assembly.village_id != village.pk:
        refuse(gettext("That resolution was adopted by another village's assembly."))


def _decision(
    project: Project, action: str, before: str, after: str, actor: str, *, note: str = ""
) -> None:
    ProjectDecision.objects.create(
        project=project,
        action=action,
        from_status=before,
        to_status=after,
        actor=actor,
        at=timezone.now(),
        note=note,
    )


def do_create_project(
    actor: str,
    village: Village,
    *,
    title: str,
    category: str,
    round_: ProgrammeRound | None = None,
    resolution: Resolution | None = None,
    lines: Sequence[BoqLine] = (),
    **fields: Any,
) -> Project:
    """Draft a project for a village (the assembly's resolution may be attached now or later).

    ``fields``: description, infrastructure_item, latitude, longitude, starts_on, ends_on,
    requested_grant_krw, community_cash_krw, community_labour_days.
    """
    unknown = set(fields) - set(MONEY_FIELDS) - set(OTHER_FIELDS)
    if unknown:
        refuse(
            gettext("Unknown project fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    fields |= {"title": title.strip(), "category": category}
    _check_fields(fields)
    _check_resolution(village, resolution)
    if round_ is not None and round_.status != RoundStatus.OPEN:
        refuse(gettext("The round %(round)s is not open for projects.") % {"round": round_.name})
    with transaction.atomic(durable=True):
        project = Project.objects.create(
            village=village,
            round=round_,
            resolution=resolution,
            created_at=timezone.now(),
            created_by=actor,
            **fields,
        )
        rows = _line_rows(project, lines)
        ProjectLine.objects.bulk_create(rows)
        project.estimated_cost_krw = sum(r.amount_krw for r in rows)
        Project.objects.filter(pk=project.pk).update(estimated_cost_krw=project.estimated_cost_krw)
        _decision(project, ProjectAction.CREATED, "", ProjectStatus.DRAFT, actor)
        audit(actor, "create_project", project, village=village.code, title=project.title)
    return project


def _refuse_locked_amount(project: Project, touched: set[str]) -> None:
    locked_fields = {*MONEY_FIELDS, "lines", "resolution"}
    if (
        project.status in (ProjectStatus.APPROVED, ProjectStatus.COMPLETED)
        and touched & locked_fields
    ):
        raise LockedError(
            gettext(
                "The approved grant of '%(title)s' (%(amount)s KRW) is locked since the county "
                "approved it on %(day)s; amounts, the bill of quantities and the resolution can "
                "no longer be changed."
            )
            % {
                "title": project.title,
                "amount": f"{project.approved_grant_krw or 0:,}",
                "day": project.approved_at.date() if project.approved_at else "",
            }
        )


def do_update_project(
    actor: str,
    project: Project,
    *,
    expected_version: int,
    lines: Sequence[BoqLine] | None = None,
    resolution: Resolution | None = None,
    **changes: Any,
) -> Project:
    """Edit a draft or returned project. After approval only the description, timeline and
    location may change; amounts and the bill of quantities are locked."""
    unknown = set(changes) - set(MONEY_FIELDS) - set(OTHER_FIELDS)
    if unknown:
        refuse(
            gettext("Unknown project fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    touched = set(changes) | ({"lines"} if lines is not None else set())
    touched |= {"resolution"} if resolution is not None else set()
    _check_fields(changes)
    _check_resolution(project.village, resolution)
    locked_fields = {*MONEY_FIELDS, "lines", "resolution"}
    allowed = EDITABLE if touched & locked_fields else (*EDITABLE, ProjectStatus.APPROVED)
    if resolution is not None:
        changes["resolution"] = resolution
    with transaction.atomic(durable=True):
        current = Project.objects.select_for_update().get(pk=project.pk)
        _refuse_locked_amount(current, touched)
        if lines is not None:
            rows = _line_rows(project, lines)
            changes["estimated_cost_krw"] = sum(r.amount_krw for r in rows)
        _advance(
            project,
            expected_version=expected_version,
            allowed=allowed,
            changes=changes,
        )
        if lines is not None:
            project.lines.all().delete()
            ProjectLine.objects.bulk_create(rows)
        _decision(project, ProjectAction.EDITED, current.status, current.status, actor)
        audit(actor, "update_project", project, fields=sorted(touched))
    project.refresh_from_db()
    return project


def _refuse_incomplete(project: Project) -> None:
    resolution = project.resolution
    if resolution is None:
        refuse(
            gettext(
                "'%(title)s' cannot be submitted without a resolution of the village's general "
                "assembly. Record the assembly that chose this project and attach its "
                "resolution."
            )
            % {"title": project.title}
        )
    if not resolution.adopted:
        refuse(
            gettext(
                "The resolution '%(resolution)s' was not adopted (no quorum or no majority); "
                "a project needs an adopted resolution."
            )
            % {"resolution": resolution.title}
        )
    if not project.has_location:
        refuse(gettext("Mark the project's site on the map before submitting it."))
    if not project.lines.exists():
        refuse(gettext("Add the bill of quantities before submitting the project."))


def do_submit_project(actor: str, project: Project, *, expected_version: int) -> Project:
    """Send a project to the eup/myeon office; it needs an adopted assembly resolution."""
    _refuse_incomplete(project)
    with transaction.atomic(durable=True):
        _advance(
            project,
            expected_version=expected_version,
            allowed=EDITABLE,
            changes={
                "status": ProjectStatus.SUBMITTED,
                "submitted_at": timezone.now(),
                "return_reason": "",
            },
        )
        _decision(project, ProjectAction.SUBMITTED, project.status, ProjectStatus.SUBMITTED, actor)
        audit(actor, "submit_project", project, resolution=project.resolution_id)
    project.refresh_from_db()
    return project


def do_check_project(
    actor: str, project: Project, *, expected_version: int, note: str = ""
) -> Project:
    """The eup/myeon office has checked the project and passes it to the county."""
    with transaction.atomic(durable=True):
        _advance(
            project,
            expected_version=expected_version,
            allowed=(ProjectStatus.SUBMITTED,),
            changes={
                "status": ProjectStatus.CHECKED,
                "checked_at": timezone.now(),
                "checked_by": actor,
            },
        )
        _decision(
            project,
            ProjectAction.CHECKED,
            ProjectStatus.SUBMITTED,
            ProjectStatus.CHECKED,
            actor,
            note=note,
        )
        audit(actor, "check_project", project, note=note)
    project.refresh_from_db()
    return project


def do_return_project(
    actor: str, project: Project, *, expected_version: int, reason: str
) -> Project:
    """Send a submitted or checked project back to the village for correction, saying why."""
    if not reason.strip():
        refuse(gettext("Say what must be corrected."))
    before = project.status
    with transaction.atomic(durable=True):
        _advance(
            project,
            expected_version=expected_version,
            allowed=(ProjectStatus.SUBMITTED, ProjectStatus.CHECKED),
            changes={"status": ProjectStatus.RETURNED, "return_reason": reason.strip()},
        )
        _decision(
            project, ProjectAction.RETURNED, before, ProjectStatus.RETURNED, actor, note=reason
        )
        audit(actor, "return_project", project, reason=reason)
    project.refresh_from_db()
    return project


def _cash_left(project: Project) -> int | None:
    """Cash of the village's allocation in the project's round not yet granted (None: no cap)."""
    if project.round is None or not project.round.package.filter(material=Material.CASH).exists():
        return None
    allocation = Allocation.objects.filter(round=project.round, village=project.village).first()
    if allocation is None:
        refuse(
            gettext("%(village)s has no allocation in %(round)s, so no cash grant can be approved.")
            % {"village": project.village.name_local, "round": project.round.name}
        )
    cash = AllocationLine.objects.filter(allocation=allocation, material=Material.CASH).first()
    granted = (
        Project.objects.filter(
            round=project.round,
            village=project.village,
            status__in=[ProjectStatus.APPROVED, ProjectStatus.COMPLETED],
        )
        .exclude(pk=project.pk)
        .aggregate(total=Sum("approved_grant_krw"))["total"]
        or 0
    )
    return (cash.quantity if cash else 0) - int(granted)


def _tranche_rows(project: Project, amount: int) -> list[Tranche]:
    rules = list(project.round.tranches.order_by("number")) if project.round else []
    if not rules or amount == 0:
        return [Tranche(project=project, number=1, amount_krw=amount)] if amount else []
    rows = []
    paid = 0
    for rule in rules:
        share = amount * rule.share_percent // 100 if rule is not rules[-1] else amount - paid
        paid += share
        rows.append(
            Tranche(
                project=project,
                number=rule.number,
                amount_krw=share,
                min_progress_percent=rule.min_progress_percent,
            )
        )
    return rows


def do_approve_project(
    actor: str,
    project: Project,
    *,
    expected_version: int,
    approved_grant_krw: int | None = None,
    note: str = "",
) -> Project:
    """The county approves a checked project and fixes its grant (locked from now on).

    The grant defaults to what was requested. It may not exceed the project's estimated cost
    less the villagers' cash contribution (the support pays for what the village does not),
    nor the cash left in the village's allocation for the round; it is split into the round's
    tranches.
    """
    amount = project.requested_grant_krw if approved_grant_krw is None else approved_grant_krw
    if amount < 0:
        refuse(gettext("The approved grant cannot be negative."))
    ceiling = max(project.estimated_cost_krw - project.community_cash_krw, 0)
    if amount > ceiling:
        refuse(
            gettext(
                "The grant of %(amount)s KRW is more than the project's estimated cost "
                "(%(cost)s KRW) less the villagers' cash contribution (%(cash)s KRW): at most "
                "%(ceiling)s KRW can be approved. Correct the bill of quantities or the grant."
            )
            % {
                "amount": number_format(amount, force_grouping=True),
                "cost": number_format(project.estimated_cost_krw, force_grouping=True),
                "cash": number_format(project.community_cash_krw, force_grouping=True),
                "ceiling": number_format(ceiling, force_grouping=True),
            }
        )
    left = _cash_left(project)
    if left is not None and amount > left:
        refuse(
            gettext(
                "The grant of %(amount)s KRW is more than the %(left)s KRW left in the village's "
                "cash allocation for this round."
            )
            % {"amount": f"{amount:,}", "left": f"{left:,}"}
        )
    with transaction.atomic(durable=True):
        _advance(
            project,
            expected_version=expected_version,
            allowed=(ProjectStatus.CHECKED,),
            changes={
                "status": ProjectStatus.APPROVED,
                "approved_grant_krw": amount,
                "approved_at": timezone.now(),
                "approved_by": actor,
            },
        )
        Tranche.objects.bulk_create(_tranche_rows(project, amount))
        _decision(
            project,
            ProjectAction.APPROVED,
            ProjectStatus.CHECKED,
            ProjectStatus.APPROVED,
            actor,
            note=note,
        )
        audit(actor, "approve_project", project, approved_grant_krw=amount, note=note)
    project.refresh_from_db()
    return project


def do_complete_project(
    actor: str, project: Project, *, expected_version: int, completed_on: date
) -> Project:
    """Record that the works are finished; needs an 'after' photo that counts as evidence.

    A project that completes a checklist item marks it done in the year of completion.
    """
    if completed_on > timezone.localdate():
        refuse(gettext("The completion date %(day)s is in the future.") % {"day": completed_on})
    if not any(p.counts_as_evidence for p in project.photos.filter(stage=PhotoStage.AFTER)):
        refuse(
            gettext(
                "Add an 'after' photo of the finished works (taken at the site, or accepted by "
                "an officer) before recording completion."
            )
        )
    with transaction.atomic(durable=True):
        _advance(
            project,
            expected_version=expected_version,
            allowed=(ProjectStatus.APPROVED,),
            changes={"status": ProjectStatus.COMPLETED, "completed_on": completed_on},
        )
        if project.infrastructure_item:
            VillageInfrastructure.objects.update_or_create(
                village=project.village,
                item=project.infrastructure_item,
                defaults={"done": True, "completed_year": completed_on.year},
            )
        _decision(
            project, ProjectAction.COMPLETED, ProjectStatus.APPROVED, ProjectStatus.COMPLETED, actor
        )
        audit(actor, "complete_project", project, completed_on=completed_on.isoformat())
    project.refresh_from_db()
    return project

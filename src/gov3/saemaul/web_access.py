"""Who may see and do what in the Saemaul pages and API: a user's jurisdiction.

A user's ``SaemaulAssignment`` names their village (a village leader) or their area (eup/myeon,
county, province) or only their country (central). They see the villages in it and nothing
else; a page or API call about anything outside answers "not found", so that ids of other
areas reveal nothing. Which level takes which step follows the 1970s chain of approval:
village → eup/myeon (check) → county (approve) → province → central (DOMAIN.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, PermissionRefusedError
from gov3.registry.models import Area, AreaLevel
from gov3.saemaul.models import (
    EvidencePhoto,
    ProgrammeRound,
    Project,
    ProjectStatus,
    Report,
    ReportLevel,
    SaemaulAssignment,
    SaemaulLevel,
    Village,
)
from gov3.saemaul.queries import district_ids_under, get_project, get_round, get_village


class Step(StrEnum):
    """An action a programme user may be allowed to take."""

    RECORD_ASSEMBLY = "record_assembly"
    EDIT_PROJECT = "edit_project"
    SUBMIT_PROJECT = "submit_project"
    UPLOAD_PHOTO = "upload_photo"
    CHECK_PROJECT = "check_project"
    APPROVE_PROJECT = "approve_project"
    RETURN_PROJECT = "return_project"
    REVIEW_PHOTO = "review_photo"
    MANAGE_MATERIALS = "manage_materials"
    RECORD_MATERIAL_USE = "record_material_use"
    RECORD_FUND_ENTRY = "record_fund_entry"
    RELEASE_TRANCHE = "release_tranche"
    EVALUATE_VILLAGES = "evaluate_villages"
    CLASSIFY_VILLAGES = "classify_villages"


#: The levels that may take each step (always within their jurisdiction).
STEPS: dict[Step, frozenset[str]] = {
    Step.RECORD_ASSEMBLY: frozenset({SaemaulLevel.VILLAGE}),
    Step.EDIT_PROJECT: frozenset({SaemaulLevel.VILLAGE}),
    Step.SUBMIT_PROJECT: frozenset({SaemaulLevel.VILLAGE}),
    Step.UPLOAD_PHOTO: frozenset({SaemaulLevel.VILLAGE}),
    Step.CHECK_PROJECT: frozenset({SaemaulLevel.EUP_MYEON}),
    Step.RETURN_PROJECT: frozenset({SaemaulLevel.EUP_MYEON, SaemaulLevel.COUNTY}),
    Step.APPROVE_PROJECT: frozenset({SaemaulLevel.COUNTY}),
    Step.REVIEW_PHOTO: frozenset({SaemaulLevel.EUP_MYEON, SaemaulLevel.COUNTY}),
    Step.MANAGE_MATERIALS: frozenset({SaemaulLevel.COUNTY}),
    # The village accounts for what it used and for its own fund.
    Step.RECORD_MATERIAL_USE: frozenset({SaemaulLevel.VILLAGE}),
    Step.RECORD_FUND_ENTRY: frozenset({SaemaulLevel.VILLAGE}),
    # The county, which approved the grant, pays it out and evaluates the round's results.
    Step.RELEASE_TRANCHE: frozenset({SaemaulLevel.COUNTY}),
    Step.EVALUATE_VILLAGES: frozenset({SaemaulLevel.COUNTY}),
    # The yearly classes are decided by the programme managers above the county.
    Step.CLASSIFY_VILLAGES: frozenset({SaemaulLevel.PROVINCE, SaemaulLevel.CENTRAL}),
}

#: The report level each programme level reviews (the level below its own).
REVIEWS: dict[str, str] = {
    SaemaulLevel.EUP_MYEON: ReportLevel.VILLAGE,
    SaemaulLevel.COUNTY: ReportLevel.EUP_MYEON,
    SaemaulLevel.PROVINCE: ReportLevel.COUNTY,
    SaemaulLevel.CENTRAL: ReportLevel.PROVINCE,
}

#: The project status waiting for each deciding level (it checks or approves, or returns).
AWAITS: dict[str, str] = {
    SaemaulLevel.EUP_MYEON: ProjectStatus.SUBMITTED,
    SaemaulLevel.COUNTY: ProjectStatus.CHECKED,
}


def _ancestors(area: Area) -> list[int]:
    """The ids of ``area`` and every area above it (three levels at most)."""
    ids = [area.pk]
    parent_id = area.parent_id
    while parent_id is not None:
        ids.append(parent_id)
        parent_id = Area.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids


@dataclass(frozen=True)
class Jurisdiction:
    """A signed-in user's place in the programme and what it lets them see."""

    user: User
    assignment: SaemaulAssignment

    @property
    def level(self) -> str:
        return self.assignment.level

    @property
    def actor(self) -> str:
        """How the user is named in audit entries and on decisions."""
        return self.user.get_username()

    @property
    def country(self) -> str:
        return self.assignment.country

    @property
    def is_village(self) -> bool:
        return self.level == SaemaulLevel.VILLAGE

    @property
    def area(self) -> Area | None:
        """The area the user covers (None for a village leader and for central)."""
        return self.assignment.area

    @property
    def village(self) -> Village | None:
        return self.assignment.village

    def villages(self) -> QuerySet[Village]:
        """Every village the user may see."""
        villages = Village.objects.select_related("area")
        if self.assignment.village_id is not None:
            return villages.filter(pk=self.assignment.village_id)
        if self.assignment.area is not None:
            return villages.filter(area_id__in=district_ids_under(self.assignment.area))
        return villages.filter(area__country=self.country)

    def reports(self) -> QuerySet[Report]:
        """Every report the user may see: their villages' and those of areas in their area."""
        villages = Q(village__in=self.villages())
        if self.is_village:
            return Report.objects.filter(villages)
        top = self.assignment.area
        if top is None:
            return Report.objects.filter(villages | Q(area__country=self.country))
        within = Q(area=top) | Q(area__parent=top) | Q(area__parent__parent=top)
        return Report.objects.filter(villages | within)

    def sees_village(self, village: Village) -> bool:
        if self.assignment.village_id is not None:
            return village.pk == self.assignment.village_id
        return self.sees_area(village.area)

    def sees_area(self, area: Area) -> bool:
        """Whether ``area`` lies in the user's area (a village leader sees no whole area)."""
        if self.is_village:
            return False
        if area.country != self.country:
            return False
        if self.assignment.area_id is None:
            return True
        return self.assignment.area_id in _ancestors(area)

    def may(self, step: Step) -> bool:
        return self.level in STEPS[step]

    def require(self, step: Step) -> None:
        """Refuse a step the user's level does not take."""
        if not self.may(step):
            raise PermissionRefusedError(
                gettext("As %(level)s you cannot do this.")
                % {"level": SaemaulLevel(self.level).label}
            )

    # -- lookups that answer "not found" outside the jurisdiction ---------------------------

    def village_by_code(self, code: str) -> Village:
        village = get_village(code)
        if not self.sees_village(village):
            raise NotFoundError(gettext("No village with that code is registered."))
        return village

    def project_by_id(self, public_id: Any) -> Project:
        project = get_project(public_id)
        if not self.sees_village(project.village):
            raise NotFoundError(gettext("No project with that id exists."))
        return project

    def photo_by_id(self, public_id: Any) -> EvidencePhoto:
        photo = (
            EvidencePhoto.objects.select_related("project__village__area")
            .filter(public_id=public_id)
            .first()
        )
        if photo is None or not self.sees_village(photo.project.village):
            raise NotFoundError(gettext("No photo with that id exists."))
        return photo

    def round_by_code(self, code: str) -> ProgrammeRound:
        """A programme round of the user's country."""
        round_ = get_round(code)
        if round_.country != self.country:
            raise NotFoundError(gettext("There is no programme round %(code)s.") % {"code": code})
        return round_

    def area_by_code(self, code: str) -> Area:
        area = Area.objects.filter(country=self.country, code=code).first()
        if area is None or not self.sees_area(area):
            raise NotFoundError(gettext("No area with that code is in your jurisdiction."))
        return area

    def report_by_id(self, pk: int) -> Report:
        report = Report.objects.select_related("village__area", "area").filter(pk=pk).first()
        if report is None or not self.sees_report(report):
            raise NotFoundError(gettext("No report with that id exists."))
        return report

    def sees_report(self, report: Report) -> bool:
        if report.village is not None:
            return self.sees_village(report.village)
        assert report.area is not None
        return self.sees_area(report.area)

    def reviews(self, report: Report) -> bool:
        """Whether the user is the level that approves this report."""
        if REVIEWS.get(self.level) != report.level or not self.sees_report(report):
            return False
        if report.level == ReportLevel.VILLAGE:
            return True
        # The report's area must be directly under the reviewer's (central: a province).
        assert report.area is not None
        if self.level == SaemaulLevel.CENTRAL:
            return report.area.parent_id is None
        return report.area.parent_id == self.assignment.area_id

    def village_for_step(self, code: str, step: Step) -> Village:
        """The village (not found outside the jurisdiction) if the user's level takes the step
        (otherwise refused): every village step of the pages and the API starts here."""
        village = self.village_by_code(code)
        self.require(step)
        return village

    def project_for_step(self, public_id: Any, step: Step) -> Project:
        """The project (not found outside the jurisdiction) if the user's level takes the step
        (otherwise refused): every project step of the pages and the API starts here."""
        project = self.project_by_id(public_id)
        self.require(step)
        return project

    def prepared(self, report: Report) -> bool:
        """Whether the report is the user's own level's (their village's or their area's)."""
        if report.village_id is not None:
            return report.village_id == self.assignment.village_id
        return report.area_id == self.assignment.area_id

    def report_for_step(self, pk: int, *, review: bool) -> Report:
        """The report (not found outside the jurisdiction) if the user takes a step on it: the
        level that prepared it submits it, the level directly above reviews it (otherwise
        refused)."""
        report = self.report_by_id(pk)
        if review and not self.reviews(report):
            raise PermissionRefusedError(
                gettext("Only the level directly above reviews this report.")
            )
        if not review and not self.prepared(report):
            raise PermissionRefusedError(
                gettext("Only the level that prepared a report submits it.")
            )
        return report

    def return_refused(self, project: Project) -> str | None:
        """Why the user's level cannot send the project back from where it is (None: it can)."""
        if AWAITS.get(self.level) == project.status:
            return None
        return gettext("The project is '%(status)s'; you cannot return it from there.") % {
            "status": project.get_status_display()
        }

    def areas(self) -> list[Area]:
        """Areas the user may pick on the dashboards, from the broadest down.

        Provinces and counties; the eup/myeon of a county when the user covers one county or
        less (a country has thousands of them).
        """
        if self.is_village:
            return []
        top = self.assignment.area
        areas = Area.objects.filter(country=self.country)
        if top is None:
            return list(areas.exclude(level=AreaLevel.DISTRICT).order_by("code"))
        if top.level in (AreaLevel.PROVINCE, AreaLevel.MUNICIPALITY):
            return [top, *areas.filter(parent=top).order_by("code")]
        return [top]


def jurisdiction_of(user: Any) -> Jurisdiction | None:
    """The user's jurisdiction, or None if they have no programme role (or, as an officer,
    did not sign in with their second factor)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    if not user.is_citizen and not getattr(user, "is_verified", lambda: False)():
        return None
    if user.kind == "officer" and not user.is_officer:
        return None  # an officer with no current post acts nowhere (ADR 0036)
    assignment = (
        SaemaulAssignment.objects.select_related("village__area", "area")
        .filter(user_id=user.pk)
        .first()
    )
    if assignment is None:
        return None
    if user.is_citizen and assignment.level != SaemaulLevel.VILLAGE:
        # Only village leaders, elected by villagers, use a citizen account.
        return None
    return Jurisdiction(user=user, assignment=assignment)

"""What the Saemaul API reads and returns."""

from datetime import date, datetime

from ninja import Schema

from gov3.core.schemas import InputSchema
from gov3.saemaul import models


class VillageOut(Schema):
    """A village in a list."""

    code: str
    public_id: str
    name_local: str
    name_en: str
    area_code: str
    area_name: str
    households: int
    population: int
    latitude: float | None
    longitude: float | None
    village_class: str


class VillageList(Schema):
    """A page of villages."""

    count: int
    items: list[VillageOut]


class ChecklistItemOut(Schema):
    """A line of the infrastructure checklist."""

    item: str
    label: str
    done: bool
    completed_year: int | None


class PersonOut(Schema):
    """A leader or a member of a village body."""

    role: str
    name: str
    sex: str
    since: date


class ClassOut(Schema):
    """A village's class in a year."""

    year: int
    village_class: str
    promoted: bool


class ProjectSummaryOut(Schema):
    """A project in a list."""

    public_id: str
    village_code: str
    title: str
    category: str
    status: str
    version: int


class VillageDetailOut(VillageOut):
    """A village's profile."""

    infrastructure: list[ChecklistItemOut]
    leaders: list[PersonOut]
    committee: list[PersonOut]
    womens_association: list[PersonOut]
    fund_balance_krw: int
    classes: list[ClassOut]
    projects: list[ProjectSummaryOut]


class ResolutionIn(InputSchema):
    """A decision put to the vote."""

    length_models = (models.Resolution,)

    title: str
    votes_for: int
    votes_against: int = 0
    abstentions: int = 0
    text: str = ""


class AssemblyIn(InputSchema):
    """A general assembly to record."""

    length_models = (models.Assembly,)

    held_on: date
    eligible_members: int
    attended_men: int
    attended_women: int
    place: str = ""
    chaired_by: str = ""
    minutes: str = ""
    resolutions: list[ResolutionIn] = []


class ResolutionOut(Schema):
    """A resolution and whether it was adopted."""

    id: int
    number: int
    title: str
    votes_for: int
    votes_against: int
    abstentions: int
    adopted: bool


class AssemblyOut(Schema):
    """A recorded assembly."""

    id: int
    village_code: str
    held_on: date
    place: str
    eligible_members: int
    attended_men: int
    attended_women: int
    quorum_percent: int
    quorum_met: bool
    resolutions: list[ResolutionOut]


class BoqLineIn(InputSchema):
    """A line of the bill of quantities."""

    length_models = (models.ProjectLine,)

    description: str
    quantity: str
    unit: str
    unit_price_krw: int = 0
    material: str = ""


class ProjectIn(InputSchema):
    """A project to draft."""

    length_models = (models.Project,)

    title: str
    category: str
    description: str = ""
    resolution_id: int | None = None
    round_code: str | None = None
    infrastructure_item: str = ""
    latitude: float | None = None
    longitude: float | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    requested_grant_krw: int = 0
    community_cash_krw: int = 0
    community_labour_days: int = 0
    lines: list[BoqLineIn] = []


class BoqLineOut(Schema):
    """A line of the bill of quantities."""

    position: int
    description: str
    material: str
    quantity: str
    unit: str
    unit_price_krw: int
    amount_krw: int


class ProjectDecisionOut(Schema):
    """A step of a project's history."""

    action: str
    from_status: str
    to_status: str
    actor: str
    at: datetime
    note: str


class ProjectOut(ProjectSummaryOut):
    """A project with its money, lines and history."""

    description: str
    resolution_id: int | None
    round_code: str | None
    latitude: float | None
    longitude: float | None
    estimated_cost_krw: int
    requested_grant_krw: int
    community_cash_krw: int
    community_labour_days: int
    approved_grant_krw: int | None
    locked: bool
    return_reason: str
    lines: list[BoqLineOut]
    history: list[ProjectDecisionOut]


class SaemaulVersionIn(InputSchema):
    """The version of the project or report the caller saw."""

    length_models = (models.ProjectDecision,)

    version: int


class CheckIn(SaemaulVersionIn):
    """The eup/myeon check."""

    note: str = ""


class ReturnIn(SaemaulVersionIn):
    """A return for correction."""

    reason: str


class ApproveIn(SaemaulVersionIn):
    """The county's approval; the grant defaults to what was requested."""

    approved_grant_krw: int | None = None
    note: str = ""


class PhotoOut(Schema):
    """A progress photo and what its location check found."""

    public_id: str
    project_id: str
    stage: str
    flag: str
    flagged: bool
    flag_text: str
    latitude: float | None
    longitude: float | None
    distance_m: float | None
    threshold_m: int
    taken_at: datetime | None
    progress_percent: int
    caption: str
    review: str
    uploaded_at: datetime


class ReportIn(InputSchema):
    """A month to prepare the caller's own report for."""

    length_models = (models.Report,)

    year: int
    month: int
    narrative: str | None = None


class ReportOut(Schema):
    """A monthly report of one level of the chain."""

    id: int
    level: str
    unit_code: str
    unit_name: str
    year: int
    month: int
    status: str
    locked: bool
    version: int
    figures: dict[str, int]
    narrative: str
    reviewed_by: str
    return_reason: str


class MaterialOut(Schema):
    """Allocated, delivered and used quantities of one material."""

    material: str
    unit: str
    allocated: int
    delivered: int
    used: int


class DashboardOut(Schema):
    """The figures behind the dashboard pictures."""

    area_code: str | None
    villages: int
    villages_located: int
    classes_now: dict[str, int]
    classes_by_year: dict[str, dict[str, int]]
    materials: list[MaterialOut]
    projects_by_status: dict[str, int]


class RankedOut(Schema):
    """A village's place in a round's evaluation."""

    rank: int
    village_code: str
    village_name: str
    total: int
    showed_results: bool


class MaterialUseIn(InputSchema):
    """Delivered material put into one of the village's approved projects."""

    length_models = (models.MaterialUse,)

    project_id: str
    material: str
    quantity: int
    used_on: date
    note: str = ""


class MaterialUseOut(Schema):
    """A recorded use of material."""

    id: int
    village_code: str
    project_id: str
    material: str
    unit: str
    quantity: int
    used_on: date
    note: str
    actor: str


class FundEntryIn(InputSchema):
    """Money into the village fund (contribution, income, other) or out of it (expense);
    ``amount_krw`` is positive."""

    length_models = (models.VillageFundEntry,)

    kind: str
    amount_krw: int
    entry_on: date
    note: str = ""
    project_id: str | None = None


class FundEntryOut(Schema):
    """A village fund ledger entry (amount positive in, negative out)."""

    id: int
    kind: str
    amount_krw: int
    balance_after_krw: int
    entry_on: date
    project_id: str | None
    tranche: int | None
    note: str
    actor: str


class FundOut(Schema):
    """The village fund: balance and entries, newest first."""

    village_code: str
    balance_krw: int
    entries: list[FundEntryOut]


class TrancheOut(Schema):
    """A part of an approved grant and its release condition."""

    number: int
    amount_krw: int
    min_progress_percent: int
    status: str
    released_on: date | None
    released_by: str


class TranchesOut(Schema):
    """A project's tranches and the progress its photos show."""

    project_id: str
    progress_percent: int
    tranches: list[TrancheOut]


class ReleaseIn(InputSchema):
    """The day a tranche is paid into the village fund."""

    released_on: date


class EvaluationIn(InputSchema):
    """A village's evaluation: points per rubric criterion (``showed_results`` only for a
    round without a rubric or without a pass score)."""

    length_models = (models.Evaluation,)

    village_code: str
    scores: dict[str, int] = {}
    showed_results: bool | None = None
    evaluated_on: date
    note: str = ""


class EvaluationOut(Schema):
    """A village's evaluation in a round."""

    round_code: str
    village_code: str
    village_name: str
    scores: dict[str, int]
    total: int
    showed_results: bool
    evaluated_on: date
    evaluated_by: str
    note: str


class ClassifyIn(InputSchema):
    """The year to classify, for the caller's area or one area in it."""

    year: int
    area_code: str | None = None


class ClassificationOut(Schema):
    """What a classification run did."""

    year: int
    area_code: str | None
    classified: int
    already_classified: int
    missing_figures: int
    promoted: int
    counts: dict[str, int]

"""Personnel API for analytics and import/export (/api/v1/personnel/…, in the OpenAPI
document): the aggregates of the officer's scope, the agency's exchange document, and an
import (multipart upload) that imports nothing if any row is wrong, answering 422 with every
problem and its line."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from gov3.accounts.models import Agency, User
from gov3.core.errors import PermissionRefusedError
from gov3.core.models import AccessChannel
from gov3.core.personal_data import access_logged, no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.personnel import analytics, queries, transfer
from gov3.personnel.analytics_views import figures_json
from gov3.personnel.transfer_views import EXPORT_PARTS, log_export, max_bytes

router = Router(tags=["personnel"])


class AgencyFiguresOut(Schema):
    agency: str
    authorised_headcount: int
    actual_headcount: int
    vacancies: int = Field(description="per unit: authorised minus actual where short, summed")
    positions: int
    vacant_positions: int
    open_positions: int


class GradeOut(Schema):
    grade: str
    headcount: int


class BandOut(Schema):
    band: str = Field(description="years of service, e.g. 0-1, 20+")
    people: int


class RatingOut(Schema):
    agency: str
    period: str = Field(description="<kind>-<year>-<half>")
    rating: str
    people: int
    quota_max: int | None


class AnalyticsOut(Schema):
    date: str
    agencies: list[AgencyFiguresOut]
    grades: list[GradeOut]
    years_of_service: list[BandOut]
    ratings: list[RatingOut]


class UnitRow(Schema):
    code: str
    parent: str | None
    name_local: str
    name_en: str
    authorised_headcount: int
    opened_on: str
    closed_on: str | None


class PositionRow(Schema):
    code: str
    unit: str
    title_local: str
    title_en: str
    grade_high: str
    grade_low: str
    job_series: str
    position_type: str
    work_kind: str
    gov3_role: str | None
    is_head: bool


class StaffRow(Schema):
    employee_number: str
    id_number: str = Field(description="the register's id number (no name, no birth date)")
    entry: str
    entered_on: str
    position: str | None
    grade: str | None
    step: int | None
    starts_on: str | None


class LineageRow(Schema):
    act: str = Field(description="the reorganisation's number")
    kind: str
    effective_on: str
    predecessor: str = Field(description="the code of the unit the act closed")
    successor: str = Field(description="the code of the unit the act opened")


class MoveRow(Schema):
    act: str
    position: str
    from_unit: str
    to_unit: str
    moved_on: str


class ExchangeOut(Schema):
    format: str
    agency: str
    date: str
    units: list[UnitRow]
    positions: list[PositionRow]
    staff: list[StaffRow]
    lineage: list[LineageRow] = Field(default_factory=list)
    moves: list[MoveRow] = Field(default_factory=list)


class ImportOut(Schema):
    units: int
    positions: int
    staff: int
    reorganisations: int = 0
    moves: int = 0


class ProblemOut(Schema):
    kind: str
    line: int = Field(description="CSV: the file's line; JSON: the item's number in its list")
    message: str


class ImportRefusedOut(Schema):
    """Nothing was imported: every problem found with its line (or, for a request that does
    not match the API document, `errors` as for any operation)."""

    detail: str
    code: str = ""
    problems: list[ProblemOut] = Field(default_factory=list)
    more: int = Field(default=0, description="problems found but not listed")
    errors: list[dict[str, Any]] | None = None


def _hr_agency(request: HttpRequest) -> tuple[User, Agency]:
    user = request.user
    if not queries.is_hr_officer(user) or not isinstance(user, User) or user.agency is None:
        raise PermissionRefusedError("Only HR officers use the personnel API.")
    return user, user.agency


@router.get(
    "/analytics",
    response={200: AnalyticsOut, 403: ErrorOut},
    url_name="personnel_analytics",
)
@no_personal_data
def analytics_figures(request: HttpRequest) -> dict[str, Any]:
    """Headcount against authorised, grades, years of service, ratings against the quota and
    open positions: my agency's, or every agency's for the personnel ministry (counts only)."""
    return figures_json(analytics.analytics(request.user, timezone.localdate()))


@router.get(
    "/export",
    response={200: ExchangeOut, 403: ErrorOut},
    url_name="personnel_export",
)
@access_logged(EXPORT_PARTS)
def export(request: HttpRequest) -> dict[str, Any]:
    """My agency's units, positions and the records of whoever holds a post there today (id
    numbers, not names; the read is in each civil servant's access log)."""
    officer, agency = _hr_agency(request)
    day = timezone.localdate()
    documents = {k: transfer.export_rows(agency, k, day) for k in transfer.KINDS}
    log_export(officer, documents["staff"], AccessChannel.API)
    return {
        "format": transfer.FORMAT,
        "agency": agency.code,
        "date": day.isoformat(),
        **{
            k: [{n: v for n, v in r.items() if not n.startswith("_")} for r in rows]
            for k, rows in documents.items()
        },
    }


@router.post(
    "/import",
    response={200: ImportOut, 403: ErrorOut, 413: ErrorOut, 422: ImportRefusedOut},
    url_name="personnel_import",
)
@no_personal_data
def import_file(
    request: HttpRequest,
    *,
    file: File[UploadedFile],
    format: Form[str] = "json",
    kind: Form[str] = "",
) -> Status[Any]:
    """Import new units, positions and records into my agency (multipart: `file`, `format`
    csv or json, `kind` for a CSV). Every row is checked first; any problem: 422 listing each
    with its line, and nothing is imported."""
    officer, agency = _hr_agency(request)
    data = file.read(max_bytes() + 1)  # a bigger file is refused as too large
    if len(data) > max_bytes():
        return Status(
            413, {"detail": f"The file is larger than {max_bytes()} bytes.", "code": "too_large"}
        )
    if format not in ("csv", "json"):
        refused = transfer.ImportRefusedError(
            [transfer.Problem("file", 0, "format must be csv or json")]
        )
    else:
        try:
            parsed = transfer.read(transfer.decode(data), format, kind)
            result = transfer.do_import(officer.get_username(), agency, parsed)
        except transfer.ImportRefusedError as error:
            refused = error
        else:
            return Status(200, asdict(result))
    return Status(
        422,
        {
            "detail": str(refused),
            "code": "invalid",
            "problems": [
                {"kind": p.kind, "line": p.line, "message": p.message} for p in refused.problems
            ],
            "more": refused.more,
        },
    )

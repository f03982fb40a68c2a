"""The schools API (/api/v1/schools/): the public school finder, and a citizen's learner
records (their own and the children's they act for)."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema

from gov3.accounts.decorators import citizen_of
from gov3.core.errors import NotFoundError
from gov3.core.personal_data import citizens_own_data, no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.schools import queries

router = Router(tags=["schools"])


class FinderIn(Schema):
    q: str
    year: int


class SchoolOut(Schema):
    code: str
    name_local: str
    name_en: str
    level: str
    priority: int
    entry_places: int


class AreaSchoolsOut(Schema):
    """An area and the schools serving it in the school year, in assignment order."""

    area_code: str
    area_name_local: str
    area_name_en: str
    schools: list[SchoolOut]


class EnrolmentOut(Schema):
    school_code: str
    school_year: int
    grade: int
    class_name: str
    started_on: date
    ended_on: date | None
    end_reason: str


class LearnerOut(Schema):
    id: str
    number: str
    name: str
    birth_date: date
    enrolments: list[EnrolmentOut]


@router.get(
    "/find",
    response={200: list[AreaSchoolsOut], 422: ErrorOut},
    auth=None,
    url_name="schools_find",
)
@no_personal_data
def find(request: HttpRequest, filters: Query[FinderIn]) -> list[dict[str, Any]]:
    """The schools serving each neighbourhood whose name contains `q`, in school year `year`."""
    found = queries.find_schools(str(settings.GOV3_COUNTRY), filters.q, filters.year)
    return [
        {
            "area_code": item.area.code,
            "area_name_local": item.area.name_local,
            "area_name_en": item.area.name_en,
            "schools": [
                {
                    "code": e.school.code,
                    "name_local": e.school.name_local,
                    "name_en": e.school.name_en,
                    "level": e.school.level,
                    "priority": e.priority,
                    "entry_places": e.school.entry_places,
                }
                for e in item.entries
            ],
        }
        for item in found
    ]


@router.get(
    "/learners", response={200: list[LearnerOut], 404: ErrorOut}, url_name="schools_learners"
)
@citizens_own_data
def learners(request: HttpRequest) -> list[dict[str, Any]]:
    """The learner records of the signed-in citizen and of the children they act for."""
    user = citizen_of(request)
    if user is None:
        raise NotFoundError("Only citizens have learner records.")
    return [
        {
            "id": str(learner.public_id),
            "number": learner.number,
            "name": learner.person.name_local,
            "birth_date": learner.person.birth_date,
            "enrolments": [
                {
                    "school_code": e.school.code,
                    "school_year": e.school_year,
                    "grade": e.grade,
                    "class_name": e.class_name,
                    "started_on": e.started_on,
                    "ended_on": e.ended_on,
                    "end_reason": e.end_reason,
                }
                for e in queries.enrolment_history(learner)
            ],
        }
        for learner in queries.learners_for(user)
    ]

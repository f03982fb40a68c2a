"""The open-data API (/api/v1/open-data/): take-up (moved here from the cases API) and every
dataset of the catalogue as JSON. No sign-in, no personal data, small cells suppressed."""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from gov3.cases.takeup import MEASURES, published, suppression_threshold, take_up
from gov3.core.errors import NotFoundError
from gov3.core.personal_data import no_personal_data
from gov3.core.schemas import ErrorOut
from gov3.opendata.datasets import DATASETS

router = Router(tags=["open data"])


class TakeUpRowOut(Schema):
    service: str
    area: str
    eligible: int | None
    offered: int | None
    confirmed: int | None
    declined: int | None
    approved: int | None
    paid: int | None


class TakeUpOut(Schema):
    """Take-up per service and first-level area; counts between 1 and `suppressed_below`
    are null (small cells are not published)."""

    country: str
    date: date
    measures: list[str]
    suppressed_below: int
    rows: list[TakeUpRowOut]


class DatasetInfoOut(Schema):
    slug: str
    title: dict[str, str]
    description: dict[str, str]
    frequency: str
    fields: list[str]


class DatasetOut(Schema):
    """A dataset's rows; a null is a suppressed cell (or a figure with too few behind it)."""

    dataset: str
    date: date
    suppressed_below: int
    rows: list[dict[str, Any]]


@router.get("/take-up", response=TakeUpOut, auth=None, url_name="open_take_up")
@no_personal_data
def open_take_up(request: HttpRequest) -> Status[Any]:
    """Take-up per service and area as open data: no personal data, small cells suppressed."""
    country = str(settings.GOV3_COUNTRY)
    day = timezone.localdate()
    return Status(
        200,
        {
            "country": country,
            "date": day,
            "measures": list(MEASURES),
            "suppressed_below": suppression_threshold(),
            "rows": published(take_up(country, day)),
        },
    )


@router.get("/datasets", response=list[DatasetInfoOut], auth=None, url_name="open_datasets")
@no_personal_data
def datasets(request: HttpRequest) -> list[dict[str, Any]]:
    """Every dataset of the catalogue (the DCAT catalogue is at /open-data/catalog.jsonld)."""
    return [
        {
            "slug": d.slug,
            "title": d.title,
            "description": d.description,
            "frequency": d.frequency,
            "fields": [name for name, _, _ in d.fields],
        }
        for d in DATASETS.values()
    ]


@router.get(
    "/datasets/{slug}",
    response={200: DatasetOut, 404: ErrorOut},
    auth=None,
    url_name="open_dataset",
)
@no_personal_data
def dataset(request: HttpRequest, slug: str) -> dict[str, Any]:
    found = DATASETS.get(slug)
    if found is None:
        raise NotFoundError("There is no such dataset.")
    day = timezone.localdate()
    return {
        "dataset": slug,
        "date": day,
        "suppressed_below": suppression_threshold(),
        "rows": found.rows(str(settings.GOV3_COUNTRY), day),
    }

"""Open data, no sign-in: the catalogue page, the DCAT catalogue (JSON-LD, Turtle), each
dataset as CSV, JSON or Parquet and its Table Schema. Thin: look up, make, send."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gov3.core.personal_data import no_personal_data
from gov3.opendata.catalog import LICENCE_TITLE, LICENCE_URL, serialised
from gov3.opendata.datasets import DATASETS, Dataset, as_csv, as_json, as_parquet, threshold


def _base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@no_personal_data
def index(request: HttpRequest) -> HttpResponse:
    language = (request.LANGUAGE_CODE or "en")[:2]
    datasets = [
        {
            "slug": d.slug,
            "title": d.title.get(language, d.title["en"]),
            "description": d.description.get(language, d.description["en"]),
        }
        for d in DATASETS.values()
    ]
    context = {
        "datasets": datasets,
        "licence_url": LICENCE_URL,
        "licence_title": LICENCE_TITLE,
        "threshold": threshold(),
    }
    return render(request, "opendata/index.html", context)


@no_personal_data
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    text = serialised(_base(request), timezone.localdate(), "json-ld")
    return HttpResponse(text, content_type="application/ld+json; charset=utf-8")


@no_personal_data
def catalog_ttl(request: HttpRequest) -> HttpResponse:
    text = serialised(_base(request), timezone.localdate(), "turtle")
    return HttpResponse(text, content_type="text/turtle; charset=utf-8")


def _dataset(slug: str) -> Dataset:
    dataset = DATASETS.get(slug)
    if dataset is None:
        raise Http404
    return dataset


@no_personal_data
def schema(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(
        json.dumps(_dataset(slug).table_schema(), indent=2),
        content_type="application/json",
    )


@no_personal_data
def download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    from django.conf import settings  # noqa: PLC0415 - the country at request time (tests)

    dataset = _dataset(slug)
    day = timezone.localdate()
    rows = dataset.rows(str(settings.GOV3_COUNTRY), day)
    if fmt == "csv":
        response = HttpResponse(as_csv(dataset, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        response = HttpResponse(as_json(dataset, rows, day), content_type="application/json")
    elif fmt == "parquet":
        response = HttpResponse(
            as_parquet(dataset, rows), content_type="application/vnd.apache.parquet"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{slug}.{fmt}"'
    response["Link"] = f'</open-data/datasets/{slug}.schema.json>; rel="describedby"'
    return response

"""Bad input to the API is refused at the schema layer with a 422 naming the field, and changes
nothing: lengths from the model, numbers that fit a database column, no control characters or
lone surrogates; a NUL in the address and a multipart body without a boundary are 400s."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from gov3.saemaul.models import Project, Village
from tests.saemaul.test_api import API, PROJECT
from tests.saemaul.test_pages import (  # noqa: F401 - fixtures are used by name
    as_fixture,
    other_village_fixture,
    people_fixture,
)

pytestmark = pytest.mark.django_db


def send(client: Client, path: str, body: str) -> Any:
    return client.post(f"{API}{path}", data=body, content_type="application/json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "x" * 100_000}, "title: at most 200 characters"),
        ({"title": "x" * 201}, "title: at most 200 characters"),
        ({"title": "마을\x00회관"}, "control characters"),
        ({"requested_grant_krw": 10**30}, "out of range"),
        ({"community_labour_days": -(2**70)}, "out of range"),
        ({"lines": [{**PROJECT["lines"][0], "description": "a" * 201}]}, "at most 200"),  # type: ignore[index]
    ],
)
def test_bad_project_fields_are_422_and_change_nothing(
    as_: Callable[[str], Client], village: Village, change: dict[str, Any], message: str
) -> None:
    response = send(
        as_("leader"), f"/villages/{village.code}/projects", json.dumps(PROJECT | change)
    )
    assert response.status_code == 422, response.content[:300]
    assert message in response.json()["detail"]
    assert not Project.objects.exists()


def test_a_lone_surrogate_is_422(as_: Callable[[str], Client], village: Village) -> None:
    body = json.dumps(PROJECT | {"title": "PLACEHOLDER"}).replace("PLACEHOLDER", "\\ud800")
    response = send(as_("leader"), f"/villages/{village.code}/projects", body)
    assert response.status_code == 422
    assert "not valid Unicode" in response.json()["detail"]
    assert not Project.objects.exists()


def test_a_nul_in_the_address_is_a_clear_400(
    as_: Callable[[str], Client], village: Village
) -> None:
    response = as_("county").get(f"{API}/villages/{village.code}%00")
    assert response.status_code == 400
    assert as_("county").get(f"{API}/projects", {"status": "a\x00"}).status_code == 400


def test_a_multipart_upload_without_a_boundary_is_a_400(
    as_: Callable[[str], Client], village: Village, settings: Any
) -> None:
    settings.DEBUG = True  # it was a 500 with debug on
    response = as_("leader").generic(
        "POST",
        f"{API}/projects/{village.code}/photos",
        b"--x--",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400

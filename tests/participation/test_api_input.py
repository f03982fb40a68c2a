"""Bad input to the participation API is refused at the schema layer (`InputSchema`) with a 422
naming the field, and changes nothing: lengths from the petition's columns, numbers that fit a
database column, no control characters or lone surrogates."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gov3.accounts.models import Agency, User
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import Petition
from tests.api.test_offers_cases_api import sign_in_citizen
from tests.participation.conftest import send

pytestmark = pytest.mark.django_db

PETITION = {
    "kind": "complaint",
    "category": "",
    "area": "1111051500",
    "title": "가로등 고장",
    "text": "종로 12번길 골목길, 가로등이 꺼져 밤에 도로가 너무 어둡습니다.",
}


@pytest.fixture
def agencies(areas: None) -> dict[str, Agency]:
    load_agencies("kr")
    return {a.code: a for a in Agency.objects.filter(country="kr")}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "x" * 201}, "title: at most 200 characters"),  # the column's length
        ({"kind": "complaint" * 2}, "kind: at most 10 characters"),
        ({"category": "c" * 41}, "category: at most 40 characters"),
        ({"text": "가로등\x00고장"}, "control characters"),
        ({"title": "가로등\x1b[31m"}, "control characters"),
    ],
)
def test_bad_petition_fields_are_422_and_change_nothing(
    citizen: User, agencies: dict[str, Agency], change: dict[str, Any], message: str
) -> None:
    client = sign_in_citizen(citizen)
    response = send(client, "/petitions", json.dumps(PETITION | change))
    assert response.status_code == 422, response.content[:300]
    assert message in response.json()["detail"]
    assert not Petition.objects.exists()
    # the same petition without the fault is filed (the refusal was the fault's)
    assert send(client, "/petitions", json.dumps(PETITION)).status_code == 200
    assert Petition.objects.count() == 1


def test_a_lone_surrogate_is_422(citizen: User, agencies: dict[str, Agency]) -> None:
    body = json.dumps(PETITION | {"title": "PLACEHOLDER"}).replace("PLACEHOLDER", "\\ud800")
    response = send(sign_in_citizen(citizen), "/petitions", body)
    assert response.status_code == 422
    assert "title" in response.json()["detail"]
    assert not Petition.objects.exists()


def test_a_rating_out_of_any_range_is_422(citizen: User, agencies: dict[str, Agency]) -> None:
    client = sign_in_citizen(citizen)
    filed = send(client, "/petitions", json.dumps(PETITION)).json()
    for rating in (2**70, -(2**70), 6):
        response = send(client, f"/petitions/{filed['id']}/rating", json.dumps({"rating": rating}))
        assert response.status_code == 422, rating
    assert Petition.objects.get().satisfaction is None

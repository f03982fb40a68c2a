"""The notifications API (/api/v1/notifications/, mounted in gov3.api.main): my list, mark
read (someone else's: 404), get and put preferences (wrong input: 422, nothing saved); only a
signed-in citizen."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from gov3.accounts.models import User
from gov3.notifications.models import NotificationKind, Preference
from gov3.registry.models import Person
from tests.notifications.conftest import Notify

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications"


@pytest.fixture
def signed_in(client: Client, resident: User) -> Client:
    client.force_login(resident)
    return client


def _put(client: Client, data: dict[str, Any]) -> Any:
    return client.put(f"{API}/preferences", data=json.dumps(data), content_type="application/json")


def test_my_notifications_unread_first(signed_in: Client, mother: Person, notify: Notify) -> None:
    first = notify(mother, NotificationKind.OFFER, "offer:1")
    notify(mother, NotificationKind.DECISION, "case:1")
    assert first is not None
    signed_in.post(f"{API}/{first.public_id}/read")

    body = signed_in.get(f"{API}/").json()
    assert (body["unread"], body["total"]) == (1, 2)
    [decision, offer] = body["items"]
    assert decision["kind"] == "decision"
    assert decision["priority"] == "legal_notice"
    assert decision["title"] == "Title case:1 (en)"
    assert decision["read"] is False
    assert offer["id"] == str(first.public_id)
    assert offer["read"] is True
    assert offer["link"] == "/me/offers/1/"

    unread = signed_in.get(f"{API}/", {"unread_only": "true"}).json()
    assert [i["kind"] for i in unread["items"]] == ["decision"]


def test_titles_follow_the_language_of_the_request(
    signed_in: Client, mother: Person, notify: Notify
) -> None:
    notify(mother, NotificationKind.OFFER, "offer:1")
    body = signed_in.get(f"{API}/", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert body["items"][0]["title"] == "Title offer:1 (tiếng Việt)"


def test_mark_read(signed_in: Client, mother: Person, notify: Notify) -> None:
    notification = notify(mother, NotificationKind.OFFER, "offer:1")
    assert notification is not None
    response = signed_in.post(f"{API}/{notification.public_id}/read")
    assert response.status_code == 200
    assert response.json()["read"] is True
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_404_and_unchanged(
    signed_in: Client, family: dict[str, Person], notify: Notify
) -> None:
    theirs = notify(family["stranger"], NotificationKind.DECISION, "case:9")
    assert theirs is not None
    response = signed_in.post(f"{API}/{theirs.public_id}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert signed_in.post(f"{API}/{uuid.uuid4()}/read").status_code == 404
    assert signed_in.get(f"{API}/").json()["total"] == 0


def test_preferences_defaults_and_update(signed_in: Client, mother: Person) -> None:
    body = signed_in.get(f"{API}/preferences").json()
    assert body["digest"] == "immediate"
    assert (body["quiet_start"], body["quiet_end"]) == ("22:00", "07:00")
    assert body["channels"]["decision"] == {"in_app": True, "email": True, "legal_notice": True}
    assert body["channels"]["reminder"] == {"in_app": True, "email": False, "legal_notice": False}

    response = _put(
        signed_in,
        {
            "digest": "daily",
            "quiet_start": "23:00",
            "quiet_end": "06:30",
            "time_zone": "Asia/Bangkok",
            "language": "en",
            "channels": {"reminder": {"email": True}, "offer": {"in_app": False}},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["digest"] == "daily"
    assert body["quiet_end"] == "06:30"
    assert body["channels"]["reminder"]["email"] is True
    assert body["channels"]["offer"] == {"in_app": False, "email": True, "legal_notice": False}
    assert Preference.objects.get(person=mother).time_zone == "Asia/Bangkok"


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"channels": {"decision": {"in_app": False}}}, 422, "cannot be switched off"),
        ({"channels": {"gossip": {"email": True}}}, 422, "not a kind of notification"),
        ({"time_zone": "Mars/Olympus"}, 422, "not a time zone we know"),
        ({"digest": "hourly"}, 422, "straight away or once a day"),
        ({"language": "fr"}, 422, "Choose Korean, English or Vietnamese"),
        ({"quiet_start": "25:00"}, 422, ""),
    ],
)
def test_wrong_preferences_are_refused_and_nothing_is_saved(
    signed_in: Client, mother: Person, changes: dict[str, Any], status: int, message: str
) -> None:
    data = {"digest": "immediate", "quiet_start": "22:00", "quiet_end": "07:00", **changes}
    response = _put(signed_in, data)
    assert response.status_code == status
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert not Preference.objects.filter(person=mother).exists()


def test_only_a_signed_in_citizen(client: Client, officer: Any) -> None:
    assert client.get(f"{API}/").status_code == 401
    user, _ = officer
    client.force_login(user)  # an officer without the second factor is not signed in here
    assert client.get(f"{API}/").status_code == 401


def test_an_officer_with_the_second_factor_has_no_notifications(officer_client: Client) -> None:
    response = officer_client.get(f"{API}/")
    assert response.status_code == 403
    assert "Only citizens" in response.json()["detail"]

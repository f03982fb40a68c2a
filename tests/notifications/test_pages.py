"""The citizen's pages: the list (unread first, mark as read), the navigation count, the
preferences form; someone else's notification is 404 and wrong input saves nothing."""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.core.models import AuditEntry
from gov3.notifications.models import Digest, NotificationKind, Preference
from gov3.registry.models import Person
from tests.notifications.conftest import DAY, Notify

pytestmark = pytest.mark.django_db

INBOX = "/me/notifications/"
PREFERENCES = "/me/notifications/preferences/"


@pytest.fixture
def signed_in(client: Client, resident: User) -> Client:
    client.force_login(resident)
    return client


def _valid_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "digest": "immediate",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
        "time_zone": "",
        "language": "",
        "offer__in_app": "on",
        "offer__email": "on",
        "decision__email": "on",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_the_urls_are_under_me_notifications() -> None:
    assert reverse("notifications:inbox") == INBOX
    assert reverse("notifications:preferences") == PREFERENCES


def test_the_list_shows_unread_first_with_links_and_the_count_in_the_menu(
    signed_in: Client, mother: Person, notify: Notify
) -> None:
    old = notify(mother, NotificationKind.OFFER, "offer:1", link="/me/offers/1/")
    notify(mother, NotificationKind.DECISION, "case:1", now=DAY + timedelta(hours=1))
    assert old is not None
    old.read_at = DAY  # read before the decision came (only the order matters here)
    old.save(update_fields=["read_at"])

    page = signed_in.get(INBOX).content.decode()
    assert page.index("Title case:1 (en)") < page.index("Title offer:1 (en)")
    assert 'href="/me/offers/1/"' in page
    assert "Unread notifications: 1." in page
    assert "Legal notice" in page
    assert 'Notifications <span class="krds-badge bg-primary">1<span class="sr-only"> unread' in (
        page
    )


def test_the_list_is_in_the_requested_language(
    signed_in: Client, mother: Person, notify: Notify
) -> None:
    notify(mother, NotificationKind.OFFER, "offer:1")
    page = signed_in.get(INBOX, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "내 알림" in page
    assert "Title offer:1 (한국어)" in page
    assert "읽음으로 표시" in page


def test_an_empty_list_says_so(signed_in: Client) -> None:
    page = signed_in.get(INBOX).content.decode()
    assert "You have no notifications yet." in page
    assert "krds-badge bg-primary" not in page


def test_mark_as_read_with_a_post(signed_in: Client, mother: Person, notify: Notify) -> None:
    notification = notify(mother, NotificationKind.OFFER, "offer:1")
    assert notification is not None
    url = reverse("notifications:mark_read", args=[notification.public_id])
    assert signed_in.get(url).status_code == 405  # a link never changes anything
    response = signed_in.post(url)
    assert response.status_code == 302
    assert response["Location"] == INBOX
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = signed_in.get(INBOX).content.decode()
    assert "You have read all your notifications." in page
    assert "Mark as read" not in page


def test_someone_elses_notification_is_not_found_and_unchanged(
    signed_in: Client, family: dict[str, Person], notify: Notify
) -> None:
    theirs = notify(family["stranger"], NotificationKind.DECISION, "case:9")
    assert theirs is not None
    response = signed_in.post(reverse("notifications:mark_read", args=[theirs.public_id]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Title case:9" not in signed_in.get(INBOX).content.decode()
    assert (
        signed_in.post(reverse("notifications:mark_read", args=[uuid.uuid4()])).status_code == 404
    )
    assert not AuditEntry.objects.filter(action="notifications.mark_read").exists()


def test_only_a_signed_in_citizen_has_the_pages(
    client: Client, officer_client: Client, resident: User
) -> None:
    assert Client().get(INBOX).status_code == 302  # to the sign-in page
    assert officer_client.get(INBOX).status_code == 404
    assert officer_client.get(PREFERENCES).status_code == 404


def test_the_preferences_page_shows_the_defaults_and_the_legal_notice_rule(
    signed_in: Client,
) -> None:
    response = signed_in.get(PREFERENCES)
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be switched off here" in page
    assert "On this website: always" in page
    assert 'name="decision__in_app"' not in page  # no box to switch legal notices off
    assert 'id="id_offer__email" checked' in page
    assert 'id="id_reminder__email" checked' not in page
    assert 'value="22:00"' in page
    assert 'value="07:00"' in page
    assert '<label for="id_offer__email"><span class="sr-only">New offers: </span>By e-mail' in page


def test_saving_the_preferences(signed_in: Client, mother: Person) -> None:
    response = signed_in.post(
        PREFERENCES,
        _valid_form(
            digest="daily",
            quiet_start="21:30",
            quiet_end="08:00",
            time_zone="Asia/Ho_Chi_Minh",
            language="vi",
            offer__email=None,  # unticked
            reminder__email="on",
        ),
    )
    assert response.status_code == 302
    preference = Preference.objects.get(person=mother)
    assert preference.digest == Digest.DAILY
    assert (preference.quiet_start, preference.quiet_end) == (time(21, 30), time(8, 0))
    assert preference.time_zone == "Asia/Ho_Chi_Minh"
    assert preference.language == "vi"
    assert not preference.wants("offer", "email")
    assert preference.wants("reminder", "email")
    assert preference.wants("decision", "in_app")
    assert not preference.wants("amount_changed", "email")  # unticked on the form
    page = signed_in.get(PREFERENCES).content.decode()
    assert "Your notification preferences were saved." in page
    assert AuditEntry.objects.filter(action="notifications.set_preferences").count() == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"quiet_start": "25:00"}, "Enter a valid time."),
        ({"quiet_end": ""}, "This field is required."),
        ({"digest": "hourly"}, "Select a valid choice."),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"language": "fr"}, "Select a valid choice."),
    ],
)
def test_wrong_input_shows_an_error_and_saves_nothing(
    signed_in: Client, mother: Person, changes: dict[str, Any], error: str
) -> None:
    response = signed_in.post(PREFERENCES, _valid_form(**changes))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert 'class="form-hint-invalid"' in response.content.decode()
    assert not Preference.objects.filter(person=mother).exists()
    assert not AuditEntry.objects.filter(action="notifications.set_preferences").exists()


def test_a_forged_legal_notice_switch_is_ignored(signed_in: Client, mother: Person) -> None:
    # The form has no such box; a hand-made request cannot switch legal notices off.
    response = signed_in.post(PREFERENCES, _valid_form(decision__in_app=""))
    assert response.status_code == 302
    assert Preference.objects.get(person=mother).wants("decision", "in_app")


def test_the_pages_are_translated(signed_in: Client) -> None:
    page = signed_in.get(PREFERENCES, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Cài đặt thông báo" in page
    assert "Qua e-mail" in page
    page = signed_in.get(PREFERENCES, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "알림 설정" in page
    assert "법적 통지" in page

"""A one-time enrolment link (issue 19, item 3): an administrator makes it with
`gov3 accounts enrolment-link USERNAME`; the officer opens it, confirms their password and
enrols a new authenticator app with its first code, and is signed in. Used once only."""

from __future__ import annotations

import io
import re
from base64 import b32decode
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import EnrolmentLink, User
from gov3.accounts.services import do_create_administrator
from gov3.core.models import AuditEntry
from tests.conftest import ACTOR, PASSWORD, current_totp

KEY = re.compile(r"<code>([A-Z2-7 ]+)</code>")


def _make_link(username: str = "officer1") -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("accounts", "enrolment-link", username, stdout=out, stderr=err)
    assert "works once" in err.getvalue()
    url = out.getvalue().strip()
    return url[url.index("/identity/") :]


def _code_for(page: str) -> str:
    key = b32decode(KEY.findall(page)[0].replace(" ", ""))
    return f"{totp(key):06d}"


@pytest.mark.django_db
def test_an_officer_enrols_a_new_authenticator_with_the_link(
    client: Client, officer: tuple[User, Any]
) -> None:
    user, old_device = officer
    old_code = current_totp(old_device)
    path = _make_link()
    assert AuditEntry.objects.filter(action="accounts.enrolment_link_made").count() == 1
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "officer1" in html
    assert "<svg" in html
    code = _code_for(html)
    response = client.post(path, {"password": PASSWORD, "otp_token": code})
    assert response.status_code == 302
    assert client.get(reverse("backoffice:search")).status_code == 200
    # The new app is the officer's only one; the old one no longer signs in.
    devices = list(TOTPDevice.objects.filter(user=user))
    assert len(devices) == 1
    assert devices[0].pk != old_device.pk
    other = Client(headers={"accept-language": "en"})
    response = other.post(
        reverse("backoffice:login"),
        {"username": "officer1", "password": PASSWORD, "otp_token": old_code},
    )
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="accounts.totp_enrolled").actor == "officer1"
    # The link works once; trying it again is refused and written to the audit log.
    again = Client(headers={"accept-language": "en"}).get(path)
    assert again.status_code == 404
    assert "cannot be used" in again.content.decode()
    replay = Client().post(path, {"password": PASSWORD, "otp_token": code})
    assert replay.status_code == 404
    refusal = AuditEntry.objects.get(action="accounts.enrolment_refused")
    assert refusal.data == {"reason": "link_unusable"}
    assert list(TOTPDevice.objects.filter(user=user)) == devices


@pytest.mark.django_db
def test_a_wrong_password_or_code_changes_nothing(
    client: Client, officer: tuple[User, Any], caplog: pytest.LogCaptureFixture
) -> None:
    user, device = officer
    path = _make_link()
    html = client.get(path).content.decode()
    code = _code_for(html)
    response = client.post(path, {"password": "wrong", "otp_token": code})
    assert response.status_code == 200
    assert "The password is wrong." in response.content.decode()
    # Counted towards the lockout; the link's secret (it still works) is neither in
    # django-axes' record nor in the log.
    secret = path.rstrip("/").rsplit("/", 1)[1]
    (attempt,) = AccessAttempt.objects.filter(username="officer1")
    assert attempt.path_info == "/identity/officer/enrol/[link]/"
    assert "AXES: " in caplog.text
    assert secret not in caplog.text
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(path, {"password": PASSWORD, "otp_token": wrong})
    assert response.status_code == 200
    assert "does not match the new key" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert EnrolmentLink.objects.get().used_at is None
    assert not AuditEntry.objects.filter(action="accounts.totp_enrolled").exists()
    refusals = AuditEntry.objects.filter(action="accounts.enrolment_refused").order_by("pk")
    assert [entry.data["reason"] for entry in refusals] == ["wrong_password", "wrong_code"]
    # The same key is kept across attempts, so the right code still works.
    assert client.post(path, {"password": PASSWORD, "otp_token": code}).status_code == 302


@pytest.mark.django_db
def test_unknown_and_replaced_links_are_refused(client: Client, officer: tuple[User, Any]) -> None:
    first = _make_link()
    second = _make_link()
    assert client.get(first).status_code == 404  # a new link replaces the old
    assert client.get(second).status_code == 200
    response = client.get(reverse("identity:officer_enrol", args=["not-a-link"]))
    assert response.status_code == 404
    assert "Ask your administrator for a new link." in response.content.decode()


@pytest.mark.django_db
def test_links_are_for_officers_only(citizen: User) -> None:
    with pytest.raises(CommandError, match="not an active officer"):
        _make_link("younghee")
    assert not EnrolmentLink.objects.exists()


@pytest.mark.django_db
def test_an_administrator_makes_a_link_in_the_admin(
    client: Client, officer: tuple[User, Any], citizen: User
) -> None:
    _, device = do_create_administrator(ACTOR, username="registrar", password=PASSWORD)
    done = client.post(
        reverse("admin:login"),
        {"username": "registrar", "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert done.status_code == 302
    officer_user, _ = officer
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "make_enrolment_links",
            "_selected_action": [officer_user.pk, citizen.pk],
        },
        follow=True,
    )
    html = response.content.decode()
    assert "No link for younghee: not an active officer." in html
    found = re.search(r"/identity/officer/enrol/([\w-]+)/", html)
    assert found is not None
    assert EnrolmentLink.objects.get().user == officer_user
    entry = AuditEntry.objects.get(action="accounts.enrolment_link_made")
    assert entry.actor == "registrar"
    assert Client().get(found.group(0)).status_code == 200

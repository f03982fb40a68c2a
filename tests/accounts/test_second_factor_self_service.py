"""Officer second-factor self-service (issue 19, item 3): recovery codes instead of the
authenticator code, each once; the officer's own sessions, of which they end the others."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import Agency, OfficerRole
from gov3.accounts.second_factor import session_id
from gov3.accounts.services import do_create_officer_account
from gov3.core.models import AuditEntry
from tests.conftest import ACTOR, PASSWORD, current_totp

CODE = re.compile(r"<code>([a-z2-7]{8})</code>")


def _browser() -> Client:
    return Client(headers={"accept-language": "en"})


def _sign_in(client: Client, username: str, code: str) -> Any:
    return client.post(
        reverse("backoffice:login"),
        {"username": username, "password": PASSWORD, "otp_token": code},
    )


def _make_codes(client: Client) -> list[str]:
    response = client.post(reverse("identity:officer_recovery_codes"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return CODE.findall(response.content.decode())


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once_and_is_audited(officer_client: Client) -> None:
    page = officer_client.get(reverse("identity:officer_recovery_codes"))
    assert "You have 0 unused recovery codes." in page.content.decode()
    codes = _make_codes(officer_client)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert AuditEntry.objects.filter(action="accounts.recovery_codes_made").count() == 1
    # Shown once: the page afterwards only counts them.
    again = officer_client.get(reverse("identity:officer_recovery_codes")).content.decode()
    assert "You have 10 unused recovery codes." in again
    assert codes[0] not in again

    browser = _browser()
    response = _sign_in(browser, "officer1", codes[0].upper())
    assert response.status_code == 302
    assert browser.get(reverse("backoffice:search")).status_code == 200
    entry = AuditEntry.objects.get(action="accounts.recovery_code_used")
    assert entry.actor == "officer1"
    assert entry.data == {"left": 9}

    # The same code a second time is refused, and nobody is signed in.
    other = _browser()
    response = _sign_in(other, "officer1", codes[0])
    assert response.status_code == 200
    assert "authenticator code is wrong" in response.content.decode()
    assert "_auth_user_id" not in other.session
    assert AuditEntry.objects.filter(action="accounts.recovery_code_used").count() == 1


@pytest.mark.django_db
def test_new_codes_replace_the_old_ones(officer_client: Client) -> None:
    first = _make_codes(officer_client)
    second = _make_codes(officer_client)
    assert set(first).isdisjoint(second)
    assert _sign_in(_browser(), "officer1", second[1]).status_code == 302
    browser = _browser()
    assert _sign_in(browser, "officer1", first[1]).status_code == 200
    assert "_auth_user_id" not in browser.session


@pytest.mark.django_db
def test_another_officers_recovery_code_does_not_sign_in(
    officer_client: Client, agency: Agency
) -> None:
    do_create_officer_account(
        ACTOR,
        username="officer2",
        password=PASSWORD,
        agency=agency,
        role=OfficerRole.REGISTRY_OFFICER,
    )
    codes = _make_codes(officer_client)
    response = _sign_in(_browser(), "officer2", codes[0])
    assert response.status_code == 200
    assert "authenticator code is wrong" in response.content.decode()
    # Still good for its owner.
    assert _sign_in(_browser(), "officer1", codes[0]).status_code == 302


@pytest.mark.django_db
def test_the_self_service_pages_need_the_second_factor(client: Client) -> None:
    for name in ("identity:officer_recovery_codes", "identity:officer_sessions"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("backoffice:login"))
    response = client.post(reverse("identity:officer_recovery_codes"))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="accounts.recovery_codes_made").exists()


@pytest.mark.django_db
def test_the_recovery_codes_form_needs_csrf(officer_client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = officer_client.cookies
    assert strict.post(reverse("identity:officer_recovery_codes")).status_code == 403
    assert not AuditEntry.objects.filter(action="accounts.recovery_codes_made").exists()


SESSION_ID = re.compile(r"/identity/officer/sessions/([0-9a-f]+)/end/")


@pytest.mark.django_db
def test_an_officer_sees_their_sessions_and_ends_another(officer_client: Client) -> None:
    codes = _make_codes(officer_client)
    other = _browser()
    assert _sign_in(other, "officer1", codes[0]).status_code == 302
    page = officer_client.get(reverse("identity:officer_sessions"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "This session" in html
    ids = SESSION_ID.findall(html)
    assert len(ids) == 1  # only the other session can be ended from here
    # The opaque id is not the session key (which would be the other browser's cookie).
    assert other.session.session_key not in html

    response = officer_client.post(reverse("identity:officer_end_session", args=[ids[0]]))
    assert response.status_code == 302
    assert other.get(reverse("backoffice:search")).status_code == 302  # signed out
    assert officer_client.get(reverse("backoffice:search")).status_code == 200
    entry = AuditEntry.objects.get(action="accounts.session_ended")
    assert entry.actor == "officer1"
    assert entry.data == {"session": ids[0]}
    assert (
        SESSION_ID.findall(
            officer_client.get(reverse("identity:officer_sessions")).content.decode()
        )
        == []
    )


@pytest.mark.django_db
def test_another_officers_session_is_not_found_and_stays(
    officer_client: Client, agency: Agency
) -> None:
    _, device = do_create_officer_account(
        ACTOR,
        username="officer2",
        password=PASSWORD,
        agency=agency,
        role=OfficerRole.REGISTRY_OFFICER,
    )
    second = _browser()
    assert _sign_in(second, "officer2", current_totp(device)).status_code == 302
    theirs = SESSION_ID.findall(second.get(reverse("identity:officer_sessions")).content.decode())
    assert theirs == []  # officer2 has only this session
    their_id = session_id(second.session.session_key)
    sessions_before = Session.objects.count()
    for attempt in (their_id, "not-a-session"):
        response = officer_client.post(reverse("identity:officer_end_session", args=[attempt]))
        assert response.status_code == 404
    # Nor can an officer end their own current session from here (that is "Sign out").
    own = session_id(officer_client.session.session_key)
    assert (
        officer_client.post(reverse("identity:officer_end_session", args=[own])).status_code == 404
    )
    assert (
        officer_client.get(reverse("identity:officer_end_session", args=[own])).status_code == 405
    )
    assert Session.objects.count() == sessions_before
    assert second.get(reverse("backoffice:search")).status_code == 200
    assert not AuditEntry.objects.filter(action="accounts.session_ended").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "codes", "sessions"),
    [("ko", "복구 코드", "내 로그인 세션"), ("vi", "Mã khôi phục", "Các phiên đăng nhập của tôi")],
)
def test_the_pages_speak_korean_and_vietnamese(
    officer_client: Client, language: str, codes: str, sessions: str
) -> None:
    headers = {"accept-language": language}
    page = officer_client.get(reverse("identity:officer_recovery_codes"), headers=headers)
    assert f'<h1 class="gov3-page-title">{codes}</h1>' in page.content.decode()
    page = officer_client.get(reverse("identity:officer_sessions"), headers=headers)
    assert f'<h1 class="gov3-page-title">{sessions}</h1>' in page.content.decode()

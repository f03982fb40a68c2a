"""An administrator resets an officer's authenticator app in the admin (issue 19, item 3):
after a confirmation page the app and the recovery codes stop working, the sessions verified
with them must sign in again, a new enrolment link is shown once; audited with who and whom,
never a secret. Staff who are not superusers can neither reset nor make enrolment links."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import EnrolmentLink, RecoveryCodeDevice, User
from gov3.accounts.second_factor import do_make_recovery_codes
from gov3.accounts.services import do_create_administrator
from gov3.core.models import AuditEntry
from tests.conftest import ACTOR, PASSWORD, current_totp

LINK = re.compile(r"/identity/officer/enrol/([\w-]+)/")


def _admin_client(*, superuser: bool = True) -> Client:
    user, device = do_create_administrator(ACTOR, username="registrar", password=PASSWORD)
    if not superuser:
        User.objects.filter(pk=user.pk).update(is_superuser=False)
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="accounts", codename__in=["view_user", "change_user"]
            )
        )
    client = Client(headers={"accept-language": "en"})
    done = client.post(
        reverse("admin:login"),
        {"username": "registrar", "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert done.status_code == 302
    return client


def _reset(client: Client, *users: User, confirm: bool) -> Any:
    data: dict[str, Any] = {"action": "reset_totp", "_selected_action": [u.pk for u in users]}
    if confirm:
        data["confirm"] = "yes"
    return client.post(reverse("admin:accounts_user_changelist"), data, follow=True)


@pytest.mark.django_db
def test_an_administrator_resets_an_officers_authenticator_app(
    officer_client: Client, officer: tuple[User, Any], citizen: User
) -> None:
    user, device = officer
    codes = do_make_recovery_codes(user)
    admin = _admin_client()

    # First a confirmation page; nothing changed yet.
    page = _reset(admin, user, citizen, confirm=False)
    html = page.content.decode()
    assert "Yes, reset them" in html
    assert "officer1" in html
    assert TOTPDevice.objects.filter(user=user).exists()
    assert not AuditEntry.objects.filter(action="accounts.totp_reset").exists()

    done = _reset(admin, user, confirm=True)
    html = done.content.decode()
    assert "The authenticator app of officer1 was reset." in html
    found = LINK.search(html)
    assert found is not None
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryCodeDevice.objects.filter(user=user).exists()
    assert EnrolmentLink.objects.get(used_at__isnull=True).user == user

    # The officer's session verified with the old app must sign in again; the old code and
    # a recovery code no longer sign in.
    assert officer_client.get(reverse("backoffice:search")).status_code == 302
    for code in (current_totp(device), codes[0]):
        browser = Client(headers={"accept-language": "en"})
        browser.post(
            reverse("backoffice:login"),
            {"username": "officer1", "password": PASSWORD, "otp_token": code},
        )
        assert "_auth_user_id" not in browser.session
    # The new link works.
    assert Client().get(found.group(0)).status_code == 200

    entry = AuditEntry.objects.get(action="accounts.totp_reset")
    assert entry.actor == "registrar"
    assert entry.target_id == str(user.pk)
    assert entry.data == {
        "authenticator_apps": 1,
        "recovery_code_sets": 1,
        "link": EnrolmentLink.objects.get().pk,
    }
    assert found.group(1) not in str(entry.data)


@pytest.mark.django_db
def test_only_active_officers_are_reset(citizen: User) -> None:
    admin = _admin_client()
    registrar = User.objects.get(username="registrar")
    response = _reset(admin, citizen, registrar, confirm=True)
    html = response.content.decode()
    assert "Younghee was not reset: not an active officer." in html
    assert "Registrar was not reset: not an active officer." in html
    assert TOTPDevice.objects.filter(user=registrar).exists()
    assert not AuditEntry.objects.filter(action="accounts.totp_reset").exists()


@pytest.mark.django_db
def test_staff_who_are_not_superusers_cannot_reset_or_make_links(
    officer: tuple[User, Any],
) -> None:
    user, _ = officer
    admin = _admin_client(superuser=False)
    listing = admin.get(reverse("admin:accounts_user_changelist"))
    assert listing.status_code == 200
    assert "reset_totp" not in listing.content.decode()
    assert "make_enrolment_links" not in listing.content.decode()
    admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "make_enrolment_links", "_selected_action": [user.pk]},
        follow=True,
    )
    assert not EnrolmentLink.objects.exists()
    response = _reset(admin, user, confirm=True)
    assert "was reset" not in response.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()
    assert not EnrolmentLink.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.totp_reset").exists()

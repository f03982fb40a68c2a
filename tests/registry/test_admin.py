"""The Django admin for registry administrators: second factor, read-only, reads logged."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import User
from gov3.accounts.services import do_create_administrator
from gov3.core.models import AccessChannel, AccessLogEntry, AccessPurpose
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, current_totp


@pytest.fixture
def administrator(db: None) -> tuple[User, TOTPDevice]:
    return do_create_administrator(ACTOR, username="registrar", password=PASSWORD)


@pytest.mark.django_db
def test_admin_needs_the_second_factor(
    client: Client, administrator: tuple[User, TOTPDevice]
) -> None:
    login = reverse("admin:login")
    _, device = administrator
    form = {"username": "registrar", "password": PASSWORD}
    client.post(login, form)
    assert client.get(reverse("admin:index")).status_code == 302
    wrong = f"{(int(current_totp(device)) + 1) % 1_000_000:06d}"
    client.post(login, {**form, "otp_token": wrong})
    assert client.get(reverse("admin:index")).status_code == 302
    # (the right code is accepted: see the next test, which signs in before each check)


@pytest.mark.django_db
def test_admin_sign_in_is_one_step_in_the_readers_language(
    client: Client, administrator: tuple[User, TOTPDevice]
) -> None:
    _, device = administrator
    login = reverse("admin:login")
    page = client.get(login, headers={"accept-language": "ko"}).content.decode()
    assert "Please select a device" not in page
    assert 'name="otp_token"' in page
    wrong = client.post(
        login,
        {"username": "registrar", "password": PASSWORD, "otp_token": "abc"},
        headers={"accept-language": "ko"},
    ).content.decode()
    assert "OTP 인증번호가 올바르지 않거나" in wrong  # the message in Korean
    done = client.post(
        login,
        {"username": "registrar", "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert done.status_code == 302  # signed in at once: no second step to choose a device
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_the_admin_never_shows_an_authenticator_secret(
    client: Client, administrator: tuple[User, TOTPDevice]
) -> None:
    _, device = administrator
    client.post(
        reverse("admin:login"),
        {"username": "registrar", "password": PASSWORD, "otp_token": current_totp(device)},
    )
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    assert "qrcode" not in listing.lower()


@pytest.mark.django_db
def test_opening_a_person_in_the_admin_is_logged_and_nothing_is_editable(
    client: Client, administrator: tuple[User, TOTPDevice], family: dict[str, Person]
) -> None:
    user, device = administrator
    client.post(
        reverse("admin:login"),
        {
            "username": "registrar",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": current_totp(device),
        },
    )
    person = family["mother"]
    url = reverse("admin:registry_person_change", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert person.national_id in page.content.decode()
    entry = AccessLogEntry.objects.get()
    assert entry.subject_id == person.pk
    assert entry.actor_id == user.pk
    assert entry.channel == AccessChannel.ADMIN
    assert entry.purpose == AccessPurpose.REGISTRY_ADMINISTRATION
    # Read-only: a POST changes nothing.
    client.post(url, {"name_local": "변조"})
    person.refresh_from_db()
    assert person.name_local == "김영희"
    assert client.get(reverse("admin:registry_person_add")).status_code == 403

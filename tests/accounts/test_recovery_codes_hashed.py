"""Recovery codes are stored only as keyed hashes (ADR 0029): the database holds no code in
clear, a code still signs in once, the officer is told how many are left, and codes made
before hashing (django-otp's static tokens) were hashed by a migration and still work."""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from gov3.accounts.models import RecoveryCode, RecoveryCodeDevice, User
from tests.conftest import PASSWORD

CODE = re.compile(r"<code>([a-z2-7]{8})</code>")


def _sign_in(code: str) -> tuple[Client, Any]:
    browser = Client(headers={"accept-language": "en"})
    response = browser.post(
        reverse("backoffice:login"),
        {"username": "officer1", "password": PASSWORD, "otp_token": code},
        follow=True,
    )
    return browser, response


def _every_stored_text() -> str:
    """Every column of every row of the second-factor tables, as the database has them."""
    tables = [RecoveryCode._meta.db_table, RecoveryCodeDevice._meta.db_table]
    tables += [StaticToken._meta.db_table, StaticDevice._meta.db_table]
    dump = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump += [str(value) for row in cursor.fetchall() for value in row]
    return " ".join(dump).lower()


@pytest.mark.django_db
def test_the_database_holds_no_code_in_clear_and_a_code_signs_in_once(
    officer_client: Client,
) -> None:
    page = officer_client.post(reverse("identity:officer_recovery_codes"))
    codes = CODE.findall(page.content.decode())
    assert len(codes) == 10
    stored = _every_stored_text()
    assert RecoveryCode.objects.count() == 10
    for code in codes:
        assert code not in stored
    assert not StaticToken.objects.exists()

    browser, response = _sign_in(codes[3].upper())
    assert response.redirect_chain[-1][0] == reverse("backoffice:search")
    assert "9 recovery codes are left." in response.content.decode()
    assert browser.get(reverse("backoffice:search")).status_code == 200
    assert RecoveryCode.objects.count() == 9

    again, response = _sign_in(codes[3])
    assert "authenticator code is wrong" in response.content.decode()
    assert "_auth_user_id" not in again.session
    assert RecoveryCode.objects.count() == 9
    page = officer_client.get(reverse("identity:officer_recovery_codes"))
    assert "You have 9 unused recovery codes." in page.content.decode()


@pytest.mark.django_db
def test_wrong_codes_are_throttled_and_the_right_one_waits(officer_client: Client) -> None:
    page = officer_client.post(reverse("identity:officer_recovery_codes"))
    codes = CODE.findall(page.content.decode())
    _, response = _sign_in("aaaaaaaa" if "aaaaaaaa" not in codes else "bbbbbbbb")
    assert "authenticator code is wrong" in response.content.decode()
    device = RecoveryCodeDevice.objects.get()
    assert device.throttling_failure_count == 1
    # Straight after a failure the device refuses even a right code (django-otp's throttle).
    browser, _ = _sign_in(codes[0])
    assert "_auth_user_id" not in browser.session
    assert RecoveryCode.objects.count() == 10


@pytest.mark.django_db
def test_codes_made_in_clear_before_are_hashed_by_the_migration(
    officer: tuple[User, Any],
) -> None:
    user, _ = officer
    old = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    StaticToken.objects.bulk_create(
        StaticToken(device=old, token=code) for code in ("abcdefgh", "ijklmnop")
    )
    migration = import_module("gov3.accounts.migrations.0009_hash_existing_recovery_codes")
    migration.hash_existing(django_apps, None)

    assert not StaticDevice.objects.exists()
    assert not StaticToken.objects.exists()
    assert RecoveryCode.objects.filter(device__user=user).count() == 2
    stored = _every_stored_text()
    assert "abcdefgh" not in stored
    assert "ijklmnop" not in stored
    browser, response = _sign_in("ijklmnop")
    assert "1 recovery code is left." in response.content.decode()
    assert browser.get(reverse("backoffice:search")).status_code == 200

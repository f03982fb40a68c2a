"""Passwords are stored with Argon2 in every deployment (the suite itself uses a fast hasher)."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings


def test_production_hashes_passwords_with_argon2() -> None:
    production = importlib.import_module("gov3.settings")
    assert production.PASSWORD_HASHERS[0].endswith(".Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        stored = make_password("correct horse battery staple")
        assert identify_hasher(stored).algorithm == "argon2"
        assert stored.startswith("argon2$argon2id$")
        assert check_password("correct horse battery staple", stored)
        assert not check_password("correct horse battery stapler", stored)


@pytest.mark.django_db
def test_an_old_pbkdf2_password_still_signs_in_and_is_upgraded_to_argon2() -> None:
    """Accounts imported with PBKDF2 hashes keep working; the next sign-in re-hashes them."""
    from gov3.accounts.models import AccountKind, User  # noqa: PLC0415

    production = importlib.import_module("gov3.settings")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        user = User.objects.create(username="imported", kind=AccountKind.ADMINISTRATOR)
        user.password = make_password("old secret", hasher="pbkdf2_sha256")
        user.save()
        assert user.check_password("old secret")
        user.refresh_from_db()
        assert user.password.startswith("argon2$")

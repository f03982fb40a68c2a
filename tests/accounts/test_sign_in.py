"""Signing in: citizens with a password; officers with a password and a TOTP code; lockout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.accounts.models import User
from gov3.accounts.queries import children_acted_for
from gov3.core.dates import add_years
from gov3.registry.models import Person
from gov3.registry.services import do_register_birth
from tests.conftest import ACTOR, PASSWORD, current_totp


@pytest.mark.django_db
def test_citizen_signs_in_and_reaches_my_information(client: Client, citizen: User) -> None:
    response = client.post(
        reverse("portal:login"), {"username": "younghee", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("portal:me")
    assert "김영희" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused(client: Client, citizen: User) -> None:
    response = client.post(reverse("portal:login"), {"username": "younghee", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_officer_cannot_skip_the_second_factor(client: Client, officer: tuple[User, Any]) -> None:
    response = client.post(reverse("portal:login"), {"username": "officer1", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("portal:login"), {"username": "officer1", "password": "nope"})
    # The citizen page does not confirm an officer's password: the same answer as a wrong one.
    assert _errors(response) == _errors(wrong)
    assert _errors(response)  # the "wrong user name or password" message
    response = client.post(
        reverse("backoffice:login"),
        {"username": "officer1", "password": PASSWORD, "otp_token": "000000"},
    )
    assert "_auth_user_id" not in client.session
    assert "authenticator code is wrong" in response.content.decode()
    # Without signing in, the officer pages send you to the officer sign-in.
    response = client.get(reverse("backoffice:search"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login"))


@pytest.mark.django_db
def test_officer_signs_in_with_password_and_code(client: Client, officer: tuple[User, Any]) -> None:
    _, device = officer
    response = client.post(
        reverse("backoffice:login"),
        {"username": "officer1", "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 302
    assert client.get(reverse("backoffice:search")).status_code == 200


def _errors(response: Any) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


@pytest.mark.django_db
def test_an_officers_password_on_the_citizen_page_counts_as_a_failure(
    client: Client, officer: tuple[User, Any]
) -> None:
    for _ in range(5):
        client.post(reverse("portal:login"), {"username": "officer1", "password": PASSWORD})
    _, device = officer
    response = client.post(
        reverse("backoffice:login"),
        {"username": "officer1", "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 429  # locked out by the five "failures"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(client: Client, citizen: User) -> None:
    for _ in range(5):
        client.post(reverse("portal:login"), {"username": "younghee", "password": "wrong"})
    response = client.post(reverse("portal:login"), {"username": "younghee", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "locked" in response.content.decode()


@pytest.mark.django_db
def test_guessing_authenticator_codes_locks_the_officer_out(
    client: Client, officer: tuple[User, Any]
) -> None:
    """The right password with wrong codes counts towards the lockout: after five guesses even
    the right code is refused, so the 10**6 codes cannot be tried one after another."""
    _, device = officer
    right = current_totp(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = client.post(
            reverse("backoffice:login"),
            {"username": "officer1", "password": PASSWORD, "otp_token": wrong},
        )
        assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("backoffice:login"),
        {"username": "officer1", "password": PASSWORD, "otp_token": right},
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "locked" in response.content.decode()


@pytest.mark.django_db
def test_a_parent_acts_for_minor_children_only(citizen: User, family: dict[str, Person]) -> None:
    # Korea's age of majority is 19 (Civil Act art. 4): the 26-year-old daughter is not a minor.
    today = timezone.localdate()
    assert list(children_acted_for(citizen, today=today)) == [family["son"]]
    baby = do_register_birth(
        ACTOR,
        mother=None,
        father=family["stranger"],
        name_local="박아기",
        name_latin="PARK AGI",
        birth_date=today - timedelta(days=300),
        sex="F",
    )
    assert baby not in children_acted_for(citizen, today=today)
    # On the day the son turns 19 he is an adult.
    nineteenth_birthday = add_years(family["son"].birth_date, 19)
    assert list(children_acted_for(citizen, today=nineteenth_birthday)) == []
    day_before = nineteenth_birthday - timedelta(days=1)
    assert list(children_acted_for(citizen, today=day_before)) == [family["son"]]

"""Linking a national digital ID sign-in to the register: by number only; who may not be
signed in this way is refused, audited, and nothing is created."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from gov3.accounts.models import User
from gov3.core.models import AuditEntry
from gov3.identity.models import NationalIdLink
from gov3.identity.services import NotInRegisterError, do_sign_in_with_national_id
from gov3.registry.models import Person
from gov3.registry.services import do_register_death
from tests.conftest import ACTOR

pytestmark = pytest.mark.django_db

ISSUER = "https://id.example.kr"


def _sign_in(person: Person, subject: str) -> User:
    return do_sign_in_with_national_id(
        country="kr", issuer=ISSUER, subject=subject, national_id=person.national_id
    )


def _refused(person: Person, subject: str) -> str:
    users, links = User.objects.count(), NationalIdLink.objects.count()
    with pytest.raises(NotInRegisterError) as refusal:
        _sign_in(person, subject)
    assert (User.objects.count(), NationalIdLink.objects.count()) == (users, links)
    return str(refusal.value)


def test_a_deceased_person_gets_no_account(family: dict[str, Person]) -> None:
    stranger = do_register_death(ACTOR, family["stranger"], died_on=timezone.localdate())
    assert _refused(stranger, "sub-1") == "deceased"


def test_an_officers_identity_does_not_sign_in_here(
    family: dict[str, Person], officer: tuple[User, Any]
) -> None:
    user = officer[0]
    User.objects.filter(pk=user.pk).update(person=family["daughter"])
    assert _refused(family["daughter"], "sub-2") == "not_a_citizen_account"


def test_a_subject_linked_to_one_person_cannot_sign_in_as_another(
    family: dict[str, Person],
) -> None:
    first = _sign_in(family["mother"], "sub-3")
    assert first.person_id == family["mother"].pk
    # The provider now vouches for another number under the same subject: refused.
    assert _refused(family["stranger"], "sub-3") == "subject_linked_to_another_person"
    reasons = [
        entry.data["reason"]
        for entry in AuditEntry.objects.filter(action="identity.sign_in_refused")
    ]
    assert reasons == ["subject_linked_to_another_person"]


def test_a_name_never_finds_anyone(family: dict[str, Person]) -> None:
    with pytest.raises(NotInRegisterError):
        do_sign_in_with_national_id(
            country="kr", issuer=ISSUER, subject="sub-4", national_id="김영희"
        )
    assert not NationalIdLink.objects.exists()

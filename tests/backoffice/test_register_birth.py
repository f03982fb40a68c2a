"""An officer registers a birth: registry officers only, parents found by their national id
number (the reads logged with their purpose), and a refused birth changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_officer_account
from gov3.core.models import AccessLogEntry, AccessPurpose, AuditEntry
from gov3.registry.models import LifeEvent, LifeEventKind, Person, Relationship
from gov3.registry.services import do_register_death
from tests.conftest import ACTOR, PASSWORD, current_totp

URL = "/officer/births/new/"


def _hyphenated(number: str) -> str:
    return f"{number[:6]}-{number[6:]}"


def _birth(mother: Person, father: Person | None = None, **changes: str) -> dict[str, str]:
    data = {
        "mother_id": _hyphenated(mother.national_id),
        "father_id": father.national_id if father else "",
        "name_local": "김하늘",
        "name_latin": "Kim Haneul",
        "birth_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "sex": "F",
    }
    return {**data, **changes}


def _written() -> tuple[int, int, int]:
    """People, life events and audit entries: a refused birth changes none of them."""
    return Person.objects.count(), LifeEvent.objects.count(), AuditEntry.objects.count()


@pytest.fixture
def welfare_client(agency: Agency) -> Client:
    user, device = do_create_officer_account(
        ACTOR,
        username="welfare1",
        password=PASSWORD,
        agency=agency,
        role=OfficerRole.WELFARE_OFFICER,
    )
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        reverse("backoffice:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 302
    return client


def test_the_url_is_the_one_the_browser_test_opens() -> None:
    assert reverse("backoffice:register_birth") == URL


@pytest.mark.django_db
def test_a_registry_officer_registers_a_birth(
    officer_client: Client, family: dict[str, Person], officer: tuple[User, Any]
) -> None:
    mother, father = family["mother"], family["stranger"]
    form_page = officer_client.get(URL).content.decode()
    assert "Register a birth" in form_page
    assert f'href="{URL}" class="gov3-nav-link" aria-current="page"' in form_page

    response = officer_client.post(URL, _birth(mother, father))

    child = Person.objects.get(name_local="김하늘")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:birth_registered", args=[child.public_id])
    assert (child.mother, child.father) == (mother, father)
    assert child.household_id == mother.household_id
    assert child.relationship_to_head == Relationship.CHILD
    assert child.name_latin == "KIM HANEUL"
    assert child.birth_date == timezone.localdate() - timedelta(days=3)
    event = LifeEvent.objects.get(person=child, kind=LifeEventKind.BIRTH)
    assert event.recorded_by == officer[0].username
    reads = AccessLogEntry.objects.filter(subject_id__in=[mother.pk, father.pk])
    assert sorted(reads.values_list("subject_id", flat=True)) == sorted([mother.pk, father.pk])
    for entry in reads:
        assert entry.purpose == AccessPurpose.BIRTH_REGISTRATION
        assert entry.actor_id == officer[0].pk
        assert entry.agency == "종로구청"

    page = officer_client.get(response["Location"]).content.decode()
    assert "Birth registered" in page
    assert "김하늘" in page
    assert child.national_id in page
    record_url = reverse("backoffice:person", args=[child.public_id])
    assert f'action="{record_url}"' in page
    assert 'name="purpose" value="birth_registration"' in page
    # Showing the new id number is a read of the child's data too.
    assert AccessLogEntry.objects.get(subject_id=child.pk).purpose == (
        AccessPurpose.BIRTH_REGISTRATION
    )


@pytest.mark.django_db
def test_reloading_the_confirmation_registers_nothing_more(
    officer_client: Client, family: dict[str, Person]
) -> None:
    confirmation = officer_client.post(URL, _birth(family["mother"]))["Location"]
    before = Person.objects.count()
    for _ in range(2):
        assert officer_client.get(confirmation).status_code == 200
    assert Person.objects.count() == before
    assert LifeEvent.objects.filter(kind=LifeEventKind.BIRTH, recorded_by="officer1").count() == 1


@pytest.mark.django_db
def test_the_confirmation_shows_only_births_the_officer_registered(
    officer_client: Client, family: dict[str, Person]
) -> None:
    """Otherwise it would open anyone's id number without a stated purpose."""
    for person in (family["son"], family["stranger"]):
        url = reverse("backoffice:birth_registered", args=[person.public_id])
        assert officer_client.get(url).status_code == 404
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_welfare_officer_gets_403_and_nothing_is_written(
    welfare_client: Client, family: dict[str, Person]
) -> None:
    before = _written()
    page = welfare_client.get(URL)
    assert page.status_code == 403
    assert "Only registry officers can register a birth" in page.content.decode()
    response = welfare_client.post(URL, _birth(family["mother"]))
    assert response.status_code == 403
    assert _written() == before
    assert AccessLogEntry.objects.count() == 0
    search = welfare_client.get(reverse("backoffice:search")).content.decode()
    assert URL not in search  # no link to a page they cannot use


@pytest.mark.django_db
def test_an_unknown_mother_is_an_error_and_nothing_is_written_or_logged(
    officer_client: Client, family: dict[str, Person]
) -> None:
    before = _written()
    response = officer_client.post(
        URL, _birth(family["mother"], family["stranger"], mother_id="750501-2000000")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "No living resident has this number." in page
    assert "Nothing was registered" in page
    assert _written() == before
    assert AccessLogEntry.objects.count() == 0  # not even the father's (valid) number


@pytest.mark.django_db
def test_a_dead_mother_is_not_found(officer_client: Client, family: dict[str, Person]) -> None:
    do_register_death(ACTOR, family["mother"], died_on=date(2024, 1, 1))
    before = _written()
    page = officer_client.post(URL, _birth(family["mother"])).content.decode()
    assert "No living resident has this number." in page
    assert _written() == before


@pytest.mark.django_db
def test_an_unknown_father_is_an_error_and_no_child_is_registered(
    officer_client: Client, family: dict[str, Person]
) -> None:
    before = _written()
    page = officer_client.post(
        URL, _birth(family["mother"], father_id="600101-1000000")
    ).content.decode()
    assert "No living resident has this number." in page
    assert _written() == before


@pytest.mark.django_db
def test_a_birth_date_in_the_future_is_refused_and_nothing_is_written(
    officer_client: Client, family: dict[str, Person]
) -> None:
    before = _written()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = officer_client.post(URL, _birth(family["mother"], birth_date=tomorrow))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Nothing was registered: The birth date {tomorrow} is in the future." in page
    assert page.count('role="alert"') == 1
    assert _written() == before


@pytest.mark.django_db
def test_a_parent_born_after_the_child_is_refused(
    officer_client: Client, family: dict[str, Person]
) -> None:
    before = _written()
    page = officer_client.post(URL, _birth(family["mother"], birth_date="1970-01-01"))
    assert "was born after the child." in page.content.decode()
    assert _written() == before


@pytest.mark.django_db
def test_the_same_number_for_both_parents_is_refused(
    officer_client: Client, family: dict[str, Person]
) -> None:
    before = _written()
    page = officer_client.post(URL, _birth(family["mother"], family["mother"])).content.decode()
    assert "The father&#x27;s number is the same as the mother&#x27;s." in page
    assert _written() == before
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_missing_fields_are_errors_on_labelled_inputs(
    officer_client: Client, family: dict[str, Person]
) -> None:
    before = _written()
    response = officer_client.post(URL, {"father_id": "", "name_latin": "김하늘"})
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("mother_id", "name_local", "birth_date", "sex"):
        assert f'<label for="id_{field}">' in page
        assert f'id="id_{field}_error"' in page
        assert f'href="#id_{field}"' in page  # the summary links to the field
    assert "Use Latin letters, spaces and hyphens only" in page
    assert 'aria-invalid="true"' in page
    assert page.count("(required)") == 5  # every field but the father's
    assert 'type="date"' in page
    assert _written() == before
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_citizen_or_anonymous_visitor_is_sent_to_sign_in(
    client: Client, citizen: User, family: dict[str, Person]
) -> None:
    before = _written()
    login = reverse("backoffice:login")
    for signed_in in (False, True):
        if signed_in:
            client.force_login(citizen)
        for response in (client.get(URL), client.post(URL, _birth(family["mother"]))):
            assert response.status_code == 302
            assert response["Location"].startswith(login)
    assert _written() == before
    assert AccessLogEntry.objects.count() == 0

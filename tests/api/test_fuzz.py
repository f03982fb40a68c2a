"""Fuzz the whole API from its own OpenAPI document (schemathesis): whatever an anonymous caller,
a signed-in citizen, a welfare officer or a Saemaul officer sends, with debug on or off, no
answer is a server error and every documented answer matches the document.

The requests go through Django's WSGI application in-process (schemathesis's WSGI transport),
with the session and CSRF cookies of a real sign-in and the X-CSRFToken header, inside the
test's database transaction.
Some examples put a real id (an offer, a case or a notification of the caller's; for the
participation operations a petition of theirs, an answered one, a public petition or a
consultation) into the path, and some petitions to file name a real type and area, so the
fuzzed bodies also reach the service commands, not only the "not found" path.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_officer_account
from gov3.api.main import api
from gov3.cases.models import Case
from gov3.documents.models import IssuedDocument
from gov3.documents.services import do_issue_certificate
from gov3.notifications.models import Digest, Notification
from gov3.offers.models import Offer
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import PetitionKind
from gov3.participation.services.petitions import do_answer_petition, do_file_petition
from gov3.participation.services.public import do_open_public_petition
from gov3.registry.models import Person
from gov3.saemaul.models import Village
from gov3.saemaul.services import do_submit_project
from tests.api.test_offers_cases_api import (
    confirm,
    offers_by_service,
    sign_in_citizen,
    sign_in_officer,
)
from tests.conftest import ACTOR, PASSWORD
from tests.participation.test_consultations import open_draft
from tests.saemaul.conftest import ACTOR as SAEMAUL_ACTOR
from tests.saemaul.conftest import (  # noqa: F401 - fixtures used by name
    adopted_resolution,
    county,
    draft_project,
    programme,
    village,
)
from tests.saemaul.test_pages import other_village_fixture, people_fixture  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

#: The operations fuzzed here: all of them.
FUZZED = r"^/api/v1/"

#: ninja's own answer to a request that does not match the document (422).
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema()).include(path_regex=FUZZED)
SCHEMA.app = WSGIHandler()

#: Examples per operation and caller: ten on PostgreSQL, the database gov3 runs on in
#: production (and the stricter: NUL bytes, integer ranges, text lengths); four on SQLite, whose
#: pass runs the same requests through the same code again (`make test-full`: ten on both).
EXAMPLES = (
    10
    if os.environ.get("DATABASE_URL", "").startswith("postgres")
    or os.environ.get("GOV3_HYPOTHESIS_PROFILE") == "full"
    else 4
)

FUZZ_SETTINGS = hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

CHECKS = [not_a_server_error, response_schema_conformance]

FuzzCase = schemathesis.Case[Any]

#: Services an application names in some examples (eligible or not for the family).
SERVICES = (
    "child_allowance",
    "parent_benefit",
    "first_meeting_voucher",
    "basic_pension",
    "no_such_service",
)


@dataclass
class Caller:
    """A signed-in session as the API sees it, and real ids it may put into its requests."""

    cookies: dict[str, str]
    ids: list[str]
    people: list[str]
    codes: list[str] = dataclasses.field(default_factory=list)
    #: Real ids for the participation operations' paths.
    participation: list[str] = dataclasses.field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        token = self.cookies.get("csrftoken")
        return {"X-CSRFToken": token} if token else {}


@pytest.fixture
def server_errors() -> Iterator[list[BaseException]]:
    """The exceptions the application raised (they become 500s), for their traceback.

    Django's WSGI handler also closes the database connection when each request starts and
    ends; the test client does not, and neither may we: the data lives in the test's
    transaction."""
    errors: list[BaseException] = []

    def keep(sender: Any, **kwargs: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            errors.append(error)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(keep)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def caller(client: Client, ids: list[Any], people: list[Person]) -> Caller:
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    return Caller(
        cookies=cookies,
        ids=[str(public_id) for public_id in ids],
        people=[str(person.public_id) for person in people],
    )


@pytest.fixture
def as_citizen(
    register_birth: Callable[..., Person],
    citizen: User,
    family: dict[str, Person],
    welfare_agency: Agency,
    settings: Any,
) -> Caller:
    """The mother, with the offers a birth brought, one confirmed (a case) and notifications."""
    settings.GOV3_QC_SAMPLE_RATE = 1
    baby = register_birth()
    client = sign_in_citizen(citizen)
    assert confirm(client, offers_by_service(client)["child_allowance"]).status_code == 200
    mine = {"recipient": citizen.person}
    ids = [
        *Offer.objects.filter(**mine).values_list("public_id", flat=True),
        *Case.objects.filter(applicant=citizen.person).values_list("public_id", flat=True),
        *Notification.objects.filter(person=citizen.person).values_list("public_id", flat=True),
        do_issue_certificate(citizen, family["mother"], "family_relations").public_id,
    ]
    assert len(ids) >= 6
    people = [baby, family["son"], family["daughter"], family["stranger"]]
    return dataclasses.replace(
        caller(client, ids, people), participation=participation_ids(citizen, welfare_agency)
    )


def participation_ids(citizen: User, welfare_agency: Agency) -> list[str]:
    """The citizen's open petition and answered one (to rate), a public petition and an open
    consultation (what it means for them)."""
    load_agencies("kr")
    filed = [
        do_file_petition(
            citizen,
            kind="complaint",
            category="",
            area_code="1111051500",
            title=title,
            text=text,
        )
        for title, text in (
            ("가로등 고장", "종로 12번길 골목길, 가로등이 꺼져 밤에 도로가 너무 어둡습니다."),
            ("쓰레기 수거", "우리 동네 쓰레기 수거가 일주일째 되지 않아 악취가 심합니다."),
        )
    ]
    assert filed[0].group_id is None or filed[0].group_id != filed[1].group_id
    district, _ = do_create_officer_account(
        ACTOR,
        username="jongno",
        password=PASSWORD,
        agency=filed[1].agency,
        role=OfficerRole.REGISTRY_OFFICER,
    )
    filed[1].refresh_from_db()
    do_answer_petition(district, filed[1], text="고쳤습니다.", expected_version=filed[1].version)
    public = do_open_public_petition(
        citizen, title="공원", text="공원을 만들어 주세요", category="waste"
    )
    drafter, _ = do_create_officer_account(
        ACTOR,
        username="drafter",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )
    pack = Path(django_settings.GOV3_COUNTRIES_DIR) / "kr"
    consultation = open_draft(drafter, pack, day=timezone.localdate())
    return [str(item.public_id) for item in (*filed, public, consultation)]


@pytest.fixture
def as_officer(
    register_birth: Callable[..., Person],
    citizen: User,
    family: dict[str, Person],
    welfare_agency: Agency,
    settings: Any,
) -> Caller:
    """A welfare officer (second factor verified) of the agency deciding the cases in its
    queue; each case was sampled for quality control, so it waits for a decision."""
    settings.GOV3_QC_SAMPLE_RATE = 1
    baby = register_birth()
    parent = sign_in_citizen(citizen)
    offers = offers_by_service(parent)
    for service in ("child_allowance", "parent_benefit", "first_meeting_voucher"):
        assert confirm(parent, offers[service]).status_code == 200
    user, device = do_create_officer_account(
        ACTOR,
        username="welfare1",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )
    ids = list(Case.objects.values_list("public_id", flat=True))
    assert len(ids) == 3
    return caller(sign_in_officer(user, device), ids, [baby, family["son"]])


def current_version(public_id: str) -> int | None:
    """The version of the offer or case now (so that an answer can be accepted)."""
    for model in (Offer, Case, IssuedDocument):
        version = model.objects.filter(public_id=public_id).values_list("version", flat=True)
        if version:
            return version[0]
    return None


@dataclass(frozen=True)
class Steer:
    """How far one example is steered towards real data: which real id goes into the path
    (none if out of range), whether a body's version is the current one, which service and
    person an application names."""

    pick: int
    fresh: bool


STEER = st.builds(Steer, pick=st.integers(min_value=-3, max_value=8), fresh=st.booleans())


def steer(case: FuzzCase, caller: Caller, how: Steer) -> None:
    """Put real ids and versions into a generated request, as the example says."""
    real = 0 <= how.pick < len(caller.ids)
    if "/participation/" in case.path and caller.participation:
        if "public_id" in case.path_parameters and how.pick >= 0:
            chosen = caller.participation[how.pick % len(caller.participation)]
            case.path_parameters["public_id"] = chosen
    elif "public_id" in case.path_parameters and real:
        case.path_parameters["public_id"] = caller.ids[how.pick]
    if "code" in case.path_parameters and caller.codes and how.pick >= 0:
        case.path_parameters["code"] = caller.codes[how.pick % len(caller.codes)]
    if not isinstance(case.body, dict):
        return
    if how.fresh and real and "version" in case.body:
        version = current_version(caller.ids[how.pick])
        if version is not None:
            case.body["version"] = version
    if case.path.endswith("/cases/apply") and how.pick >= 0:
        case.body["service"] = SERVICES[how.pick % len(SERVICES)]
        if how.fresh:
            case.body["for_person"] = caller.people[how.pick % len(caller.people)]
    if case.path.endswith("/participation/petitions") and how.fresh and how.pick >= 0:
        case.body["kind"] = PetitionKind.values[how.pick % len(PetitionKind.values)]
        case.body["category"] = ("", "roads", "welfare", "no_such_subject")[how.pick % 4]
        case.body["area"] = ("1111051500", "", "99")[how.pick % 3]
    if case.path.endswith("/notifications/preferences") and how.fresh:
        case.body["digest"] = Digest.values[how.pick % len(Digest.values)]
        case.body["time_zone"] = ("", "Asia/Seoul", "Asia/Ho_Chi_Minh")[how.pick % 3]
        case.body["language"] = ""


def call_and_check(case: FuzzCase, caller: Caller, how: Steer, errors: list[BaseException]) -> None:
    """Send the request as the caller; no server error, the answer as documented."""
    steer(case, caller, how)
    errors.clear()
    response = case.call(cookies=caller.cookies, headers=caller.headers)
    if errors:  # the application's own traceback says more than "500"
        raise errors[-1]
    sent: dict[str, Any] = {"cookies": caller.cookies, "headers": caller.headers}
    case.validate_response(response, checks=CHECKS, transport_kwargs=sent)


@pytest.fixture
def as_anonymous(family: dict[str, Person], settings: Any) -> Caller:
    """Nobody signed in, debug on: the public operations answer, the rest refuse (401/403)."""
    settings.DEBUG = True
    return Caller(cookies={}, ids=[], people=[str(family["mother"].public_id)])


@pytest.fixture
def as_saemaul_officer(
    people: dict[str, tuple[User, Any]],
    village: Village,  # noqa: F811 - the fixture
    other_village: Village,
    settings: Any,
    tmp_path: Any,
) -> Caller:
    """A Saemaul county officer (second factor verified), debug on, with a submitted project
    of a village in the county and one outside it."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    project = draft_project(village, resolution=adopted_resolution(village))
    project = do_submit_project(SAEMAUL_ACTOR, project, expected_version=project.version)
    user, device = people["county"]
    client = sign_in_officer(user, device)
    return dataclasses.replace(
        caller(client, [project.public_id], []),
        people=["00000000-0000-4000-8000-000000000000"],
        codes=[village.code, other_village.code],
    )


#: Every operation of the document, in its order; each caller's test sends examples to all of
#: them, so that the caller (a birth, a sign-in, cases in a queue) is set up once per caller
#: rather than once per operation (which took minutes).
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def fuzz_every_operation(caller: Caller, errors: list[BaseException]) -> None:
    """Examples for each operation in turn, with the caller's session and real ids; a failure
    names the operation and Hypothesis prints the example that found it."""
    assert len(OPERATIONS) > 50
    for operation in OPERATIONS:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy(), how=STEER)
        def one_example(case: FuzzCase, how: Steer) -> None:
            call_and_check(case, caller, how, errors)

        try:
            one_example()
        except BaseException as failure:
            failure.add_note(f"operation: {operation.label}")
            raise


def test_fuzz_as_anonymous(as_anonymous: Caller, server_errors: list[BaseException]) -> None:
    fuzz_every_operation(as_anonymous, server_errors)


def test_fuzz_as_saemaul_officer(
    as_saemaul_officer: Caller, server_errors: list[BaseException]
) -> None:
    fuzz_every_operation(as_saemaul_officer, server_errors)


def test_fuzz_as_citizen(as_citizen: Caller, server_errors: list[BaseException]) -> None:
    fuzz_every_operation(as_citizen, server_errors)


def test_fuzz_as_officer(as_officer: Caller, server_errors: list[BaseException]) -> None:
    fuzz_every_operation(as_officer, server_errors)

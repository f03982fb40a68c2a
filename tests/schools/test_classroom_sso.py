"""Single sign-on to a school's classroom system: Authlib's client, acting as the LMS, completes
the authorization-code flow with PKCE against the running gov3 and receives the `school` scope's
minimal claims; the release is in the learner's "who looked at my data"; a scope the client was
not granted is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations.requests_client import OAuth2Session
from django.test import Client
from oauth2_provider.models import Application

from gov3.accounts.services import do_create_citizen_account
from gov3.core.models import AccessLogEntry
from gov3.schools.classroom import do_register_classroom_client, school_claims
from tests.conftest import PASSWORD
from tests.identity.conftest import short_lived_server_connections  # noqa: F401 - fixture
from tests.identity.test_provider import _authorize, _browser, _consent, _id_token_claims
from tests.schools.conftest import ACTOR
from tests.schools.test_oneroster import classroom  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_server_connections"),
]

REDIRECT = "https://lms.example.kr/callback"
SECRET = "a-long-client-secret-for-the-school-lms"


@pytest.fixture
def sign_in_lms(classroom: dict[str, Any]) -> Application:  # noqa: F811
    """Cheongun's LMS, registered for sign-in with the openid, profile and school scopes; the
    client id `school-lms` is the one the identity tests' helpers check ID tokens against."""
    app = Application.objects.create(
        name="Cheongun LMS",
        client_id="school-lms",
        client_secret=SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT,
        algorithm=Application.RS256_ALGORITHM,
    )
    do_register_classroom_client(ACTOR, app, classroom["school"], ["openid", "profile", "school"])
    return app


def _rp(scope: str) -> OAuth2Session:
    return OAuth2Session(
        "school-lms",
        SECRET,
        scope=scope,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def test_a_learner_signs_in_to_the_lms_with_minimal_school_claims(
    live_server: Any,
    metadata: dict[str, Any],
    sign_in_lms: Application,
    classroom: dict[str, Any],  # noqa: F811
) -> None:
    pupil = classroom["pupils"]["jan1"]
    account = do_create_citizen_account(
        ACTOR, person=classroom["jan1"], username="pupil1", password=PASSWORD
    )
    browser = _browser(live_server, account)
    rp = _rp("openid profile school")
    url, verifier, nonce = _authorize(rp, metadata)
    page = browser.get(url, timeout=30, headers={"Accept-Language": "ko"}).text
    assert "Cheongun LMS" in page
    assert "학습자 번호" in page  # what "school" releases, in Korean
    callback = _consent(browser, url)
    token = rp.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    claims = _id_token_claims(token, metadata, nonce)
    assert (claims["learner_id"], claims["school"], claims["class"], claims["role"]) == (
        pupil.number,
        "KR-S-0001",
        "1-1",
        "student",
    )
    assert claims["name"] == "김일월"
    assert "national_id" not in claims
    assert "national_id" not in rp.get(metadata["userinfo_endpoint"], timeout=30).json()
    releases = AccessLogEntry.objects.filter(
        subject_id=classroom["jan1"].pk, actor_label="Cheongun LMS"
    )
    assert releases.count() == 2  # the ID token and the userinfo answer
    assert all("learner_id" in entry.what and "class" in entry.what for entry in releases)
    own = Client(headers={"accept-language": "en"})
    own.force_login(account)
    assert "Cheongun LMS" in own.get("/me/access-log/").content.decode()

    # A scope the LMS was not granted is refused, and nothing more is released.
    refused_url, _verifier, _nonce = _authorize(_rp("openid national_id"), metadata)
    answer = browser.get(refused_url, allow_redirects=False, timeout=30)
    location = answer.headers.get("Location", "")
    assert parse_qs(urlsplit(location).query).get("error") == ["invalid_scope"], answer.text[:300]
    assert releases.count() == 2

    # A teacher's claims: the school, the classes taught and the role.
    assert school_claims(classroom["teacher"].user) == {
        "school": "KR-S-0001",
        "class": "1-1",
        "role": "teacher",
    }


@pytest.fixture
def metadata(live_server: Any) -> dict[str, Any]:
    import requests  # noqa: PLC0415

    response = requests.get(f"{live_server.url}/o/.well-known/openid-configuration", timeout=30)
    response.raise_for_status()
    return dict(response.json())

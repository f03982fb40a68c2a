"""gov3 as an OpenID provider, checked by an independent relying party (Authlib's client and
joserfc) over HTTP against the live server: discovery, JWKS, authorization code with PKCE,
ID token and userinfo claims from the register, refresh, revocation; each release of claims in
the citizen's "who looked at my data" with the client's name; bad requests refused."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import AccessToken, Application

from gov3.accounts.models import User
from gov3.core.models import AccessLogEntry, AuditEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_server_connections"),
]

REDIRECT = "https://lms.example.kr/callback"
SECRET = "a-long-client-secret-for-the-school-lms"


@pytest.fixture
def lms(db: None) -> Application:
    """The school LMS, registered by an administrator."""
    return Application.objects.create(
        name="School LMS",
        client_id="school-lms",
        client_secret=SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT,
        algorithm=Application.RS256_ALGORITHM,
    )


@pytest.fixture
def metadata(live_server: Any) -> dict[str, Any]:
    response = requests.get(f"{live_server.url}/o/.well-known/openid-configuration", timeout=30)
    response.raise_for_status()
    return dict(response.json())


def _refused_token_requests(*secrets: str) -> list[tuple[str, str, str]]:
    """The audit log's refused token requests (client id, grant type, error), checked to hold
    none of the given secrets."""
    entries = AuditEntry.objects.filter(action="identity.token_request_refused").order_by("pk")
    for entry in entries:
        written = json.dumps(entry.data)
        assert not [secret for secret in secrets if secret in written], written
    return [
        (entry.data["client_id"], entry.data["grant_type"], entry.data["error"])
        for entry in entries
    ]


def _browser(live_server: Any, citizen: User) -> requests.Session:
    """The citizen's browser, signed in to gov3."""
    client = Client()
    client.force_login(citizen)
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return browser


def _consent(browser: requests.Session, url: str, *, agree: bool = True) -> str:
    """Open the consent screen and answer it; return where gov3 sends the browser."""
    page = browser.get(url, allow_redirects=False, timeout=30)
    assert page.status_code == 200, page.text[:300]
    form = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text
        )
    }
    if agree:
        form["allow"] = "on"
    answer = browser.post(
        url, data=form, headers={"Referer": url}, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 302, answer.text[:300]
    return str(answer.headers["Location"])


def _rp(scope: str = "openid profile") -> OAuth2Session:
    return OAuth2Session(
        "school-lms",
        SECRET,
        scope=scope,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def _authorize(rp: OAuth2Session, metadata: dict[str, Any], **extra: Any) -> tuple[str, str, str]:
    verifier = generate_token(48)
    nonce = generate_token(20)
    url, _state = rp.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
    )
    return url, verifier, nonce


def _id_token_claims(token: dict[str, Any], metadata: dict[str, Any], nonce: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=30).json())
    decoded = jwt.decode(token["id_token"], keys)
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": "school-lms"},
        },
        {"nonce": nonce, "client_id": "school-lms", "access_token": token["access_token"]},
    )
    claims.validate()
    return dict(claims)


def test_a_client_signs_a_citizen_in_and_the_release_is_in_who_looked_at_my_data(
    live_server: Any, metadata: dict[str, Any], lms: Application, citizen: User
) -> None:
    assert metadata["issuer"] == f"{live_server.url}/o"
    assert "S256" in metadata["code_challenge_methods_supported"]
    browser = _browser(live_server, citizen)
    rp = _rp()
    url, verifier, nonce = _authorize(rp, metadata)
    page = browser.get(url, timeout=30, headers={"Accept-Language": "ko"}).text
    assert "School LMS" in page
    assert "주민등록에 있는 이름과 생년월일" in page  # what "profile" releases, in Korean
    callback = _consent(browser, url)
    token = rp.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    assert citizen.person is not None
    claims = _id_token_claims(token, metadata, nonce)
    assert claims["name"] == "김영희"
    assert claims["birthdate"] == citizen.person.birth_date.isoformat()
    assert claims["sub"] == citizen.person.public_id.hex
    assert "national_id" not in claims  # not asked for, not released
    userinfo = rp.get(metadata["userinfo_endpoint"], timeout=30).json()
    assert userinfo["name"] == "김영희"
    releases = AccessLogEntry.objects.filter(subject_id=citizen.person.pk, actor_label="School LMS")
    assert releases.count() == 2  # the ID token and the userinfo answer
    assert all("birthdate" in entry.what and "name" in entry.what for entry in releases)
    # The citizen sees it.
    own = Client(headers={"accept-language": "en"})
    own.force_login(citizen)
    assert "School LMS" in own.get("/me/access-log/").content.decode()

    # Refresh, then revocation: the refresh token stops working.
    refreshed = rp.refresh_token(metadata["token_endpoint"])
    assert refreshed["access_token"] != token["access_token"]
    revoked = rp.revoke_token(
        f"{live_server.url}/o/revoke_token/",
        token=refreshed["refresh_token"],
        token_type_hint="refresh_token",
    )
    assert revoked.status_code == 200
    with pytest.raises(Exception, match="invalid_grant"):
        rp.refresh_token(metadata["token_endpoint"])


def test_bad_requests_are_refused_and_release_nothing(
    live_server: Any, metadata: dict[str, Any], lms: Application, citizen: User
) -> None:
    browser = _browser(live_server, citizen)
    rp = _rp()
    url, verifier, _nonce = _authorize(rp, metadata)
    callback = _consent(browser, url)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    token_url = metadata["token_endpoint"]
    auth = ("school-lms", SECRET)

    def exchange(**changes: str) -> requests.Response:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            **changes,
        }
        form = {key: value for key, value in form.items() if value}
        return requests.post(token_url, data=form, auth=auth, timeout=30)

    # A missing PKCE verifier, a wrong one, a changed redirect_uri: refused.
    assert exchange(code_verifier="").status_code == 400
    assert exchange(code_verifier="x" * 50).status_code == 400
    assert exchange(redirect_uri="https://evil.example/callback").status_code == 400
    assert AccessToken.objects.count() == 0
    # An unknown client secret: refused.
    wrong = requests.post(
        token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=("school-lms", "guess"),
        timeout=30,
    )
    assert wrong.status_code == 401
    assert AccessLogEntry.objects.count() == 0
    # Each refusal is in the audit log: the client it claimed, the error, no secret.
    assert _refused_token_requests(SECRET, "guess", code, verifier, "x" * 50) == [
        ("school-lms", "authorization_code", "invalid_request"),
        ("school-lms", "authorization_code", "invalid_grant"),
        ("school-lms", "authorization_code", "invalid_request"),
        ("school-lms", "authorization_code", "invalid_client"),
    ]
    # Without PKCE the authorization request itself is refused.
    no_pkce = OAuth2Session("school-lms", SECRET, scope="openid", redirect_uri=REDIRECT)
    plain, _state = no_pkce.create_authorization_url(metadata["authorization_endpoint"])
    answer = browser.get(plain, allow_redirects=False, timeout=30)
    assert (
        "error=invalid_request" in answer.headers.get("Location", "") or answer.status_code == 400
    )
    assert _refused_authorizations() == [("younghee", "school-lms", "invalid_request")]


def _refused_authorizations() -> list[tuple[str, str, str]]:
    """The audit log's refused authorization requests: who, the client named, the error."""
    entries = AuditEntry.objects.filter(action="identity.authorization_refused").order_by("pk")
    return [(e.actor, e.data["client_id"], e.data["error"]) for e in entries]


def test_refused_authorization_requests_are_in_the_audit_log(
    live_server: Any, metadata: dict[str, Any], lms: Application, citizen: User
) -> None:
    browser = _browser(live_server, citizen)
    endpoint = metadata["authorization_endpoint"]
    # A redirect_uri the client did not register: refused on gov3's page, never redirected.
    url, _verifier, _nonce = _authorize(
        OAuth2Session(
            "school-lms", SECRET, scope="openid", redirect_uri="https://evil.example/cb",
            code_challenge_method="S256",
        ),
        metadata,
    )  # fmt: skip
    answer = browser.get(url, allow_redirects=False, timeout=30)
    assert answer.status_code == 400
    assert "evil.example" not in answer.headers.get("Location", "")
    # A client that is not registered.
    unknown, _state = OAuth2Session(
        "no-such-client", scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256"
    ).create_authorization_url(endpoint, code_verifier=generate_token(48))
    assert browser.get(unknown, allow_redirects=False, timeout=30).status_code == 400
    # Nothing was released, and each attempt is in the audit log with the client it named.
    assert AccessLogEntry.objects.count() == 0
    assert AccessToken.objects.count() == 0
    assert _refused_authorizations() == [
        ("younghee", "school-lms", "invalid_request"),
        ("younghee", "no-such-client", "invalid_request"),
    ]
    descriptions = [
        entry.data["description"]
        for entry in AuditEntry.objects.filter(action="identity.authorization_refused")
    ]
    assert "redirect" in descriptions[0].lower()
    assert "client_id" in descriptions[1]


def test_a_revocation_by_a_client_that_does_not_authenticate_is_refused_and_audited(
    live_server: Any, metadata: dict[str, Any], lms: Application
) -> None:
    answer = requests.post(
        metadata["token_endpoint"].replace("/token/", "/revoke_token/"),
        data={"token": "some-token"},
        auth=("school-lms", "guess"),
        timeout=30,
    )
    assert answer.status_code == 401
    assert _refused_token_requests("guess", "some-token") == [
        ("school-lms", "revocation", "invalid_client")
    ]


def test_a_replayed_code_is_refused(
    live_server: Any, metadata: dict[str, Any], lms: Application, citizen: User
) -> None:
    browser = _browser(live_server, citizen)
    rp = _rp()
    url, verifier, _nonce = _authorize(rp, metadata)
    callback = _consent(browser, url)
    rp.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    released = AccessLogEntry.objects.count()
    with pytest.raises(Exception, match="invalid_grant"):
        _rp().fetch_token(
            metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )
    assert AccessLogEntry.objects.count() == released
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert _refused_token_requests(SECRET, code, verifier) == [
        ("school-lms", "authorization_code", "invalid_grant")
    ]


def test_declining_releases_nothing(
    live_server: Any, metadata: dict[str, Any], lms: Application, citizen: User
) -> None:
    browser = _browser(live_server, citizen)
    url, _verifier, _nonce = _authorize(_rp(), metadata)
    callback = _consent(browser, url, agree=False)
    assert "error=access_denied" in callback
    assert AccessLogEntry.objects.count() == 0
    assert _refused_authorizations() == [("younghee", "school-lms", "access_denied")]


def test_an_officer_cannot_consent(
    live_server: Any, metadata: dict[str, Any], lms: Application, officer: tuple[User, Any]
) -> None:
    browser = _browser(live_server, officer[0])
    url, _verifier, _nonce = _authorize(_rp(), metadata)
    response = browser.get(url, allow_redirects=False, timeout=30)
    assert response.status_code == 403
    assert "국민 계정만 다른 서비스에 로그인할 수 있습니다" in response.text


def test_a_refused_token_request_names_the_client_it_claimed_and_nothing_more(
    live_server: Any, metadata: dict[str, Any], lms: Application
) -> None:
    token_url = metadata["token_endpoint"]
    form = {"grant_type": "authorization_code", "code": "made-up", "redirect_uri": REDIRECT}
    # A client that is not registered, authenticating in the form (client_secret_post).
    unknown = requests.post(
        token_url,
        data={**form, "client_id": "no-such-client", "client_secret": "s3cret-guess"},
        timeout=30,
    )
    assert unknown.status_code == 401
    # A garbled Authorization header: no client id can be read, the refusal is still written.
    garbled = requests.post(
        token_url, data=form, headers={"Authorization": "Basic !!not-base64!!"}, timeout=30
    )
    assert garbled.status_code == 401
    assert _refused_token_requests("s3cret-guess", "made-up") == [
        ("no-such-client", "authorization_code", "invalid_client"),
        ("", "authorization_code", "invalid_client"),
    ]
    assert AccessToken.objects.count() == 0

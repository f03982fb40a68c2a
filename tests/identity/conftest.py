"""A real OpenID provider on 127.0.0.1 (npm `oidc-provider`, OpenID-certified) standing in for
the national digital ID, and a driver that signs a person in at it as their browser would."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from joserfc.jwk import ECKey

from gov3.identity import oidc
from tests.conftest import tools_required

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "identity" / "oidc_provider.mjs"
LIBRARY = ROOT / "node_modules" / "oidc-provider" / "package.json"
#: The Django test client's host: the provider sends the browser back here.
SITE = "http://testserver"
CLIENT_ID = "gov3-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Provider:
    """One running provider process, its keys and where it listens."""

    work: Path
    client_key: ECKey
    signing_keys: list[ECKey]
    #: Where gov3 runs: the provider sends the browser back there (a live server's URL in
    #: browser tests).
    site: str = SITE
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[str] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def client_key_path(self) -> Path:
        return self.work / "client-key.json"

    def start(self) -> None:
        node = shutil.which("node")
        missing = []
        if node is None:
            missing.append("node is not on PATH")
        if not LIBRARY.is_file():
            missing.append("node_modules/oidc-provider is missing (run `npm ci`)")
        if missing:
            if tools_required():
                pytest.fail("; ".join(missing))
            pytest.skip("; ".join(missing))
        self.client_key_path.write_text(json.dumps(self.client_key.as_dict(private=True)))
        public = {**self.client_key.as_dict(private=False), "use": "sig", "alg": "ES256"}
        config = {
            "port": self.port,
            "issuer": self.issuer,
            "signing_jwks": {
                "keys": [
                    {**key.as_dict(private=True), "use": "sig", "alg": "ES256"}
                    for key in self.signing_keys
                ]
            },
            "client": {
                "client_id": CLIENT_ID,
                "redirect_uris": [f"{self.site}/identity/national-id/callback/"],
                "post_logout_redirect_uris": [f"{self.site}/"],
                "jwks": {"keys": [public]},
            },
        }
        config_path = self.work / f"provider-{self.port}.json"
        config_path.write_text(json.dumps(config))
        self.process = subprocess.Popen(
            [str(node), str(SCRIPT), str(config_path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        # A busy machine can take seconds to start Node; wait for the provider to say so.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if "listening" in line:
                return
            if not line and self.process.poll() is not None:
                break
        self.stop()
        pytest.fail("the OpenID provider did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.process = None


def new_key() -> ECKey:
    return ECKey.generate_key("P-256", private=True, auto_kid=True)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The national digital ID, running for this test module."""
    running = Provider(
        work=tmp_path_factory.mktemp("oidc"), client_key=new_key(), signing_keys=[new_key()]
    )
    running.start()
    yield running
    running.stop()


def trust(provider: Provider, settings: Any) -> None:
    """Configure gov3 to trust `provider` as the national digital ID."""
    settings.GOV3_NATIONAL_ID_ISSUER = provider.issuer
    settings.GOV3_NATIONAL_ID_CLIENT_ID = CLIENT_ID
    settings.GOV3_NATIONAL_ID_CLIENT_KEY = provider.client_key_path
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    oidc.forget_provider_keys()


@pytest.fixture
def national_id(provider: Provider, settings: Any) -> Iterator[Provider]:
    """gov3 configured to trust the running provider (its discovery and keys fetched anew)."""
    trust(provider, settings)
    yield provider
    oidc.forget_provider_keys()


def answer_at_provider(authorization_url: str, login: str) -> str:
    """Do what the person does at the provider (sign in as `login`, consent) and return the
    URL the provider sends their browser back to gov3 with."""
    browser = requests.Session()
    url = authorization_url
    for _step in range(12):
        response = browser.get(url, allow_redirects=False, timeout=30)
        while response.status_code in {302, 303}:
            url = urljoin(url, response.headers["location"])
            if url.startswith(SITE):
                return url
            response = browser.get(url, allow_redirects=False, timeout=30)
        assert response.status_code == 200, response.text[:500]
        action = re.search(r'action="([^"]+)"', response.text)
        prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
        assert action is not None, response.text[:500]
        assert prompt is not None, response.text[:500]
        form = {"prompt": prompt.group(1)}
        if form["prompt"] == "login":
            form.update(login=login, password="any")
        response = browser.post(
            urljoin(url, action.group(1)), data=form, allow_redirects=False, timeout=30
        )
        assert response.status_code in {302, 303}, response.text[:500]
        url = urljoin(url, response.headers["location"])
        if url.startswith(SITE):
            return url
    raise AssertionError("the provider never sent the browser back")


def start_sign_in(client: Client) -> str:
    """Press "Sign in with the national digital ID": the provider URL gov3 sends us to."""
    response = client.get(reverse("identity:national_id_start"))
    assert response.status_code == 302
    return str(response["Location"])


def back_at_gov3(client: Client, callback_url: str, **kwargs: Any) -> Any:
    """Follow the provider's redirect back into gov3."""
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}", **kwargs)


@pytest.fixture
def short_lived_server_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server's request threads close their database connection after each request
    (settings keep them 60 s): an HTTP client's keep-alive connection would otherwise leave one
    open past the test, and PostgreSQL then refuses to drop the test database."""
    from django.db import connections  # noqa: PLC0415

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)

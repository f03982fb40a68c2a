"""The Locust journeys of `bench/load.py` (run by it; see its docstring).

Two kinds of simulated people, each a Locust user with its own cookies, signed in once through
the real sign-in pages when it starts:

``Citizen`` (most of the traffic)
    Signs in at ``/login/`` with a password. Then, over and over: opens "Offers for you"
    (``/me/offers/``), opens one of the offers listed, confirms it if it can still be confirmed,
    opens "My documents", downloads a certificate's PDF, and has it checked by the public
    verification API (``POST /api/v1/verify/pdf``, no sign-in), which must answer "valid".

``Officer``
    Signs in at ``/officer/login/`` with a password and the TOTP code the officer's
    authenticator app would show (computed from the device's secret, as the app does; each
    officer signs in once, so a code is never reused). Then, over and over: opens the agency's
    queue (``/officer/cases/``), opens one of the listed cases that are theirs to decide (the
    cases are shared out among the officers by their id, so two officers never race for one),
    and approves it.

Every response is checked for what a person would see (the page, the PDF, the verdict); any
other answer is a failure in Locust's statistics. The accounts come from the JSON file named by
``GOV3_LOAD_ACCOUNTS``; ``GOV3_LOAD_OFFICERS`` officers are started first (``fixed_count``),
the rest of the users are citizens; ``GOV3_LOAD_WAIT`` is the pause between two journeys of one
user (seconds, a range ``low,high``).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
import uuid
from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

ACCOUNTS: dict[str, Any] = json.loads(
    open(os.environ["GOV3_LOAD_ACCOUNTS"], encoding="utf-8").read()  # noqa: SIM115
)
OFFICERS = int(os.environ.get("GOV3_LOAD_OFFICERS", "1"))
WAIT = tuple(float(x) for x in os.environ.get("GOV3_LOAD_WAIT", "0.5,1.5").split(","))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
OFFER_LINK = re.compile(rf'href="/me/offers/({UUID})/"')
CONFIRM_FORM = re.compile(
    rf'action="/me/offers/({UUID})/confirm/".*?name="version" value="(\d+)"', re.DOTALL
)
DOCUMENT_LINK = re.compile(rf'href="/me/documents/({UUID})/"')
CASE_LINK = re.compile(rf'href="/officer/cases/({UUID})/"')
DECIDE_FORM = re.compile(
    rf'action="/officer/cases/({UUID})/decide/".*?name="version" value="(\d+)"', re.DOTALL
)
_citizens = itertools.count()
_officers = itertools.count()


def totp(key_hex: str, step: int = 30, digits: int = 6, at: float | None = None) -> str:
    """RFC 6238: the code an authenticator app shows for this secret now."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


class TLSAtTheProxy(DefaultCookiePolicy):
    """The browser's side of the TLS that nginx ends (deploy/nginx): gov3 marks its cookies
    Secure, and a browser sends them back over HTTPS; here the hop to nginx is left out."""

    def return_ok_secure(self, cookie: Cookie, request: Any) -> bool:
        return True


class Person(FastHttpUser):
    """Requests as they reach gunicorn behind the reverse proxy of production: nginx ended
    TLS and says so (``X-Forwarded-Proto``, trusted with ``GOV3_TRUSTED_PROXY=1``)."""

    abstract = True
    wait_time = between(WAIT[0], WAIT[-1])
    default_headers = {"X-Forwarded-Proto": "https"}

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(TLSAtTheProxy())
        self.origin = "https://" + (self.host or "").split("://", 1)[-1]

    def page(self, path: str, name: str, expect: str) -> str:
        """GET a page that must be a 200 showing `expect`; its text ('' on failure)."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            body = response.text or ""
            if response.status_code != 200 or expect not in body:
                response.failure(f"{response.status_code}, without {expect!r}")
                return ""
            return body

    def post_form(self, path: str, name: str, data: dict[str, str], referer: str) -> bool:
        """POST a form with the page's CSRF token; it must redirect (the work was done)."""
        with self.client.post(
            path,
            name=name,
            data=data,
            headers={"Referer": self.origin + referer},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code} instead of a redirect")
                return False
            return True

    def sign_in(self, path: str, name: str, fields: dict[str, str]) -> None:
        body = self.page(path, name + " page", "csrfmiddlewaretoken")
        token = CSRF.search(body)
        if token is None:
            raise RuntimeError(f"no sign-in form at {path}")
        self.post_form(path, name, {**fields, "csrfmiddlewaretoken": token.group(1)}, path)


class Citizen(Person):
    weight = 9

    def on_start(self) -> None:
        super().on_start()
        accounts = ACCOUNTS["citizens"]
        self.username = accounts[next(_citizens) % len(accounts)]
        self.opened: set[str] = set()
        self.sign_in(
            "/login/",
            "citizen: sign in",
            {"username": self.username, "password": ACCOUNTS["password"]},
        )

    @task
    def journey(self) -> None:
        inbox = self.page("/me/offers/", "citizen: inbox", 'href="/me/offers/')
        offers = OFFER_LINK.findall(inbox)
        if offers:
            # An offer not opened yet if there is one (it may still wait for an answer).
            fresh = [o for o in offers if o not in self.opened] or offers
            chosen = random.choice(fresh)
            self.opened.add(chosen)
            offer = f"/me/offers/{chosen}/"
            page = self.page(offer, "citizen: offer page", "<h1")
            form = CONFIRM_FORM.search(page)
            token = CSRF.search(page)
            if form and token:
                self.post_form(
                    f"/me/offers/{form.group(1)}/confirm/",
                    "citizen: confirm offer",
                    {"version": form.group(2), "csrfmiddlewaretoken": token.group(1)},
                    offer,
                )
        documents = DOCUMENT_LINK.findall(
            self.page("/me/documents/", "citizen: my documents", 'href="/me/documents/')
        )
        if not documents:
            return
        with self.client.get(
            f"/me/documents/{documents[0]}/pdf/",
            name="citizen: certificate PDF",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            pdf = response.content or b""
            if response.status_code != 200 or not pdf.startswith(b"%PDF"):
                response.failure(f"{response.status_code}, not a PDF")
                return
        self.verify(pdf)

    def verify(self, pdf: bytes) -> None:
        """The public verification API, as a bank or an employer would call it (no sign-in)."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="document"; '
                f'filename="certificate.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + pdf
            + f"\r\n--{boundary}--\r\n".encode()
        )
        with self.client.post(
            "/api/v1/verify/pdf",
            name="public: verify PDF (API)",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            catch_response=True,
        ) as response:
            outcome = ""
            if response.status_code == 200:
                outcome = json.loads(response.text or "{}").get("outcome", "")
            if outcome != "valid":
                response.failure(f"{response.status_code}, outcome {outcome!r}")


class Officer(Person):
    fixed_count = OFFICERS

    def on_start(self) -> None:
        super().on_start()
        accounts = ACCOUNTS["officers"]
        self.slot = next(_officers) % len(accounts)
        self.share = len(accounts)
        account = accounts[self.slot]
        self.sign_in(
            "/officer/login/",
            "officer: sign in",
            {
                "username": account["username"],
                "password": ACCOUNTS["password"],
                "otp_token": totp(account["totp_key_hex"]),
            },
        )

    @task
    def journey(self) -> None:
        queue = self.page("/officer/cases/", "officer: queue", "<h1")
        mine = [c for c in CASE_LINK.findall(queue) if uuid.UUID(c).int % self.share == self.slot]
        if not mine:
            return
        case = f"/officer/cases/{random.choice(mine[:20])}/"
        page = self.page(case, "officer: case page", "<h1")
        form = DECIDE_FORM.search(page)
        token = CSRF.search(page)
        if form is None or token is None:
            return  # not a case this officer may decide now (e.g. waiting for the citizen)
        self.post_form(
            f"/officer/cases/{form.group(1)}/decide/",
            "officer: decide (approve)",
            {
                "version": form.group(2),
                "action": "approve",
                "text": "Checked under load.",
                "csrfmiddlewaretoken": token.group(1),
            },
            case,
        )

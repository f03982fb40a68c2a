"""Shared fixtures: real database (SQLite or PostgreSQL by DATABASE_URL), people built through
the registry's own commands, and accounts built through the account commands."""

from __future__ import annotations

import email
import email.policy
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from itertools import count
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.documents.issuers import key_store
from gov3.registry.models import Person
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import AreaRecord, do_load_areas, do_register_birth, do_register_person

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ACTOR = "test:registry-office"
PASSWORD = "correct horse battery staple"
_serials = count(1)


@pytest.fixture(autouse=True, scope="session")
def _postgres_when_required(django_db_setup: None, django_db_blocker: Any) -> None:
    """Under `make test` the second run must really be on PostgreSQL, never silently SQLite."""
    if os.environ.get("GOV3_REQUIRE_POSTGRES") == "1":
        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", "GOV3_REQUIRE_POSTGRES is set"


@pytest.fixture(autouse=True, scope="session")
def _tests_may_empty_the_logs(django_db_setup: None, django_db_blocker: Any) -> None:
    """PostgreSQL refuses TRUNCATE of the append-only logs unless `gov3.allow_truncate` is on;
    the test database allows it, for the flush between transactional (live server) tests."""
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                name = connection.settings_dict["NAME"]
                cursor.execute(f'ALTER DATABASE "{name}" SET gov3.allow_truncate = on')
                cursor.execute("SET gov3.allow_truncate = on")


@pytest.fixture(autouse=True, scope="session")
def _issuer_keys_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Issuer keys made by the tests go to a throwaway key store, never the project's var/."""
    settings.GOV3_KEY_DIR = tmp_path_factory.mktemp("keys")
    settings.GOV3_AUDIT_DIR = tmp_path_factory.mktemp("audit")  # signed log checkpoints
    key_store.cache_clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Drive Debian's chromium; Playwright's own browser download is not available here."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture
def client() -> Client:
    """A test browser that asks for English pages (the site's default language is Korean)."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def areas(db: None) -> None:
    """A small kr hierarchy: Seoul → Jongno-gu → two dong."""
    do_load_areas(
        ACTOR,
        "kr",
        [
            AreaRecord("11", None, "province", "서울특별시", "Seoul"),
            AreaRecord("11110", "11", "municipality", "종로구", "Jongno-gu"),
            AreaRecord("1111051500", "11110", "district", "청운효자동", "Cheongunhyoja-dong"),
            AreaRecord("1111053000", "11110", "district", "사직동", "Sajik-dong"),
        ],
    )


def make_person(
    *,
    name_local: str = "홍길동",
    name_latin: str = "HONG GILDONG",
    birth_date: date = date(1985, 4, 12),
    sex: str = "M",
) -> Person:
    """Register a new adult heading their own household, with a fresh valid id number."""
    number = national_id_scheme("kr").make(birth_date, sex, 90_000 + next(_serials))
    return do_register_person(
        ACTOR,
        country="kr",
        national_id=number,
        name_local=name_local,
        name_latin=name_latin,
        birth_date=birth_date,
        sex=sex,
        nationality="KOR",
        area_code="1111051500",
        street="세종대로 1",
    )


@pytest.fixture
def family(areas: None) -> dict[str, Person]:
    """A mother, her 5-year-old son and a 25-year-old daughter, plus a stranger."""
    mother = make_person(
        name_local="김영희", name_latin="KIM YOUNGHEE", birth_date=date(1975, 5, 1), sex="F"
    )
    daughter = do_register_birth(
        ACTOR,
        mother=mother,
        father=None,
        name_local="이수진",
        name_latin="LEE SUJIN",
        birth_date=date(2000, 3, 3),
        sex="F",
    )
    son = do_register_birth(
        ACTOR,
        mother=mother,
        father=None,
        name_local="이민준",
        name_latin="LEE MINJUN",
        birth_date=date(2020, 7, 7),
        sex="M",
    )
    stranger = make_person(
        name_local="박철수", name_latin="PARK CHEOLSU", birth_date=date(1960, 1, 1)
    )
    return {"mother": mother, "daughter": daughter, "son": son, "stranger": stranger}


@pytest.fixture
def agency(areas: None) -> Agency:
    """Jongno-gu's office: its registry officers read Jongno-gu's residents."""
    return do_create_agency(
        ACTOR,
        code="kr-jongno",
        name_local="종로구청",
        name_en="Jongno-gu Office",
        country="kr",
        area_code="11110",
    )


@pytest.fixture
def citizen(family: dict[str, Person]) -> User:
    """The mother's citizen account."""
    return do_create_citizen_account(
        ACTOR, person=family["mother"], username="younghee", password=PASSWORD
    )


@pytest.fixture
def officer(agency: Agency) -> tuple[User, Any]:
    """A registry officer and their TOTP device."""
    return do_create_officer_account(
        ACTOR,
        username="officer1",
        password=PASSWORD,
        agency=agency,
        role=OfficerRole.REGISTRY_OFFICER,
    )


@pytest.fixture
def officer_client(client: Client, officer: tuple[User, Any]) -> Client:
    """A client signed in as the officer, with password and TOTP code."""
    user, device = officer
    response = client.post(
        reverse("backoffice:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 302
    return client


def current_totp(device: Any) -> str:
    """The code the officer's authenticator app would show now."""
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


# --- a real SMTP server on loopback ----------------------------------------------------------


@dataclass(frozen=True)
class ReceivedEmail:
    """One message the test SMTP server accepted, decoded (subject and bodies in Unicode)."""

    sender: str
    to: list[str]
    subject: str
    text: str
    html: str
    message: EmailMessage


class _Collector:
    """aiosmtpd handler: parse each message with the standard library and keep it."""

    def __init__(self, inbox: list[ReceivedEmail]) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        self.inbox.append(
            ReceivedEmail(
                sender=envelope.mail_from,
                to=list(envelope.rcpt_tos),
                subject=str(message["subject"] or ""),
                text=plain.get_content() if plain is not None else "",
                html=html.get_content() if html is not None else "",
                message=message,
            )
        )
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 and the messages it received (``messages``).

    ``stop()`` makes the port refuse connections (a mail server that is down); ``start()``
    serves the same port again.
    """

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.messages: list[ReceivedEmail] = []
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(
                _Collector(self.messages), hostname="127.0.0.1", port=self.port
            )
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[ReceivedEmail]:
        """The messages received for ``address``, oldest first."""
        return [m for m in self.messages if address in m.to]


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; Django sends its e-mail there for the test."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def welfare_agency(db: None) -> Agency:
    """The agency deciding every service no other agency names."""
    return do_create_agency(
        ACTOR,
        code="kr-district",
        name_local="종로구청",
        name_en="Jongno-gu Office",
        country="kr",
        services=["*"],
    )


@pytest.fixture
def register_birth(
    family: dict[str, Person], django_capture_on_commit_callbacks: Any
) -> Callable[..., Person]:
    """Register a baby of the family's mother today, running what happens after commit."""

    def register(name: str = "이하늘", born: date | None = None) -> Person:
        with django_capture_on_commit_callbacks(execute=True):
            return do_register_birth(
                ACTOR,
                mother=family["mother"],
                father=None,
                name_local=name,
                name_latin="LEE HANEUL",
                birth_date=born or timezone.localdate(),
                sex="F",
            )

    return register

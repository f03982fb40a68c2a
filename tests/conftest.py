"""Shared fixtures: real database (SQLite or PostgreSQL by DATABASE_URL), people built through
the registry's own commands, and accounts built through the account commands."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from itertools import count
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import totp
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import (
    Browser,
    BrowserContext,
    BrowserType,
    Playwright,
    expect,
    sync_playwright,
)

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.core.dates import add_years
from gov3.documents.issuers import key_store
from gov3.registry.models import Person
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import AreaRecord, do_load_areas, do_register_birth, do_register_person
from tests import databases

# Property tests: `make test` draws the same examples on every run, so a sound change never
# fails by chance (and CI gives the same answer twice); `make test-full` draws new examples
# every time, ten times as many. No example database: nothing carries over between runs.
hypothesis_settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, max_examples=100
)
hypothesis_settings.register_profile("full", database=None, deadline=None, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("GOV3_HYPOTHESIS_PROFILE", "ci"))

# Background jobs run in the process that enqueues them, when its transaction commits, and so
# do those of the gov3 commands and servers the tests start; the queue's own tests start real
# workers on a real queue (tests/tasks).
os.environ["GOV3_TASK_QUEUE"] = "immediate"
settings.GOV3_TASK_QUEUE = "immediate"


def tools_required() -> bool:
    """Under `make test` (which installs every tool the tests use) or CI, a missing tool is a
    failure; on a developer's machine the test that needs it is skipped, saying what to install."""
    return os.environ.get("GOV3_REQUIRE_TOOLS") == "1" or os.environ.get("CI") == "true"


def require_tool(command: str, install: str) -> str:
    """The path of `command`, or skip (fail under `make test`/CI) naming what to install."""
    path = shutil.which(command)
    if path is None:
        reason = f"{command} is not installed ({install})"
        if tools_required():
            pytest.fail(reason)
        pytest.skip(reason)
    return path


_DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server"})


def uses_a_database(item: pytest.Item) -> bool:
    """Does this test read or write a database (Django's, or the PostgreSQL server directly)?"""
    return (
        item.get_closest_marker("django_db") is not None
        or item.get_closest_marker("postgres") is not None
        or bool(_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`make test` runs the whole suite on SQLite, then on PostgreSQL only the tests that touch
    a database (GOV3_DATABASE_TESTS_ONLY=1): pure code (rules, MRZ, credentials, PDF) gives
    the same answer whatever the database, so running it twice would only cost time."""
    if os.environ.get("GOV3_DATABASE_TESTS_ONLY") != "1":
        return
    keep = [item for item in items if uses_a_database(item)]
    dropped = [item for item in items if not uses_a_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


# --- databases: every one a copy of the run's migrated template (tests/databases.py) ----------

_OWNS_SHARED = pytest.StashKey[bool]()


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    """The run's shared directory: `scripts/run-tests` gives one to both passes; a bare `pytest`
    makes its own (the workers inherit the environment) and removes it at the end."""
    owns = _is_controller(config) and databases.SHARED_DIRECTORY not in os.environ
    if owns:
        os.environ[databases.SHARED_DIRECTORY] = str(databases.make_shared_directory())
    config.stash[_OWNS_SHARED] = owns


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_OWNS_SHARED, False):
        databases.remove_shared_directory(Path(os.environ.pop(databases.SHARED_DIRECTORY)))


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's test databases, each a copy of the run's migrated template: Django's
    `migrate` then has nothing left to do (instead of ~12 CPU-seconds per worker and pass)."""
    from django.test.utils import setup_databases, teardown_databases  # noqa: PLC0415
    from pytest_django.fixtures import _get_databases_for_setup  # noqa: PLC0415

    # As pytest-django: only the databases the collected tests use (none: no template made),
    # serialised only for tests that ask for `serialized_rollback`.
    aliases, serialized = _get_databases_for_setup(request.session.items)
    keep = False
    if "default" in aliases:
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        keep = databases.start_test_database_from_the_template(
            settings.DATABASES["default"], worker
        )
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        made = setup_databases(
            verbosity=verbosity,
            interactive=False,
            keepdb=keep,
            aliases=aliases,
            serialized_aliases=serialized,
        )
    yield
    with django_db_blocker.unblock():
        teardown_databases(made, verbosity=verbosity)


@pytest.fixture(scope="session")
def kr_ready_sqlite() -> Path:
    """A SQLite file migrated and with kr's areas loaded, made once a run: copy it
    (`databases.copy_sqlite`), never open it for writing."""
    return databases.ready_sqlite()


@pytest.fixture(scope="session")
def kr_ready_postgres() -> str:
    """The name of a PostgreSQL database on the run's server, migrated and with kr's areas
    loaded, made once a run: copy it (`CREATE DATABASE … TEMPLATE …`), never connect to it.
    Skips (fails under `make test`) when the run has no PostgreSQL."""
    server = databases.postgres_server()
    if server is None:
        if os.environ.get("GOV3_REQUIRE_POSTGRES") == "1":
            pytest.fail("GOV3_REQUIRE_POSTGRES is set but the run has no PostgreSQL URL")
        pytest.skip("PostgreSQL: set DATABASE_URL to a postgres:// address")
    return databases.ready_postgres(server)


ACTOR = "test:registry-office"
PASSWORD = "correct horse battery staple"
_serials = count(1)


@pytest.fixture(autouse=True, scope="session")
def _postgres_when_required(django_db_setup: None, django_db_blocker: Any) -> None:
    """Under `make test` the second run must really be on PostgreSQL, never silently SQLite."""
    if os.environ.get("GOV3_REQUIRE_POSTGRES") == "1":
        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", "GOV3_REQUIRE_POSTGRES is set"


#: The production hasher (Argon2) costs ~50 ms a password by design; the suite makes hundreds of
#: accounts and sign-ins. `tests/accounts/test_passwords.py` checks the production setting.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language (Korean): a request leaves its language active
    in the thread, and a test must not depend on which test ran before it on its worker."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: answers cached per user id (officers' posts, the
    Saemaul link) must not leak into a later test whose rolled-back ids were reused."""
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


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


# Playwright's synchronous API keeps an asyncio event loop running in the test's thread for as
# long as Playwright is started, and Django refuses ORM calls from a thread with a running loop.
# So Playwright lives for one test module at a time (pytest-playwright starts it once per
# session), and only while it runs is the ORM allowed beside it: other tests keep Django's guard.
@pytest.fixture(scope="module")
def playwright(
    _pw_api_request_contexts: Any,
) -> Iterator[Playwright]:
    """Playwright for one module of browser tests; Django's ORM allowed beside it meanwhile."""
    started = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(started)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield started
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        started.stop()


@pytest.fixture(scope="module")
def browser_context_args() -> dict[str, Any]:
    """Every page in English unless a test asks for another language; axe-core is injected as
    a script, which a strict Content-Security-Policy would block."""
    return {"bypass_csp": True, "locale": "en-GB"}


#: A loaded machine (CI shares its two cores with the other test worker) can take seconds to
#: render a page; the browser tests wait for what a user would see, they never time it.
BROWSER_WAIT_MS = 60_000
expect.set_options(timeout=BROWSER_WAIT_MS)


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """A fresh browser context per test whose waits allow for a busy machine."""
    opened = new_context()
    opened.set_default_timeout(BROWSER_WAIT_MS)
    return opened


@pytest.fixture(scope="module")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return cast(BrowserType, getattr(playwright, browser_name))


@pytest.fixture(scope="module")
def launch_browser(
    browser_type_launch_args: dict[str, Any], browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**kwargs: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="module")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    started = launch_browser()
    yield started
    started.close()


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
    load_small_kr_areas()


def load_small_kr_areas() -> None:
    """Seoul → Jongno-gu → two dong (the `areas` fixture, for fixtures of a wider scope)."""
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


def son_birth_date() -> date:
    """The family's son is 6 years and about 5 months old (77 months) whatever the day of the
    run: young enough for the child allowance (under 9) for ever, old enough for no infant
    service. The adults' ages cross no threshold any test relies on, so theirs stay fixed."""
    return add_years(timezone.localdate(), -6) - timedelta(days=150)


@pytest.fixture
def family(areas: None) -> dict[str, Person]:
    """A mother (born 1975), her 6-year-old son (`son_birth_date`) and a daughter born 2000,
    plus a stranger born 1960."""
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
        birth_date=son_birth_date(),
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

"""Sign-in with the national digital ID in a real Chromium on a phone: the button on gov3's
sign-in page, the real provider's own sign-in and consent pages (npm `oidc-provider` on
127.0.0.1), and back at gov3 signed in as the linked citizen; a number the register does not
hold gets the clear page and no account. axe checks gov3's pages (not the provider's)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from gov3.accounts.models import User
from gov3.core.models import AuditEntry
from gov3.identity.models import NationalIdLink
from gov3.registry.models import Person
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.identity.conftest import (  # the fixture, for the live server on PostgreSQL
    Provider,
    new_key,
    short_lived_server_connections,  # noqa: F401
    trust,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("short_lived_server_connections"),
]

#: A well-formed resident registration number that no one in the test register has.
UNKNOWN_NUMBER = "9901011234567"


def _site(live_server: Any) -> str:
    # gov3 under "localhost" and the provider under 127.0.0.1: two sites, as in real life,
    # so neither sees the other's cookies.
    return str(live_server.url).replace("127.0.0.1", "localhost")


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory, live_server: Any) -> Iterator[Provider]:
    """The national digital ID, sending browsers back to the live server."""
    running = Provider(
        work=tmp_path_factory.mktemp("oidc"),
        client_key=new_key(),
        signing_keys=[new_key()],
        site=_site(live_server),
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture
def phone(browser: Browser, provider: Provider, settings: Any) -> Iterator[BrowserContext]:
    """A phone's browser, with gov3 trusting the provider; it reaches nothing but the two local
    servers (the provider's development pages would load a web font from the internet)."""
    trust(provider, settings)
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, bypass_csp=True, locale="en-GB", has_touch=True
    )
    context.route(re.compile(r"^https?://(?!localhost[:/]|127\.0\.0\.1[:/])"), _offline)
    try:
        yield context
    finally:
        context.close()


def _offline(route: Route) -> None:
    route.abort("internetdisconnected")


def _sign_in_at_provider(page: Page, number: str) -> None:
    """What the person does on the provider's own pages: sign in, then agree."""
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/interaction/"))
    page.locator('input[name="login"]').fill(number)
    page.locator('input[name="password"]').fill("any")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def _press_the_button(page: Page, live_server: Any) -> None:
    page.goto(f"{_site(live_server)}/login/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_role("link", name="Sign in with the national digital ID").click()


def test_a_citizen_signs_in_with_the_national_digital_id_on_a_phone(
    *, phone: BrowserContext, live_server: Any, citizen: User
) -> None:
    assert citizen.person is not None
    page = phone.new_page()
    _press_the_button(page, live_server)
    _sign_in_at_provider(page, citizen.person.national_id)

    expect(page.get_by_role("heading", level=1)).to_have_text("My information")
    assert page.url.startswith(_site(live_server))
    expect(page.get_by_text("김영희").first).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    link = NationalIdLink.objects.get()
    assert link.user_id == citizen.pk  # the existing account, linked: no second one
    assert User.objects.filter(person=citizen.person).count() == 1
    assert not AuditEntry.objects.filter(action="identity.sign_in_refused").exists()

    # Signing out ends the session at the provider too (RP-initiated logout): the provider
    # asks, the person agrees, and is back on gov3's home page, signed out of both.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/session/end"))
    page.get_by_role("button", name=re.compile("Yes, sign me out", re.IGNORECASE)).click()
    expect(page).to_have_url(f"{_site(live_server)}/")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    page.goto(f"{_site(live_server)}/me/")
    expect(page).to_have_url(re.compile(r"/login/"))
    # The provider forgot the person too: its sign-in page comes again, not a silent return.
    page.get_by_role("link", name="Sign in with the national digital ID").click()
    expect(page.locator('input[name="login"]')).to_be_visible()


def test_a_number_not_in_the_register_gets_the_clear_page_and_no_account(
    *, phone: BrowserContext, live_server: Any, family: dict[str, Person]
) -> None:
    accounts = User.objects.count()
    page = phone.new_page()
    _press_the_button(page, live_server)
    _sign_in_at_provider(page, UNKNOWN_NUMBER)

    expect(page.get_by_role("heading", level=1)).to_have_text("You were not signed in")
    expect(page.get_by_text("no one with that identity number")).to_be_visible()
    expect(page.get_by_role("link", name="Back to sign-in")).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    assert User.objects.count() == accounts
    assert not NationalIdLink.objects.exists()
    (refusal,) = AuditEntry.objects.filter(action="identity.sign_in_refused")
    assert refusal.data["reason"] == "not_in_register"
    # Still signed out: "My information" sends the person to the sign-in page.
    page.goto(f"{_site(live_server)}/me/")
    expect(page).to_have_url(re.compile(r"/login/"))

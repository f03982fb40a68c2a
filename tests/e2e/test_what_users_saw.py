"""What users saw, checked in a real browser in every language (issue 14): charts that draw in
Vietnamese, explanations in sentences, titles at least as large as the text, the one-row phone
menu, the Saemaul map with outlines and names, the translated admin. Each page is checked with
axe-core and photographed (into GOV3_SCREENSHOT_DIR when set, else the test's temporary
directory)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from gov3.accounts.models import User
from gov3.accounts.services import do_create_administrator
from gov3.demo.saemaul import load_demo, set_up_demo_accounts
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, current_totp, make_person
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("ko", "en", "vi")
# Rule text a citizen should never have to read outside "show the rule as written".
CODE = re.compile(r"==|//|params\.|\bmod\b|\bif\b[^.]*\belse\b")


class Screens:
    """Screenshots for the documentation (docs/screenshots/), taken only when
    GOV3_SCREENSHOT_DIR names where to keep them: nothing checks them, and encoding a dozen
    full-page PNGs per language costs `make test` seconds for files it would throw away."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    def take(self, what: Page | Locator, name: str, *, full_page: bool = False) -> None:
        if self.directory is None:
            return
        if isinstance(what, Page):
            what.screenshot(path=self.directory / name, full_page=full_page)
        else:
            what.screenshot(path=self.directory / name)


@pytest.fixture
def screens() -> Screens:
    kept = os.environ.get("GOV3_SCREENSHOT_DIR")
    return Screens(Path(kept) if kept else None)


def _context(
    browser: Browser, args: dict[str, Any], base: str, language: str, width: int = 1280
) -> BrowserContext:
    context = browser.new_context(
        **{**args, "locale": language, "viewport": {"width": width, "height": 900}}
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context


def _language(page: Page, base: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])


def _citizen(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("form[action$='/logout/']")).to_have_count(1)


def _officer(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    user = User.objects.get(username=username)
    page.goto(f"{base}/officer/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=otp_token]").fill(current_totp(user.totpdevice_set.get()))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


# -- items 1 and 12: charts and the map, drawn in every language ---------------------------------


@pytest.fixture
def saemaul_demo(areas: None, settings: Any) -> None:
    settings.DEBUG = True  # the demo's published passwords are refused otherwise
    load_demo()
    make_person(name_local="권우호", name_latin="KWON WOOHO", sex="M")
    set_up_demo_accounts("http://testserver")


def _rect_heights(page: Page, selector: str) -> list[float]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => e.getBoundingClientRect().height)"
    )


def test_saemaul_charts_and_map_draw_in_every_language(
    *,
    browser: Browser,
    browser_context_args: dict[str, Any],
    live_server: Any,
    saemaul_demo: None,
    screens: Screens,
) -> None:
    base = live_server.url
    page = _context(browser, browser_context_args, base, "vi").new_page()
    _officer(page, base, "saemaul-county", "demo-saemaul-2026")
    for language in LANGUAGES:
        _language(page, base, language)
        page.goto(f"{base}/saemaul/dashboard/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        # the class chart has its bars (they vanished in Vietnamese: "48,0" is not a number)
        heights = _rect_heights(page, "figure.sm-chart svg rect[class^='sm-class-']")
        assert sum(1 for h in heights if h > 3) >= 20, language
        # the map: Haenam-gun's outline, its 14 eup/myeon named, a marker per village
        map_ = page.locator("figure.sm-map").first
        expect(map_.locator("path.sm-map-area")).to_have_count(14)
        expect(map_.locator("text.sm-map-label")).to_have_count(14)
        assert map_.locator("path.sm-marker").count() >= 485
        box = map_.locator("path.sm-map-frame").bounding_box()
        assert box is not None
        assert box["width"] > 300  # the county fills the map
        expect(map_).to_contain_text("Statistics Korea")
        assert_accessible(page)
        screens.take(page, f"saemaul-dashboard-{language}.png", full_page=True)
        screens.take(map_, f"saemaul-map-{language}.png")
        # a village page shows where the village is on the same map
        page.goto(f"{base}/saemaul/villages/46820-03-0003/")
        where = page.locator("figure.sm-map")
        expect(where.locator("path.sm-marker--here")).to_have_count(1)
        expect(where.locator("text.sm-map-label--here")).to_have_count(1)
        assert_accessible(page)
        screens.take(where, f"saemaul-village-map-{language}.png")
    page.context.close()  # before the live server stops: no request left in flight


# -- items 2, 4 and 11: sentences, titles, the phone menu ----------------------------------------


def _headings_at_least_body_size(page: Page) -> None:
    sizes = page.evaluate(
        """() => {
            const body = parseFloat(getComputedStyle(document.body).fontSize);
            const root = parseFloat(getComputedStyle(document.documentElement).fontSize);
            const titles = [...document.querySelectorAll(
                'main h1, main h2, main h3, main h4, main h5, main h6')]
                .filter(e => e.getClientRects().length > 0)
                .map(e => [
                    e.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(e).fontSize)
                ]);
            return {body, root, titles};
        }"""
    )
    assert sizes["root"] == 10  # KRDS sets a 10px root: rem sizes must use its type tokens
    small = [(text, size) for text, size in sizes["titles"] if size < sizes["body"]]
    assert small == [], f"titles smaller than the {sizes['body']}px text on {page.url}: {small}"


def _visible_text_outside_the_toggle(page: Page) -> str:
    return page.evaluate(
        """() => {
            const main = document.querySelector('main').cloneNode(true);
            main.querySelectorAll('details.gov3-rule-as-written, [lang=en].gov3-source-en')
                .forEach(e => e.remove());
            return main.innerText;
        }"""
    )


def test_citizen_pages_read_as_sentences_with_titles_and_a_phone_menu(
    *,
    browser: Browser,
    browser_context_args: dict[str, Any],
    live_server: Any,
    family: dict[str, Person],
    citizen: User,
    screens: Screens,
) -> None:
    base = live_server.url
    for language in LANGUAGES:
        page = _context(browser, browser_context_args, base, language).new_page()
        _citizen(page, base, "younghee")
        for path, name in [
            ("/services/", "services"),
            ("/services/basic_pension/", "service"),
            ("/services/basic_pension/check/", "check"),
            ("/me/notifications/", "notifications"),
        ]:
            page.goto(f"{base}{path}")
            _headings_at_least_body_size(page)
            text = _visible_text_outside_the_toggle(page)
            assert not CODE.search(text), (path, language, CODE.search(text))
            if language != "en" and name in ("service", "check"):
                assert not re.search(r"\b(and|or|not)\b", text), (path, language)
            assert_accessible(page)
            screens.take(page, f"{name}-{language}.png", full_page=True)
        # the rule as written is one click away for experts
        page.goto(f"{base}/services/basic_pension/")
        toggle = page.locator("details.gov3-rule-as-written")
        expect(toggle.locator("pre")).to_have_count(2)
        expect(toggle.locator("pre").first).not_to_be_visible()
        toggle.locator("summary").click()
        expect(toggle.locator("pre").first).to_contain_text("params.basic_pension.age")
        page.context.close()

        # at 375 px the menu is one row: a button that opens the list (KRDS mobile pattern)
        phone = _context(browser, browser_context_args, base, language, width=375).new_page()
        _citizen(phone, base, "younghee")
        phone.goto(f"{base}/services/")
        nav = phone.locator("nav.gov3-nav")
        button = nav.locator("summary.gov3-menu-button")
        expect(button).to_be_visible()
        expect(nav.locator(".gov3-nav-link").first).not_to_be_visible()
        nav_box = nav.bounding_box()
        assert nav_box is not None
        assert nav_box["height"] < 2 * 48, f"the closed menu is {nav_box['height']}px high"
        _headings_at_least_body_size(phone)
        assert_fits_the_screen(phone)
        assert_accessible(phone)
        screens.take(phone, f"phone-menu-closed-{language}.png")
        button.click()
        expect(nav.locator(".gov3-nav-link").first).to_be_visible()
        assert nav.locator(".gov3-nav-link").count() >= 7
        screens.take(phone, f"phone-menu-open-{language}.png")
        phone.context.close()

    # on a wide screen the menu is the row of links, no button
    wide = _context(browser, browser_context_args, base, "en").new_page()
    wide.goto(f"{base}/services/")
    expect(wide.locator("summary.gov3-menu-button")).not_to_be_visible()
    expect(wide.locator(".gov3-nav-link").first).to_be_visible()
    wide.context.close()


# -- item 16: the admin, translated and readable ---------------------------------------------


ADMIN_ENGLISH = [
    "OTP Token",
    "OTP Device",
    "Please select a device",
    "TOTP devices",
    "Access log entries",
    "Population register",
    "Accounts and roles",
    "Audit entries",
    "Life events",
]


def test_the_admin_speaks_the_readers_language_and_passes_axe(
    *,
    browser: Browser,
    browser_context_args: dict[str, Any],
    live_server: Any,
    family: dict[str, Person],
    screens: Screens,
) -> None:
    base = live_server.url
    for language in ("ko", "vi"):
        # an administrator per language: a TOTP code signs in only once
        username = f"registrar-{language}"
        admin_user, device = do_create_administrator(ACTOR, username=username, password=PASSWORD)
        page = _context(browser, browser_context_args, base, language).new_page()
        page.goto(f"{base}/admin/login/")
        assert_accessible(page)
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[type=submit]").first.click()
        if page.locator("select[name=otp_device]").count():  # django-otp asks for the device
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("select[name=otp_device]").select_option(device.persistent_id)
        page.locator("input[name=otp_token]").fill(current_totp(device))
        login_text = page.locator("body").inner_text()
        for english in ADMIN_ENGLISH:
            assert english not in login_text, (language, english)
        screens.take(page, f"admin-login-{language}.png")
        page.locator("input[type=submit]").first.click()
        expect(page).to_have_url(f"{base}/admin/")
        person = family["mother"]
        for path in [
            "/admin/",
            "/admin/registry/person/",
            f"/admin/registry/person/{person.pk}/change/",
            "/admin/otp_totp/totpdevice/",
            f"/admin/accounts/user/{admin_user.pk}/change/",
            "/admin/core/accesslogentry/",
        ]:
            page.goto(f"{base}{path}")
            text = page.locator("body").inner_text()
            for english in ADMIN_ENGLISH:
                assert english not in text, (language, path, english)
            assert_accessible(page)
            slug = path.strip("/").replace("/", "-") or "admin"
            screens.take(page, f"{slug}-{language}.png", full_page=True)
        page.context.close()

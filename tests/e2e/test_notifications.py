"""A citizen on a phone: the e-mail arrives, the menu counts the unread notification, the list
marks it read, and the preferences form saves; every page passes axe at 375px."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from gov3.accounts.services import do_create_citizen_account
from gov3.notifications.models import NotificationKind, Preference
from gov3.notifications.services import do_notify, do_set_preferences
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, SmtpServer
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen, open_the_menu
from tests.notifications.conftest import ADDRESS, texts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_reads_a_notice_and_chooses_what_comes_by_email(
    *,
    browser: Browser,
    live_server: Any,
    smtp_server: SmtpServer,
    family: dict[str, Person],
) -> None:
    mother = family["mother"]
    resident = do_create_citizen_account(
        ACTOR, person=mother, username="younghee", password=PASSWORD, email=ADDRESS
    )
    # e-mail at any hour of the day the test runs: no quiet hours (Seoul's night is UTC's day)
    do_set_preferences(ACTOR, mother, digest="immediate", quiet_start=time(0), quiet_end=time(0))
    do_notify(
        mother,
        NotificationKind.DECISION,
        title=texts("Your application was approved"),
        body=texts("The child allowance starts next month."),
        link="/services/",
        key="case:e2e:decided",
    )
    assert [m.to for m in smtp_server.messages if "approved" in m.subject] == [[ADDRESS]]

    context = browser.new_context(
        viewport={"width": 375, "height": 740}, bypass_csp=True, locale="en-GB", has_touch=True
    )
    try:
        page = context.new_page()
        base = live_server.url
        page.goto(f"{base}/login/")
        page.get_by_label("Username").fill(resident.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My information")

        open_the_menu(page)
        page.get_by_role("link", name=re.compile(r"^Notifications \d+ unread$")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My notifications")
        notice = page.get_by_role("listitem").filter(has_text="Your application was approved")
        expect(notice.get_by_text("Legal notice")).to_be_visible()
        assert_fits_the_screen(page)
        assert_accessible(page)

        notice.get_by_role("button", name=re.compile("^Mark as read")).click()
        expect(notice.get_by_text("Read", exact=True)).to_be_visible()
        assert_accessible(page)

        page.get_by_role("link", name=re.compile("^Choose which notifications")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Notification preferences")
        assert_fits_the_screen(page)
        assert_accessible(page)
        expect(page.get_by_text("cannot be switched off here")).to_be_visible()
        # KRDS draws the box on the label, which is what a finger taps.
        page.locator('label[for="id_offer__email"]').click()
        expect(page.get_by_label("New offers: By e-mail")).not_to_be_checked()
        page.locator('label[for="id_digest_1"]').click()
        expect(page.get_by_label("Once a day, all in one e-mail (daily digest)")).to_be_checked()
        page.get_by_label("Quiet hours start").fill("21:00")
        page.get_by_role("button", name="Save my preferences").click()
        expect(page.get_by_text("Your notification preferences were saved.")).to_be_visible()
        assert_fits_the_screen(page)
        assert_accessible(page)
    finally:
        context.close()

    preference = Preference.objects.get(person=mother)
    assert not preference.wants("offer", "email")
    assert preference.digest == "daily"
    assert preference.quiet_start.hour == 21

"""A school officer in a real browser (axe on every page, phone width): the dashboard of their
district (charts with the tables behind them) and year end for a school — the plan, one learner
held back, confirmed, and the summary."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from gov3.accounts.models import OfficerRole
from gov3.accounts.services import do_create_officer_account
from gov3.schools.installed import schools_data
from gov3.schools.models import Enrolment, School
from gov3.schools.services import do_enrol, do_register_learner
from gov3.schools.work.models import AttendanceMark
from tests.conftest import ACTOR, PASSWORD, current_totp
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def test_a_school_officer_reads_the_dashboard_and_runs_year_end(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    school = School.objects.get(code="KR-S-0001")
    learners = []
    for key in ("jan1", "feb29", "dec31"):
        learner = do_register_learner(ACTOR, world[key], schools_data("kr"))
        enrolment = do_enrol(ACTOR, learner, school, school_year=2027, grade=1, on=date(2027, 3, 2))
        learners.append(learner)
        AttendanceMark.objects.create(  # two of the three present on one day: 66.7 %
            enrolment=enrolment,
            day=date(2027, 3, 3),
            status="absent" if key == "dec31" else "present",
            recorded_at=datetime(2027, 3, 3, 0, tzinfo=UTC),
        )
    officer, device = do_create_officer_account(
        ACTOR,
        username="district",
        password=PASSWORD,
        agency=world["office"],
        role=OfficerRole.SCHOOL_OFFICER,
    )
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/officer/login/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp(device))
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/officer/schools/dashboard/?year=2027")
    expect(page.get_by_role("heading", name="Entrants against first-grade places")).to_be_visible()
    row = page.locator("#entrants-by-school").get_by_role("row", name="KR-S-0001")
    expect(row).to_contain_text("3")
    expect(
        page.get_by_role("img", name="Entrants and first-grade places by district")
    ).to_be_visible()
    expect(page.locator("#attendance-rates")).to_be_visible()
    expect(page.get_by_role("img", name="Attendance rate by district")).to_be_visible()
    attendance = page.locator("#attendance-by-school").get_by_role("row", name="KR-S-0001")
    expect(attendance).to_contain_text("66.7%")
    assert_accessible(page)
    assert_fits_the_screen(page)

    page.goto(f"{base}/officer/schools/KR-S-0001/year-end/2027/")
    expect(page.get_by_text("To promote: 3. To graduate: 0.")).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_label("The new school year starts on").fill("2028-03-02")
    page.get_by_text("Hold back 김일월").click()  # the label, as a finger would
    page.get_by_role("button", name="Confirm the year end").click()
    expect(page.locator("#year-end-summary")).to_contain_text(
        "Done: 2 promoted, 0 graduated, 1 held back."
    )
    assert_accessible(page)
    grades = sorted(
        Enrolment.objects.filter(learner__in=learners, ended_on__isnull=True).values_list(
            "grade", flat=True
        )
    )
    assert grades == [1, 2, 2]

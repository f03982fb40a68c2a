"""School work in a real browser on a phone (375 px, axe on every page): a teacher takes the
day's attendance with one tap per learner (no script needed), and a guardian reports the
child's absence with a photo as evidence, which the teacher then sees."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from gov3.schools.work.models import AbsenceReport, AttendanceMark
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.schools.conftest import citizen_client
from tests.schools.school_work_world import build_class, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def _phone(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="en-GB", has_touch=True)
    return context.new_page()


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("domcontentloaded")


def _checked(page: Page) -> None:
    assert_accessible(page)
    assert_fits_the_screen(page)


def test_a_teacher_takes_attendance_on_a_phone(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    klass = build_class(world)
    base = live_server.url
    phone = _phone(browser)
    _sign_in(phone, base, "teacher")
    phone.goto(f"{base}/school/classes/")
    _checked(phone)
    phone.get_by_role("link", name="Take attendance").click()
    expect(phone.get_by_role("group", name="김일월")).to_be_visible()
    _checked(phone)
    # one tap on the learner's "Absent"; everyone else stays present
    phone.get_by_role("group", name="김일월").get_by_text("Absent").tap()
    expect(
        phone.get_by_role("group", name="김일월").get_by_role("radio", name="Absent")
    ).to_be_checked()
    phone.get_by_role("button", name="Save attendance").click()
    expect(phone.get_by_text("Attendance saved.")).to_be_visible()
    _checked(phone)
    marks = {m.enrolment.learner_id: m.status for m in AttendanceMark.objects.all()}
    assert marks == {klass["jan1"].pk: "absent", klass["feb29"].pk: "present"}


def test_a_guardian_reports_an_absence_on_a_phone(
    browser: Browser, live_server: Any, world: dict[str, Any], tmp_path: Any
) -> None:
    klass = build_class(world)
    citizen_client(world["first"], "first")
    base = live_server.url
    photo = tmp_path / "doctor-note.png"
    photo.write_bytes(png_bytes())
    phone = _phone(browser)
    _sign_in(phone, base, "first")
    phone.goto(f"{base}/me/schools/{klass['jan1'].public_id}/school-work/")
    expect(phone.get_by_role("heading", name="Attendance this school year")).to_be_visible()
    _checked(phone)
    phone.get_by_role("link", name="Report an absence").click()
    _checked(phone)
    phone.get_by_label("First day").fill("2026-11-10")
    phone.get_by_label("Illness").check()
    phone.get_by_label("Evidence: a photo or a PDF").set_input_files(str(photo))
    phone.get_by_role("button", name="Send the report").click()
    expect(phone.get_by_text("The absence report was sent to the class teacher.")).to_be_visible()
    _checked(phone)
    report = AbsenceReport.objects.get()
    assert report.evidence_type == "image/png"
    # the teacher sees it
    teacher = _phone(browser)
    _sign_in(teacher, base, "teacher")
    teacher.goto(f"{base}/school/absences/")
    teacher.get_by_role("link", name="김일월").click()
    expect(teacher.get_by_text("Waiting for the teacher")).to_be_visible()
    _checked(teacher)

"""Click through the Saemaul pages: a village leader records an assembly and submits a project
with a photo from the site, the eup/myeon officer checks it, the county approves it, and the
county's dashboard counts change. axe-core checks every page on the way."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gov3.accounts.models import User
from gov3.saemaul.models import EvidencePhoto, Project, ProjectStatus, Village
from gov3.saemaul.services import do_prepare_report, do_record_evaluation, do_submit_report
from tests.conftest import PASSWORD, current_totp
from tests.e2e.conftest import assert_accessible, assert_fits_the_screen
from tests.saemaul.conftest import (  # noqa: F401 - fixtures are used by name
    ACTOR,
    SITE,
    _media_root,
    county,
    days_ago,
    model_round,
    programme,
    village,
)
from tests.saemaul.test_pages import jpeg, other_village_fixture, people_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _leader_signs_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _officer_signs_in(page: Page, base: str, officer: tuple[User, Any]) -> None:
    user, device = officer
    page.goto(f"{base}/officer/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Saemaul Undong")).to_be_visible()


def _dashboard_approved(page: Page, base: str) -> str:
    page.goto(f"{base}/saemaul/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    return page.locator("#dash-approved").inner_text()


def test_a_project_goes_from_the_village_to_the_county(
    *,
    page: Page,
    browser: Browser,
    browser_context_args: dict[str, Any],
    live_server: Any,
    village: Village,  # noqa: F811 - the fixture imported above
    people: dict[str, tuple[User, Any]],
    tmp_path: Path,
) -> None:
    base = live_server.url

    # The county officer works in their own browser (a TOTP code signs in only once) and
    # looks at the dashboard before: no approved project yet.
    county_page = browser.new_context(**browser_context_args).new_page()
    _officer_signs_in(county_page, base, people["county"])
    assert _dashboard_approved(county_page, base) == "0"
    expect(county_page.get_by_role("img", name="Map of the villages by class")).to_be_visible()
    assert_accessible(county_page)

    # The village leader records the assembly.
    _leader_signs_in(page, base)
    page.get_by_role("link", name="Saemaul Undong").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(village.name_local)
    assert_accessible(page)
    page.get_by_role("link", name="Record a general assembly").click()
    assert_accessible(page)
    page.get_by_label("Villagers entitled to attend").fill("60")
    page.get_by_label("Men attending (required)", exact=True).fill("18")
    page.get_by_label("Women attending (required)", exact=True).fill("22")
    held_on = (timezone.localdate() - timedelta(days=3)).isoformat()
    page.get_by_label("Date of the assembly").fill(held_on)
    page.locator("#id_resolutions-0-title").fill("마을 안길 포장")
    page.locator("#id_resolutions-0-votes_for").fill("35")
    page.locator("#id_resolutions-0-votes_against").fill("3")
    page.get_by_role("button", name="Record the assembly").click()
    expect(page.get_by_text("The assembly was recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="Adopted")).to_be_visible()
    assert_accessible(page)

    # … drafts the project with the resolution, the site and a line of materials …
    page.get_by_role("link", name="New project").click()
    page.get_by_label("Project title").fill("마을 안길 포장")
    page.get_by_label("Category").select_option("living_environment")
    page.get_by_label("Assembly resolution").select_option(label=f"{held_on} · 1. 마을 안길 포장")
    page.get_by_label("Site latitude").fill(str(SITE[0]))
    page.get_by_label("Site longitude").fill(str(SITE[1]))
    page.get_by_label("Cash grant requested (KRW)").fill("2000000")
    page.locator("#id_lines-0-description").fill("시멘트")
    page.locator("#id_lines-0-material").select_option("cement")
    page.locator("#id_lines-0-quantity").fill("150")
    page.locator("#id_lines-0-unit").fill("포대")
    # the works themselves: a grant never exceeds the cost less the villagers' cash (issue 14)
    page.locator("#id_lines-1-description").fill("포장 공사")
    page.locator("#id_lines-1-quantity").fill("1")
    page.locator("#id_lines-1-unit").fill("식")
    page.locator("#id_lines-1-unit_price_krw").fill("2500000")
    assert_accessible(page)
    page.get_by_role("button", name="Save the project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("마을 안길 포장")
    assert_accessible(page)

    # … adds a photo taken at the site (GPS in its EXIF) …
    photo = tmp_path / "before.jpg"
    photo.write_bytes(jpeg(gps=SITE))
    page.get_by_role("link", name="Add a progress photo").click()
    assert_accessible(page)
    page.get_by_label("When was it taken?").select_option("before")
    page.get_by_label("Photo (JPEG or PNG)").set_input_files(str(photo))
    page.get_by_role("button", name="Upload the photo").click()
    expect(page.get_by_text("The photo was added; it was taken at the site.")).to_be_visible()
    expect(page.locator(".krds-badge", has_text="At the site")).to_be_visible()
    assert EvidencePhoto.objects.get().flag == ""

    # … and submits it.
    page.get_by_role("button", name="Submit to the eup/myeon office").click()
    expect(page.get_by_text("The project was submitted to the eup/myeon office.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    project = Project.objects.get()
    assert project.status == ProjectStatus.SUBMITTED

    # The eup/myeon officer checks it from the work queue.
    _officer_signs_in(page, base, people["myeon"])
    page.goto(f"{base}/saemaul/queue/")
    assert_accessible(page)
    page.get_by_role("link", name="마을 안길 포장").click()
    assert_accessible(page)
    page.get_by_label("Note (optional)").fill("현장 확인 완료")
    page.get_by_role("button", name="Mark as checked").click()
    expect(page.get_by_text("The project was checked and passed to the county.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The county approves it; the amount is locked and the dashboard counts it.
    county_page.goto(f"{base}/saemaul/queue/")
    county_page.get_by_role("link", name="마을 안길 포장").click()
    county_page.get_by_label("Cash grant approved (KRW)").fill("1800000")
    county_page.get_by_role("button", name="Approve").click()
    expect(county_page.get_by_text("Approved grant locked")).to_be_visible()
    assert_accessible(county_page)
    project.refresh_from_db()
    assert (project.status, project.approved_grant_krw) == (ProjectStatus.APPROVED, 1_800_000)
    assert _dashboard_approved(county_page, base) == "1"
    expect(county_page.locator('td[data-status="approved"]')).to_have_text("1")
    assert_accessible(county_page)
    county_page.context.close()


def test_the_officers_other_pages_are_accessible(
    *,
    page: Page,
    live_server: Any,
    village: Village,  # noqa: F811 - the fixture imported above
    people: dict[str, tuple[User, Any]],
) -> None:
    round_ = model_round()
    scores = {
        "project_completed": 40,
        "participation": 15,
        "contribution": 10,
        "leadership": 5,
        "upkeep": 5,
    }
    do_record_evaluation(ACTOR, round_, village, scores=scores, evaluated_on=days_ago(1))
    today = timezone.localdate()
    report = do_prepare_report(ACTOR, year=today.year, month=today.month, village=village)
    do_submit_report(ACTOR, report, expected_version=report.version)
    base = live_server.url
    _officer_signs_in(page, base, people["myeon"])
    for path, heading in (
        ("/saemaul/", "Saemaul Undong"),
        ("/saemaul/villages/", "Villages"),
        ("/saemaul/materials/", "Materials"),
        ("/saemaul/reports/", "Monthly reports"),
        (f"/saemaul/reports/{report.pk}/", "Report of"),
        ("/saemaul/results/", "Evaluation results and classes"),
        ("/saemaul/reference/", "Historical figures of Saemaul Undong"),
    ):
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
    page.goto(f"{base}/saemaul/reports/{report.pk}/")
    page.get_by_role("button", name="Approve and lock").click()
    expect(page.get_by_text("Approved and locked")).to_be_visible()
    assert_accessible(page)


def test_a_village_leader_can_work_on_a_phone(
    *,
    browser: Browser,
    live_server: Any,
    village: Village,  # noqa: F811 - the fixture imported above
    people: dict[str, tuple[User, Any]],
) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, bypass_csp=True, locale="en-GB", has_touch=True
    )
    try:
        page = context.new_page()
        base = live_server.url
        _leader_signs_in(page, base)
        for path in (
            "/saemaul/",
            f"/saemaul/villages/{village.code}/",
            f"/saemaul/villages/{village.code}/assemblies/new/",
            f"/saemaul/villages/{village.code}/projects/new/",
            "/saemaul/dashboard/",
            "/services/",
            "/services/child_allowance/",
        ):
            page.goto(base + path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert_fits_the_screen(page)
            assert_accessible(page)
    finally:
        context.close()

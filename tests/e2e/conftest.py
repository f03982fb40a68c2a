"""Browser tests: a real Chromium (Debian's) against the live Django server."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page; fail on any serious or critical violation, naming it."""
    # After a navigating click the new page may not be parsed yet (no <head> to add to).
    page.wait_for_load_state("domcontentloaded")
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(bad)


def assert_fits_the_screen(page: Page) -> None:
    """Nothing wider than the phone's screen: no sideways scrolling of the whole page
    (wide tables scroll inside their own labelled region instead)."""
    # A click that navigates returns once the new page is committed, maybe before it has a
    # document element (seen on a busy machine): measure the page once it is parsed.
    page.wait_for_load_state("domcontentloaded")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} is {overflow}px wider than a 375px screen"


def open_the_menu(page: Page) -> None:
    """On a phone the main menu is one row with a Menu button (KRDS's mobile pattern): open it
    before clicking a link in it. On a wide screen the links are always there."""
    button = page.locator("summary.gov3-menu-button")
    if button.is_visible() and page.locator("details.gov3-menu[open]").count() == 0:
        button.click()

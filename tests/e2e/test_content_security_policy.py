"""The Content-Security-Policy as a browser enforces it: the other browser tests open their
pages with `bypass_csp=True` (to inject axe-core), so this one opens pages without it and fails
on any violation (an inline script, an inline style attribute, an event handler attribute, a
script or font from elsewhere). Pages with gov3's own scripts are among them: KRDS's, and the
Saemaul "use my location" page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from gov3.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/login/", "/verify/", "/me/", "/me/offers/", "/me/documents/", "/identity/passkeys/"]


def test_pages_run_under_the_policy_without_violations(
    *, browser: Browser, live_server: Any, citizen: User
) -> None:
    context = browser.new_context()  # the policy enforced: no bypass_csp
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"
    )
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(citizen.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    visited = []
    for path in PAGES:
        response = page.goto(base + path)
        assert response is not None
        visited.append((path, response.status))
        assert "default-src 'self'" in (response.header_value("content-security-policy") or "")
        page.wait_for_load_state("load")
    assert all(status == 200 for _, status in visited), visited
    assert violations == []
    context.close()

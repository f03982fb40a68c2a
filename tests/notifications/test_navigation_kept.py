"""The main navigation's HTML is kept per language, account, counts and current link (issue
15, `gov3.portal.templatetags.main_nav`): what it shows must still change at once."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.notifications.models import NotificationKind
from gov3.portal.templatetags.main_nav import forget, link_names
from gov3.registry.models import Person
from tests.notifications.conftest import Notify

pytestmark = pytest.mark.django_db

BADGE = 'Notifications <span class="krds-badge bg-primary">{}<span class="sr-only"> unread'


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    forget()
    yield
    forget()


@pytest.fixture
def signed_in(client: Client, resident: User) -> Client:
    client.force_login(resident)
    return client


def test_a_new_or_read_notification_changes_the_badge_on_the_next_page(
    signed_in: Client, mother: Person, notify: Notify
) -> None:
    offers = reverse("offers:inbox")
    assert "krds-badge bg-primary" not in signed_in.get(offers).content.decode()
    first = notify(mother, NotificationKind.OFFER, "offer:1")
    assert BADGE.format(1) in signed_in.get(offers).content.decode()
    notify(mother, NotificationKind.DECISION, "case:1")
    assert BADGE.format(2) in signed_in.get(offers).content.decode()
    assert first is not None
    signed_in.post(reverse("notifications:mark_read", args=[first.public_id]))
    page = signed_in.get(offers).content.decode()
    assert BADGE.format(1) in page
    assert BADGE.format(2) not in page


def test_the_current_page_is_marked_on_each_page_and_only_there(signed_in: Client) -> None:
    offers, documents = reverse("offers:inbox"), reverse("documents:mine")
    marked = '<a href="{}" class="gov3-nav-link" aria-current="page">'
    page = signed_in.get(offers).content.decode()
    assert marked.format(offers) in page
    page = signed_in.get(documents).content.decode()
    assert marked.format(documents) in page
    assert marked.format(offers) not in page
    page = signed_in.get(reverse("notifications:preferences")).content.decode()
    assert 'aria-current="page"' not in page  # not a link of the navigation


def test_each_language_has_its_own_navigation(signed_in: Client) -> None:
    offers = reverse("offers:inbox")
    nav = '<nav class="gov3-nav" aria-label="{}">'
    assert nav.format("Main menu") in signed_in.get(offers).content.decode()
    korean = signed_in.get(offers, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert nav.format("Main menu") not in korean
    assert "나를 위한 제안" in korean


def test_the_kept_html_is_the_templates_own(signed_in: Client, resident: User) -> None:
    """What the tag serves is the template rendered for the account (no link lost): the same
    HTML as a direct rendering with the real user, for a citizen on their offers page."""
    offers = reverse("offers:inbox")
    page = signed_in.get(offers).content.decode()
    direct = get_template("includes/nav.html").render(
        {
            "user": resident,
            "request": SimpleNamespace(path=offers),
            "unread_notifications_count": 0,
            "saemaul_assigned": False,
        }
    )
    assert direct.strip() in page
    assert "offers:inbox" in link_names()
    assert "saemaul:home" in link_names()

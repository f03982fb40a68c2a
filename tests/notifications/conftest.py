"""Notification fixtures: a mother with an e-mail address, fixed moments in Seoul, and a
``notify`` that runs the commit hooks (so the e-mail really leaves) like a committed request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from gov3.accounts.models import User
from gov3.accounts.services import do_create_citizen_account
from gov3.notifications.models import Notification, NotificationKind
from gov3.notifications.services import do_notify
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD

SEOUL = ZoneInfo("Asia/Seoul")
#: A Monday morning in Seoul, well outside the default quiet hours (22:00-07:00).
DAY = datetime(2026, 3, 2, 10, 0, tzinfo=SEOUL)
#: The same Monday at 23:00: inside the quiet hours.
NIGHT = datetime(2026, 3, 2, 23, 0, tzinfo=SEOUL)
#: Tuesday 07:00, when the quiet hours end, and 08:00, when the daily digest goes.
MORNING = datetime(2026, 3, 3, 7, 0, tzinfo=SEOUL)
DIGEST_TIME = datetime(2026, 3, 3, 8, 0, tzinfo=SEOUL)
ADDRESS = "younghee@example.kr"

Notify = Callable[..., Notification | None]


def texts(title: str) -> dict[str, str]:
    """A text in the three languages, each recognisable."""
    return {"en": f"{title} (en)", "ko": f"{title} (한국어)", "vi": f"{title} (tiếng Việt)"}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Work in English unless a test says otherwise (the site's own default is Korean)."""
    with translation.override("en"):
        yield


@pytest.fixture
def resident(family: dict[str, Person]) -> User:
    """The mother's citizen account, with an e-mail address."""
    return do_create_citizen_account(
        ACTOR, person=family["mother"], username="younghee", password=PASSWORD, email=ADDRESS
    )


@pytest.fixture
def mother(family: dict[str, Person], resident: User) -> Person:
    return family["mother"]


@pytest.fixture
def notify(django_capture_on_commit_callbacks: Any) -> Notify:
    """``notify(person, kind, "key", now=…)``: do_notify with recognisable texts, its
    after-commit e-mail sent as it would be when the caller's transaction commits."""

    def run(
        person: Person,
        kind: NotificationKind = NotificationKind.OFFER,
        key: str = "offer:1",
        *,
        now: datetime = DAY,
        title: dict[str, str] | None = None,
        link: str = "/me/offers/1/",
    ) -> Notification | None:
        with django_capture_on_commit_callbacks(execute=True):
            return do_notify(
                person,
                kind,
                title=title or texts(f"Title {key}"),
                body=texts(f"Body {key}"),
                link=link,
                key=key,
                now=now,
            )

    return run

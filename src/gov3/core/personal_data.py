"""Every page and API operation declares what it shows, so that a test can walk them all.

- `access_logged("…")`: it shows people's data to an officer, an administrator or a system,
  and writes the access log ("who looked at my data") for each person shown;
- `citizens_own_data`: it shows the signed-in citizen their own data (or a child's they act
  for), which is no read by someone else;
- `no_personal_data`: it shows nobody's personal data (public pages, aggregates, village data).

`tests/core/test_personal_data_declared.py` walks the URL configuration and the API and fails
on any view without a declaration, and on any `access_logged` view without a test of its entry.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

ATTRIBUTE = "gov3_personal_data"

F = TypeVar("F", bound=Callable[..., Any])


class Shows(StrEnum):
    """What a view shows."""

    LOGGED = "logged"
    OWN = "own"
    NONE = "none"


def _declare(shows: Shows, what: str) -> Callable[[F], F]:
    def mark(view: F) -> F:
        setattr(view, ATTRIBUTE, (shows, what))
        return view

    return mark


def access_logged(what: str) -> Callable[[F], F]:
    """The view shows `what` of other people's data and writes the access log for it."""
    return _declare(Shows.LOGGED, what)


def citizens_own_data(view: F) -> F:
    """The view shows the signed-in citizen their own data (or their children's)."""
    return _declare(Shows.OWN, "")(view)


def no_personal_data(view: F) -> F:
    """The view shows no one's personal data."""
    return _declare(Shows.NONE, "")(view)


def declaration(view: Any) -> tuple[Shows, str] | None:
    """What `view` declared (through any decorators that keep `__dict__`), or None."""
    for candidate in (view, getattr(view, "view_class", None), getattr(view, "cls", None)):
        found = getattr(candidate, ATTRIBUTE, None)
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None

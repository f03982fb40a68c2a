"""The id of the request (or task) being served, for logs and audit entries.

A context variable, so that it follows the code that serves one request in a thread or an
asyncio task and never leaks into another. The web's `RequestIdMiddleware` binds it for each
request; a background task binds the id of the request that enqueued it::

    with bound_request_id(task_request_id):
        run_the_task()

Every log record then carries it (`gov3.core.log_format.RequestIdFilter`) and so does every audit
entry written meanwhile (`gov3.core.audit.record_audit`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: What an id from outside (a proxy's X-Request-ID) may look like: short, and nothing that could
#: break a log line or a header (letters, digits, "-", "_", ".", ":", "/", "+", "=").
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")
#: The longest id kept (the audit entry's column).
MAX_LENGTH = 128

_current: ContextVar[str] = ContextVar("gov3_request_id", default="")


def current_request_id() -> str:
    """The id bound in this context ("" outside any request or task)."""
    return _current.get()


def new_request_id() -> str:
    """A fresh random id (32 hex digits)."""
    return uuid.uuid4().hex


def acceptable(candidate: str | None) -> str | None:
    """`candidate` if it is a well-formed id from outside, else None (make a new one)."""
    if candidate and REQUEST_ID_PATTERN.fullmatch(candidate):
        return candidate
    return None


@contextmanager
def bound_request_id(request_id: str | None = None) -> Iterator[str]:
    """Bind `request_id` (a new one if None or empty) for the code inside the block, and
    restore the previous id after it; yields the id bound."""
    rid = (request_id or new_request_id())[:MAX_LENGTH]
    token = _current.set(rid)
    try:
        yield rid
    finally:
        _current.reset(token)

"""The one exception hierarchy of gov3: every message says what was wrong and what to do."""

from __future__ import annotations


class Gov3Error(Exception):
    """Base class for errors a user or operator is meant to read."""


class ValidationFailedError(Gov3Error):
    """Input did not pass validation; nothing was changed."""


class NotFoundError(Gov3Error):
    """The thing asked for does not exist, or the caller may not know it exists."""


class PermissionRefusedError(Gov3Error):
    """The caller may not do this."""


class StaleVersionError(Gov3Error):
    """Someone else changed the record since it was read; nothing was changed (HTTP 409)."""


class AppendOnlyError(Gov3Error):
    """Someone tried to change or delete a record that may only be appended to."""

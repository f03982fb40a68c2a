"""Structured logs: one JSON object a line on stderr (`GOV3_LOG_FORMAT=json`; server errors
always).

With `GOV3_DEBUG=0` Django would only mail server errors to ADMINS (gov3 has none); gov3 sends
them to stderr instead, where a process manager or container runtime collects them. The
request's path and method are logged, never its query string or body (they may hold id
numbers). Every record carries the id of the request or task it was written for
(`gov3.core.request_ids`), so that one request's lines, its audit entries and the tasks it
enqueued can be found together.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from gov3.core.request_ids import current_request_id


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (the current request's or task's id, "-" outside one) to each
    record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, request id, request,
    exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or current_request_id()
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = getattr(request, "method", "")
            entry["path"] = request.path
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

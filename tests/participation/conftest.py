"""What the participation API tests share: the API's address, and sending it JSON as a signed-in
browser does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.test import Client

API = "/api/v1/participation"


def send(client: Client, path: str, body: str | Mapping[str, Any]) -> Any:
    """POST ``body`` to the participation API at ``path`` with the client's CSRF token: a
    mapping is sent as JSON, a str as it is (to send malformed JSON)."""
    return client.post(
        f"{API}{path}",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers={"x-csrftoken": client.cookies["csrftoken"].value},
    )

"""System checks of the task queue: `manage.py check --deploy` warns about a production setting
that works but loses what the queue is for."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.compatibility, deploy=True)
def immediate_queue_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """`GOV3_TASK_QUEUE=immediate` runs every job inside the web request that caused it: the
    request waits for e-mail and issuance, and a failing job fails the request's reply."""
    if settings.GOV3_TASK_QUEUE != "immediate":
        return []
    return [
        Warning(
            "GOV3_TASK_QUEUE=immediate runs background jobs inside web requests.",
            hint="Use redis://HOST:PORT/DB (or sqlite:///PATH on one machine) and run "
            "`gov3 tasks worker --scheduler`; see docs/operations.md.",
            id="gov3.tasks.W001",
        )
    ]

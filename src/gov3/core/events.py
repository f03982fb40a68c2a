"""Domain events published after a write commits.

Upstream apps (the registry) publish; downstream apps (offers, cases) subscribe, so data and
imports flow one way (DESIGN.md §2).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

#: Sent after a registry life event has committed; kwargs: ``event`` (a LifeEvent).
life_event_committed = Signal()


def publish_on_commit(signal: Signal, **kwargs: Any) -> None:
    """Send ``signal`` once the current transaction commits (never if it rolls back)."""
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))

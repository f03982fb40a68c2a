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


#: Sent INSIDE the transaction that cancels a passport in the register (replaced, reported lost,
#: revoked, or any other cancellation), so that the document service revokes the passport's
#: document in the same commit: a passport cancelled in the register never verifies as valid.
#: kwargs: ``person``, ``number``, ``reason``, ``replaced_by`` ("" unless replaced).
passport_cancelled = Signal()

#: Sent INSIDE the transaction that confirms an offer, so that the case a subscriber opens
#: commits or rolls back with the confirmation; kwargs: ``offer``, ``receipt``.
offer_confirmed = Signal()

#: Sent INSIDE the transaction in which a citizen says an offer is wrong ("this is wrong"), so
#: that the objection a subscriber (`cases`) records commits or rolls back with it; kwargs:
#: ``user``, ``offer``, ``text``. The subscriber returns what it recorded (with ``public_id`` and
#: ``due_on``) and raises a `Gov3Error` to refuse, which rolls the transaction back.
offer_objected = Signal()

#: Sent after a case decision has committed; kwargs: ``case``, ``decision``.
case_decided = Signal()

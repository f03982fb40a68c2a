"""Background jobs of personnel administration: the yearly step increases, run every day at
03:20 for the steps due that day (a civil servant's year at a step may end on any day; the
run is idempotent, so a repeated or late run changes nothing twice)."""

from __future__ import annotations

from huey import crontab

from gov3.tasks.runner import job


@job("personnel.step_increases", every=crontab(hour="3", minute="20"))
def step_increases() -> None:
    """Advance the steps due today."""
    from django.utils import timezone  # noqa: PLC0415

    from gov3.personnel.steps import do_advance_steps  # noqa: PLC0415

    do_advance_steps(timezone.localdate())


@job("personnel.reorganisation_moves", every=crontab(hour="0", minute="5"))
def reorganisation_moves() -> None:
    """Move the positions of reorganisations taking effect today to their new units."""
    from django.utils import timezone  # noqa: PLC0415

    from gov3.personnel.reorganisation import do_apply_due_moves  # noqa: PLC0415

    do_apply_due_moves(timezone.localdate())

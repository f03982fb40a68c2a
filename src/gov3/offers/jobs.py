"""Background jobs of offers: notify recipients, the scheduled sweeps, expiry."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab

from gov3.offers import sweep
from gov3.offers.services import do_expire_offers, notify_offers
from gov3.tasks.runner import job

ACTOR = "system:scheduler"


@job("offers.notify")
def notify(*, offer_ids: list[int]) -> None:
    """Tell the recipients of new offers (offers already told are skipped)."""
    notify_offers(offer_ids)


def _sweep(frequency: str) -> None:
    # A sweep is resumable and writes each offer once (ADR 0005): a retry finishes the work.
    sweep.run_sweep(settings.GOV3_COUNTRY, None, frequency=frequency, notify=True)


# Sweeps run at night, one frequency after the other; a sweep may take long (lease).
_SWEEP = {"attempts": 3, "lease": timedelta(hours=3)}


@job("offers.sweep_daily", every=crontab(hour="2", minute="0"), **_SWEEP)  # type: ignore[arg-type]
def sweep_daily() -> None:
    _sweep("daily")


@job("offers.sweep_monthly", every=crontab(day="1", hour="3", minute="0"), **_SWEEP)  # type: ignore[arg-type]
def sweep_monthly() -> None:
    _sweep("monthly")


@job("offers.sweep_yearly", every=crontab(month="1", day="1", hour="4", minute="0"), **_SWEEP)  # type: ignore[arg-type]
def sweep_yearly() -> None:
    _sweep("yearly")


@job("offers.expire", every=crontab(hour="0", minute="30"))
def expire() -> None:
    """Offers unanswered past their deadline expire (rerunning expires nothing more)."""
    do_expire_offers(ACTOR, timezone.localdate())

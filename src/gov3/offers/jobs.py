"""Background jobs of offers: notify recipients, the scheduled sweeps, expiry."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab

from gov3.core.metrics import SWEEP_PEOPLE, SWEEP_PROGRESS
from gov3.offers.services import do_expire_offers, notify_offers
from gov3.tasks.runner import job

ACTOR = "system:scheduler"


@job("offers.notify")
def notify(*, offer_ids: list[int]) -> None:
    """Tell the recipients of new offers (offers already told are skipped)."""
    notify_offers(offer_ids)


def _sweep(frequency: str) -> None:
    # A sweep is resumable and writes each offer once (ADR 0005): a retry finishes the work.
    # Its SQL compiler loads when a sweep first runs, not in every process that starts.
    from gov3.offers import sweep  # noqa: PLC0415

    services = [s.id for s in sweep.swept_services(settings.GOV3_COUNTRY, frequency)]
    for service in services:
        SWEEP_PROGRESS.labels(service=service).set(0)
    selected: dict[str, int] = {}

    def progress(service: str, written: int, selected_so_far: int) -> None:
        # Services are swept one after the other: those before this one are done.
        SWEEP_PEOPLE.inc(selected_so_far - selected.get(service, 0))
        selected[service] = selected_so_far
        for done in services[: services.index(service)]:
            SWEEP_PROGRESS.labels(service=done).set(1)

    sweep.run_sweep(
        settings.GOV3_COUNTRY, None, frequency=frequency, notify=True, progress=progress
    )
    for service in services:
        SWEEP_PROGRESS.labels(service=service).set(1)


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

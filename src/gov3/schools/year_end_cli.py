"""`gov3 schools year-end SCHOOL_CODE FROM_YEAR --on DATE [--hold NUMBER...] [--dry-run]`:
year end for one school from the command line, with progress and a summary (counts and the
learner numbers held back; no names)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, OutputWrapper

from gov3.core.errors import Gov3Error
from gov3.schools.models import School
from gov3.schools.year_end import GRADUATE, HOLD, PROMOTE, do_year_end, plan_year_end

ACTOR = "system:schools-year-end"


def run_year_end(out: OutputWrapper, options: dict[str, Any]) -> None:
    code, from_year = options["school_code"], options["from_year"]
    try:
        on = date.fromisoformat(options["on"])
    except ValueError:
        raise CommandError(f"--on {options['on']!r} is not a date (YYYY-MM-DD).") from None
    school = School.objects.filter(country=settings.GOV3_COUNTRY, code=code).first()
    if school is None:
        raise CommandError(f"There is no school {code!r}.")
    held = [n.strip().upper() for n in options["hold"]]
    if options["dry_run"]:
        plan = plan_year_end(school, from_year, held)
        counts = plan.counts()
        out.write(
            f"Year end {code} {from_year} → {plan.to_year} (dry run): "
            f"{counts[PROMOTE]} to promote, {counts[GRADUATE]} to graduate, "
            f"{counts[HOLD]} held back; nothing changed."
        )
        return

    def progress(done: int, total: int) -> None:
        out.write(f"  {done}/{total} learners")

    try:
        summary = do_year_end(
            ACTOR, school, from_year=from_year, on=on, held_back=held, progress=progress
        )
    except Gov3Error as exc:
        raise CommandError(str(exc)) from None
    if not summary.changed:
        out.write(
            f"Year end {code} {from_year}: nothing to do ({summary.already_done} learners "
            f"already in {from_year + 1})."
        )
        return
    out.write(
        f"Year end {code} {from_year} → {from_year + 1}: {summary.promoted} promoted, "
        f"{summary.graduated} graduated, {summary.held_back} held back"
        + (f" ({', '.join(summary.numbers[HOLD])})" if summary.held_back else "")
        + "."
    )

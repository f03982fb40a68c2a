"""Benchmark: year end of one school in bulk (issue 20 item 4: "efficient enough for a school of
2,000 learners"; no target figure in the issue).

``year_end``
    `gov3.schools.year_end.do_year_end` as the page and `gov3 schools year-end` run it: the
    school's learners still enrolled in the closing year read, each promoted or graduated (1 % held
    back), in batches of 500 (one transaction and one audit entry a batch). Set-up (the same
    school as bench/oneroster.py: N learners over grades 1 to 6 by bulk inserts in a migrated
    SQLite database) and the reset between runs are not timed.

    .venv/bin/python bench/year_end.py                      # 2,000 learners, 5 runs
    .venv/bin/python bench/year_end.py --learners 60 --runs 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import oneroster
import ready_database

ON = date(oneroster.YEAR + 1, 3, 2)


def _run() -> tuple[float, str]:
    from gov3.schools.models import Enrolment, School  # noqa: PLC0415
    from gov3.schools.year_end import do_year_end  # noqa: PLC0415

    school = School.objects.get(code=oneroster.SCHOOL)
    numbers = list(
        Enrolment.objects.filter(school=school, school_year=oneroster.YEAR).values_list(
            "learner__number", flat=True
        )
    )
    held = numbers[::100]
    start = time.perf_counter()
    summary = do_year_end("bench", school, from_year=oneroster.YEAR, on=ON, held_back=held)
    seconds = time.perf_counter() - start
    return seconds, (
        f"{summary.promoted} promoted, {summary.graduated} graduated, "
        f"{summary.held_back} held back in {summary.batches} batches"
    )


def _reset() -> None:
    from gov3.schools.models import Enrolment  # noqa: PLC0415

    Enrolment.objects.filter(school_year=oneroster.YEAR + 1).delete()
    Enrolment.objects.filter(school_year=oneroster.YEAR).update(
        ended_on=None, end_reason="", end_note=""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        oneroster._setup_django(Path(var))
        from django.core.management import call_command  # noqa: PLC0415

        if not os.environ.get(ready_database.SQLITE):
            call_command("migrate", verbosity=0)
        oneroster._school(args.learners)
        runs = []
        for _ in range(args.runs):
            runs.append(_run())
            _reset()
    timings = [seconds for seconds, _ in runs]
    print(f"learners {args.learners}, runs {args.runs}: {runs[0][1]}")
    print(
        f"Year end of one school: median {statistics.median(timings):.3f} s (runs: "
        + ", ".join(f"{t:.3f}" for t in timings)
        + ")"
    )


if __name__ == "__main__":
    main()

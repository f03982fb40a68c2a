"""What `gov3 serve` needs besides gunicorn: the worker formula and the metric files' upkeep."""

from __future__ import annotations

import os
import re
from pathlib import Path

#: prometheus_client names its files <kind>_<pid>.db (gauges: gauge_<mode>_<pid>.db).
_METRIC_FILE = re.compile(r".*_(\d+)\.db")


def default_workers(cores: int | None = None) -> int:
    """Gunicorn's rule of thumb, 2 x cores + 1: while one worker waits on the database another
    computes. On the 2-core reference machine: 5."""
    count = cores if cores is not None else (os.cpu_count() or 1)
    return 2 * count + 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_dead_metric_files(directory: Path) -> list[Path]:
    """Remove the metric files of processes no longer running (a previous server's), keeping
    those of live ones (the task worker shares the directory); returns what was removed.

    Counters of a process that ended go with it: Prometheus treats the drop as a restart."""
    removed = []
    for path in directory.glob("*.db"):
        match = _METRIC_FILE.fullmatch(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed

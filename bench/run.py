"""Run every gov3 benchmark (`make bench`); results go to bench/RESULTS.md (by hand, except
rules_catalogue.py, which appends its own)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = ["population_load.py", "rules_catalogue.py", "identity.py", "personnel.py"]


def main() -> None:
    """Run each benchmark script in turn with this Python; stop at the first failure."""
    here = Path(__file__).resolve().parent
    for name in BENCHMARKS:
        print(f"## {name}", flush=True)
        subprocess.run([sys.executable, str(here / name), *sys.argv[1:]], check=True)


if __name__ == "__main__":
    main()

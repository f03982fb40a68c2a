"""The `gov3` command: the single entry point for every operation.

Subcommands are Django management commands, so `gov3 audit verify`, `gov3 country check PATH`,
`gov3 population generate …` and Django's own (`gov3 migrate`, `gov3 runserver`) all work.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a gov3 subcommand; `gov3 help` lists them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
    # Imported here so that DJANGO_SETTINGS_MODULE is set before Django reads it.
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["gov3", *args])


if __name__ == "__main__":
    main()

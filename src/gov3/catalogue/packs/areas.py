"""areas.csv: the administrative areas, each row checked and the hierarchy checked against the
pack's area levels.
"""

from __future__ import annotations

import csv
from pathlib import Path

from gov3.catalogue.packs.contents import AreaRow, PackProblem

AREA_COLUMNS = ("code", "parent_code", "level", "name_local", "name_en")


def _read_areas(
    path: Path, levels: tuple[str, ...] | None, problems: list[PackProblem]
) -> list[AreaRow]:
    file = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        problems.append(PackProblem(file, None, f"cannot read the file: {exc}"))
        return []
    rows: list[AreaRow] = []
    header_seen = False
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = next(csv.reader([line]))
        if not header_seen:
            header_seen = True
            if tuple(c.strip() for c in cells) != AREA_COLUMNS:
                problems.append(
                    PackProblem(file, number, f"the header must be {','.join(AREA_COLUMNS)}")
                )
                return []
            continue
        if len(cells) != len(AREA_COLUMNS):
            problems.append(
                PackProblem(file, number, f"expected {len(AREA_COLUMNS)} columns, got {len(cells)}")
            )
            continue
        code, parent, level, name_local, name_en = (c.strip() for c in cells)
        row_ok = True
        if not code or len(code) > 20:
            problems.append(PackProblem(file, number, "code must be 1 to 20 characters"))
            row_ok = False
        if levels is not None and level not in levels:
            problems.append(
                PackProblem(
                    file, number, f"unknown level {level!r}; this pack uses {', '.join(levels)}"
                )
            )
            row_ok = False
        if not name_local or not name_en:
            problems.append(PackProblem(file, number, "name_local and name_en must not be empty"))
            row_ok = False
        if row_ok:
            rows.append(AreaRow(code, parent or None, level, name_local, name_en, number))
    if not header_seen:
        problems.append(PackProblem(file, 1, "the file has no header and no areas"))
    if levels is not None:
        _check_hierarchy(file, rows, levels, problems)
    return rows


def _check_hierarchy(
    file: str, rows: list[AreaRow], levels: tuple[str, ...], problems: list[PackProblem]
) -> None:
    by_code: dict[str, AreaRow] = {}
    for row in rows:
        if row.code in by_code:
            problems.append(
                PackProblem(
                    file,
                    row.line,
                    f"duplicate code {row.code!r} (first on line {by_code[row.code].line})",
                )
            )
        else:
            by_code[row.code] = row
    for row in rows:
        depth = levels.index(row.level)
        if depth == 0:
            if row.parent_code is not None:
                problems.append(
                    PackProblem(file, row.line, f"a {row.level} has no parent area; remove it")
                )
            continue
        expected = levels[depth - 1]
        parent = by_code.get(row.parent_code or "")
        if row.parent_code is None:
            problems.append(PackProblem(file, row.line, f"a {row.level} needs a parent {expected}"))
        elif parent is None:
            problems.append(
                PackProblem(file, row.line, f"parent {row.parent_code!r} is not in the file")
            )
        elif parent.level != expected:
            problems.append(
                PackProblem(
                    file,
                    row.line,
                    f"parent {parent.code!r} is a {parent.level}; a {row.level}'s parent "
                    f"must be a {expected}",
                )
            )
    if not any(r.level == levels[0] for r in rows) and rows:
        problems.append(PackProblem(file, None, f"there is no area of level {levels[0]}"))
    # Every area above the lowest level should have something under it, or no address can be
    # placed there; the generator spreads households over the lowest level only.
    children = {r.parent_code for r in rows}
    for row in rows:
        if row.level != levels[-1] and row.level != levels[0] and row.code not in children:
            problems.append(
                PackProblem(file, row.line, f"{row.level} {row.code!r} has no {levels[-1]}s")
            )

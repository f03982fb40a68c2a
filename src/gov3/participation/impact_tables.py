"""The impact of a draft as published: every table's cells suppressed so that no count from
1 to threshold-1 is shown and none can be worked out from what is shown
(`gov3.opendata.core.suppression`). The result is plain JSON, stored with the consultation."""

from __future__ import annotations

from typing import Any

from gov3.opendata.core.suppression import suppress_counts, suppress_sums
from gov3.participation.core.impact import DIMENSIONS, Impact

#: The counts of each table (each column protected on its own; no column is the sum of
#: others, so no cross-column protection is needed).
TABLE_COUNTS = ("subjects", "start", "stop", "gain", "lose")


def published_impact(impact: Impact, threshold: int) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    totals: dict[str, int | None] = {}
    for dimension in DIMENSIONS:
        cells = impact.by[dimension]
        keys = list(cells)
        rows: dict[str, dict[str, int | None]] = {key: {} for key in keys}
        total_row: dict[str, int | None] = {}
        for measure in TABLE_COUNTS:
            published = suppress_counts({k: getattr(cells[k], measure) for k in keys}, threshold)
            for key in keys:
                rows[key][measure] = published.cells[key]
            total_row[measure] = published.total
        money = suppress_sums(
            {k: cells[k].cost_change for k in keys}, {k: cells[k].changed for k in keys}, threshold
        )
        for key in keys:
            rows[key]["cost_change"] = money.cells[key]
        total_row["cost_change"] = money.total
        tables[dimension] = {
            "rows": [{"key": key, **rows[key]} for key in keys],
            "total": total_row,
        }
        totals = total_row
    raw = impact.total

    def shown(value: int) -> int | None:
        return value if value == 0 or value >= threshold else None

    eligible_now = shown(raw.eligible_now)
    both_shown = totals.get("start") is not None and totals.get("stop") is not None
    return {
        "threshold": threshold,
        "total": {
            "subjects": totals.get("subjects"),
            "eligible_now": eligible_now,
            "eligible_draft": shown(raw.eligible_draft) if both_shown else None,
            "start": totals.get("start"),
            "stop": totals.get("stop"),
            "gain": totals.get("gain"),
            "lose": totals.get("lose"),
            "cost_now": raw.cost_now if eligible_now is not None else None,
            "cost_draft": raw.cost_draft if totals.get("cost_change") is not None else None,
            "cost_change": totals.get("cost_change"),
        },
        "tables": tables,
    }

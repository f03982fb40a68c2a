"""The take-up chart of the officer dashboard: per service, offered → confirmed → approved."""

from __future__ import annotations

from django.utils.translation import gettext

from gov3.cases.takeup import TakeUpRow
from gov3.core.charts import HBarChart, count_text, hbar_chart


def take_up_chart(rows: list[tuple[str, TakeUpRow]]) -> HBarChart:
    """One group per service (its name, its rows summed over areas), scaled to its own
    largest number."""
    groups = []
    for name, row in rows:
        bars = [
            ("eligible", gettext("Eligible"), row.eligible),
            ("offered", gettext("Offered"), row.offered),
            ("confirmed", gettext("Confirmed"), row.confirmed),
            ("approved", gettext("Approved"), row.approved),
        ]
        groups.append((name, [(key, label, n, count_text(n)) for key, label, n in bars]))
    return hbar_chart(groups)

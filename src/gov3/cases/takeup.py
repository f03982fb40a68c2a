"""Take-up statistics per service and first-level area: eligible, offered, confirmed, declined,
approved, paid. No personal data; small counts are suppressed in what is published.

"Eligible" is the rules applied today to the whole register, in one SQL query inside the
database (the same compiled rules as `gov3 rules evaluate`); the other counts come from offers,
cases and payment instructions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connections
from django.db.models import Count

from gov3.cases.models import Case, CaseStatus, PaymentInstruction, PaymentStatus
from gov3.catalogue.installed import rules_pack
from gov3.offers.models import Offer, OfferStatus
from gov3.offers.proposals import proactive
from gov3.registry.facts_sql import BACKENDS, facts_query
from gov3.rules.sql import expression_sql

MEASURES = ("eligible", "offered", "confirmed", "declined", "approved", "paid")


@dataclass(frozen=True)
class TakeUpRow:
    """One service in one area."""

    service: str
    province: str
    eligible: int
    offered: int
    confirmed: int
    declined: int
    approved: int
    paid: int

    def rate(self) -> float | None:
        """Confirmed among offered."""
        return self.confirmed / self.offered if self.offered else None


def _eligible(country: str, day: date, using: str) -> dict[tuple[str, str], int]:
    pack = rules_pack(country)
    services = sorted((s for s in pack.services.values() if proactive(s)), key=lambda s: s.id)
    if not services:
        return {}
    connection = connections[using]
    backend = BACKENDS[connection.vendor]
    columns = []
    for number, service in enumerate(services):
        condition = expression_sql(service.eligible, backend, pack.params_on(service, day), day)
        columns.append(f"{condition} AS e{number}")
    sums = ", ".join(
        f"SUM(CASE WHEN e{number} THEN 1 ELSE 0 END)" for number in range(len(services))
    )
    # The conditions are compiled by SQLGlot from the checked rules; no outside input.
    sql = (
        f"SELECT province, {sums} FROM (SELECT facts.province AS province, "  # noqa: S608
        f"{', '.join(columns)} FROM {facts_query(connection.vendor)} AS facts) e "
        "GROUP BY province"
    )
    counts: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for row in cursor.fetchall():
            for number, service in enumerate(services):
                counts[(service.id, row[0] or "")] = int(row[number + 1] or 0)
    return counts


def take_up(country: str, day: date, using: str = "default") -> list[TakeUpRow]:
    """Every (service, area) with anyone eligible or any offer."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for key, value in _eligible(country, day, using).items():
        counts[key]["eligible"] = value
    offers = (
        Offer.objects.using(using).filter(country=country).exclude(status=OfferStatus.SUPERSEDED)
    )
    for row in offers.values("service_id", "province", "status").annotate(n=Count("id")):
        key = (row["service_id"], row["province"])
        counts[key]["offered"] += row["n"]
        if row["status"] == OfferStatus.CONFIRMED:
            counts[key]["confirmed"] += row["n"]
        elif row["status"] == OfferStatus.DECLINED:
            counts[key]["declined"] += row["n"]
    cases = Case.objects.using(using).filter(country=country, status=CaseStatus.APPROVED)
    for row in cases.values("service_id", "province").annotate(n=Count("id")):
        counts[(row["service_id"], row["province"])]["approved"] += row["n"]
    paid = PaymentInstruction.objects.using(using).filter(
        case__country=country, status__in=[PaymentStatus.INSTRUCTED, PaymentStatus.PAID]
    )
    for row in paid.values("case__service_id", "case__province").annotate(
        n=Count("case_id", distinct=True)
    ):
        counts[(row["case__service_id"], row["case__province"])]["paid"] += row["n"]
    return [
        TakeUpRow(service, province, **values)
        for (service, province), values in sorted(counts.items())
        if any(values.values())
    ]


def suppression_threshold() -> int:
    """Counts below this are not published (`GOV3_OPEN_DATA_MIN_CELL`, default 5)."""
    return int(settings.GOV3_OPEN_DATA_MIN_CELL)


def published(rows: list[TakeUpRow]) -> list[dict[str, object]]:
    """The rows as open data: a count below the threshold (but above 0) becomes None."""
    threshold = suppression_threshold()
    out = []
    for row in rows:
        item: dict[str, object] = {"service": row.service, "area": row.province}
        for measure in MEASURES:
            value = getattr(row, measure)
            item[measure] = None if 0 < value < threshold else value
        out.append(item)
    return out


def totals_by_service(rows: list[TakeUpRow]) -> list[TakeUpRow]:
    """The rows summed over areas, one per service (for the dashboard chart)."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for row in rows:
        for measure in MEASURES:
            sums[row.service][measure] += getattr(row, measure)
    return [TakeUpRow(service, "", **values) for service, values in sorted(sums.items())]

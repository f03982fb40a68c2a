"""The participation dashboards: petitions by agency (on-time rate, median days to answer,
satisfaction), information-disclosure decisions, and participation in consultations, each
as a chart with the table behind it.

The public page shows the figures of the open data (`gov3.opendata.datasets`), suppressed
the same way: what a reader sees there is what they can download. An agency's own officers
see their agency's figures as counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext, pgettext

from gov3.accounts.models import Agency
from gov3.opendata.core.suppression import suppress_counts
from gov3.opendata.datasets import (
    DISCLOSURE_OUTCOMES,
    consultation_participation_rows,
    disclosure_counts,
    petition_rows,
    protect,
    threshold,
)
from gov3.participation.charts import SvgChart, bar_chart, count_text, grouped_bar_chart
from gov3.participation.models import ConsultationStatus, DisclosureDecision, Stance

#: Consultations drawn in the participation chart (the table lists more).
CHART_CONSULTATIONS = 8


def agency_names(codes: list[str], language: str) -> dict[str, str]:
    """Each agency's name in the page's language (Korean, else English)."""
    names = {}
    for agency in Agency.objects.filter(code__in=codes):
        names[agency.code] = agency.name_local if language == "ko" else agency.name_en
    return {code: names.get(code) or code for code in codes}


def outcome_labels() -> dict[str, str]:
    return {
        "disclosed": str(DisclosureDecision.DISCLOSE.label),
        "partial": str(DisclosureDecision.PARTIAL.label),
        "refused": str(DisclosureDecision.REFUSE.label),
        "deemed_refused": gettext("Deemed refused"),
        "pending": gettext("Waiting for a decision"),
    }


@dataclass(frozen=True)
class AgencyPetitions:
    """One agency's petition figures as published (None: suppressed or too few)."""

    agency: str
    filed: int | None
    answered: int | None
    on_time: float | None  # percent of the answered
    overdue: int | None
    median_days: float | None
    satisfaction: float | None


def petition_figures(country: str, day: date, language: str) -> dict[str, Any]:
    rows = petition_rows(country, day, by_category=False)
    names = agency_names([row["agency"] for row in rows], language)
    agencies = []
    for row in rows:
        answered, on_time = row["answered"], row["on_time"]
        rate = (
            100 * on_time / answered
            if answered is not None and on_time is not None and answered >= threshold()
            else None
        )
        agencies.append(
            AgencyPetitions(
                names[row["agency"]],
                row["filed"],
                answered,
                rate,
                row["overdue"],
                row["median_days"],
                row["satisfaction"],
            )
        )
    chart = bar_chart(
        [(str(n), a.agency, a.filed or 0, count_text(a.filed)) for n, a in enumerate(agencies)]
    )
    return {"agencies": agencies, "chart": chart}


def disclosure_figures(
    country: str, day: date, language: str, *, agency: Agency | None = None
) -> dict[str, Any]:
    """Outcomes of information-disclosure requests: totals (chart) and per agency (table).
    Published figures are suppressed; an agency's own (``agency``) are as counted."""
    raw = disclosure_counts(country, day, agency_id=agency.pk if agency else None)
    columns = ("requests", *DISCLOSURE_OUTCOMES)
    if agency is None:
        totals = {
            column: suppress_counts({n: r[column] for n, r in enumerate(raw)}, threshold()).total
            for column in columns
        }
        rows = protect([dict(r) for r in raw], columns)
    else:
        totals = {column: sum(r[column] for r in raw) for column in columns}
        rows = raw
    names = agency_names([r["agency"] for r in rows], language)
    labels = outcome_labels()
    chart = bar_chart(
        [
            (key, labels[key], totals[key] or 0, count_text(totals[key]))
            for key in DISCLOSURE_OUTCOMES
        ]
    )
    return {
        "labels": [labels[key] for key in DISCLOSURE_OUTCOMES],
        "rows": [{"agency": names[r["agency"]], "cells": [r[c] for c in columns]} for r in rows],
        "totals": [totals[c] for c in columns],
        "chart": chart,
    }


def stance_labels() -> dict[str, str]:
    return {
        Stance.SUPPORT: pgettext("consultation stance", "Support"),
        Stance.OPPOSE: pgettext("consultation stance", "Oppose"),
        Stance.COMMENT: pgettext("consultation stance", "Comment only"),
    }


def consultation_figures(country: str, day: date) -> dict[str, Any]:
    rows = list(reversed(consultation_participation_rows(country, day)))  # newest first
    labels = stance_labels()
    chart: SvgChart = grouped_bar_chart(
        [
            (
                row["title"],
                [
                    (stance, labels[stance], row[stance], count_text(row[stance]))
                    for stance in Stance.values
                ],
            )
            for row in rows[:CHART_CONSULTATIONS]
        ]
    )
    return {
        "labels": [labels[stance] for stance in Stance.values],
        "rows": [
            {
                **row,
                "status_label": ConsultationStatus(row["status"]).label,
                "counts": [row[stance] for stance in Stance.values],
            }
            for row in rows[:100]
        ],
        "chart": chart,
    }

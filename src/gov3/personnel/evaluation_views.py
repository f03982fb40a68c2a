"""Performance-evaluation pages (thin): the periods of the agency, the rater's sheet (their
unit's staff and the distribution so far against the quota, as numbers, a chart and a table),
one rating by id, and the committee's calibration view (every unit, which grade is over the
limit and by how much; moving ratings; confirming). Raters see their unit only, the committee
its agency; any other id is "not found" and nothing is logged. Ratings are personal data: each
page showing them writes the access log."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods

from gov3.accounts.decorators import officer_required
from gov3.accounts.models import User
from gov3.catalogue.packs.evaluation import Breach, EvaluationRules
from gov3.core.access import log_access
from gov3.core.charts import count_text, hbar_chart
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.core.personal_data import access_logged, no_personal_data
from gov3.personnel import evaluation
from gov3.personnel.models import EvaluationKind, EvaluationPeriod, Rating, UnitLock
from gov3.personnel.services import pack_for

RATINGS_PARTS = "evaluation ratings: names, grades, ratings, bonus"


def _officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _log(officer: User, person_ids: list[int]) -> None:
    if person_ids:
        log_access(
            subject_ids=person_ids,
            actor_id=officer.pk,
            actor_label=officer.get_username(),
            actor_role=officer.role,
            agency=officer.agency.name_local if officer.agency else "",
            purpose=AccessPurpose.PERSONNEL_ADMINISTRATION,
            channel=AccessChannel.WEB,
            what=RATINGS_PARTS,
        )


def _language() -> str:
    return (get_language() or "en")[:2]


def options(rules: EvaluationRules, grade: str) -> list[tuple[str, str]]:
    """The ratings of `grade`'s track (its scale), as (code, label in the reader's language)."""
    quota = rules.quota_for(grade)
    return [(r, quota.label(r, _language())) for r in quota.ratings]


def breach_text(breach: Breach, rules: EvaluationRules | None = None) -> str:
    """A breach as the committee and the rater read it, numbers per locale."""
    names = [rules.label(r, _language()) if rules else r for r in breach.ratings]
    values = {
        "ratings": "+".join(names),
        "count": count_text(breach.count),
        "limit": count_text(breach.limit),
        "over": count_text(breach.over),
    }
    if breach.minimum:
        return (
            gettext("%(ratings)s: %(count)s given, at least %(limit)s needed: %(over)s short")
            % values
        )
    return (
        gettext("%(ratings)s: %(count)s given, at most %(limit)s allowed: %(over)s over") % values
    )


def _shown(rows: list[evaluation.Distribution], rules: EvaluationRules) -> list[dict[str, Any]]:
    """Each distribution with its chart, table rows and breaches in words, in its track's
    scale (S/A/B/C, or the SCS's five grades)."""
    shown = []
    for n, row in enumerate(rows):
        ratings = row.quota.ratings
        label = {r: row.quota.label(r, _language()) for r in ratings}
        bars = [
            (
                "status",
                gettext("%(rating)s (at most %(allowed)s)")
                % {"rating": label[r], "allowed": count_text(row.allowed[r])},
                row.counts[r],
                count_text(row.counts[r]),
            )
            for r in ratings
        ]
        shown.append(
            {
                "d": row,
                "chart": hbar_chart([("", bars)]),
                "chart_id": f"dist-{row.unit.pk if row.unit else 'committee'}-{n}",
                "title": row.unit.name_local
                if row.unit
                else gettext("Heads rated by the committee (agency-wide)"),
                "group": gettext("Senior Civil Service")
                if row.quota.name == "scs"
                else gettext("General grades"),
                "table": [(label[r], row.counts[r], row.allowed[r]) for r in ratings],
                "breaches": [breach_text(b, rules) for b in row.breaches],
            }
        )
    return shown


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def periods(request: HttpRequest) -> HttpResponse:
    """The agency's evaluation periods; an HR officer opens one here."""
    officer = _officer(request)
    unit = evaluation.rater_unit(officer)
    is_hr = officer.role == "hr_officer" and officer.agency_id is not None
    agency_id = officer.agency_id if is_hr else unit.agency_id if unit else None
    error = ""
    if request.method == "POST" and is_hr:
        try:
            year = int(request.POST.get("year", ""))
            half = int(request.POST.get("half", "0") or 0)
            reference = request.POST.get("reference_day", "")
            day = date.fromisoformat(reference)
            evaluation.do_open_period(
                officer,
                kind=request.POST.get("kind", ""),
                year=year,
                half=half,
                reference_day=day,
            )
        except ValueError:
            error = gettext("Give the year, the half (0 for a yearly period) and a reference day.")
        except (ValidationFailedError, PermissionRefusedError) as refused:
            error = str(refused)
        else:
            messages.success(request, gettext("The evaluation period is open."))
            return redirect("personnel:evaluation_periods")
    context = {
        "periods": EvaluationPeriod.objects.filter(agency_id=agency_id or 0),
        "rater_unit": unit,
        "is_hr": is_hr,
        "kinds": EvaluationKind.choices,
        "error": error,
    }
    return render(
        request,
        "personnel/evaluation_periods.html",
        context,
        status=400 if error else 200,
    )


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(RATINGS_PARTS)
def rating_sheet(request: HttpRequest, period_id: int) -> HttpResponse:
    """The rater's page: their unit's staff with a rating each, the distribution so far against
    the quota (live: every save shows it again), and the lock button."""
    officer = _officer(request)
    unit = evaluation.rater_unit(officer)
    period = EvaluationPeriod.objects.filter(
        pk=period_id, agency_id=unit.agency_id if unit else 0
    ).first()
    if unit is None or period is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "lock":
                evaluation.do_lock_unit(officer, period.pk)
                messages.success(request, gettext("Your unit's ratings are locked."))
            else:
                evaluation.do_rate(
                    officer,
                    period.pk,
                    int(request.POST.get("record", "0") or 0),
                    request.POST.get("rating", ""),
                )
                messages.success(request, gettext("The rating is saved."))
        except evaluation.QuotaExceededError as over:
            error = (
                gettext("The distribution is over the quota; it cannot be locked.")
                + " "
                + ("; ".join(breach_text(b, evaluation.rules_for(period)) for b in over.breaches))
            )
        except (ValidationFailedError, NotFoundError, ValueError) as refused:
            error = str(refused) if not isinstance(refused, ValueError) else gettext("Bad input.")
        else:
            return redirect("personnel:rating_sheet", period_id=period.pk)
    rules = evaluation.rules_for(period)
    staff = evaluation.ratees(period, unit)
    given = {r.record_id: r for r in Rating.objects.filter(period=period, unit=unit)}
    _log(officer, [a.record.person_id for a in staff])
    context = {
        "period": period,
        "unit": unit,
        "rows": [(a, given.get(a.record_id), options(rules, a.grade)) for a in staff],
        "labels": {r.record_id: rules.label(r.rating, _language()) for r in given.values()},
        "distributions": _shown(evaluation.unit_distribution(period, unit), rules),
        "locked": UnitLock.objects.filter(period=period, unit=unit).exists(),
        "rounding": rules.rounding,
        "rated_by": evaluation.rated_by_text(officer, period.reference_day),
        "error": error,
    }
    status = 400 if error else 200
    return render(request, "personnel/evaluation_sheet.html", context, status=status)


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(RATINGS_PARTS)
def rating_detail(request: HttpRequest, rating_id: int) -> HttpResponse:
    """One rating: its rater changes it while the unit is open; the committee moves it
    (calibration, with a reason). Anyone else: not found, nothing logged."""
    officer = _officer(request)
    found = (
        Rating.objects.select_related("period__agency", "unit", "record__person")
        .filter(pk=rating_id)
        .first()
    )
    if found is None:
        raise Http404
    unit = evaluation.rater_unit(officer)
    is_rater = unit is not None and unit.pk == found.unit_id
    is_committee = evaluation.is_committee_member(officer, found.period)
    if not (is_rater or is_committee):
        raise Http404
    rules = evaluation.rules_for(found.period)
    error = ""
    if request.method == "POST":
        rating = request.POST.get("rating", "")
        try:
            if is_committee:
                evaluation.do_calibrate(officer, found.pk, rating, request.POST.get("reason", ""))
            else:
                evaluation.do_rate(officer, found.period_id, found.record_id, rating)
        except evaluation.QuotaExceededError as over:
            error = "; ".join(breach_text(b, rules) for b in over.breaches)
        except (ValidationFailedError, NotFoundError) as refused:
            error = str(refused)
        else:
            messages.success(request, gettext("The rating is saved."))
            return redirect("personnel:rating_detail", rating_id=found.pk)
    _log(officer, [found.record.person_id])
    bonus = rules.bonus(found.grade, found.rating)
    context = {
        "rating": found,
        "ratings": options(rules, found.grade),
        "label": rules.label(found.rating, _language()),
        "is_committee": is_committee,
        "bonus": number_format(bonus, force_grouping=True) if bonus is not None else "",
        "currency": pack_for(found.period.agency.country).currency,
        "error": error,
    }
    return render(
        request, "personnel/evaluation_rating.html", context, status=400 if error else 200
    )


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(RATINGS_PARTS)
def calibration(request: HttpRequest, period_id: int) -> HttpResponse:
    """The committee's view of every unit: the distribution, which limit is broken and by how
    much, who is locked, each rating with its bonus; the head of HR confirms here."""
    officer = _officer(request)
    period = EvaluationPeriod.objects.select_related("agency").filter(pk=period_id).first()
    if period is None or not evaluation.is_committee_member(officer, period):
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "rate_head":
                evaluation.do_rate_head(
                    officer,
                    period.pk,
                    int(request.POST.get("record", "0") or 0),
                    request.POST.get("rating", ""),
                )
                done = gettext("The rating is saved.")
            else:
                evaluation.do_confirm_period(officer, period.pk)
                done = gettext("The evaluation period is confirmed.")
        except evaluation.QuotaExceededError as over:
            error = (
                gettext(
                    "The ratings of the heads rated by the committee are over the quota; "
                    "the period cannot be confirmed."
                )
                + " "
                + ("; ".join(breach_text(b, evaluation.rules_for(period)) for b in over.breaches))
            )
        except (ValidationFailedError, PermissionRefusedError, NotFoundError) as refused:
            error = str(refused)
        except ValueError:
            error = gettext("Bad input.")
        else:
            messages.success(request, done)
            return redirect("personnel:calibration", period_id=period.pk)
    rules = evaluation.rules_for(period)
    currency = pack_for(period.agency.country).currency
    ratings = list(
        Rating.objects.filter(period=period)
        .select_related("record__person", "unit")
        .order_by("unit__code", "record__employee_number")
    )
    committee_heads = evaluation.committee_heads(period)
    by_record = {r.record_id: r for r in ratings}
    _log(
        officer,
        [r.record.person_id for r in ratings] + [a.record.person_id for a in committee_heads],
    )
    locked = set(UnitLock.objects.filter(period=period).values_list("unit", flat=True))
    rows = []
    for r in ratings:
        bonus = rules.bonus(r.grade, r.rating)
        shown_bonus = number_format(bonus, force_grouping=True) if bonus is not None else ""
        rows.append((r, rules.label(r.rating, _language()), shown_bonus))
    context = {
        "period": period,
        "distributions": _shown(evaluation.agency_distributions(period), rules),
        "committee_distributions": _shown(evaluation.committee_distribution(period), rules),
        "locked": locked,
        "rows": rows,
        "currency": currency,
        "may_confirm": evaluation.may_confirm(officer, period),
        "committee_heads": [
            (a, by_record.get(a.record_id), options(rules, a.grade)) for a in committee_heads
        ],
        "own_record": evaluation.own_record_id(officer),
        "error": error,
    }
    return render(
        request, "personnel/evaluation_calibration.html", context, status=400 if error else 200
    )

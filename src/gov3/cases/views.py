"""Case pages. Citizens: my cases, one case (with the answer to a request for information),
apply for a service. Officers: the agency's work queue, one case with the decision form, the
take-up dashboard. Open data: take-up as JSON and CSV, no sign-in. Thin: parse, authorise,
call one command, render."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gov3.accounts.decorators import officer_required, signed_in_citizen
from gov3.accounts.models import User
from gov3.accounts.queries import person_acted_for
from gov3.cases.dashboards import take_up_chart
from gov3.cases.forms import DecisionForm, ReplyForm
from gov3.cases.models import Case
from gov3.cases.queries import (
    case_for_citizen,
    case_for_officer,
    case_to_decide,
    cases_for,
    objections_for_officer,
    queue_for_officer,
)
from gov3.cases.services import (
    do_apply,
    do_approve_case,
    do_reject_case,
    do_reply_to_case,
    do_return_case,
    may_decide,
)
from gov3.cases.takeup import (
    MEASURES,
    published,
    suppression_threshold,
    take_up,
    totals_by_service,
)
from gov3.catalogue.eligibility import check, service_names, text
from gov3.core.errors import Gov3Error, NotFoundError, PermissionRefusedError
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.core.spreadsheets import neutralise
from gov3.rules.errors import EvaluationError


def _named(cases: Any) -> list[Case]:
    named = list(cases)
    for case in named:
        case.name = text(case.service_name)
    return named


@login_required
@citizens_own_data
def my_cases(request: HttpRequest) -> HttpResponse:
    user = signed_in_citizen(request)
    return render(request, "cases/my_cases.html", {"cases": _named(cases_for(user)[:100])})


def _citizen_case(request: HttpRequest, public_id: str) -> tuple[User, Case]:
    user = signed_in_citizen(request)
    try:
        return user, case_for_citizen(user, public_id)
    except NotFoundError:
        raise Http404 from None


def _case_page(
    request: HttpRequest, case: Case, form: ReplyForm | None = None, error: str = ""
) -> HttpResponse:
    context = {
        "case": case,
        "name": text(case.service_name),
        "decisions": list(case.decisions.order_by("decided_at")),
        "payments": list(case.payments.order_by("created_at")),
        "form": form or ReplyForm(initial={"version": case.version}),
        "error": error,
    }
    return render(request, "cases/my_case.html", context, status=400 if error or form else 200)


@login_required
@citizens_own_data
def my_case(request: HttpRequest, public_id: str) -> HttpResponse:
    _, case = _citizen_case(request, public_id)
    return _case_page(request, case)


@login_required
@require_POST
@citizens_own_data
def reply(request: HttpRequest, public_id: str) -> HttpResponse:
    user, case = _citizen_case(request, public_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, form)
    try:
        do_reply_to_case(
            user,
            case,
            expected_version=form.cleaned_data["version"],
            text=form.cleaned_data["text"],
        )
    except Gov3Error as error:
        case.refresh_from_db()
        return _case_page(request, case, error=str(error))
    return redirect("cases:my_case", public_id=case.public_id)


@login_required
@citizens_own_data
def apply(request: HttpRequest, service_id: str) -> HttpResponse:
    """Apply for a service (the classic path): the rules are applied at once and explained;
    if they say yes, Apply opens a case."""
    user = signed_in_citizen(request)
    acting_for = request.GET.get("for") or request.POST.get("for")
    try:
        person = person_acted_for(user, acting_for)
    except NotFoundError:
        raise Http404 from None
    try:
        explanation, view = check(
            person, service_id, timezone.localdate(), reader_is_subject=person.pk == user.person_id
        )
    except NotFoundError:
        raise Http404 from None
    except EvaluationError:
        return render(
            request, "portal/eligibility_unavailable.html", {"service_id": service_id}, status=503
        )
    if request.method == "POST" and explanation.eligible:
        try:
            case = do_apply(user, person, service_id)
        except NotFoundError:
            raise Http404 from None
        if case is not None:
            return redirect("cases:my_case", public_id=case.public_id)
    context = {
        "explanation": explanation,
        "service": view,
        "person": person,
        "is_self": person.pk == user.person_id,
        "for": acting_for or "",
    }
    return render(request, "cases/apply.html", context)


@officer_required
@access_logged("work queue: names of applicants and subjects")
def queue(request: HttpRequest) -> HttpResponse:
    """The agency's open cases, the nearest due date first."""
    assert isinstance(request.user, User)
    cases = _named(queue_for_officer(request.user))
    objections = objections_for_officer(request.user)
    today = timezone.localdate()
    return render(
        request, "cases/queue.html", {"cases": cases, "objections": objections, "today": today}
    )


def _officer_case(request: HttpRequest, public_id: str) -> tuple[User, Case]:
    assert isinstance(request.user, User)
    try:
        return request.user, case_for_officer(request.user, public_id)
    except NotFoundError:
        raise Http404 from None


def _officer_page(
    request: HttpRequest,
    officer: User,
    case: Case,
    form: DecisionForm | None = None,
    error: str = "",
) -> HttpResponse:
    context = {
        "case": case,
        "name": text(case.service_name),
        "decisions": list(case.decisions.order_by("decided_at")),
        "payments": list(case.payments.order_by("created_at")),
        "form": form or DecisionForm(initial={"version": case.version}),
        "may_decide": may_decide(officer, case) and case.is_open,
        "error": error,
        "evidence_facts": case.evidence.get("facts", []),
        "citizen_request": _citizen_request(case),
    }
    return render(request, "cases/officer_case.html", context, status=400 if error or form else 200)


def _citizen_request(case: Case) -> tuple[str, str] | None:
    """What the citizen asked and why, for a case opened by a request (e.g. a school-entry
    deferral: `cases.services.open_request_case`), in the reader's language."""
    asked = case.evidence.get("request")
    if not isinstance(asked, dict):
        return None
    what = asked.get("what")
    return (text(what) if isinstance(what, dict) else str(asked.get("kind", ""))), str(
        asked.get("reason", "")
    )


@officer_required
@access_logged("case")
def officer_case(request: HttpRequest, public_id: str) -> HttpResponse:
    officer, case = _officer_case(request, public_id)
    return _officer_page(request, officer, case)


@officer_required
@require_POST
@access_logged("case")
def decide(request: HttpRequest, public_id: str) -> HttpResponse:
    officer = request.user
    assert isinstance(officer, User)
    try:
        case = case_to_decide(officer, public_id)
    except NotFoundError:
        raise Http404 from None
    except PermissionRefusedError as error:
        return HttpResponseForbidden(str(error))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _officer_page(request, officer, case, form)
    action, text = form.cleaned_data["action"], form.cleaned_data["text"]
    version = form.cleaned_data["version"]
    try:
        if action == DecisionForm.APPROVE:
            do_approve_case(officer, case, expected_version=version, note=text)
        elif action == DecisionForm.REJECT:
            do_reject_case(officer, case, expected_version=version, reason=text)
        else:
            do_return_case(officer, case, expected_version=version, request=text)
    except Gov3Error as error:
        case.refresh_from_db()
        return _officer_page(request, officer, case, error=str(error))
    return redirect("cases:officer_case", public_id=case.public_id)


@officer_required
@no_personal_data
def dashboard(request: HttpRequest) -> HttpResponse:
    """Take-up per service: a chart and the table behind it."""
    country = str(settings.GOV3_COUNTRY)
    rows = take_up(country, timezone.localdate())
    totals = totals_by_service(rows)
    names = dict(service_names(country))
    return render(
        request,
        "cases/dashboard.html",
        {
            "totals": [(names.get(t.service, t.service), t) for t in totals],
            "chart": take_up_chart([(names.get(t.service, t.service), t) for t in totals]),
        },
    )


@no_personal_data
def open_take_up_json(request: HttpRequest) -> JsonResponse:
    """Take-up as open data (JSON): counts per service and area, small cells suppressed."""
    country = str(settings.GOV3_COUNTRY)
    day = timezone.localdate()
    return JsonResponse(
        {
            "country": country,
            "date": day.isoformat(),
            "measures": list(MEASURES),
            "suppressed_below": suppression_threshold(),
            "note": "A count between 1 and the threshold is published as null.",
            "rows": published(take_up(country, day)),
        }
    )


@no_personal_data
def open_take_up_csv(request: HttpRequest) -> HttpResponse:
    """Take-up as open data (CSV); a suppressed count is empty."""
    country = str(settings.GOV3_COUNTRY)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["service", "area", *MEASURES])
    # Service ids and area names come from country packs: still, no cell runs as a formula.
    for row in published(take_up(country, timezone.localdate())):
        writer.writerow(
            ["" if row[k] is None else neutralise(row[k]) for k in ("service", "area", *MEASURES)]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="take-up.csv"'
    return response

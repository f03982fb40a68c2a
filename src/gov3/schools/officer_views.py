"""Officer pages of school administration: year end for a school (promotion, graduation, those
held back) and the dashboards. Thin: parse, authorise through `schools.scope` (another
school's code is 404 and nothing is logged), call one command or query, render."""

from __future__ import annotations

from django import forms
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from gov3.accounts.decorators import officer_required
from gov3.accounts.models import User
from gov3.catalogue.eligibility import language
from gov3.core.access import log_access
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.core.personal_data import access_logged, no_personal_data
from gov3.schools.dashboards import dashboard as build_dashboard
from gov3.schools.models import Enrolment, School
from gov3.schools.scope import school_agency, school_for, schools_for
from gov3.schools.year_end import YearEndPlan, do_year_end, plan_year_end


def _country() -> str:
    from django.conf import settings  # noqa: PLC0415 - read per request (tests override it)

    return str(settings.GOV3_COUNTRY)


def _officer(request: HttpRequest) -> User:
    officer = request.user
    assert isinstance(officer, User)
    return officer


class YearEndForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("The new school year starts on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    hold = forms.MultipleChoiceField(
        label=gettext_lazy("Held back (repeat the grade)"), required=False, choices=()
    )

    def __init__(self, *args: object, plan: YearEndPlan, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        numbers = [m.enrolment.learner.number for m in plan.moves]
        self.fields["hold"].choices = [(n, n) for n in numbers]  # type: ignore[attr-defined]


def _log_plan(officer: User, school: School, plan: YearEndPlan) -> None:
    log_access(
        subject_ids=[m.enrolment.learner.person_id for m in plan.moves],
        actor_id=officer.pk,
        actor_label=officer.get_username(),
        actor_role=str(officer.role),
        agency=officer.agency.code if officer.agency else "",
        purpose=AccessPurpose.CLASSROOM,
        channel=AccessChannel.WEB,
        what=f"year-end list of {school.code} {plan.from_year}: name, learner number, grade",
    )


@officer_required
@access_logged("a school's year-end list: name, learner number, grade and class")
def year_end(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The learners still enrolled in ``year`` and what year end does to each; the officer
    ticks those held back and confirms. Run again, it changes nothing."""
    officer = _officer(request)
    try:
        school = school_for(officer, _country(), code)
    except NotFoundError:
        raise Http404 from None
    plan = plan_year_end(school, year)
    form = YearEndForm(request.POST or None, plan=plan)
    summary, error, status = None, "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                summary = do_year_end(
                    f"officer:{officer.get_username()}",
                    school,
                    from_year=year,
                    on=form.cleaned_data["on"],
                    held_back=form.cleaned_data["hold"],
                )
            except ValidationFailedError as exc:
                error, status = str(exc), 400
            else:
                plan = plan_year_end(school, year)
        else:
            status = 400
    form.initial.setdefault("on", timezone.localdate())  # shown until the officer sets it
    _log_plan(officer, school, plan)
    done = Enrolment.objects.filter(school=school, school_year=year + 1).count()
    return render(
        request,
        "schools/year_end.html",
        {
            "school": school,
            "plan": plan,
            "counts": plan.counts(),
            "form": form,
            "summary": summary,
            "done": done,
            "error": error,
            "lang": language(),
        },
        status=status,
    )


@officer_required
@no_personal_data
def dashboard(request: HttpRequest) -> HttpResponse:
    """Entrants against first-grade places by school and district, and transfers in and out,
    for the officer's schools (a district office: its district; the ministry: all)."""
    officer = _officer(request)
    try:
        agency = school_agency(officer, _country())
        schools = schools_for(officer, _country())
    except NotFoundError:
        raise Http404 from None
    latest = Enrolment.objects.filter(school__in=schools).aggregate(y=Max("school_year"))["y"]
    year = latest or timezone.localdate().year
    asked = request.GET.get("year", "")
    if asked:
        if not asked.isdigit() or not 1900 <= int(asked) <= 2999:
            return render(
                request,
                "schools/dashboard.html",
                {"error": gettext("Give the school year as a number, e.g. 2027."), "board": None},
                status=400,
            )
        year = int(asked)
    board = build_dashboard(schools, year, language())
    return render(
        request,
        "schools/dashboard.html",
        {
            "board": board,
            "agency": agency,
            "year": year,
            "entrants_chart": board.entrants_chart(),
            "transfers_chart": board.transfers_chart(),
            "attendance_chart": board.attendance.chart(),
            "lang": language(),
        },
    )

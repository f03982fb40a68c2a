"""Open-position pages (issue 18 item 8): the HR officer's designation, postings, committee
and selection (/officer/personnel/open-positions/), and the public postings anyone may read
and a signed-in person may apply to (/open-positions/). Thin: the rules are in
`open_positions.py`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from gov3.accounts.decorators import officer_required
from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.forms import KrdsFormMixin
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.personnel import open_positions as op
from gov3.personnel.models import Position, PositionType
from gov3.personnel.open_position_models import OpenPosting, PostingStatus
from gov3.personnel.page_helpers import hr_officer

COMMITTEE_ROWS = 7


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class PostingForm(KrdsFormMixin, forms.Form):
    position = forms.ModelChoiceField(
        label=gettext_lazy("Open position"), queryset=Position.objects.none()
    )
    title = forms.CharField(label=gettext_lazy("Title of the posting"), max_length=200)
    duties = forms.CharField(
        label=gettext_lazy("Duties"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    requirements = forms.CharField(
        label=gettext_lazy("Requirements"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    opens_on = _date_field(gettext_lazy("Applications open on"))
    closes_on = _date_field(gettext_lazy("Applications close on"))
    contract_years = forms.IntegerField(
        label=gettext_lazy("Contract (years)"), min_value=1, max_value=10
    )

    def __init__(self, *args: Any, positions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["position"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = positions


class SelectForm(KrdsFormMixin, forms.Form):
    starts_on = _date_field(gettext_lazy("Contract starts on"))
    years = forms.IntegerField(label=gettext_lazy("Contract (years)"), min_value=1, max_value=10)


class ApplyForm(KrdsFormMixin, forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Why you apply and what you bring to the post"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def open_positions(request: HttpRequest) -> HttpResponse:
    """The agency's SCS posts and how many may be open, designation, publishing a posting."""
    officer = hr_officer(request)
    agency = officer.agency
    assert agency is not None
    try:
        rules = op.rules_for(agency.country)
    except ValidationFailedError as missing:
        return render(request, "personnel/open_positions.html", {"missing": str(missing)})
    open_posts = Position.objects.filter(unit__agency=agency, position_type=PositionType.OPEN)
    action = request.POST.get("action", "")
    form = PostingForm(request.POST if action == "publish" else None, positions=open_posts)
    error = ""
    if request.method == "POST":
        try:
            if action == "designate":
                position = op.do_designate_open_position(
                    officer, int(request.POST.get("position", "0") or 0)
                )
                messages.success(
                    request,
                    gettext("%(code)s is now an open position.") % {"code": position.code},
                )
                return redirect("personnel:open_positions")
            if action == "publish" and form.is_valid():
                data = form.cleaned_data
                posting = op.do_publish_posting(
                    officer,
                    data["position"].pk,
                    op.PostingDraft(
                        title=data["title"],
                        duties=data["duties"],
                        requirements=data["requirements"],
                        opens_on=data["opens_on"],
                        closes_on=data["closes_on"],
                        contract_years=data["contract_years"],
                    ),
                )
                messages.success(request, gettext("The posting is published."))
                return redirect("personnel:posting_admin", posting_id=posting.pk)
            error = gettext("Check the form: some answers are missing or not valid.")
        except (ValueError, NotFoundError):
            error = gettext("There is no such post in your agency.")
        except (ValidationFailedError, PermissionRefusedError) as refused:
            error = str(refused)
    context = {
        "share": op.share(agency),
        "scs_posts": op.scs_positions(agency, rules),
        "postings": OpenPosting.objects.filter(agency=agency).select_related("position"),
        "form": form,
        "error": error,
    }
    return render(request, "personnel/open_positions.html", context, status=400 if error else 200)


def _members(post: Any) -> list[op.MemberDraft]:
    chair = post.get("chair", "")
    members = []
    for n in range(COMMITTEE_ROWS):
        name = post.get(f"member-{n}-name", "").strip()
        affiliation = post.get(f"member-{n}-affiliation", "").strip()
        if name or affiliation:
            members.append(
                op.MemberDraft(
                    name=name,
                    affiliation=affiliation,
                    external=post.get(f"member-{n}-external") == "on",
                    chair=chair == str(n),
                )
            )
    return members


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged(op.APPLICATIONS_PARTS)
def posting_admin(request: HttpRequest, posting_id: int) -> HttpResponse:
    """A posting of the agency: its committee (formed here, checked) and its applications,
    from which the HR officer selects the candidate."""
    officer = hr_officer(request)
    try:
        posting = op.posting_for_hr(officer, posting_id)
    except NotFoundError:
        raise Http404 from None
    action = request.POST.get("action", "")
    select_form = SelectForm(
        request.POST if action == "select" else None,
        initial={"years": posting.contract_years},
    )
    error = ""
    if request.method == "POST":
        try:
            if action == "committee":
                op.do_form_committee(officer, posting.pk, _members(request.POST))
                messages.success(request, gettext("The selection committee is formed."))
                return redirect("personnel:posting_admin", posting_id=posting.pk)
            if action == "select" and select_form.is_valid():
                contract = op.do_select_candidate(
                    officer,
                    int(request.POST.get("application", "0") or 0),
                    starts_on=select_form.cleaned_data["starts_on"],
                    years=select_form.cleaned_data["years"],
                )
                messages.success(
                    request,
                    gettext(
                        "Order %(number)s is waiting for approval; the contract ends on %(day)s."
                    )
                    % {"number": contract.order.number, "day": contract.ends_on.isoformat()},
                )
                return redirect("personnel:posting_admin", posting_id=posting.pk)
            error = gettext("Check the form: some answers are missing or not valid.")
        except (ValueError, NotFoundError):
            error = gettext("There is no such application to this posting.")
        except (ValidationFailedError, PermissionRefusedError) as refused:
            error = str(refused)
    committee = list(posting.committee.all())
    context = {
        "posting": posting,
        "committee": committee,
        "rows": range(COMMITTEE_ROWS),
        "applications": op.applications_for_hr(officer, posting.pk),
        "contract": getattr(posting, "contract", None),
        "select_form": select_form,
        "filled": posting.status == PostingStatus.FILLED,
        "rules": op.rules_for(posting.agency.country),
        "error": error,
    }
    return render(request, "personnel/posting_admin.html", context, status=400 if error else 200)


@require_http_methods(["GET"])
@no_personal_data
def public_postings(request: HttpRequest) -> HttpResponse:
    """The open positions anyone may apply to today."""
    return render(request, "personnel/public_postings.html", {"postings": op.open_postings()})


@require_http_methods(["GET", "POST"])
@citizens_own_data
def public_posting(request: HttpRequest, posting_id: int) -> HttpResponse:
    """A posting; a signed-in person applies here (the application is theirs)."""
    try:
        posting = op.public_posting(posting_id)
    except NotFoundError:
        raise Http404 from None
    user = request.user
    form = ApplyForm(request.POST or None)
    error = ""
    applied = None
    if isinstance(user, User):
        applied = op.my_applications(user).filter(posting=posting).first()
        if request.method == "POST":
            if form.is_valid():
                try:
                    op.do_apply(user, posting.pk, form.cleaned_data["statement"])
                except (ValidationFailedError, PermissionRefusedError, NotFoundError) as refused:
                    error = str(refused)
                else:
                    messages.success(request, gettext("Your application is submitted."))
                    return redirect("personnel:public_posting", posting_id=posting.pk)
            else:
                error = gettext("Check the form: some answers are missing or not valid.")
    elif request.method == "POST":
        raise Http404
    context = {"posting": posting, "form": form, "error": error, "applied": applied}
    return render(request, "personnel/public_posting.html", context, status=400 if error else 200)

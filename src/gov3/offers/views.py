"""Citizen pages of offers: "Offers for you", one offer with why, confirm, decline, "this is
wrong". Thin: parse, authorise (a citizen sees only their offers: another id is 404), call one
command, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gov3.accounts.decorators import signed_in_citizen
from gov3.accounts.models import User
from gov3.catalogue.eligibility import language, text
from gov3.core.errors import Gov3Error, NotFoundError
from gov3.core.personal_data import citizens_own_data
from gov3.offers.agreement import agreement_text
from gov3.offers.forms import ConfirmForm, DeclineForm, ObjectionForm
from gov3.offers.models import Offer
from gov3.offers.proposals import PROPOSED_BY
from gov3.offers.queries import answered_offers_for, offer_for, open_offers_for
from gov3.offers.services import (
    confirmation_problem,
    do_confirm_offer,
    do_decline_offer,
    do_object_to_offer,
    do_view_offer,
)


def _offer(request: HttpRequest, public_id: str) -> tuple[User, Offer]:
    user = signed_in_citizen(request)
    try:
        return user, offer_for(user, public_id)
    except NotFoundError:
        raise Http404 from None


def explanation_view(offer: Offer) -> dict[str, Any] | None:
    """The stored explanation in the reader's language, dates as dates for the templates."""
    stored = offer.explanation.get(language()) or offer.explanation.get("en")
    if not stored:
        return None
    params = [
        {**p, "valid_from": date.fromisoformat(p["valid_from"])} for p in stored.get("params", [])
    ]
    return {**stored, "params": params, "day": offer.evaluated_on}


@login_required
@citizens_own_data
def inbox(request: HttpRequest) -> HttpResponse:
    """Offers for you: open offers first, then what you answered."""
    user = signed_in_citizen(request)
    waiting = list(open_offers_for(user))
    answered = answered_offers_for(user)
    for offer in (*waiting, *answered):
        offer.name = text(offer.service_name)  # type: ignore[attr-defined]
    return render(request, "offers/inbox.html", {"waiting": waiting, "answered": answered})


def proposed_view(offer: Offer) -> dict[str, Any] | None:
    """What a programme proposes with the offer beyond the rules' answer (e.g. the school a
    school-entry round assigned, and why), in the reader's language: the offer's
    ``trigger_detail["proposed"]`` holds, per language, ``rows`` of [label, value] and
    ``actions`` of {url, label}, or names in ``proposed_by`` the programme that works them out
    (`offers.proposals.PROPOSED_BY`). None when there is nothing."""
    detail = offer.trigger_detail if isinstance(offer.trigger_detail, dict) else {}
    stored = detail.get("proposed")
    renderer = PROPOSED_BY.get(str(detail.get("proposed_by", "")))
    if stored is None and renderer is not None:
        stored = renderer(offer)
    if not isinstance(stored, dict):
        return None
    found = stored.get(language()) or stored.get("en")
    return found if isinstance(found, dict) else None


#: `_page`'s "work out whether the offer can be confirmed" (the caller has not).
_UNCHECKED = object()


def _page(
    request: HttpRequest, user: User, offer: Offer, problem: Any = _UNCHECKED, **forms: Any
) -> HttpResponse:
    """The offer's page; `problem` is `confirmation_problem`'s answer if the caller already
    has it for today (it evaluates the service's rules over the household: worth not asking
    twice)."""
    name = text(offer.service_name)
    child = offer.subject.name_local if offer.for_someone_else else None
    if not offer.is_open:
        blocked = None
    elif problem is _UNCHECKED:
        blocked = confirmation_problem(user, offer)
    else:
        blocked = problem
    context = {
        "offer": offer,
        "name": name,
        "blocked": blocked,
        # Someone who no longer acts for the subject does not see their facts.
        "explanation": None if blocked else explanation_view(offer),
        "service": {"name": name},
        "person": offer.subject,
        "legal_basis": [(text(b["title"]), b["url"]) for b in offer.legal_basis],
        "agreement": agreement_text(name, child, language()),
        "confirm_form": forms.get("confirm_form")
        or ConfirmForm(initial={"version": offer.version}),
        "decline_form": forms.get("decline_form")
        or DeclineForm(initial={"version": offer.version}),
        "error": forms.get("error"),
        "case": getattr(offer, "case", None) if offer.status == "confirmed" else None,
        "proposed": None if blocked else proposed_view(offer),
    }
    return render(request, "offers/offer.html", context, status=400 if forms else 200)


@login_required
@citizens_own_data
def offer_page(request: HttpRequest, public_id: str) -> HttpResponse:
    user, offer = _offer(request, public_id)
    problem = confirmation_problem(user, offer)
    if problem is None:
        offer = do_view_offer(offer)  # changes neither the subject nor the rules: same answer
    return _page(request, user, offer, problem)


def _answer(
    request: HttpRequest,
    public_id: str,
    form_class: type[ConfirmForm | DeclineForm],
    command: Callable[[User, Offer, dict[str, Any]], object],
) -> HttpResponse:
    """Validate the answer's form, run the command; on a refusal show the offer again."""
    user, offer = _offer(request, public_id)
    form = form_class(request.POST)
    if not form.is_valid():
        key = "confirm_form" if form_class is ConfirmForm else "decline_form"
        return _page(request, user, offer, **{key: form})
    try:
        command(user, offer, form.cleaned_data)
    except Gov3Error as error:
        offer.refresh_from_db()
        return _page(request, user, offer, error=str(error))
    return redirect("offers:offer", public_id=offer.public_id)


@login_required
@require_POST
@citizens_own_data
def confirm(request: HttpRequest, public_id: str) -> HttpResponse:
    """Confirm with one action (the consent receipt and the case are made together)."""
    return _answer(
        request,
        public_id,
        ConfirmForm,
        lambda user, offer, data: do_confirm_offer(
            user, offer, expected_version=data["version"], language=language()
        ),
    )


@login_required
@require_POST
@citizens_own_data
def decline(request: HttpRequest, public_id: str) -> HttpResponse:
    """Decline, with the reason."""
    return _answer(
        request,
        public_id,
        DeclineForm,
        lambda user, offer, data: do_decline_offer(
            user, offer, expected_version=data["version"], reason=data["reason"]
        ),
    )


@login_required
@citizens_own_data
def objection(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "This is wrong": tell the agency what is wrong with the offer."""
    user, offer = _offer(request, public_id)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = do_object_to_offer(user, offer, text=form.cleaned_data["text"])
        except Gov3Error as error:
            form.add_error(None, str(error))
        else:
            return render(
                request,
                "offers/objection_sent.html",
                {"offer": offer, "objection": made, "name": text(offer.service_name)},
            )
    status = 400 if form.is_bound else 200
    return render(
        request,
        "offers/objection.html",
        {"offer": offer, "form": form, "name": text(offer.service_name)},
        status=status,
    )

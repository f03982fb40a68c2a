"""Credentials to wallets (OID4VCI 1.0): the citizen's offer page, and the endpoints a wallet
calls (metadata, token, nonce, credential). The wallet endpoints are called by apps, not
browsers: no CSRF token, no cookies, errors as OAuth JSON."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from gov3.accounts.decorators import signed_in_citizen
from gov3.core.errors import ValidationFailedError
from gov3.core.personal_data import citizens_own_data, no_personal_data
from gov3.documents.models import IssuedDocument
from gov3.identity import wallets
from gov3.identity.services import (
    OFFER_MINUTES,
    do_create_credential_offer,
    do_exchange_pre_authorized_code,
    do_issue_to_wallet,
)


def _oauth_error(refusal: wallets.WalletRequestError, status: int = 400) -> JsonResponse:
    response = JsonResponse(
        {"error": refusal.error, "error_description": refusal.description}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@citizens_own_data
@require_POST
def offer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Offer one of my documents to my wallet: a QR code / link; the code to type in is sent to
    the citizen separately (their notifications, and e-mail), never shown here."""
    citizen = signed_in_citizen(request)
    document = IssuedDocument.objects.filter(
        public_id=public_id, holder_id=citizen.person_id
    ).first()
    if document is None:
        raise Http404
    try:
        _offer, code, emailed = do_create_credential_offer(citizen, document)
    except ValidationFailedError as error:
        return render(
            request, "identity/wallet_offer.html", {"document": document, "error": str(error)}
        )
    link = wallets.offer_uri(wallets.credential_offer(document.document_type, code))
    svg = io.BytesIO()
    segno.make(link, error="m").save(svg, kind="svg", scale=3, title="QR")
    return render(
        request,
        "identity/wallet_offer.html",
        {
            "document": document,
            "link": link,
            "qr_svg": svg.getvalue().decode("utf-8"),
            "emailed": emailed,
            "tx_code_length": wallets.TX_CODE_LENGTH,
            "minutes": OFFER_MINUTES,
        },
    )


@no_personal_data
@require_GET
def credential_issuer_metadata(request: HttpRequest) -> JsonResponse:
    """The credential issuer's metadata."""
    return JsonResponse(wallets.issuer_metadata())


@no_personal_data
@require_GET
def authorization_server_metadata(request: HttpRequest) -> JsonResponse:
    """The authorization server's metadata (the pre-authorized code grant)."""
    return JsonResponse(wallets.authorization_server_metadata())


@no_personal_data
@csrf_exempt
@never_cache
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """Exchange a pre-authorized code and its transaction code for an access token."""
    if request.POST.get("grant_type") != wallets.PRE_AUTHORIZED_GRANT:
        return _oauth_error(
            wallets.WalletRequestError("unsupported_grant_type", "Only the pre-authorized code.")
        )
    try:
        access_token, seconds = do_exchange_pre_authorized_code(
            request.POST.get("pre-authorized_code", ""), request.POST.get("tx_code", "")
        )
    except wallets.WalletRequestError as refusal:
        return _oauth_error(refusal)
    response = JsonResponse(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": seconds}
    )
    response["Cache-Control"] = "no-store"
    return response


@no_personal_data
@csrf_exempt
@never_cache
@require_POST
def nonce(request: HttpRequest) -> JsonResponse:
    """A fresh c_nonce for the wallet's proof."""
    response = JsonResponse({"c_nonce": wallets.new_c_nonce()})
    response["Cache-Control"] = "no-store"
    return response


def _bearer(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() in {"bearer", "dpop"} else ""


@citizens_own_data
@csrf_exempt
@never_cache
@require_POST
def credential(request: HttpRequest) -> JsonResponse:
    """The credential, bound to the wallet's key: the citizen's own document, delivered to the
    wallet they redeemed the offer with (no one else's data is shown)."""
    try:
        body: Any = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return _oauth_error(wallets.WalletRequestError("invalid_credential_request", "Send JSON."))
    proofs = body.get("proofs") if isinstance(body.get("proofs"), dict) else {}
    jwts = proofs.get("jwt") if isinstance(proofs, dict) else None
    proof = jwts[0] if isinstance(jwts, list) and len(jwts) == 1 else None
    try:
        _offer, issued = do_issue_to_wallet(
            _bearer(request), body.get("credential_configuration_id"), proof
        )
    except wallets.WalletRequestError as refusal:
        return _oauth_error(refusal, status=401 if refusal.error == "invalid_token" else 400)
    response = JsonResponse({"credentials": [{"credential": issued}]})
    response["Cache-Control"] = "no-store"
    return response

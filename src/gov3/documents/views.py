"""Document pages. Citizens: "My documents" (certificates at once, downloads), the passport
photo and fee step of a case. Anyone, no sign-in: the verification page, the issuer's keys,
status lists and the offline bundle. Officers: find a document by number, revoke it."""

from __future__ import annotations

import io
import uuid
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from gov3.accounts.decorators import officer_required, signed_in_citizen
from gov3.accounts.models import User
from gov3.accounts.queries import children_acted_for, person_acted_for
from gov3.cases.models import Case, CaseStatus
from gov3.cases.queries import case_for_citizen
from gov3.cases.services import do_provide
from gov3.catalogue.eligibility import text
from gov3.catalogue.templatetags.money import money
from gov3.core.access import log_access
from gov3.core.errors import Gov3Error, NotFoundError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.core.personal_data import access_logged, citizens_own_data, no_personal_data
from gov3.documents import photos
from gov3.documents.core.verify import Verdict
from gov3.documents.forms import CertificateForm, NumberForm, PhotoForm, RevokeForm, VerifyForm
from gov3.documents.issuers import jwks
from gov3.documents.models import DocumentType, IssuedDocument, PassportPhoto, StatusList
from gov3.documents.queries import document_for_officer, documents_for, explain_verdict
from gov3.documents.services import (
    do_issue_certificate,
    do_revoke_document,
    may_revoke,
    normalise_number,
)
from gov3.documents.statuses import status_token
from gov3.documents.type_metadata import type_metadata
from gov3.documents.verification import (
    bundle,
    check,
    check_number,
    check_pdf,
    site_issuer_metadata,
)

#: Room for the multipart envelope around an upload.
_ENVELOPE = 64 * 1024


def _too_large(request: HttpRequest, limit: int) -> bool:
    """Refuse by the declared length before Django reads the body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit + _ENVELOPE


# --- citizens -----------------------------------------------------------------------------------


def _my_document(request: HttpRequest, public_id: uuid.UUID) -> tuple[User, IssuedDocument]:
    user = signed_in_citizen(request)
    document = IssuedDocument.objects.select_related("holder").filter(public_id=public_id).first()
    if document is None:
        raise Http404
    if document.holder_id != user.person_id and not (
        children_acted_for(user).filter(pk=document.holder_id).exists()
    ):
        raise Http404
    return user, document


def _mine_page(
    request: HttpRequest, user: User, form: CertificateForm | None = None, error: str = ""
) -> HttpResponse:
    assert user.person is not None
    context = {
        "documents": documents_for(user),
        "form": form or CertificateForm(),
        "children": list(children_acted_for(user).order_by("birth_date")),
        "person": user.person,
        "error": error,
    }
    return render(request, "documents/mine.html", context, status=400 if error else 200)


@login_required
@citizens_own_data
def mine(request: HttpRequest) -> HttpResponse:
    return _mine_page(request, signed_in_citizen(request))


@login_required
@require_POST
@citizens_own_data
def request_certificate(request: HttpRequest) -> HttpResponse:
    user = signed_in_citizen(request)
    assert user.person is not None
    form = CertificateForm(request.POST)
    if not form.is_valid():
        return _mine_page(request, user, form, error=gettext("Choose a certificate."))
    try:  # the citizen, or a child they act for (the radio buttons)
        subject = person_acted_for(user, request.POST.get("subject"))
        document = do_issue_certificate(user, subject, form.cleaned_data["document_type"])
    except NotFoundError:
        raise Http404 from None
    except Gov3Error as error:
        return _mine_page(request, user, form, error=str(error))
    return redirect("documents:detail", public_id=document.public_id)


@login_required
@citizens_own_data
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, document = _my_document(request, public_id)
    return render(
        request,
        "documents/detail.html",
        {"document": document, "verify_url": reverse("documents:verify")},
    )


_DOWNLOADS = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "credential": ("application/dc+sd-jwt", "sd-jwt"),
    "qr": ("image/svg+xml", "svg"),
}


@login_required
@citizens_own_data
def download(request: HttpRequest, public_id: uuid.UUID, form: str) -> HttpResponse:
    _, document = _my_document(request, public_id)
    if form not in _DOWNLOADS:
        raise Http404
    content_type, extension = _DOWNLOADS[form]
    body: bytes
    if form == "pdf":
        body = bytes(document.pdf)
    elif form == "png":
        if document.png is None:
            raise Http404
        body = bytes(document.png)
    elif form == "credential":
        body = document.credential.encode("ascii")
    else:
        out = io.BytesIO()
        segno.make(document.qr_payload, error="m").save(
            out, kind="svg", scale=4, title=gettext("QR code of the document")
        )
        body = out.getvalue()
    response = HttpResponse(body, content_type=content_type)
    name = f"{document.document_type}-{document.number}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _provide_page(
    request: HttpRequest, case: Case, form: PhotoForm | None = None, error: str = ""
) -> HttpResponse:
    fee = case.evidence.get("fee")
    shown = form or PhotoForm(initial={"version": case.version})
    if fee:
        amount = money(fee["amount"], case.country)
        shown.fields["pay_fee"].label = gettext("I pay the fee of %(amount)s") % {"amount": amount}
    context = {
        "case": case,
        "name": text(case.service_name),
        "person": case.subject,
        "fee": fee,
        "form": shown,
        "error": error,
        "max_mb": settings.GOV3_PHOTO_MAX_BYTES // (1024 * 1024),
    }
    status = 413 if error and form is None else 400 if error or form else 200
    return render(request, "documents/provide.html", context, status=status)


@login_required
@citizens_own_data
def provide(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The passport step: the fields from the register (read-only), the photo, the fee."""
    user = signed_in_citizen(request)
    try:
        case = case_for_citizen(user, str(public_id))
    except NotFoundError:
        raise Http404 from None
    if case.status != CaseStatus.AWAITING:
        return redirect("cases:my_case", public_id=case.public_id)
    if request.method != "POST":
        return _provide_page(request, case)
    if _too_large(request, settings.GOV3_PHOTO_MAX_BYTES):
        return _provide_page(request, case, error=photos.too_large_message())
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _provide_page(request, case, form)
    try:
        photo = photos.check(form.cleaned_data["photo"])
        do_provide(
            user,
            case,
            expected_version=form.cleaned_data["version"],
            provided={"photo": photo.sha256},
            store=lambda c: photos.store(c, photo),
        )
    except Gov3Error as error:
        case.refresh_from_db()
        return _provide_page(request, case, form, error=str(error))
    return redirect("cases:my_case", public_id=case.public_id)


@officer_required
@access_logged("passport photo")
def case_photo(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The photo of a passport case, for the officers of the case's agency."""
    officer = request.user
    assert isinstance(officer, User)
    if officer.agency_id is None:
        raise Http404
    photo = (
        PassportPhoto.objects.filter(case__public_id=public_id, case__agency_id=officer.agency_id)
        .select_related("case")
        .first()
    )
    if photo is None:
        raise Http404
    log_access(
        subject_ids=[photo.case.subject_id],
        actor_id=officer.pk,
        actor_label=officer.get_username(),
        actor_role=officer.role,
        agency=officer.agency.code if officer.agency else "",
        purpose=AccessPurpose.DOCUMENT_ISSUANCE,
        channel=AccessChannel.WEB,
        what="passport photo",
    )
    response = HttpResponse(bytes(photo.jpeg), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


# --- anyone -------------------------------------------------------------------------------------


def _verify_page(
    request: HttpRequest,
    form: VerifyForm,
    verdict: Verdict | None = None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "error": error}
    if verdict is not None:
        context["result"] = explain_verdict(verdict)
    return render(request, "documents/verify.html", context, status=status)


@csrf_protect
@no_personal_data
def verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone, no sign-in: is this document genuine, and still valid?"""
    if request.method != "POST":
        return _verify_page(request, VerifyForm())
    if _too_large(request, settings.GOV3_VERIFY_MAX_BYTES):
        return _verify_page(
            request,
            VerifyForm(),
            error=gettext("The file is too large: a gov3 document is at most %(mb)d MB.")
            % {"mb": settings.GOV3_VERIFY_MAX_BYTES // (1024 * 1024)},
            status=413,
        )
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _verify_page(request, form, status=400)
    upload = form.cleaned_data.get("document")
    if upload is not None:
        data = upload.read(settings.GOV3_VERIFY_MAX_BYTES + 1)
        if len(data) > settings.GOV3_VERIFY_MAX_BYTES:
            return _verify_page(request, form, error=gettext("The file is too large."), status=413)
        return _verify_page(request, form, check_pdf(data))
    return _verify_text(request, form, form.cleaned_data["text"].strip())


def _verify_text(request: HttpRequest, form: VerifyForm, typed: str) -> HttpResponse:
    """A confirmation number is looked up; anything else is a QR payload or a credential."""
    try:
        normalise_number(typed)
    except ValueError:
        return _verify_page(request, form, check(typed))
    verdict = check_number(typed)
    if verdict is None:
        return _verify_page(
            request,
            form,
            error=gettext("No document has this number. Check the number on the document."),
            status=404,
        )
    return _verify_page(request, form, verdict)


@require_GET
@cache_control(public=True, max_age=300)
@no_personal_data
def jwks_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(jwks())


@require_GET
@cache_control(public=True, max_age=300)
@no_personal_data
def issuer_metadata(request: HttpRequest) -> JsonResponse:
    return JsonResponse(site_issuer_metadata())


@require_GET
@cache_control(public=True, max_age=60)
@no_personal_data
def status_list(request: HttpRequest, document_type: str, number: int) -> HttpResponse:
    found = StatusList.objects.filter(document_type=document_type, number=number).first()
    if found is None:
        raise Http404
    return HttpResponse(status_token(found), content_type="application/statuslist+jwt")


@require_GET
@cache_control(public=True, max_age=86400)
@no_personal_data
def credential_type(request: HttpRequest, document_type: str) -> JsonResponse:
    """SD-JWT VC Type Metadata at the credential's `vct` URL, for wallets."""
    if document_type not in DocumentType.values:
        raise Http404
    response = JsonResponse(type_metadata(document_type), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # public data a wallet may fetch from anywhere
    return response


@require_GET
@cache_control(public=True, max_age=60)
@no_personal_data
def bundle_json(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(bundle())
    response["Content-Disposition"] = 'attachment; filename="gov3-verification-bundle.json"'
    return response


# --- officers -----------------------------------------------------------------------------------


@officer_required
@no_personal_data
def officer_find(request: HttpRequest) -> HttpResponse:
    officer = request.user
    assert isinstance(officer, User)
    form = NumberForm(request.GET or None)
    error, status = "", 200
    if form.is_valid():
        try:
            number = normalise_number(form.cleaned_data["number"])
        except ValueError:
            error = gettext("This is not a document number (16 digits with a check digit).")
            status = 400
        else:
            document = IssuedDocument.objects.filter(number=number).first()
            if document is not None and may_revoke(officer, document):
                return redirect("documents:officer_document", public_id=document.public_id)
            error = gettext("No document with this number is handled by your agency.")
            status = 404
    return render(
        request, "documents/officer_find.html", {"form": form, "error": error}, status=status
    )


def _officer_document(request: HttpRequest, public_id: uuid.UUID) -> tuple[User, IssuedDocument]:
    officer = request.user
    assert isinstance(officer, User)
    try:
        return officer, document_for_officer(officer, public_id)
    except NotFoundError:
        raise Http404 from None


@officer_required
@access_logged("document")
def officer_document(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _, document = _officer_document(request, public_id)
    return _officer_page(request, document)


def _officer_page(
    request: HttpRequest, document: IssuedDocument, form: RevokeForm | None = None, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "documents/officer_document.html",
        {
            "document": document,
            "form": form or RevokeForm(initial={"version": document.version}),
            "error": error,
            "type_label": DocumentType(document.document_type).label,
        },
        status=400 if error or form else 200,
    )


@officer_required
@require_POST
@access_logged("document")
def revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    officer, document = _officer_document(request, public_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _officer_page(request, document, form)
    try:
        do_revoke_document(
            officer,
            document,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except Gov3Error as error:
        document.refresh_from_db()
        return _officer_page(request, document, form, error=str(error))
    return redirect("documents:officer_document", public_id=document.public_id)

"""A civil servant's own certificates on /me/personnel/: issue one at once, download its
forms (signed PDF, SD-JWT VC, QR). Their own data: not access-logged."""

from __future__ import annotations

import io
import uuid

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from gov3.accounts.models import User
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.personal_data import citizens_own_data
from gov3.personnel.certificates import do_issue_own_certificate, own_certificate

_FORMS = {
    "pdf": ("application/pdf", "pdf"),
    "credential": ("application/dc+sd-jwt", "sd-jwt"),
    "qr": ("image/svg+xml", "svg"),
}


def _civil_servant(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if user.kind == "officer" and not getattr(user, "is_verified", lambda: False)():
        raise Http404
    return user


@login_required
@require_POST
@citizens_own_data
def issue(request: HttpRequest) -> HttpResponse:
    """Issue the certificate of employment or the career certificate; back to the record."""
    user = _civil_servant(request)
    try:
        document = do_issue_own_certificate(user, request.POST.get("kind", ""))
    except NotFoundError:
        raise Http404 from None
    except ValidationFailedError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            gettext("Your %(kind)s is issued: document number %(number)s.")
            % {"kind": document.get_document_type_display(), "number": document.number},
        )
    return redirect("personnel:my_record")


@login_required
@require_GET
@citizens_own_data
def download(request: HttpRequest, public_id: uuid.UUID, form: str) -> HttpResponse:
    """One form of the civil servant's own certificate; anyone else's: 404."""
    user = _civil_servant(request)
    if form not in _FORMS:
        raise Http404
    try:
        document = own_certificate(user, public_id)
    except NotFoundError:
        raise Http404 from None
    content_type, extension = _FORMS[form]
    if form == "pdf":
        body = bytes(document.pdf)
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

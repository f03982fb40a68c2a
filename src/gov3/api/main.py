"""The API object: one NinjaAPI, gov3's errors as JSON, and each feature's router mounted.

No Swagger UI: it loads its scripts from a CDN. The OpenAPI document is at
/api/v1/openapi.json.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from gov3.api.auth import session_auth, token_auth
from gov3.cases.api import router as cases_router
from gov3.core.errors import (
    Gov3Error,
    NotFoundError,
    PermissionRefusedError,
    StaleVersionError,
    ValidationFailedError,
)
from gov3.documents.api import router as documents_router
from gov3.documents.api import verify_router
from gov3.documents.core.errors import DocumentsError
from gov3.notifications.api import router as notifications_router
from gov3.offers.api import router as offers_router
from gov3.opendata.api import router as open_data_router
from gov3.participation.api import router as participation_router
from gov3.personnel.api import router as personnel_router
from gov3.saemaul.api import router as saemaul_router
from gov3.saemaul.errors import LockedError
from gov3.schools.api import router as schools_router

api = NinjaAPI(
    title="gov3 API",
    version="1",
    description="gov3 e-government platform. Either sign in on the web pages and send the CSRF "
    "token (X-CSRFToken header) with every POST, or send `Authorization: Bearer <token>` with a "
    "token made by `gov3 accounts token`.",
    urls_namespace="api_v1",
    docs_url=None,
    auth=[token_auth, session_auth],
)

#: The HTTP status of each kind of gov3 error; the first match (most specific first) wins.
ERROR_STATUS: list[tuple[type[Gov3Error], int, str]] = [
    (LockedError, 409, "locked"),
    (StaleVersionError, 409, "stale_version"),
    (NotFoundError, 404, "not_found"),
    (PermissionRefusedError, 403, "permission_refused"),
    (ValidationFailedError, 422, "invalid"),
    (Gov3Error, 400, "refused"),
]


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A request that does not match the API document: 422 in gov3's error shape, with a
    readable summary and every field that is wrong."""
    summary = "; ".join(
        f"{'.'.join(str(part) for part in error.get('loc', ())[1:]) or 'body'}: "
        f"{error.get('msg', 'invalid')}"
        for error in exc.errors
    )
    body = {
        "detail": summary or "The request is not valid.",
        "code": "invalid",
        "errors": exc.errors,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(Gov3Error)
def gov3_error(request: HttpRequest, exc: Gov3Error) -> HttpResponse:
    """A gov3 error becomes ``{"detail": message, "code": kind}``; nothing was changed."""
    for kind, status, code in ERROR_STATUS:
        if isinstance(exc, kind):
            return api.create_response(request, {"detail": str(exc), "code": code}, status=status)
    raise AssertionError  # pragma: no cover - Gov3Error is the last entry


@api.exception_handler(DocumentsError)
def documents_error(request: HttpRequest, exc: DocumentsError) -> HttpResponse:
    """The pure document core's errors answer like any gov3 refusal: 400, nothing changed."""
    return api.create_response(request, {"detail": str(exc), "code": "refused"}, status=400)


api.add_router("/saemaul/", saemaul_router)
api.add_router("/offers/", offers_router)
api.add_router("/cases/", cases_router)
api.add_router("/open-data/", open_data_router)
api.add_router("/notifications/", notifications_router)
api.add_router("/documents/", documents_router)
api.add_router("/verify/", verify_router)
api.add_router("/participation/", participation_router)
api.add_router("/schools/", schools_router)
api.add_router("/personnel/", personnel_router)

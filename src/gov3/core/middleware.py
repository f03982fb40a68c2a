"""Request ids, and refusing request bodies gov3 will not read before Django parses (and
spools) them."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from gov3.core.request_ids import acceptable, bound_request_id

#: Paths whose bodies are uploads to check, and the setting with their limit in bytes.
UPLOAD_LIMITS = {"/api/v1/verify/pdf": "GOV3_VERIFY_MAX_BYTES"}
#: C0 control characters (NUL included) and DEL: never part of a path or a query value.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: What multipart framing adds around a file (boundaries, part headers).
MULTIPART_OVERHEAD = 64 * 1024


#: The header a request id comes in (from a trusted proxy) and goes back out in.
REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Give each request an id: the trusted proxy's X-Request-ID (`GOV3_TRUSTED_PROXY`; a
    well-formed one only), else a new one. It is bound for the request (log records, audit
    entries: `gov3.core.request_ids`), kept as `request.request_id` and sent back in the
    response's X-Request-ID header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = None
        if settings.GOV3_TRUSTED_PROXY:
            offered = acceptable(request.headers.get(REQUEST_ID_HEADER))
        with bound_request_id(offered) as request_id:
            request.request_id = request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            return response


class RequestBodyMiddleware:
    """400 for control characters (NUL…) in the path or query, 413 for a body whose
    Content-Length is over `GOV3_MAX_REQUEST_BYTES` or an upload over its own limit (nothing is
    read), and 400 for a multipart body without a boundary (which Django's parser cannot
    read)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        texts = [request.path, *(v for values in request.GET.lists() for v in values[1])]
        if any(_CONTROL.search(text) for text in texts):
            return JsonResponse(
                {"detail": "Control characters are not allowed in the address.", "code": "invalid"},
                status=400,
            )
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("multipart/") and "boundary=" not in content_type:
            return JsonResponse(
                {"detail": "A multipart body needs a boundary.", "code": "invalid"}, status=400
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > settings.GOV3_MAX_REQUEST_BYTES:
            return JsonResponse(
                {
                    "detail": "The request is too large (at most "
                    f"{settings.GOV3_MAX_REQUEST_BYTES} bytes).",
                    "code": "too_large",
                },
                status=413,
            )
        setting = UPLOAD_LIMITS.get(request.path.rstrip("/"))
        if setting is not None:
            limit = int(getattr(settings, setting)) + MULTIPART_OVERHEAD
            if length > limit:
                return JsonResponse(
                    {
                        "detail": f"The file is too large (at most {getattr(settings, setting)} "
                        "bytes).",
                        "code": "too_large",
                    },
                    status=413,
                )
        return self.get_response(request)

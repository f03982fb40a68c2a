"""The newest signed checkpoint of the logs, published so that others can keep copies; the
operations endpoints: liveness, readiness and metrics (docs/operations.md)."""

from __future__ import annotations

import hmac
import json
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from gov3.core import health, metrics
from gov3.core.checkpoints import latest_checkpoint
from gov3.core.personal_data import no_personal_data


@require_GET
@cache_control(public=True, max_age=60)
@no_personal_data
def checkpoint_json(request: HttpRequest) -> HttpResponse:
    """The newest checkpoint (chain lengths and newest hashes, signed): no personal data."""
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return JsonResponse({"detail": "No checkpoint has been made yet."}, status=404)
    return JsonResponse(json.loads(checkpoint.line()))


@require_GET
@never_cache
@no_personal_data
def healthz(request: HttpRequest) -> HttpResponse:
    """200 while the process runs and answers; it touches neither the database nor the keys
    (a process manager restarts a process that stops answering this)."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
@no_personal_data
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when every readiness check passes (database, signing keys, and what other apps
    register: `gov3.core.health`), else 503 naming each failing part; a load balancer sends no
    traffic to a process that is not ready."""
    results = health.run_readiness_checks()
    failing = [r for r in results if not r.ok]
    body = {
        "status": "ready" if not failing else "not ready",
        "checks": {r.name: ("ok" if r.ok else r.problem) for r in results},
    }
    return JsonResponse(body, status=503 if failing else 200)


def metrics_allowed(request: HttpRequest) -> bool:
    """Whether `request` may read /metrics: it carries `GOV3_METRICS_TOKEN` as a bearer token,
    or comes from an address in `GOV3_METRICS_IPS`."""
    token = settings.GOV3_METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if (
        token
        and sent.startswith("Bearer ")
        and hmac.compare_digest(sent[7:].encode(), token.encode())
    ):
        return True
    return request.META.get("REMOTE_ADDR", "") in settings.GOV3_METRICS_IPS


@require_GET
@never_cache
@no_personal_data
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for the monitoring server only: 404 to anyone else (it does not say
    that it exists)."""
    if not metrics_allowed(request):
        raise Http404
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)


def server_error(request: HttpRequest) -> HttpResponse:
    """The answer to an error no view handled (Django's handler500): a page, or JSON under
    /api/, with no detail of the error. The database out of reach (restarted, failing over) is
    a 503 "try again in a minute, nothing was changed": its transaction was rolled back and the
    next request reconnects. Renders without the database, like Django's own."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        detail = (
            gettext(
                "The service is briefly unavailable. Nothing was changed; try again in a minute."
            )
            if unavailable
            else gettext("The service could not complete your request.")
        )
        code = "unavailable" if unavailable else "server_error"
        response: HttpResponse = JsonResponse({"detail": detail, "code": code}, status=status)
    else:
        page = loader.get_template("500.html").render({"unavailable": unavailable})
        response = HttpResponse(page, status=status)
    if unavailable:
        response["Retry-After"] = "60"
    return response

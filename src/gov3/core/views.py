"""The newest signed checkpoint of the logs, published so that others can keep copies."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

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

"""The OneRoster 1.2 rostering endpoints for registered classroom systems: the same data as
`gov3 schools oneroster`, as JSON or as the zipped CSV files. A client-credentials token of the
provider with the roster scope is required; a client reads only its own school's roster
(another school's, or an unknown code, is 404 and nothing is logged)."""

from __future__ import annotations

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from oauth2_provider.oauth2_backends import get_oauthlib_core

from gov3.core.errors import NotFoundError
from gov3.core.personal_data import access_logged
from gov3.schools.classroom import ROSTER_SCOPE, client_roster
from gov3.schools.oneroster import Roster


def _roster(request: HttpRequest, code: str) -> Roster | HttpResponse:
    valid, oauth = get_oauthlib_core().verify_request(request, scopes=[ROSTER_SCOPE])
    if not valid:
        response = JsonResponse(
            {"detail": "A bearer token of a classroom system with the roster scope is needed."},
            status=HTTPStatus.UNAUTHORIZED,
        )
        response["WWW-Authenticate"] = f'Bearer scope="{ROSTER_SCOPE}"'
        return response
    try:
        return client_roster(oauth.access_token.application, code)
    except NotFoundError:
        return JsonResponse(
            {"detail": "No school with this code for this client."}, status=HTTPStatus.NOT_FOUND
        )


@require_GET
@access_logged("class lists of a school (OneRoster JSON) read by its classroom system")
def roster_json(request: HttpRequest, code: str) -> HttpResponse:
    """The roster's records, file by file (orgs, users, classes, ...)."""
    roster = _roster(request, code)
    if isinstance(roster, HttpResponse):
        return roster
    return JsonResponse({"oneroster": "1.2", "manifest": dict(roster.manifest()),
                         **roster.as_dicts()})  # fmt: skip


@require_GET
@access_logged("class lists of a school (OneRoster CSV) read by its classroom system")
def roster_zip(request: HttpRequest, code: str) -> HttpResponse:
    """The OneRoster 1.2 CSV files, zipped."""
    roster = _roster(request, code)
    if isinstance(roster, HttpResponse):
        return roster
    response = HttpResponse(roster.zip_bytes(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="oneroster-{code}.zip"'
    return response

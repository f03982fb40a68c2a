"""The OneRoster 1.2 rostering endpoints for registered classroom systems: the same data as
`gov3 schools oneroster`, as JSON or as the zipped CSV files. A client-credentials token of the
provider with the roster scope is required; a client reads only its own school's roster
(another school's, or an unknown code, is 404 and nothing is logged)."""

from __future__ import annotations

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from oauth2_provider.oauth2_backends import get_oauthlib_core

from gov3.core.errors import NotFoundError
from gov3.core.models import AccessChannel
from gov3.core.personal_data import access_logged
from gov3.schools.classroom import (
    ROSTER_SCOPE,
    client_roster,
    client_school_roster,
    log_roster_read,
)
from gov3.schools.oneroster import Roster
from gov3.schools.oneroster_rest import COLLECTIONS, RestError, RestRoster, paging


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


# The OneRoster 1.2 Rostering REST binding (read): /ims/oneroster/rostering/v1p2/...


def _rest_error(error: RestError) -> JsonResponse:
    response = JsonResponse(error.payload(), status=error.status)
    if error.status == HTTPStatus.UNAUTHORIZED:
        response["WWW-Authenticate"] = f'Bearer scope="{ROSTER_SCOPE}"'
    return response


def _rest_roster(request: HttpRequest) -> tuple[RestRoster, str]:
    """The client's school's roster in the REST form, and the client's name; `RestError` 401
    without a valid token of the roster scope, 404 for a client that reads no school."""
    valid, oauth = get_oauthlib_core().verify_request(request, scopes=[ROSTER_SCOPE])
    if not valid:
        raise RestError(
            HTTPStatus.UNAUTHORIZED,
            "unauthorisedrequest",
            "A bearer token of a classroom system with the roster scope is needed.",
        )
    application = oauth.access_token.application
    try:
        roster = client_school_roster(application)
    except NotFoundError:
        raise RestError(
            HTTPStatus.NOT_FOUND, "unknownobject", "This client reads no school."
        ) from None
    modified = timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    base = request.build_absolute_uri("/")
    return RestRoster(roster, base_url=base, modified=modified), str(application.name)


@require_GET
@access_logged("class lists of a school (OneRoster REST, paged) read by its classroom system")
def rest_collection(request: HttpRequest, collection: str) -> HttpResponse:
    """A page of a collection of the client's school: ``{"users": [...]}`` with the
    X-Total-Count and Link headers; the people on the page are written to the access log."""
    try:
        at = paging(request.GET)
        rest, reader = _rest_roster(request)
    except RestError as error:
        return _rest_error(error)
    page = rest.page(collection, at)
    log_roster_read(rest.roster, page.person_ids, reader=reader, channel=AccessChannel.API)
    response = JsonResponse({collection: page.records})
    response["X-Total-Count"] = str(page.total)
    path = request.build_absolute_uri(request.path)
    response["Link"] = ", ".join(
        f'<{path}?limit={limit}&offset={offset}>; rel="{rel}"' for limit, offset, rel in page.links
    )
    return response


@require_GET
@access_logged("a record of a school's class lists (OneRoster REST) read by its classroom system")
def rest_record(request: HttpRequest, collection: str, sourced_id: str) -> HttpResponse:
    """One record of the client's school: ``{"user": {...}}``; another school's sourcedId or an
    unknown one is 404 and nothing is logged."""
    try:
        rest, reader = _rest_roster(request)
        record, people = rest.one(collection, sourced_id)
    except RestError as error:
        return _rest_error(error)
    log_roster_read(rest.roster, people, reader=reader, channel=AccessChannel.API)
    return JsonResponse({COLLECTIONS[collection][1]: record})

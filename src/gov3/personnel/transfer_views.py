"""Import and export pages (thin) for HR officers: download the agency's organisation and
records (CSV per kind, or one JSON document), upload a file to import. An upload over
`GOV3_PERSONNEL_IMPORT_MAX_BYTES` is refused unread past the limit; a file with any bad row
imports nothing and the page lists each problem with its line. Exporting staff shows the
register's id numbers: it writes the access log."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from gov3.accounts.decorators import officer_required
from gov3.accounts.models import Agency, User
from gov3.core.access import log_access
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.core.personal_data import access_logged, no_personal_data
from gov3.personnel import queries, transfer

EXPORT_PARTS = "personnel export: employee numbers, id numbers, posts, grades"


def _agency(request: HttpRequest) -> tuple[User, Agency]:
    user = request.user
    if not queries.is_hr_officer(user):
        raise Http404
    assert isinstance(user, User)
    if user.agency is None:
        raise Http404
    return user, user.agency


def max_bytes() -> int:
    return int(settings.GOV3_PERSONNEL_IMPORT_MAX_BYTES)


def log_export(officer: User, rows: list[transfer.Row], channel: AccessChannel) -> None:
    """The persons whose id numbers an export shows, in the access log."""
    ids = transfer.person_ids(rows)
    if ids:
        log_access(
            subject_ids=ids,
            actor_id=officer.pk,
            actor_label=officer.get_username(),
            actor_role=officer.role,
            agency=officer.agency.name_local if officer.agency else "",
            purpose=AccessPurpose.PERSONNEL_ADMINISTRATION,
            channel=channel,
            what=EXPORT_PARTS,
        )


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def transfer_page(request: HttpRequest) -> HttpResponse:
    """Export links and the import form; after a refused import, every problem found."""
    officer, agency = _agency(request)
    problems: list[transfer.Problem] = []
    more = 0
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        fmt = request.POST.get("format", "")
        kind = request.POST.get("kind", "")
        if upload is None:
            error = gettext("Choose a file to import.")
        elif fmt not in ("csv", "json") or (fmt == "csv" and kind not in transfer.KINDS):
            error = gettext("Choose the format, and for CSV what the file holds.")
        elif upload.size is not None and upload.size > max_bytes():
            error = gettext("The file is too large: at most %(limit)s MB.") % {
                "limit": f"{max_bytes() / 1_000_000:.1f}"
            }
        else:
            data = upload.read(max_bytes() + 1)
            if len(data) > max_bytes():
                error = gettext("The file is too large: at most %(limit)s MB.") % {
                    "limit": f"{max_bytes() / 1_000_000:.1f}"
                }
            else:
                try:
                    parsed = transfer.read(transfer.decode(data), fmt, kind)
                    result = transfer.do_import(officer.get_username(), agency, parsed)
                except transfer.ImportRefusedError as refused:
                    problems, more = refused.problems, refused.more
                    error = gettext("Nothing was imported: the file has problems.")
                else:
                    messages.success(
                        request,
                        gettext(
                            "Imported %(units)s units, %(positions)s positions and "
                            "%(staff)s personnel records."
                        )
                        % {
                            "units": result.units,
                            "positions": result.positions,
                            "staff": result.staff,
                        },
                    )
                    if result.reorganisations or result.moves:
                        messages.success(
                            request,
                            gettext(
                                "Imported %(acts)s reorganisations and %(moves)s position moves."
                            )
                            % {"acts": result.reorganisations, "moves": result.moves},
                        )
                    return redirect("personnel:transfer")
    context = {
        "agency": agency,
        "kinds": transfer.KINDS,
        "problems": problems,
        "more": more,
        "error": error,
        "limit_mb": f"{max_bytes() / 1_000_000:.1f}",
    }
    status = 400 if error else 200
    return render(request, "personnel/transfer.html", context, status=status)


@officer_required
@require_http_methods(["GET"])
@access_logged(EXPORT_PARTS)
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """`<kind>.csv` for one kind, `all.json` for the whole document."""
    officer, agency = _agency(request)
    day = timezone.localdate()
    if fmt == "json" and kind == "all":
        documents = {k: transfer.export_rows(agency, k, day) for k in transfer.KINDS}
        log_export(officer, documents["staff"], AccessChannel.EXPORT)
        body = transfer.as_json(agency, documents, day)
        response = HttpResponse(body, content_type="application/json")
    elif fmt == "csv" and kind in transfer.KINDS:
        rows = transfer.export_rows(agency, kind, day)
        log_export(officer, rows, AccessChannel.EXPORT)
        response = HttpResponse(transfer.as_csv(kind, rows), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{agency.code}-{kind}.{fmt}"'
    return response

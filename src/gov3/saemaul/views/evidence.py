"""Progress photos and their review."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gov3.core.errors import Gov3Error
from gov3.core.personal_data import no_personal_data
from gov3.saemaul.forms import PhotoForm, PhotoReviewForm
from gov3.saemaul.models import ReviewStatus
from gov3.saemaul.photos import READ_LIMIT
from gov3.saemaul.services.evidence import do_add_evidence, do_review_evidence
from gov3.saemaul.views.access import _form_page, _refused, saemaul_view
from gov3.saemaul.web_access import Jurisdiction, Step


@saemaul_view
@no_personal_data
def photo_new(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """Upload a before/during/after photo; its location is compared with the site."""
    the_project = j.project_for_step(public_id, Step.UPLOAD_PHOTO)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            photo = do_add_evidence(
                j.actor,
                the_project,
                stage=form.cleaned_data["stage"],
                data=upload.read(READ_LIMIT + 1),  # a bigger file is refused as too large
                filename=upload.name or "",
                progress_percent=form.cleaned_data["progress_percent"],
                caption=form.cleaned_data["caption"],
            )
        except Gov3Error as error:
            form.add_error("photo", str(error))
        else:
            if photo.flagged:
                messages.warning(
                    request,
                    _("The photo was kept but flagged for an officer's review: %(flag)s.")
                    % {"flag": photo.get_flag_display()},
                )
            else:
                messages.success(request, _("The photo was added; it was taken at the site."))
            return redirect("saemaul:project", public_id=the_project.public_id)
    return _form_page(
        request,
        "saemaul/photo_form.html",
        j,
        project=the_project,
        village=the_project.village,
        form=form,
    )


@saemaul_view
@no_personal_data
def photo_file(request: HttpRequest, j: Jurisdiction, public_id: str) -> FileResponse:
    """The photo itself, only for users who may see its village."""
    photo = j.photo_by_id(public_id)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@saemaul_view
@no_personal_data
def photo_review(request: HttpRequest, j: Jurisdiction, public_id: str) -> HttpResponse:
    """An officer accepts a flagged photo as evidence, or rejects it with a reason."""
    photo = j.photo_by_id(public_id)
    j.require(Step.REVIEW_PHOTO)
    form = PhotoReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to accept or reject the photo."))
    else:
        try:
            do_review_evidence(
                j.actor,
                photo,
                accepted=form.cleaned_data["decision"] == ReviewStatus.ACCEPTED,
                note=form.cleaned_data["note"],
            )
        except Gov3Error as error:
            _refused(request, error)
        else:
            messages.success(request, _("Your review of the photo was recorded."))
    return redirect("saemaul:project", public_id=photo.project.public_id)

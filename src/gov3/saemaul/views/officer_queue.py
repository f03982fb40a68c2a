"""The officers' queue: projects and photos awaiting them."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gov3.core.personal_data import no_personal_data
from gov3.saemaul.models import EvidencePhoto, PhotoFlag, Project, ReviewStatus
from gov3.saemaul.views.access import PAGE_SIZE, _context, saemaul_view
from gov3.saemaul.web_access import AWAITS, Jurisdiction, Step


def _queue(j: Jurisdiction) -> QuerySet[Project]:
    waiting = AWAITS.get(j.level)
    if waiting is None:
        return Project.objects.none()
    return (
        Project.objects.filter(village__in=j.villages(), status=waiting)
        .select_related("village")
        .order_by("submitted_at", "pk")
    )


def _flagged_photos(j: Jurisdiction) -> QuerySet[EvidencePhoto]:
    if not j.may(Step.REVIEW_PHOTO):
        return EvidencePhoto.objects.none()
    return (
        EvidencePhoto.objects.filter(
            project__village__in=j.villages(), review=ReviewStatus.UNREVIEWED
        )
        .exclude(flag=PhotoFlag.NONE)
        .select_related("project__village")
        .order_by("uploaded_at")
    )


@saemaul_view
@no_personal_data
def queue(request: HttpRequest, j: Jurisdiction) -> HttpResponse:
    """Projects waiting for the user's decision, and flagged photos to review."""
    page = Paginator(_queue(j), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "saemaul/queue.html",
        _context(j, page=page, photos=_flagged_photos(j)[:PAGE_SIZE]),
    )

"""Commands for progress photos: upload with EXIF and site-distance check, officer review."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.saemaul.geo import haversine_m
from gov3.saemaul.models import EvidencePhoto, PhotoFlag, PhotoStage, Project, ReviewStatus
from gov3.saemaul.photos import PhotoFacts, PhotoProblem, PhotoRejectedError, inspect_photo
from gov3.saemaul.services._common import audit, policy_for, refuse


def _problem_message(error: PhotoRejectedError, max_bytes: int) -> str:
    messages = {
        PhotoProblem.EMPTY: gettext("The file is empty."),
        PhotoProblem.TOO_LARGE: gettext(
            "The photo is %(size)s MB; photos may be at most %(limit)s MB. Send a smaller one."
        ),
        PhotoProblem.NOT_AN_IMAGE: gettext("The file is not a photo: send a JPEG or PNG image."),
        PhotoProblem.WRONG_FORMAT: gettext("Photos must be JPEG or PNG; this file is %(format)s."),
        PhotoProblem.TOO_MANY_PIXELS: gettext(
            "The photo is %(format)s pixels, too large to keep; send a smaller one."
        ),
        PhotoProblem.DAMAGED: gettext("The photo file is damaged or incomplete; send it again."),
    }
    size = int(error.detail) if error.problem == PhotoProblem.TOO_LARGE else 0
    return messages[error.problem] % {
        "size": f"{size / 1_000_000:.1f}",
        "limit": f"{max_bytes / 1_000_000:.1f}",
        "format": error.detail,
    }


def _flag(project: Project, facts: PhotoFacts, threshold_m: int) -> tuple[str, float | None]:
    if not facts.has_location:
        return PhotoFlag.NO_LOCATION, None
    if not project.has_location:
        return PhotoFlag.SITE_UNKNOWN, None
    distance = haversine_m(
        float(facts.latitude or 0),
        float(facts.longitude or 0),
        float(project.latitude or 0),
        float(project.longitude or 0),
    )
    return (PhotoFlag.FAR_FROM_SITE if distance > threshold_m else PhotoFlag.NONE), distance


def do_add_evidence(
    actor: str,
    project: Project,
    *,
    stage: str,
    data: bytes,
    filename: str,
    progress_percent: int = 0,
    caption: str = "",
) -> EvidencePhoto:
    """Keep a before/during/after photo of a project.

    The file must be a real JPEG or PNG within the policy's size limit. Its EXIF is kept; its GPS
    position is compared with the project's site, and a photo further away than the policy's
    distance, or without a position, is kept but flagged for an officer to review.
    """
    if stage not in PhotoStage.values:
        refuse(gettext("Say whether the photo is from before, during or after the works."))
    if not 0 <= progress_percent <= 100:
        refuse(gettext("Progress is a percentage from 0 to 100."))
    if stage == PhotoStage.BEFORE and progress_percent:
        refuse(gettext("A photo from before the works shows no progress."))
    policy = policy_for(project.village.area.country)
    try:
        facts = inspect_photo(data, max_bytes=policy.photo_max_bytes)
    except PhotoRejectedError as error:
        refuse(_problem_message(error, policy.photo_max_bytes))
    flag, distance = _flag(project, facts, policy.photo_max_distance_m)
    taken_at = (
        timezone.make_aware(facts.taken_at, timezone.get_current_timezone())
        if facts.taken_at is not None
        else None
    )
    photo = EvidencePhoto(
        project=project,
        stage=stage,
        original_name=filename[-200:],
        content_type=facts.content_type,
        size_bytes=facts.size_bytes,
        width=facts.width,
        height=facts.height,
        sha256=facts.sha256,
        exif=facts.exif,
        taken_at=taken_at,
        latitude=facts.latitude,
        longitude=facts.longitude,
        distance_m=distance,
        threshold_m=policy.photo_max_distance_m,
        flag=flag,
        progress_percent=progress_percent,
        caption=caption.strip()[:300],
        uploaded_at=timezone.now(),
        uploaded_by=actor,
    )
    suffix = ".png" if facts.format == "PNG" else ".jpg"
    photo.file.save(f"photo{suffix}", ContentFile(data), save=False)
    try:
        with transaction.atomic(durable=True):
            photo.save()
            audit(
                actor,
                "add_evidence",
                project,
                photo=str(photo.public_id),
                stage=stage,
                flag=flag,
                distance_m=round(distance) if distance is not None else None,
                sha256=facts.sha256,
            )
    except BaseException:
        photo.file.delete(save=False)  # the row was not written: do not keep an orphan file
        raise
    return photo


def do_review_evidence(
    actor: str, photo: EvidencePhoto, *, accepted: bool, note: str = ""
) -> EvidencePhoto:
    """An officer accepts or rejects a photo (a flagged photo counts once accepted)."""
    if not accepted and not note.strip():
        refuse(gettext("Say why the photo is rejected."))
    status = ReviewStatus.ACCEPTED if accepted else ReviewStatus.REJECTED
    with transaction.atomic(durable=True):
        EvidencePhoto.objects.filter(pk=photo.pk).update(
            review=status,
            reviewed_by=actor,
            reviewed_at=datetime.now(tz=UTC),
            review_note=note.strip()[:300],
        )
        audit(actor, "review_evidence", photo.project, photo=str(photo.public_id), review=status)
    photo.refresh_from_db()
    return photo

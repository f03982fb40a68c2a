"""The passport photo step on the web: check the upload (gov3.documents.core.photo), keep the
re-encoded image with the case. Messages are translated here."""

from __future__ import annotations

from typing import BinaryIO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from gov3.cases.models import Case
from gov3.core.errors import ValidationFailedError
from gov3.documents.core.photo import (
    PassportPhoto as CheckedPhoto,
)
from gov3.documents.core.photo import (
    PhotoProblem,
    PhotoRejectedError,
    check_passport_photo,
)
from gov3.documents.models import PassportPhoto

_MESSAGES = {
    PhotoProblem.EMPTY: gettext_lazy("The file is empty."),
    PhotoProblem.TOO_LARGE: gettext_lazy("The photo is too large."),
    PhotoProblem.NOT_AN_IMAGE: gettext_lazy("The file is not an image."),
    PhotoProblem.WRONG_FORMAT: gettext_lazy("Only JPEG and PNG photos are accepted."),
    PhotoProblem.TOO_MANY_PIXELS: gettext_lazy("The image has too many pixels."),
    PhotoProblem.DAMAGED: gettext_lazy("The image is damaged and cannot be read."),
    PhotoProblem.TOO_SMALL: gettext_lazy(
        "The photo is too small: at least 413 × 531 pixels are needed."  # noqa: RUF001
    ),
    PhotoProblem.WRONG_SHAPE: gettext_lazy(
        "The photo must be in portrait format, 35 × 45 mm (width : height about 7 : 9)."  # noqa: RUF001
    ),
    PhotoProblem.ANIMATED: gettext_lazy("The photo must be a single still image."),
}


def too_large_message() -> str:
    return gettext("The photo is too large: at most %(mb)d MB.") % {
        "mb": settings.GOV3_PHOTO_MAX_BYTES // (1024 * 1024)
    }


def check(upload: BinaryIO) -> CheckedPhoto:
    """The checked photo, or ValidationFailedError with the reason in the reader's language."""
    try:
        return check_passport_photo(upload, max_bytes=settings.GOV3_PHOTO_MAX_BYTES)
    except PhotoRejectedError as error:
        if error.problem == PhotoProblem.TOO_LARGE:
            raise ValidationFailedError(too_large_message()) from error
        raise ValidationFailedError(str(_MESSAGES[error.problem])) from error


def store(case: Case, photo: CheckedPhoto) -> None:
    """Keep the re-encoded photo (inside the providing transaction)."""
    PassportPhoto.objects.create(
        case=case,
        jpeg=photo.jpeg,
        sha256=photo.sha256,
        width=photo.width,
        height=photo.height,
        uploaded_at=timezone.now(),
    )

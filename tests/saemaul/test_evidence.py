"""Progress photos: EXIF read and kept, the distance to the site, flags, upload checks."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from gov3.core.errors import ValidationFailedError
from gov3.saemaul.geo import haversine_m
from gov3.saemaul.models import EvidencePhoto, ProgrammePolicy, Project, Village
from gov3.saemaul.photos import PhotoProblem, PhotoRejectedError, inspect_photo
from gov3.saemaul.services import do_add_evidence, do_review_evidence
from gov3.synthetic.saemaul import synthetic_photo
from tests.saemaul.conftest import ACTOR, SITE, draft_project

# 0.045° of latitude is about 5.0 km anywhere on Earth.
FIVE_KM_NORTH = (SITE[0] + 0.045, SITE[1])


def _add(project: Project, data: bytes, **fields: object) -> EvidencePhoto:
    values: dict[str, object] = {"stage": "during", "filename": "p.jpg", "progress_percent": 30}
    return do_add_evidence(ACTOR, project, data=data, **(values | fields))  # type: ignore[arg-type]


# --- pure parts -----------------------------------------------------------------------------


def test_haversine_matches_known_distances() -> None:
    # Seoul City Hall to Busan City Hall: about 325 km.
    assert haversine_m(37.5663, 126.9779, 35.1798, 129.0750) == pytest.approx(325_000, rel=0.01)
    assert haversine_m(*SITE, *FIVE_KM_NORTH) == pytest.approx(5_004, abs=5)
    assert haversine_m(*SITE, *SITE) == 0


def test_exif_gps_and_time_are_read_from_a_jpeg() -> None:
    taken = datetime(1972, 5, 3, 10, 20, 30)  # noqa: DTZ001 - EXIF time has no zone
    facts = inspect_photo(
        synthetic_photo(latitude=34.52, longitude=-126.54, taken_at=taken), max_bytes=10**7
    )
    assert facts.format == "JPEG"
    assert facts.latitude == pytest.approx(34.52, abs=1e-6)
    assert facts.longitude == pytest.approx(-126.54, abs=1e-6)
    assert facts.taken_at == taken
    assert facts.exif["Make"] == "gov3"
    assert facts.exif["Exif"]["DateTimeOriginal"] == "1972:05:03 10:20:30"
    assert facts.exif["GPSInfo"]["GPSLongitudeRef"] == "W"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", PhotoProblem.EMPTY),
        (b"GIF89a not really", PhotoProblem.NOT_AN_IMAGE),
        (b"%PDF-1.7 a document", PhotoProblem.NOT_AN_IMAGE),
    ],
)
def test_files_that_are_not_photos_are_rejected(data: bytes, problem: PhotoProblem) -> None:
    with pytest.raises(PhotoRejectedError) as error:
        inspect_photo(data, max_bytes=10**7)
    assert error.value.problem == problem


def test_a_gif_is_rejected_even_named_jpg_and_a_truncated_jpeg_is_damaged() -> None:
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    with pytest.raises(PhotoRejectedError) as error:
        inspect_photo(gif.getvalue(), max_bytes=10**7)
    assert error.value.problem == PhotoProblem.WRONG_FORMAT
    jpeg = synthetic_photo(latitude=None, longitude=None)
    with pytest.raises(PhotoRejectedError) as error:
        inspect_photo(jpeg[: len(jpeg) // 2], max_bytes=10**7)
    assert error.value.problem == PhotoProblem.DAMAGED


# --- the command ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_photo_5_km_from_its_site_is_flagged_and_kept(village: Village) -> None:
    project = draft_project(village)
    photo = _add(project, synthetic_photo(latitude=FIVE_KM_NORTH[0], longitude=FIVE_KM_NORTH[1]))
    assert photo.flag == "far_from_site"
    assert photo.flagged
    assert photo.distance_m == pytest.approx(5_004, abs=5)
    assert photo.threshold_m == 1000
    assert not photo.counts_as_evidence
    assert default_storage.exists(photo.file.name)


@pytest.mark.django_db
def test_a_photo_with_no_gps_is_flagged_not_rejected(village: Village) -> None:
    project = draft_project(village)
    photo = _add(
        project, synthetic_photo(latitude=None, longitude=None), stage="before", progress_percent=0
    )
    assert (photo.flag, photo.distance_m, photo.latitude) == ("no_location", None, None)
    assert EvidencePhoto.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_a_photo_at_the_site_is_not_flagged_and_keeps_its_exif(village: Village) -> None:
    project = draft_project(village)
    taken = datetime(2026, 3, 2, 9, 0, 0)  # noqa: DTZ001
    photo = _add(
        project,
        synthetic_photo(
            latitude=SITE[0] + 0.003, longitude=SITE[1], taken_at=taken, image_format="PNG"
        ),
        filename="site.png",
    )
    assert photo.flag == ""
    assert photo.distance_m == pytest.approx(334, abs=2)
    assert photo.content_type == "image/png"
    assert photo.file.name.endswith(".png")
    assert photo.taken_at is not None
    # EXIF time has no zone: it is read as the deployment's local time.
    assert timezone.localtime(photo.taken_at).replace(tzinfo=None) == taken
    assert photo.exif["GPSInfo"]["GPSLatitudeRef"] == "N"
    assert photo.counts_as_evidence


@pytest.mark.django_db
def test_the_distance_threshold_is_configurable(village: Village) -> None:
    ProgrammePolicy.objects.filter(country="kr").update(photo_max_distance_m=6000)
    photo = _add(
        draft_project(village),
        synthetic_photo(latitude=FIVE_KM_NORTH[0], longitude=FIVE_KM_NORTH[1]),
    )
    assert (photo.flag, photo.threshold_m) == ("", 6000)


@pytest.mark.django_db
def test_a_project_without_a_site_flags_its_photos(village: Village) -> None:
    project = draft_project(village, latitude=None, longitude=None)
    photo = _add(project, synthetic_photo(latitude=SITE[0], longitude=SITE[1]))
    assert photo.flag == "site_unknown"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 an executable", "not a photo"),
        (b"", "empty"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    village: Village, settings: object, data: bytes, message: str
) -> None:
    project = draft_project(village)
    with pytest.raises(ValidationFailedError, match=message):
        _add(project, data)
    assert not EvidencePhoto.objects.exists()
    media = Path(settings.MEDIA_ROOT)  # type: ignore[attr-defined]
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db
def test_photos_over_the_size_limit_are_refused(village: Village) -> None:
    data = synthetic_photo(latitude=SITE[0], longitude=SITE[1])
    ProgrammePolicy.objects.filter(country="kr").update(photo_max_bytes=len(data) - 1)
    with pytest.raises(ValidationFailedError, match="photos may be at most"):
        _add(draft_project(village), data)
    assert not EvidencePhoto.objects.exists()


@pytest.mark.django_db
def test_progress_is_a_percentage_and_before_photos_show_none(village: Village) -> None:
    project = draft_project(village)
    data = synthetic_photo(latitude=SITE[0], longitude=SITE[1])
    with pytest.raises(ValidationFailedError, match="from 0 to 100"):
        _add(project, data, progress_percent=101)
    with pytest.raises(ValidationFailedError, match="shows no progress"):
        _add(project, data, stage="before", progress_percent=10)


@pytest.mark.django_db
def test_an_officer_accepts_a_flagged_photo_or_rejects_one_with_a_reason(village: Village) -> None:
    project = draft_project(village)
    far = _add(project, synthetic_photo(latitude=FIVE_KM_NORTH[0], longitude=FIVE_KM_NORTH[1]))
    with pytest.raises(ValidationFailedError, match="why the photo is rejected"):
        do_review_evidence("officer", far, accepted=False)
    accepted = do_review_evidence("officer", far, accepted=True, note="산 너머 현장 확인")
    assert (accepted.review, accepted.reviewed_by) == ("accepted", "officer")
    assert accepted.counts_as_evidence

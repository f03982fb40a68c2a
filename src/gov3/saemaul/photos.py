"""Check an uploaded progress photo and read its EXIF (pure: Pillow, no Django).

Only JPEG and PNG are accepted, decided by decoding the file, never by its name. The GPS
position and the time the photo was taken come from EXIF (CIPA DC-008 "Exif 2.32": GPS IFD
tags 1-4, Exif IFD tag 0x9003 DateTimeOriginal). Everything readable in EXIF is kept as JSON.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from PIL import ExifTags, Image, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
#: Larger images are refused before decoding (a "decompression bomb" guard): 60 megapixels.
MAX_PIXELS = 60_000_000
#: Never read more of an upload than this into memory: a larger one is refused as too large.
READ_LIMIT = 64 * 1024 * 1024
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
_DATETIME_ORIGINAL = 0x9003
_DATETIME = 0x0132
_MAX_KEPT_BYTES = 64


class PhotoProblem(StrEnum):
    """Why an upload is not an acceptable photo."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_AN_IMAGE = "not_an_image"
    WRONG_FORMAT = "wrong_format"
    TOO_MANY_PIXELS = "too_many_pixels"
    DAMAGED = "damaged"


class PhotoRejectedError(ValueError):
    """The upload cannot be kept as a photo; ``problem`` says why, ``detail`` adds a fact."""

    def __init__(self, problem: PhotoProblem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else str(problem))
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class PhotoFacts:
    """What was learnt from a valid photo."""

    format: str
    content_type: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    latitude: float | None = None
    longitude: float | None = None
    taken_at: datetime | None = None
    exif: dict[str, Any] = field(default_factory=dict)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _plain(value: Any) -> Any:  # noqa: PLR0911 - one return per EXIF value type
    """An EXIF value as JSON: rationals as floats, short bytes as text, tuples as lists."""
    if isinstance(value, bytes):
        if len(value) > _MAX_KEPT_BYTES:
            return None
        return value.decode("ascii", errors="replace").rstrip("\x00")
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return value.rstrip("\x00")
    if isinstance(value, int | bool):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return str(value)
    return None if math.isnan(number) else number  # NaN (a 0/0 rational) is not JSON


def _named(tags: dict[int, Any], names: dict[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tag, value in tags.items():
        plain = _plain(value)
        if plain is not None:
            out[names.get(tag, f"0x{tag:04x}")] = plain
    return out


def _degrees(dms: Any, ref: Any) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if math.isnan(value):  # from a 0/0 rational
        return None
    reference = _plain(ref)
    return -value if reference in ("S", "W") else value


def _exif_datetime(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        # EXIF writes local time without a zone: "YYYY:MM:DD HH:MM:SS".
        return datetime.strptime(text.strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None


def _read_exif(image: Image.Image) -> tuple[dict[str, Any], float | None, float | None, Any]:
    exif = image.getexif()
    gps = dict(exif.get_ifd(ExifTags.IFD.GPSInfo))
    details = dict(exif.get_ifd(ExifTags.IFD.Exif))
    kept: dict[str, Any] = _named(
        {k: v for k, v in exif.items() if k not in (ExifTags.IFD.GPSInfo, ExifTags.IFD.Exif)},
        ExifTags.TAGS,
    )
    if details:
        kept["Exif"] = _named(details, ExifTags.TAGS)
    latitude = longitude = None
    if gps:
        kept["GPSInfo"] = _named(gps, ExifTags.GPSTAGS)
        if _GPS_LAT in gps and _GPS_LON in gps:
            latitude = _degrees(gps[_GPS_LAT], gps.get(_GPS_LAT_REF, "N"))
            longitude = _degrees(gps[_GPS_LON], gps.get(_GPS_LON_REF, "E"))
            if (
                latitude is None
                or longitude is None
                or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
            ):
                latitude = longitude = None
    taken = details.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    return kept, latitude, longitude, taken


def inspect_photo(data: bytes, *, max_bytes: int) -> PhotoFacts:
    """Check that ``data`` is a whole JPEG or PNG no larger than ``max_bytes``; read its EXIF."""
    if not data:
        raise PhotoRejectedError(PhotoProblem.EMPTY)
    if len(data) > max_bytes:
        raise PhotoRejectedError(PhotoProblem.TOO_LARGE, str(len(data)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format or ""
                width, height = probe.size
                if image_format not in ACCEPTED_FORMATS:
                    raise PhotoRejectedError(PhotoProblem.WRONG_FORMAT, image_format)
                if width * height > MAX_PIXELS:
                    raise PhotoRejectedError(PhotoProblem.TOO_MANY_PIXELS, f"{width}x{height}")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decodes every pixel: a truncated file fails here
                kept, latitude, longitude, taken = _read_exif(image)
        except PhotoRejectedError:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
            raise PhotoRejectedError(PhotoProblem.NOT_AN_IMAGE) from exc
        except (Image.DecompressionBombWarning, OSError, SyntaxError, ValueError) as exc:
            raise PhotoRejectedError(PhotoProblem.DAMAGED, str(exc)) from exc
    return PhotoFacts(
        format=image_format,
        content_type=ACCEPTED_FORMATS[image_format],
        width=width,
        height=height,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        latitude=latitude,
        longitude=longitude,
        taken_at=_exif_datetime(taken),
        exif=kept,
    )

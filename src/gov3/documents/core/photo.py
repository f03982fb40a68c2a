"""Check a citizen's passport photo upload and re-encode it clean (pure: Pillow, no Django).

Only JPEG and PNG are accepted, decided by decoding the file, never by its name. The photo must
be one still picture of passport-photo shape and size; it comes back as a fresh JPEG with every
piece of metadata removed (EXIF, GPS position, camera, ICC profile, comments), its EXIF
orientation applied first so that the picture stands upright.

No face detection is done here: no detection model is available offline, and a wrong verdict
from one would refuse real citizens. The shape and size rules stand in for it, and an officer
sees the photo whenever the case is sampled for review.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

#: The passport photo is 35 mm wide and 45 mm high (Korean Ministry of Foreign Affairs passport
#: photo standard, 여권 사진 규정; the same 35 x 45 mm as the ICAO "Portrait Quality (Reference
#: Facial Images for MRTD)" technical report, 2018). At the 300 dpi a print needs, that is
#: 413 x 531 pixels: the least we accept.
MIN_WIDTH = 413
MIN_HEIGHT = 531
#: Width / height: 35/45 = 0.78. The band admits phone portraits cropped 3:4 (0.75) and 4:5
#: (0.80) and refuses landscapes and squares, which cannot be cropped to a portrait by an officer
#: without losing the head.
MIN_ASPECT = 0.70
MAX_ASPECT = 0.85
#: Larger images are refused before decoding (a "decompression bomb" guard): 60 megapixels, as
#: for progress photos (gov3.saemaul.photos); a 48-megapixel phone photo still passes.
MAX_PIXELS = 60_000_000
#: The default upload limit.
MAX_BYTES = 10 * 1024 * 1024
JPEG_QUALITY = 90
#: Pillow format names accepted. MPO is the JPEG multi-picture extension phones write (a
#: primary picture plus depth maps or previews); its primary picture is used.
_ACCEPTED = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG"}
_READ_CHUNK = 1024 * 1024


class PhotoProblem(StrEnum):
    """Why an upload cannot be a passport photo."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_AN_IMAGE = "not_an_image"
    WRONG_FORMAT = "wrong_format"
    TOO_MANY_PIXELS = "too_many_pixels"
    DAMAGED = "damaged"
    TOO_SMALL = "too_small"
    WRONG_SHAPE = "wrong_shape"
    ANIMATED = "animated"


#: What to tell the citizen, in plain English; the web layer translates by problem.
MESSAGES: dict[PhotoProblem, str] = {
    PhotoProblem.EMPTY: "The file is empty. Please choose your photo again.",
    PhotoProblem.TOO_LARGE: "The file is too large. Please upload a smaller copy.",
    PhotoProblem.NOT_AN_IMAGE: ("This file is not a picture. Please upload a JPEG or PNG photo."),
    PhotoProblem.WRONG_FORMAT: (
        "This kind of picture is not accepted. Please upload a JPEG or PNG photo."
    ),
    PhotoProblem.TOO_MANY_PIXELS: (
        "The picture has far more pixels than a passport photo needs. Please upload a smaller copy."
    ),
    PhotoProblem.DAMAGED: (
        "The picture could not be read; the file may be damaged or incomplete. "
        "Please upload it again."
    ),
    PhotoProblem.TOO_SMALL: (
        "The photo is too small to print. It must be at least 413 pixels wide and "
        "531 pixels high (35 x 45 mm at 300 dpi)."
    ),
    PhotoProblem.WRONG_SHAPE: (
        "A passport photo is upright, 35 mm wide and 45 mm high. "
        "Please upload a portrait photo cropped to that shape."
    ),
    PhotoProblem.ANIMATED: (
        "The file holds several pictures or an animation. Please upload one still photo."
    ),
}


class PhotoRejectedError(ValueError):
    """The upload cannot be a passport photo; ``problem`` says why, ``detail`` adds a fact."""

    def __init__(self, problem: PhotoProblem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else str(problem))
        self.problem = problem
        self.detail = detail

    @property
    def message(self) -> str:
        """The sentence for the citizen (English; translate by ``problem``)."""
        return MESSAGES[self.problem]


@dataclass(frozen=True)
class PassportPhoto:
    """An accepted photo, re-encoded as a metadata-free RGB JPEG."""

    jpeg: bytes
    width: int
    height: int
    sha256: str
    original_format: str
    content_type: str = "image/jpeg"


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream``, never asking it for more."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent parts of a PNG become the white a passport photo wants."""
    if image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _check_shape(width: int, height: int) -> None:
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise PhotoRejectedError(PhotoProblem.TOO_SMALL, f"{width}x{height}")
    if not MIN_ASPECT <= width / height <= MAX_ASPECT:
        raise PhotoRejectedError(
            PhotoProblem.WRONG_SHAPE, f"{width}x{height} ({width / height:.2f})"
        )


def _decode(data: bytes) -> tuple[Image.Image, str]:
    """The upright, decoded picture and its format; PhotoRejectedError otherwise."""
    with Image.open(io.BytesIO(data)) as image:
        image_format = image.format or ""
        if image_format not in _ACCEPTED:
            raise PhotoRejectedError(PhotoProblem.WRONG_FORMAT, image_format)
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise PhotoRejectedError(PhotoProblem.TOO_MANY_PIXELS, f"{width}x{height}")
        frames: int = getattr(image, "n_frames", 1)
        if image_format == "PNG" and frames > 1:
            raise PhotoRejectedError(PhotoProblem.ANIMATED, f"{frames} frames")
        image.load()  # decodes every pixel: a truncated file fails here
        upright = ImageOps.exif_transpose(image)
    return upright, _ACCEPTED[image_format]


def check_passport_photo(stream: BinaryIO, *, max_bytes: int = MAX_BYTES) -> PassportPhoto:
    """Check an uploaded passport photo and return it re-encoded without metadata.

    Reads at most ``max_bytes + 1`` bytes of ``stream`` (one more than allowed, to tell a file
    of exactly ``max_bytes`` from a larger one). Raises `PhotoRejectedError` with the
    problem for anything that is not one JPEG or PNG photo of passport shape and size.
    """
    data = _read_at_most(stream, max_bytes + 1)
    if not data:
        raise PhotoRejectedError(PhotoProblem.EMPTY)
    if len(data) > max_bytes:
        raise PhotoRejectedError(PhotoProblem.TOO_LARGE, f"more than {max_bytes} bytes")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            upright, original_format = _decode(data)
        except PhotoRejectedError:
            raise
        except UnidentifiedImageError as exc:
            raise PhotoRejectedError(PhotoProblem.NOT_AN_IMAGE) from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoRejectedError(PhotoProblem.TOO_MANY_PIXELS, str(exc)) from exc
        except Exception as exc:  # Pillow's decoders raise many types on hostile input
            raise PhotoRejectedError(PhotoProblem.DAMAGED, str(exc)) from exc
    width, height = upright.size
    _check_shape(width, height)
    clean = _flatten(upright)
    clean.info.clear()  # nothing from the upload's metadata may reach the saved file
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    jpeg = out.getvalue()
    return PassportPhoto(
        jpeg=jpeg,
        width=width,
        height=height,
        sha256=hashlib.sha256(jpeg).hexdigest(),
        original_format=original_format,
    )

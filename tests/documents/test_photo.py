"""The passport photo check: what is refused and why, and that the kept JPEG carries nothing."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib

import pytest
from PIL import ExifTags, Image

from gov3.documents.core.photo import (
    MESSAGES,
    MIN_HEIGHT,
    MIN_WIDTH,
    PhotoProblem,
    PhotoRejectedError,
    check_passport_photo,
)

PORTRAIT = (MIN_WIDTH + 37, MIN_HEIGHT + 69)  # 450 x 600, a 3:4 phone crop
_ORIENTATION = 0x0112
_MAKE = 0x010F


def _noise(size: tuple[int, int]) -> Image.Image:
    return Image.effect_noise(size, 40).convert("RGB")


def _encode(image: Image.Image, image_format: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=image_format, **params)
    return out.getvalue()


def _gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[_MAKE] = "Phone maker"
    if orientation is not None:
        exif[_ORIENTATION] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[1], gps[2] = "N", (37.0, 33.0, 59.0)  # Seoul
    gps[3], gps[4] = "E", (126.0, 58.0, 41.0)
    return exif


def _problem(data: bytes, **options: int) -> PhotoProblem:
    with pytest.raises(PhotoRejectedError) as caught:
        check_passport_photo(io.BytesIO(data), **options)
    return caught.value.problem


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` but holds one row: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


class _ZerosStream(io.RawIOBase):
    """A 50 MB upload of zeros that counts how much of it was asked for."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.served = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        left = self.size - self.served
        count = left if n is None or n < 0 else min(n, left)
        self.served += count
        return b"\x00" * count


def test_a_jpeg_with_gps_comes_back_without_any_metadata() -> None:
    original = _encode(
        _noise(PORTRAIT), "JPEG", exif=_gps_exif(), icc_profile=b"p" * 64, comment=b"secret"
    )
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    photo = check_passport_photo(io.BytesIO(original))
    assert (photo.width, photo.height, photo.original_format) == (*PORTRAIT, "JPEG")
    assert photo.sha256 == hashlib.sha256(photo.jpeg).hexdigest()
    with Image.open(io.BytesIO(photo.jpeg)) as kept:
        assert kept.format == "JPEG"
        assert kept.mode == "RGB"
        assert kept.size == PORTRAIT
        exif = kept.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert len(exif) == 0
        assert "icc_profile" not in kept.info
    assert b"Exif" not in photo.jpeg
    assert b"secret" not in photo.jpeg
    assert b"Phone maker" not in photo.jpeg


def test_the_exif_orientation_is_applied_before_the_shape_is_checked() -> None:
    # Stored as a landscape, shown upright by phones because of Orientation 6 (rotate 90°).
    stored = _encode(_noise((800, 600)), "JPEG", exif=_gps_exif(orientation=6))
    photo = check_passport_photo(io.BytesIO(stored))
    assert (photo.width, photo.height) == (600, 800)
    with Image.open(io.BytesIO(photo.jpeg)) as kept:
        assert _ORIENTATION not in kept.getexif()
    assert _problem(_encode(_noise((800, 600)), "JPEG")) == PhotoProblem.WRONG_SHAPE


def test_a_png_is_accepted_and_transparency_becomes_white() -> None:
    image = Image.new("RGBA", PORTRAIT, (0, 0, 0, 0))
    photo = check_passport_photo(io.BytesIO(_encode(image, "PNG")))
    assert photo.original_format == "PNG"
    with Image.open(io.BytesIO(photo.jpeg)) as kept:
        red, green, blue = kept.convert("RGB").getpixel((10, 10))  # type: ignore[misc]
    assert min(red, green, blue) >= 250


def test_a_cmyk_jpeg_is_kept_as_rgb() -> None:
    photo = check_passport_photo(io.BytesIO(_encode(_noise(PORTRAIT).convert("CMYK"), "JPEG")))
    with Image.open(io.BytesIO(photo.jpeg)) as kept:
        assert kept.mode == "RGB"


def test_a_gif_is_the_wrong_format() -> None:
    assert _problem(_encode(_noise(PORTRAIT), "GIF")) == PhotoProblem.WRONG_FORMAT


def test_an_animated_png_is_refused() -> None:
    frames = [_noise(PORTRAIT), _noise(PORTRAIT)]
    data = _encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert _problem(data) == PhotoProblem.ANIMATED


@pytest.mark.parametrize("size", [(100, 130), (412, 600), (450, 530)])
def test_a_photo_too_small_to_print_is_refused(size: tuple[int, int]) -> None:
    assert _problem(_encode(_noise(size), "JPEG")) == PhotoProblem.TOO_SMALL


@pytest.mark.parametrize("size", [(800, 600), (600, 600), (413, 800)])
def test_a_photo_of_the_wrong_shape_is_refused(size: tuple[int, int]) -> None:
    assert _problem(_encode(_noise(size), "PNG")) == PhotoProblem.WRONG_SHAPE


def test_random_bytes_are_not_an_image() -> None:
    assert _problem(random.Random(7).randbytes(5000)) == PhotoProblem.NOT_AN_IMAGE


def test_an_empty_upload_is_refused() -> None:
    assert _problem(b"") == PhotoProblem.EMPTY


def test_a_truncated_jpeg_is_damaged() -> None:
    data = _encode(_noise(PORTRAIT), "JPEG")
    with pytest.raises(PhotoRejectedError) as caught:
        check_passport_photo(io.BytesIO(data[: len(data) * 2 // 3]))
    assert caught.value.problem == PhotoProblem.DAMAGED
    assert "truncated" in caught.value.detail


@pytest.mark.parametrize("side", [8_000, 10_000, 20_000])
def test_a_decompression_bomb_is_refused_before_decoding(side: int) -> None:
    # 64, 100 and 400 megapixels: refused by gov3's limit, Pillow's warning and Pillow's error.
    assert _problem(_png_header_only(side, side)) == PhotoProblem.TOO_MANY_PIXELS


def test_a_50_mb_upload_is_refused_reading_at_most_one_byte_over_the_limit() -> None:
    stream = _ZerosStream(50 * 1024 * 1024)
    with pytest.raises(PhotoRejectedError) as caught:
        check_passport_photo(stream)  # type: ignore[arg-type]
    assert caught.value.problem == PhotoProblem.TOO_LARGE
    assert stream.served == 10 * 1024 * 1024 + 1


def test_the_size_limit_is_exact() -> None:
    data = _encode(_noise(PORTRAIT), "JPEG")
    assert check_passport_photo(io.BytesIO(data), max_bytes=len(data)).width == PORTRAIT[0]
    assert _problem(data, max_bytes=len(data) - 1) == PhotoProblem.TOO_LARGE


def test_every_problem_has_a_message_for_the_citizen() -> None:
    assert set(MESSAGES) == set(PhotoProblem)
    error = PhotoRejectedError(PhotoProblem.WRONG_SHAPE, "800x600")
    assert "35 mm wide and 45 mm high" in error.message

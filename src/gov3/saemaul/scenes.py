"""Generated progress photos for the demo: before/during/after scenes of village works.

The demo's evidence used to be plain green rectangles. These are drawn (Pillow, no files, no
network) so the dashboards and project pages show what an officer would see: the site before
the works, half-done with materials on site, and finished — with the site board Korean
construction photos carry (project, stage, date). Everything random comes from a seed, so a
project always gets the same pictures. They are illustrations, not photographs: the caption
says so.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 640, 480
HORIZON = 190
#: What the works change: a road, a laundry place, a stream bank, a building, a greenhouse.
SUBJECTS = ("road", "laundry", "stream", "building", "greenhouse")
STAGES = ("before", "during", "after")
_STAGE_BOARD = {"before": "착공 전 BEFORE", "during": "시공 중 DURING", "after": "준공 후 AFTER"}

Colour = tuple[int, int, int]


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    # The Hangul font the document PDFs ship with (OFL), so the site board reads in Korean.
    from gov3.documents.core.pdf import FONT_DIR  # noqa: PLC0415 - only the demo draws boards

    return ImageFont.truetype(str(Path(FONT_DIR) / "NanumGothic.ttf"), size)


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _jitter(rng: random.Random, colour: Colour, spread: int = 12) -> Colour:
    r, g, b = (max(0, min(255, c + rng.randint(-spread, spread))) for c in colour)
    return (r, g, b)


def _landscape(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """Sky, two ranges of hills, fields, and a few houses of the village behind the site."""
    top, low = (120, 170, 225), (214, 228, 240)
    for y in range(HORIZON + 40):
        draw.line([(0, y), (WIDTH, y)], fill=_mix(top, low, y / (HORIZON + 40)))
    for layer, (colour, base, amplitude) in enumerate(
        [((112, 140, 120), HORIZON - 55, 30), ((70, 112, 70), HORIZON - 18, 22)]
    ):
        phase, wave = rng.uniform(0, math.tau), rng.uniform(0.006, 0.014)
        points = [
            (x, base - amplitude * math.sin(x * wave + phase) - 8 * math.sin(x * 0.05 + layer))
            for x in range(0, WIDTH + 8, 8)
        ]
        draw.polygon([(0, HORIZON + 20), *points, (WIDTH, HORIZON + 20)], fill=colour)
    draw.rectangle([0, HORIZON, WIDTH, HEIGHT], fill=(104, 148, 72))
    for row in range(HORIZON + 8, HEIGHT, 14):  # furrows of the paddies
        shade = _mix((92, 134, 62), (124, 160, 82), (row - HORIZON) / (HEIGHT - HORIZON))
        draw.line([(0, row), (WIDTH, row + rng.randint(-3, 3))], fill=shade, width=2)
    for _ in range(rng.randint(3, 5)):
        x = rng.randint(20, WIDTH - 60)
        _house(draw, rng, x, HORIZON - 4, scale=0.35, new=rng.random() < 0.5)


def _house(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    x: int,
    ground: int,
    *,
    scale: float,
    new: bool,
) -> None:
    w, h = int(120 * scale), int(60 * scale)
    wall = (236, 230, 214) if new else (196, 180, 150)
    draw.rectangle([x, ground - h, x + w, ground], fill=_jitter(rng, wall, 6), outline=(90, 80, 70))
    roof = _jitter(rng, (62, 96, 150) if new else (176, 150, 90), 10)
    draw.polygon(
        [
            (x - 8 * scale, ground - h),
            (x + w / 2, ground - h - 45 * scale),
            (x + w + 8 * scale, ground - h),
        ],
        fill=roof,
        outline=(60, 50, 40),
    )
    door = (x + w * 0.42, ground - h * 0.65, x + w * 0.58, ground)
    draw.rectangle(door, fill=(110, 80, 50))
    if not new and scale > 0.6:  # the old house: cracks and a patched roof
        for _ in range(4):
            cx, cy = rng.randint(x + 5, x + w - 5), rng.randint(ground - h + 5, ground - 5)
            draw.line(
                [(cx, cy), (cx + rng.randint(-12, 12), cy + rng.randint(6, 16))],
                fill=(90, 80, 60),
                width=2,
            )
        draw.rectangle(
            [x + w * 0.2, ground - h - 20 * scale, x + w * 0.4, ground - h - 8 * scale],
            fill=(120, 110, 90),
        )


def _road(draw: ImageDraw.ImageDraw, rng: random.Random, stage: str) -> None:
    """A village lane seen from one end: dirt with puddles, half concrete, concrete."""
    near, far = (150, WIDTH - 150), (WIDTH / 2 - 18, WIDTH / 2 + 18)
    edge = [
        (near[0] - 60, HEIGHT),
        (far[0], HORIZON + 6),
        (far[1], HORIZON + 6),
        (near[1] + 60, HEIGHT),
    ]
    draw.polygon(edge, fill=(150, 120, 80))
    if stage == "before":
        for _ in range(14):
            t = rng.random()
            y = HORIZON + 10 + t * (HEIGHT - HORIZON - 10)
            half = 20 + t * 170
            cx = WIDTH / 2 + rng.uniform(-half * 0.6, half * 0.6)
            draw.ellipse(
                [cx - 12 - 30 * t, y - 3 - 5 * t, cx + 12 + 30 * t, y + 3 + 5 * t],
                fill=(118, 132, 140),
            )
        for side in (-1, 1):
            draw.line(
                [(WIDTH / 2 + side * 8, HORIZON + 8), (WIDTH / 2 + side * 110, HEIGHT)],
                fill=(118, 92, 60),
                width=5,
            )
        return
    concrete = (196, 196, 190)
    if stage == "during":
        split = HORIZON + (HEIGHT - HORIZON) * 0.55
        t = (split - HORIZON - 6) / (HEIGHT - HORIZON - 6)
        left = far[0] + (near[0] - 60 - far[0]) * t
        right = far[1] + (near[1] + 60 - far[1]) * t
        draw.polygon(
            [(near[0] - 60, HEIGHT), (left, split), (right, split), (near[1] + 60, HEIGHT)],
            fill=concrete,
        )
        draw.line([(left, split), (right, split)], fill=(120, 90, 50), width=4)  # formwork
        for i in range(6):  # cement bags waiting on site
            bx, by = 40 + (i % 3) * 34, HEIGHT - 70 - (i // 3) * 20
            draw.rounded_rectangle(
                [bx, by, bx + 32, by + 18], radius=4, fill=(222, 214, 196), outline=(150, 140, 120)
            )
        draw.polygon(
            [(WIDTH - 140, HEIGHT - 30), (WIDTH - 70, HEIGHT - 60), (WIDTH - 40, HEIGHT - 30)],
            fill=(170, 150, 110),
        )
        return
    draw.polygon(edge, fill=concrete)
    for k in range(1, 12):  # the joints of a poured concrete lane
        t = (k / 12) ** 1.6
        y = HORIZON + 6 + t * (HEIGHT - HORIZON - 6)
        left = far[0] + (near[0] - 60 - far[0]) * t
        right = far[1] + (near[1] + 60 - far[1]) * t
        draw.line([(left, y), (right, y)], fill=(160, 160, 156), width=1 + k // 5)
    for side, x0 in ((-1, near[0] - 60), (1, near[1] + 60)):
        xf = far[0] if side < 0 else far[1]
        draw.line([(x0, HEIGHT), (xf, HORIZON + 6)], fill=(150, 150, 146), width=6)


def _water(draw: ImageDraw.ImageDraw, rng: random.Random, stage: str, *, basin: bool) -> None:
    """A stream across the site: raw banks before; a stone embankment or a laundry basin after."""
    top, bottom = HORIZON + 120, HORIZON + 200
    draw.rectangle([0, top, WIDTH, bottom], fill=(96, 132, 160))
    for _ in range(30):
        x, y = rng.randint(0, WIDTH), rng.randint(top + 4, bottom - 4)
        draw.line([(x, y), (x + rng.randint(10, 30), y)], fill=(140, 170, 195), width=2)
    if stage == "before":
        for y0 in (top, bottom):
            points = [(x, y0 + rng.randint(-14, 14)) for x in range(0, WIDTH + 20, 20)]
            draw.line(points, fill=(126, 96, 60), width=12)
        for _ in range(12):
            x, y = rng.randint(0, WIDTH), rng.randint(top - 20, bottom + 20)
            draw.ellipse(
                [x, y, x + rng.randint(12, 26), y + rng.randint(8, 16)], fill=(128, 124, 112)
            )
        return
    done = WIDTH if stage == "after" else WIDTH // 2
    for y0, direction in ((top, -1), (bottom, 1)):
        for row in range(3):
            y = y0 + direction * row * 12
            offset = (row % 2) * 14
            for x in range(-offset, done, 28):
                draw.rounded_rectangle(
                    [x, y - 6, x + 26, y + 6],
                    radius=3,
                    fill=_jitter(rng, (150, 148, 140), 14),
                    outline=(110, 108, 100),
                )
    if basin and stage == "after":
        draw.rectangle(
            [WIDTH / 2 - 120, top - 80, WIDTH / 2 + 120, top - 10],
            fill=(200, 200, 196),
            outline=(120, 120, 116),
            width=3,
        )
        draw.rectangle([WIDTH / 2 - 108, top - 70, WIDTH / 2 + 108, top - 22], fill=(110, 160, 190))
        draw.polygon(
            [
                (WIDTH / 2 - 140, top - 120),
                (WIDTH / 2 + 140, top - 120),
                (WIDTH / 2 + 120, top - 140),
                (WIDTH / 2 - 120, top - 140),
            ],
            fill=(90, 120, 150),
        )
        for post in (WIDTH / 2 - 130, WIDTH / 2 + 126):
            draw.rectangle([post, top - 120, post + 6, top - 10], fill=(100, 100, 100))


def _building(draw: ImageDraw.ImageDraw, rng: random.Random, stage: str) -> None:
    """The village hall: worn before, scaffolded during, repaired after."""
    _house(draw, rng, WIDTH // 2 - 130, HEIGHT - 90, scale=2.2, new=stage == "after")
    if stage == "during":
        for x in range(WIDTH // 2 - 150, WIDTH // 2 + 140, 40):
            draw.line([(x, HEIGHT - 90), (x, HEIGHT - 300)], fill=(150, 150, 150), width=4)
        for y in range(HEIGHT - 120, HEIGHT - 300, -45):
            draw.line([(WIDTH // 2 - 150, y), (WIDTH // 2 + 140, y)], fill=(150, 150, 150), width=4)


def _greenhouse(draw: ImageDraw.ImageDraw, rng: random.Random, stage: str) -> None:
    """A field for a shared greenhouse: bare before, frames during, covered after."""
    draw.polygon(
        [
            (60, HEIGHT),
            (WIDTH / 2 - 60, HORIZON + 30),
            (WIDTH / 2 + 60, HORIZON + 30),
            (WIDTH - 60, HEIGHT),
        ],
        fill=(132, 104, 72),
    )
    if stage == "before":
        return
    for i, x in enumerate(range(90, WIDTH - 200, 150)):
        top = HEIGHT - 220 + i * 6
        box = [x, top, x + 130, top + 200]
        if stage == "after":
            draw.chord(box, 180, 360, fill=(226, 236, 238), outline=(160, 170, 172))
            draw.rectangle([x, top + 100, x + 130, top + 160], fill=(226, 236, 238))
        else:
            draw.arc(box, 180, 360, fill=(120, 120, 120), width=4)
            draw.line([(x, top + 100), (x, top + 160)], fill=(120, 120, 120), width=4)
            draw.line([(x + 130, top + 100), (x + 130, top + 160)], fill=(120, 120, 120), width=4)


_DRAW: dict[str, Callable[[ImageDraw.ImageDraw, random.Random, str], None]] = {
    "road": _road,
    "laundry": lambda d, r, s: _water(d, r, s, basin=True),
    "stream": lambda d, r, s: _water(d, r, s, basin=False),
    "building": _building,
    "greenhouse": _greenhouse,
}


def _board(draw: ImageDraw.ImageDraw, title: str, stage: str, taken_at: datetime | None) -> None:
    """The site board of a Korean construction photo: project, stage, date."""
    x, y, w, h = 16, HEIGHT - 112, 232, 96
    draw.rectangle([x, y, x + w, y + h], fill=(30, 70, 50), outline=(240, 240, 230), width=3)
    lines = [f"공사명: {title}", _STAGE_BOARD[stage]]
    if taken_at is not None:
        lines.append(taken_at.strftime("%Y-%m-%d"))
    for i, text in enumerate(lines):
        draw.text((x + 10, y + 10 + i * 27), text, font=_font(17), fill=(245, 245, 235))


def synthetic_scene(
    subject: str,
    stage: str,
    *,
    seed: int,
    title: str,
    latitude: float | None,
    longitude: float | None,
    taken_at: datetime | None,
) -> bytes:
    """A 640 by 480 JPEG of `subject` at `stage`, with the site board and the camera's EXIF GPS
    position and time (the same seed always draws the same picture)."""
    if subject not in _DRAW or stage not in STAGES:
        raise ValueError(f"no scene for {subject!r} at {stage!r}")
    rng = random.Random(seed)  # noqa: S311 - pictures, not security
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    _landscape(draw, rng)
    _DRAW[subject](draw, rng, stage)
    image = image.filter(ImageFilter.GaussianBlur(0.6))  # a camera is never pixel-sharp
    _board(ImageDraw.Draw(image), title, stage, taken_at)
    out = io.BytesIO()
    exif = exif_with_position(latitude, longitude, taken_at)
    exif[ExifTags.Base.ImageDescription] = "gov3 demo: generated illustration, not a photograph"
    image.save(out, "JPEG", quality=82, exif=exif)
    return out.getvalue()


def exif_with_position(
    latitude: float | None, longitude: float | None, taken_at: datetime | None
) -> Image.Exif:
    """EXIF with the GPS position and DateTimeOriginal, as a phone camera writes them."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "gov3"
    exif[ExifTags.Base.Model] = "synthetic"
    if latitude is not None and longitude is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N" if latitude >= 0 else "S"
        gps[ExifTags.GPS.GPSLatitude] = _dms(abs(latitude))
        gps[ExifTags.GPS.GPSLongitudeRef] = "E" if longitude >= 0 else "W"
        gps[ExifTags.GPS.GPSLongitude] = _dms(abs(longitude))
    if taken_at is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken_at.strftime(
            "%Y:%m:%d %H:%M:%S"
        )
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (float(degrees), float(minutes), seconds)

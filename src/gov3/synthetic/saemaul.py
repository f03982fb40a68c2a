"""Synthetic villages and photos for the demo, tests and benchmarks.

Villages are bulk-loaded (one transaction, one audit entry) rather than registered one by one
through ``do_register_village``: 33,267 villages of the 1970 seed round would otherwise take
33,267 transactions and audit entries (the same reasoning as docs/adr/0003-bulk-population-load.md).
Everything random comes from one seeded generator, so a seed gives the same villages.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from PIL import Image

from gov3.catalogue.boundaries import Outline
from gov3.core.audit import record_audit
from gov3.core.errors import Gov3Error
from gov3.registry.models import Area, AreaLevel
from gov3.saemaul.models import InfrastructureItem, Village, VillageInfrastructure
from gov3.saemaul.scenes import exif_with_position

BATCH = 5000
# Syllables of made-up Korean village names (리), with their romanisation.
_FIRST = [
    ("신", "Sin"), ("송", "Song"), ("대", "Dae"), ("상", "Sang"), ("하", "Ha"), ("동", "Dong"),
    ("서", "Seo"), ("남", "Nam"), ("북", "Buk"), ("평", "Pyeong"), ("월", "Wol"), ("용", "Yong"),
    ("봉", "Bong"), ("학", "Hak"), ("매", "Mae"), ("금", "Geum"), ("석", "Seok"), ("방", "Bang"),
    ("내", "Nae"), ("외", "Oe"),
]  # fmt: skip
_SECOND = [
    ("기", "gi"), ("정", "jeong"), ("촌", "chon"), ("산", "san"), ("평", "pyeong"), ("전", "jeon"),
    ("동", "dong"), ("호", "ho"), ("암", "am"), ("곡", "gok"), ("성", "seong"), ("포", "po"),
    ("당", "dang"), ("계", "gye"), ("천", "cheon"),
]  # fmt: skip


@dataclass(frozen=True)
class District:
    """Where synthetic villages go: an eup/myeon and the centre their locations scatter around;
    with the eup/myeon's outline (`catalogue.boundaries`), anywhere inside it instead."""

    area: Area
    latitude: float
    longitude: float
    outline: Outline | None = None

    def place(self, rng: random.Random, spread_degrees: float) -> tuple[float, float]:
        """A village's position: inside the outline when there is one (on land, in the right
        eup/myeon), else near the centre."""
        if self.outline is not None:
            west, south, east, north = self.outline.bbox
            for _ in range(500):
                lat, lon = rng.uniform(south, north), rng.uniform(west, east)
                if self.outline.contains(lat, lon):
                    return round(lat, 6), round(lon, 6)
        return (
            round(self.latitude + rng.uniform(-spread_degrees, spread_degrees), 6),
            round(self.longitude + rng.uniform(-spread_degrees, spread_degrees), 6),
        )


def village_names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """``n`` distinct made-up village names (local, romanised), numbered when they run out."""
    combos = [(a + b + "리", f"{ra}{rb}-ri") for a, ra in _FIRST for b, rb in _SECOND]
    rng.shuffle(combos)
    names = []
    for i in range(n):
        local, latin = combos[i % len(combos)]
        round_no = i // len(combos)
        names.append(
            (local, latin)
            if round_no == 0
            else (f"{local[:-1]}{round_no + 1}리", f"{latin[:-3]} {round_no + 1}-ri")
        )
    return names


def generate_villages(
    actor: str,
    districts: Sequence[District],
    counts: Sequence[int],
    *,
    seed: int,
    registered_on: date,
    spread_degrees: float = 0.03,
    infrastructure_share: float = 0.0,
) -> int:
    """Bulk-load ``counts[i]`` villages into ``districts[i]``; codes are ``<area code>-<nnnn>``.

    With ``infrastructure_share`` > 0, each checklist item is recorded for every village, done
    before the programme with that probability. Refuses to run if the codes exist already
    (generate into empty districts only).
    """
    if len(districts) != len(counts):
        raise ValueError("one count per district")
    for district in districts:
        if district.area.level != AreaLevel.DISTRICT:
            raise Gov3Error(f"{district.area} is not an eup/myeon/dong.")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    villages = []
    for district, count in zip(districts, counts, strict=True):
        for n, (local, latin) in enumerate(village_names(rng, count), start=1):
            households = rng.randint(25, 120)
            population = households * rng.randint(4, 6)
            latitude, longitude = district.place(rng, spread_degrees)
            villages.append(
                Village(
                    code=f"{district.area.code}-{n:04d}",
                    name_local=local,
                    name_en=latin,
                    area=district.area,
                    households=households,
                    population=population,
                    latitude=latitude,
                    longitude=longitude,
                    registered_on=registered_on,
                )
            )
    codes = [v.code for v in villages]
    with transaction.atomic(durable=True):
        if Village.objects.filter(code__in=codes[:1] + codes[-1:]).exists():
            raise Gov3Error("These districts already have generated villages.")
        Village.objects.bulk_create(villages, batch_size=BATCH)
        if infrastructure_share > 0:
            VillageInfrastructure.objects.bulk_create(
                (
                    VillageInfrastructure(
                        village=village, item=item, done=rng.random() < infrastructure_share
                    )
                    for village in villages
                    for item in InfrastructureItem.values
                ),
                batch_size=BATCH,
            )
        record_audit(
            actor=actor,
            action="saemaul.generate_villages",
            target_type="area",
            target_id=",".join(d.area.code for d in districts)[:64],
            data={"villages": len(villages), "seed": seed},
        )
    return len(villages)


def synthetic_photo(
    *,
    latitude: float | None,
    longitude: float | None,
    taken_at: datetime | None = None,
    image_format: str = "JPEG",
    size: tuple[int, int] = (320, 240),
    colour: tuple[int, int, int] = (96, 140, 80),
) -> bytes:
    """A small image with EXIF GPS position and DateTimeOriginal, as a phone camera writes them."""
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    image.save(out, image_format, exif=exif_with_position(latitude, longitude, taken_at))
    return out.getvalue()

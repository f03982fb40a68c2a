"""Haenam-gun and its 14 eup/myeon (areas loaded through the register's command), with the
documented figures the demo replays.
"""

from __future__ import annotations

from gov3.registry.models import Area
from gov3.registry.services import AreaRecord, do_load_areas

ACTOR = "system:saemaul-demo"
SEED = 1970
COUNTRY = "kr"
PROVINCE = AreaRecord("46", None, "province", "전라남도", "Jeollanam-do")
COUNTY = AreaRecord("46820", "46", "municipality", "해남군", "Haenam-gun")
# Haenam's 1 eup and 13 myeon, with the centre their synthetic villages scatter around.
EUP_MYEON = [
    ("해남읍", "Haenam-eup", 34.573, 126.599),
    ("삼산면", "Samsan-myeon", 34.530, 126.620),
    ("화산면", "Hwasan-myeon", 34.520, 126.540),
    ("현산면", "Hyeonsan-myeon", 34.470, 126.580),
    ("송지면", "Songji-myeon", 34.360, 126.520),
    ("북평면", "Bukpyeong-myeon", 34.390, 126.630),
    ("북일면", "Bugil-myeon", 34.440, 126.690),
    ("옥천면", "Okcheon-myeon", 34.610, 126.650),
    ("계곡면", "Gyegok-myeon", 34.650, 126.610),
    ("마산면", "Masan-myeon", 34.640, 126.530),
    ("황산면", "Hwangsan-myeon", 34.580, 126.430),
    ("산이면", "Sani-myeon", 34.680, 126.460),
    ("문내면", "Munnae-myeon", 34.600, 126.330),
    ("화원면", "Hwawon-myeon", 34.700, 126.330),
]
HWASAN = 2  # index of Hwasan-myeon: the demo's live eup/myeon
HAENAM_VILLAGES = 485
# The documented class counts (basic, self-help, self-reliant).
CLASS_PATH = {1971: (319, 146, 20), 1979: (0, 14, 471)}
# 16,600 of 33,267 villages showed results in the seed round (Saemaul Undong Archives).
RESULT_SHARE = (16_600, 33_267)


def district_code(index: int) -> str:
    """The gov3 code of Haenam's eup/myeon number ``index`` (0-based)."""
    return f"{COUNTY.code}-{index + 1:02d}"


def _areas() -> tuple[Area, Area, list[Area]]:
    records = [PROVINCE, COUNTY] + [
        AreaRecord(district_code(i), COUNTY.code, "district", local, english)
        for i, (local, english, _, _) in enumerate(EUP_MYEON)
    ]
    do_load_areas(ACTOR, COUNTRY, records)
    by_code = {
        a.code: a for a in Area.objects.filter(country=COUNTRY, code__in=[r.code for r in records])
    }
    return (
        by_code[PROVINCE.code],
        by_code[COUNTY.code],
        [by_code[district_code(i)] for i in range(len(EUP_MYEON))],
    )

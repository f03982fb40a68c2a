"""The outlines the Korean pack ships for its maps (issue 14, item 12): from an open-licensed
source that is cited, small enough to keep in the repository, matched to the register's areas,
and usable to tell whether a point is inside an area."""

from __future__ import annotations

from pathlib import Path

import pytest

from gov3.catalogue.boundaries import load_boundaries
from gov3.demo.saemaul import EUP_MYEON

BOUNDARIES = Path(__file__).resolve().parents[2] / "countries" / "kr" / "boundaries"
AREAS = Path(__file__).resolve().parents[2] / "countries" / "kr" / "areas.csv"


def test_the_source_and_its_licence_are_cited() -> None:
    shipped = load_boundaries(BOUNDARIES)
    assert "Statistics Korea" in shipped.attribution
    assert "Korea Open Government License type 1" in shipped.attribution
    readme = (BOUNDARIES / "README.md").read_text(encoding="utf-8")
    assert "southkorea/southkorea-maps" in readme
    assert "kogl.or.kr" in readme


def test_the_files_stay_small() -> None:
    total = sum(path.stat().st_size for path in BOUNDARIES.glob("*.geojson"))
    assert total < 450_000, f"{total} bytes: simplify more in scripts/build-boundaries.py"


def test_every_province_of_the_pack_has_its_outline() -> None:
    shipped = load_boundaries(BOUNDARIES)
    lines = [
        line for line in AREAS.read_text(encoding="utf-8").splitlines() if ",province," in line
    ]
    codes = {line.split(",")[0] for line in lines}
    assert {o.code for o in shipped.outlines["province"]} == codes
    haenam = shipped.find("municipality", "46820")
    assert haenam is not None
    assert haenam.name_en == "Haenam-gun"
    assert haenam.parent == "46"


def test_haenam_has_the_eup_myeon_the_saemaul_demo_uses() -> None:
    shipped = load_boundaries(BOUNDARIES)
    names = {o.name_local for o in shipped.under("district", "46820")}
    assert names == {name for name, _, _, _ in EUP_MYEON}


@pytest.mark.parametrize("level", ["province", "municipality", "district"])
def test_every_label_point_lies_inside_its_own_area(level: str) -> None:
    for outline in load_boundaries(BOUNDARIES).outlines[level]:
        longitude, latitude = outline.label
        assert outline.contains(latitude, longitude), outline.name_local
        for polygon in outline.polygons:
            for ring in polygon:
                assert len(ring) >= 4
                assert ring[0] == ring[-1]  # closed


def test_a_point_is_inside_the_right_area_only() -> None:
    shipped = load_boundaries(BOUNDARIES)
    hwasan = shipped.find("district", "", parent="46820", name="화산면")
    samsan = shipped.find("district", "", parent="46820", name="삼산면")
    assert hwasan is not None
    assert samsan is not None
    lon, lat = hwasan.label
    assert hwasan.contains(lat, lon)
    assert not samsan.contains(lat, lon)
    assert not hwasan.contains(34.30, 126.20)  # at sea, south-west of Haenam
    seoul = shipped.find("province", "11")
    assert seoul is not None
    assert seoul.contains(37.5665, 126.9780)  # Seoul City Hall


def test_a_pack_without_boundaries_has_no_outlines(tmp_path: Path) -> None:
    empty = load_boundaries(tmp_path / "boundaries")
    assert empty.outlines == {}
    assert empty.find("province", "11") is None

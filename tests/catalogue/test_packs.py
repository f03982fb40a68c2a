"""Country packs: the shipped packs load, and broken packs are reported with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gov3.catalogue.packs import PackError, load_pack, pack_path
from gov3.registry.models import Area

COUNTRIES = Path(__file__).resolve().parents[2] / "countries"


def test_korean_pack_loads_with_all_first_level_areas() -> None:
    pack = load_pack(COUNTRIES / "kr")
    provinces = {a.code: a.name_local for a in pack.areas if a.level == "province"}
    assert len(provinces) == 17
    assert provinces["11"] == "서울특별시"
    assert provinces["51"] == "강원특별자치도"  # code 51 since 2023 (was 42)
    assert provinces["52"] == "전북특별자치도"  # code 52 since 2024 (was 45)
    assert pack.currency.code == "KRW"
    assert pack.currency.minor_unit == 0
    assert pack.age_of_majority == 19
    assert pack.passport.document_code == "PM"
    assert pack.national_id.scheme == "kr_rrn"
    municipalities = [a for a in pack.areas if a.level == "municipality"]
    for municipality in municipalities:
        districts = [a for a in pack.areas if a.parent_code == municipality.code]
        assert len(districts) >= 2, municipality.code


def test_vietnamese_pack_has_the_34_units_of_2025() -> None:
    pack = load_pack(COUNTRIES / "vn" / "pack.yaml")
    provinces = [a for a in pack.areas if a.level == "province"]
    assert len(provinces) == 34
    cities = [a for a in provinces if a.name_local.startswith("Thành phố")]
    assert len(cities) == 6
    assert pack.area_levels == ("province", "district")
    assert pack.population.names.surnames[0].latin == "NGUYEN"
    assert pack.age_of_majority == 18


def test_areas_come_parents_first() -> None:
    pack = load_pack(COUNTRIES / "kr")
    seen: set[str] = set()
    for area in pack.areas:
        assert area.parent_code is None or area.parent_code in seen
        seen.add(area.code)


def test_pack_path_refuses_what_is_not_a_country_code(tmp_path: Path) -> None:
    assert pack_path("kr", tmp_path) == tmp_path / "kr"
    with pytest.raises(PackError):
        pack_path("../etc", tmp_path)


@pytest.fixture
def broken_pack(tmp_path: Path) -> Path:
    """A copy of the Korean pack with one mistake of each kind."""
    target = tmp_path / "kr"
    shutil.copytree(COUNTRIES / "kr", target)
    pack = target / "pack.yaml"
    text = pack.read_text(encoding="utf-8")
    text = text.replace("code: KRW", "code: KRX").replace("scheme: kr_rrn", "scheme: kr_xyz")
    text = text.replace("time_zone: Asia/Seoul\n", "")
    pack.write_text(text, encoding="utf-8")
    areas = target / "areas.csv"
    rows = areas.read_text(encoding="utf-8").splitlines()
    rows.append("11110-01,11110,district,중복,Duplicate")  # duplicate code
    rows.append("99999,98,municipality,없음,Missing parent")  # parent missing
    rows.append("11110-09,11,district,잘못,Wrong parent level")  # parent is a province
    rows.append("11110-10,11110,village,마을,Unknown level")  # unknown level
    areas.write_text("\n".join(rows) + "\n", encoding="utf-8")
    population = target / "population.yaml"
    text = population.read_text(encoding="utf-8")
    text = text.replace("shares: {1: 0.355,", "shares: {1: 0.455,")
    population.write_text(text, encoding="utf-8")
    return target


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_every_problem_is_reported_with_file_and_line(broken_pack: Path) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(broken_pack)
    problems = {(Path(p.file).name, p.line, p.message) for p in caught.value.problems}
    messages = "\n".join(str(p) for p in caught.value.problems)
    pack_yaml = broken_pack / "pack.yaml"
    areas = broken_pack / "areas.csv"
    assert (
        "pack.yaml",
        _line_of(pack_yaml, "code: KRX"),
        "unknown currency 'KRX'; use an ISO 4217 code such as KRW or VND",
    ) in problems
    assert any(
        p[0] == "pack.yaml"
        and p[1] == _line_of(pack_yaml, "scheme: kr_xyz")
        and "unknown national id scheme" in p[2]
        for p in problems
    )
    assert "missing required key 'time_zone'" in messages
    assert any(
        p[0] == "areas.csv" and p[1] == _line_of(areas, "중복") and "duplicate code" in p[2]
        for p in problems
    )
    assert any(
        p[1] == _line_of(areas, "Missing parent") and "'98' is not in the file" in p[2]
        for p in problems
    )
    assert any(
        p[1] == _line_of(areas, "Wrong parent level") and "must be a municipality" in p[2]
        for p in problems
    )
    assert any(
        p[1] == _line_of(areas, "Unknown level") and "unknown level 'village'" in p[2]
        for p in problems
    )
    population = broken_pack / "population.yaml"
    assert any(
        p[0] == "population.yaml"
        and p[1] == _line_of(population, "shares: {1: 0.455")
        and "add up to 1.1000, not 1" in p[2]
        for p in problems
    )


def test_yaml_syntax_errors_have_a_line(tmp_path: Path) -> None:
    target = tmp_path / "kr"
    shutil.copytree(COUNTRIES / "kr", target)
    (target / "pack.yaml").write_text("code: kr\nnames: [unclosed\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(target)
    (problem,) = caught.value.problems
    assert problem.line is not None
    assert "not valid YAML" in problem.message


@pytest.mark.django_db
def test_check_command_lists_problems_and_fails(
    broken_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="problem"):
        call_command("country", "check", str(broken_pack))
    out = capsys.readouterr().out
    line = _line_of(broken_pack / "areas.csv", "중복")
    assert f"{broken_pack / 'areas.csv'}:{line}: duplicate code '11110-01'" in out
    assert Area.objects.count() == 0


def test_check_command_summarises_a_valid_pack(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("country", "check", str(COUNTRIES / "kr"))
    out = capsys.readouterr().out
    assert "is valid" in out
    assert "17 provinces" in out


@pytest.mark.django_db
def test_load_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("country", "load", "kr")
    first = capsys.readouterr().out
    assert "183 area(s) created" in first
    seoul = Area.objects.get(country="kr", code="11")
    assert Area.objects.get(country="kr", code="11110").parent == seoul
    call_command("country", "load", "kr")
    assert "nothing changed" in capsys.readouterr().out
    assert Area.objects.filter(country="kr").count() == 183


@pytest.mark.django_db
def test_load_of_a_broken_pack_writes_nothing(
    broken_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("country", "load", "kr", countries_dir=broken_pack.parent)
    assert Area.objects.count() == 0

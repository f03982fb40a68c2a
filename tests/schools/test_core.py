"""The pure parts of school services: learner numbers and the school assignment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gov3.catalogue.packs import PackError, load_pack
from gov3.schools.core.assignment import AssignmentReason, assign_schools
from gov3.schools.core.learner_numbers import is_valid_learner_number, make_learner_number

ROOT = Path(__file__).resolve().parents[2]
PATTERN = "##########"


def test_a_learner_number_carries_a_check_digit_and_a_forged_one_is_refused() -> None:
    number = make_learner_number(PATTERN, "luhn", 42)
    assert number == "0000000422"
    assert is_valid_learner_number(PATTERN, "luhn", number)
    assert not is_valid_learner_number(PATTERN, "luhn", "0000000423")  # check digit forged
    assert not is_valid_learner_number(PATTERN, "luhn", "000000042")  # too short
    assert not is_valid_learner_number(PATTERN, "luhn", "00000004A2")  # a letter
    with pytest.raises(ValueError, match="does not fit"):
        make_learner_number(PATTERN, "luhn", 10**9)


def test_the_first_school_is_assigned_then_the_next_when_it_is_full() -> None:
    districts = {"A": ["S1", "S2"], "B": ["S2"]}
    result = assign_schools(
        [("c1", "A"), ("c2", "A"), ("c3", "A"), ("c4", "B"), ("c5", "Z")],
        districts,
        {"S1": 1, "S2": 1},
    )
    assert [(a.child, a.school, a.reason) for a in result] == [
        ("c1", "S1", AssignmentReason.DISTRICT),
        ("c2", "S2", AssignmentReason.OVERFLOW),
        ("c3", None, AssignmentReason.ALL_FULL),
        ("c4", None, AssignmentReason.ALL_FULL),
        ("c5", None, AssignmentReason.NO_DISTRICT),
    ]
    assert result[1].full == ("S1",)


def test_the_kr_pack_has_schools_and_districts_by_school_year() -> None:
    data = load_pack(ROOT / "countries" / "kr").schools
    assert data is not None
    assert data.learner_id.verified is False  # the NEIS format is not published: marked
    samcheong = {
        d.school_year: d.school_code
        for d in data.districts
        if d.area_code == "11110-03" and d.priority == 1
    }
    assert samcheong == {2026: "KR-S-0002", 2027: "KR-S-0003"}


def test_a_broken_schools_file_is_reported_with_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "kr"
    shutil.copytree(ROOT / "countries" / "kr", pack)
    schools = pack / "schools" / "schools.csv"
    schools.write_text(
        schools.read_text(encoding="utf-8")
        + "KR-S-0001,중복,Duplicate,primary,11110-01,,10,5\n"
        + "KR-S-0900,없는곳,Nowhere,college,99999-01,,5,10\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    text = str(caught.value)
    lines = len(schools.read_text(encoding="utf-8").splitlines())
    assert f"schools.csv:{lines - 1}: duplicate code 'KR-S-0001'" in text
    assert f"schools.csv:{lines}: unknown level 'college'" in text
    assert "'99999-01' is not a lowest-level area" in text
    assert "entry_places cannot exceed capacity" in text

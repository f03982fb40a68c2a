"""Viet Nam's school data (countries/vn/schools/): the pack passes `gov3 country check`; the
grade-one round for the school year starting 5 September 2026 takes every child who turns 6 in
2026 — born on 1 January or on 31 December — and no one born in 2019 or 2021 (Education Law
2019 art. 28: age counted by calendar year); term results in vn's scales (Circular 27/2020 for
primary, Circular 22/2021 marks 0-10 or Đạt / Chưa đạt for secondary)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gov3.accounts.services import do_create_citizen_account
from gov3.catalogue.management.commands.country import load_country_areas
from gov3.catalogue.packs import load_pack
from gov3.core.errors import ValidationFailedError
from gov3.offers.models import Offer
from gov3.offers.services import do_confirm_offer
from gov3.registry.models import Person
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import do_register_birth, do_register_person
from gov3.schools.classroom import do_assign_class, do_register_teacher
from gov3.schools.core.learner_numbers import is_valid_learner_number
from gov3.schools.entry import (
    current_school_year,
    do_build_entry_round,
    proposed_for,
    reference_date,
)
from gov3.schools.installed import schools_data
from gov3.schools.models import Enrolment, Placement, School
from gov3.schools.oneroster import school_roster
from gov3.schools.services import do_enrol, do_register_learner
from gov3.schools.work.assessment import do_record_assessment
from gov3.schools.work.models import AssessmentRecord
from tests.conftest import PASSWORD
from tests.schools.conftest import ACTOR

ROOT = Path(__file__).resolve().parents[2]
HOAN_KIEM = "01-01"  # served by VN-S-0001, then VN-S-0002
_serials = iter(range(1, 10_000))


def test_the_vn_pack_has_schools_districts_and_its_school_year() -> None:
    data = load_pack(ROOT / "countries" / "vn").schools
    assert data is not None
    assert data.year_start == (9, 5)
    assert data.entry_year_offset == 0  # the year the child turns 6
    assert dict(data.grades) == {"primary": 5, "middle": 4, "high": 3}
    assert data.grade_offset("middle") == 5
    assert data.learner_id.verified is False
    assert all("(ví dụ)" in s.name_local and "(example)" in s.name_en for s in data.schools)


def _vn_adult(name: str, born: date = date(1990, 4, 4), sex: str = "F") -> Person:
    return do_register_person(
        ACTOR,
        country="vn",
        national_id=national_id_scheme("vn").make(born, sex, 50_000 + next(_serials)),
        name_local=name,
        name_latin="TEST",
        birth_date=born,
        sex=sex,
        nationality="VNM",
        area_code=HOAN_KIEM,
        street="Phố Tràng Thi 1",
    )


def _child(mother: Person, born: date, name: str) -> Person:
    return do_register_birth(
        ACTOR, mother=mother, father=None, name_local=name, name_latin="CHILD",
        birth_date=born, sex="M",
    )  # fmt: skip


@pytest.fixture
def vn(db: None) -> dict[str, Any]:
    load_country_areas("vn")
    from gov3.schools.services import do_load_schools  # noqa: PLC0415

    do_load_schools(ACTOR, "vn", schools_data("vn"))
    mother = _vn_adult("Nguyễn Thị Lan")
    return {
        "mother": mother,
        "jan1": _child(mother, date(2020, 1, 1), "Nguyễn Văn An"),
        "dec31": _child(mother, date(2020, 12, 31), "Nguyễn Văn Bình"),
        "too_old": _child(mother, date(2019, 12, 31), "Nguyễn Văn Cường"),
        "too_young": _child(mother, date(2021, 1, 1), "Nguyễn Văn Dũng"),
    }


def test_the_round_takes_the_children_turning_6_that_year_1_january_and_31_december(
    vn: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # vn's enrolment season: June to August (the kr tests' clock is in November).
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 6, 15))
    # The list is drawn on 1 June for the school year starting on 5 September that year.
    assert reference_date("vn", 2026) == date(2026, 6, 1)
    assert current_school_year("vn", date(2026, 9, 4)) == 2026
    assert current_school_year("vn", date(2026, 9, 5)) == 2027
    entry_round = do_build_entry_round(ACTOR, "vn", 2026)
    placements = {p.child_id: p for p in Placement.objects.filter(round=entry_round)}
    assert set(placements) == {vn["jan1"].pk, vn["dec31"].pk}  # not 31.12.2019 nor 1.1.2021
    first = placements[vn["jan1"].pk]
    assert (first.school.code, first.reason) == ("VN-S-0001", "district")
    offer = first.offer
    assert offer is not None
    assert offer.recipient == vn["mother"]
    proposed = proposed_for(offer)
    assert proposed is not None
    rows = dict(proposed["en"]["rows"])
    assert rows["School assigned"] == (
        "Hoan Kiem A Primary School (example) (Trường Tiểu học Hoàn Kiếm A (ví dụ))"
    )
    assert rows["Entry"] == "Sept. 5, 2026"
    # The mother confirms: the learner number and grade 1 from the first day of the year.
    user = do_create_citizen_account(ACTOR, person=vn["mother"], username="lan", password=PASSWORD)
    offer = Offer.objects.get(pk=offer.pk)
    do_confirm_offer(user, offer, expected_version=offer.version, language="vi")
    enrolment = Enrolment.objects.select_related("learner").get(learner__person=vn["jan1"])
    assert (enrolment.school.code, enrolment.grade, enrolment.started_on) == (
        "VN-S-0001",
        1,
        date(2026, 9, 5),
    )
    spec = schools_data("vn").learner_id
    assert is_valid_learner_number(spec.pattern, spec.check, enrolment.learner.number)
    # The request page of the other child names the same first day.
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    page = client.get(reverse("schools:entry_request", args=[placements[vn["dec31"].pk].public_id]))
    assert "Nguyễn Văn Bình is to enter school on Sept. 5, 2026." in page.content.decode()


def _teacher(school: School, username: str, grade: int) -> Any:
    user = do_create_citizen_account(
        ACTOR, person=_vn_adult(f"Giáo viên {username}"), username=username, password=PASSWORD
    )
    teacher = do_register_teacher(ACTOR, user, school)
    return teacher, do_assign_class(ACTOR, teacher, school_year=2026, grade=grade, class_name="A")


def test_results_are_recorded_in_vns_scales(vn: dict[str, Any]) -> None:
    data = schools_data("vn")
    primary, lower = School.objects.get(code="VN-S-0001"), School.objects.get(code="VN-S-0004")
    pupil = do_register_learner(ACTOR, vn["jan1"], data)
    do_enrol(ACTOR, pupil, primary, school_year=2026, grade=1, class_name="A",
             on=date(2026, 9, 5))  # fmt: skip
    teacher, assignment = _teacher(primary, "gv1", 1)
    pid = str(pupil.public_id)
    # Primary (Circular 27/2020): Hoàn thành tốt / Hoàn thành / Chưa hoàn thành.
    assert (
        do_record_assessment(
            teacher, assignment, term=1, subject="vietnamese", results={pid: "Hoàn thành tốt"}
        )
        == 1
    )
    with pytest.raises(ValidationFailedError, match="must be one of Hoàn thành tốt, Hoàn thành"):
        do_record_assessment(teacher, assignment, term=1, subject="maths", results={pid: "A"})

    # Lower secondary has four grades in vn (grades 6 to 9): its last one is grade 4 here.
    older = do_register_learner(ACTOR, _vn_adult("Trần Văn Em", born=date(2011, 3, 3), sex="M"),
                                data)  # fmt: skip
    with pytest.raises(ValidationFailedError, match="grades 1 to 4"):
        do_enrol(ACTOR, older, lower, school_year=2026, grade=5, class_name="A",
                 on=date(2026, 9, 5))  # fmt: skip
    do_enrol(ACTOR, older, lower, school_year=2026, grade=4, class_name="A", on=date(2026, 9, 5))
    teacher2, assignment2 = _teacher(lower, "gv2", 4)
    oid = str(older.public_id)
    # Circular 22/2021: a mark from 0 to 10 with one decimal (8,5 as written in Vietnamese)…
    do_record_assessment(teacher2, assignment2, term=1, subject="maths", results={oid: "8,5"})
    # … or Đạt / Chưa đạt for a subject assessed by comment.
    do_record_assessment(teacher2, assignment2, term=1, subject="pe", results={oid: "Đạt"})
    stored = dict(
        AssessmentRecord.objects.filter(enrolment__learner=older).values_list("subject", "result")
    )
    assert stored == {"maths": "8.5", "pe": "Đạt"}
    for bad in ("10.25", "11", "-1", "Tốt", "8.", "tám"):
        with pytest.raises(ValidationFailedError, match="a mark from 0 to 10"):
            do_record_assessment(teacher2, assignment2, term=2, subject="maths", results={oid: bad})
    assert not AssessmentRecord.objects.filter(term=2).exists()
    # OneRoster's CEDS grade runs on from primary's five grades: lower secondary grade 4 is "09".
    users = school_roster("VN-S-0004").as_dicts()["users"]
    assert [u["grades"] for u in users if u["identifier"] == older.number] == ["09"]

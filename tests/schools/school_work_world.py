"""A class for the school-work tests: Maedong (KR-S-0002) grade 1 class 1 of the 2026 school
year, a teacher who teaches it, two learners (김일월, child of the guardian `first`, and
최윤일, child of `third`) and a second teacher with another class. Shared by the service and
browser tests."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from PIL import Image

from gov3.accounts.services import do_create_citizen_account
from gov3.schools.classroom import do_assign_class, do_register_teacher
from gov3.schools.installed import schools_data
from gov3.schools.models import School
from gov3.schools.services import do_enrol, do_register_learner
from tests.conftest import PASSWORD
from tests.schools.conftest import ACTOR, _adult

YEAR = 2026


def build_class(world: dict[str, Any]) -> dict[str, Any]:
    school = School.objects.get(code="KR-S-0002")
    data = schools_data("kr")
    learners = {}
    for key in ("jan1", "feb29"):
        learner = do_register_learner(ACTOR, world[key], data)
        do_enrol(ACTOR, learner, school, school_year=YEAR, grade=1, class_name="1",
                 on=date(2026, 3, 2))  # fmt: skip
        learners[key] = learner
    teacher_person = _adult("정선생")
    user = do_create_citizen_account(
        ACTOR, person=teacher_person, username="teacher", password=PASSWORD
    )
    teacher = do_register_teacher(ACTOR, user, school)
    assignment = do_assign_class(ACTOR, teacher, school_year=YEAR, grade=1, class_name="1")
    other_user = do_create_citizen_account(
        ACTOR, person=_adult("한선생"), username="other-teacher", password=PASSWORD
    )
    other = do_register_teacher(ACTOR, other_user, school)
    other_class = do_assign_class(ACTOR, other, school_year=YEAR, grade=1, class_name="2")
    return {
        "school": school,
        "teacher": teacher,
        "teacher_user": user,
        "assignment": assignment,
        "other": other,
        "other_user": other_user,
        "other_class": other_class,
        **learners,
    }


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

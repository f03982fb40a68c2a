"""The school-work demo: a teacher login (`teacher`) with a first-grade class of this school
year at the demo citizen's school, learners from the synthetic register (the demo citizen's
own child of that age first, if there is one), attendance for the last few school days, a
notice and an open consent request (a field trip) for the guardians."""

from __future__ import annotations

from datetime import date, timedelta

from gov3.accounts.models import OfficerRole, User
from gov3.accounts.queries import children_acted_for
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.registry.models import Person
from gov3.schools.classroom import do_assign_class, do_register_teacher
from gov3.schools.entry import param
from gov3.schools.installed import schools_data
from gov3.schools.models import Learner, Placement, School, SchoolLevel, Teacher
from gov3.schools.services import do_enrol, do_register_learner
from gov3.schools.work.attendance import do_take_attendance
from gov3.schools.work.classes import enrolments_of, school_year_of
from gov3.schools.work.guardian import do_publish_notice

ACTOR = "system:demo"
USERNAME = "teacher"
PASSWORD = "demo-teacher-2026"  # noqa: S105 - the demo's published password
OFFICER_USERNAME = "school-officer"
OFFICER_PASSWORD = "demo-school-officer-2026"  # noqa: S105 - the demo's published password
CLASS_SIZE = 20
DAYS = 5
#: The demo class's two notices (title, body; the consent request's title, body) in the
#: country's language (English for a country not listed).
NOTICES = {
    "kr": (
        "학부모 상담 주간 안내",
        "다음 주 월요일부터 금요일까지 학부모 상담 주간입니다.",
        "국립과학관 현장체험학습",
        "다음 주 금요일 국립과학관 현장체험학습에 자녀의 참가를 동의하시는지 답해 주세요.",
    ),
    "vn": (
        "Tuần lễ gặp gỡ phụ huynh",
        "Các buổi gặp giữa phụ huynh và giáo viên diễn ra từ thứ Hai đến thứ Sáu tuần sau.",
        "Tham quan Bảo tàng Khoa học",
        "Xin phụ huynh cho biết con có được tham gia chuyến tham quan vào thứ Sáu tuần sau không.",
    ),
    "en": (
        "Parent-teacher week",
        "Parent-teacher meetings run from Monday to Friday next week.",
        "Field trip to the science museum",
        "Please say whether your child may join the field trip next Friday.",
    ),
}


def _school(country: str, citizen: User) -> School | None:
    placement = (
        Placement.objects.filter(child__in=children_acted_for(citizen), school__isnull=False)
        .select_related("school")
        .first()
    )
    if placement is not None and placement.school is not None:
        return placement.school
    return School.objects.filter(country=country, level=SchoolLevel.PRIMARY).first()


def _pupils(country: str, citizen: User, born_in: int) -> list[Person]:
    """Children of first-grade age: the demo citizen's own first, then others."""
    own = list(children_acted_for(citizen).filter(birth_date__year=born_in))
    others = (
        Person.objects.filter(country=country, birth_date__year=born_in, date_of_death__isnull=True)
        .exclude(pk__in=[p.pk for p in own])
        .exclude(pk__in=Learner.objects.values("person_id"))
        .order_by("pk")[: CLASS_SIZE - len(own)]
    )
    return [*own, *others]


def _school_days(today: date, start: date) -> list[date]:
    """The last DAYS weekdays before today, not before the school year's start."""
    days: list[date] = []
    day = today - timedelta(days=1)
    while len(days) < DAYS and day >= start:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def load_demo(country: str, citizen: User, today: date) -> User | None:
    """Make the teacher and the class once; return the teacher's account (None without
    schools)."""
    existing = User.objects.filter(username=USERNAME).first()
    if existing is not None:
        return existing
    school = _school(country, citizen)
    if school is None:
        return None
    data = schools_data(country)
    year = school_year_of(country, today)
    start = date(year, *data.year_start)
    entry_age = param(country, "school_entry.entry_age", start)
    pupils = _pupils(country, citizen, year - data.entry_year_offset - entry_age)
    for pupil in pupils:
        learner = do_register_learner(ACTOR, pupil, data)
        if not learner.enrolments.filter(ended_on__isnull=True).exists():
            do_enrol(ACTOR, learner, school, school_year=year, grade=1, class_name="1", on=start)
    adult = (
        Person.objects.filter(
            country=country,
            date_of_death__isnull=True,
            birth_date__year__in=range(1975, 1995),
            account__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if adult is None:
        return None
    user = do_create_citizen_account(ACTOR, person=adult, username=USERNAME, password=PASSWORD)
    teacher = do_register_teacher(ACTOR, user, school)
    assignment = do_assign_class(ACTOR, teacher, school_year=year, grade=1, class_name="1")
    for n, day_taken in enumerate(_school_days(today, start)):
        enrolments = enrolments_of(assignment, day_taken)
        marks = {}
        if enrolments:
            marks[str(enrolments[(3 * n + 1) % len(enrolments)].learner.public_id)] = "absent"
            marks[str(enrolments[(5 * n + 2) % len(enrolments)].learner.public_id)] = "late"
        do_take_attendance(teacher, assignment, day=day_taken, marks=marks, today=day_taken)
    texts = NOTICES.get(country, NOTICES["en"])
    do_publish_notice(teacher, assignment, title=texts[0], body=texts[1], today=today)
    do_publish_notice(
        teacher,
        assignment,
        title=texts[2],
        body=texts[3],
        asks_consent=True,
        answer_by=today + timedelta(days=7),
        today=today,
    )
    return user


def load_school_officer(country: str, citizen: User) -> tuple[User, School] | None:
    """A school officer (`school-officer`) of the demo teacher's school: the school's own
    office (an agency with the school's code, so their scope is that school) and an open post
    there with the `school_officer` role (ADR 0036). Made once; None without schools."""
    teacher = Teacher.objects.filter(user__username=USERNAME).select_related("school").first()
    school = teacher.school if teacher is not None else _school(country, citizen)
    if school is None:
        return None
    existing = User.objects.filter(username=OFFICER_USERNAME).first()
    if existing is not None:
        return existing, school
    office = do_create_agency(
        ACTOR,
        code=school.code,
        name_local=f"{school.name_local} 행정실" if country == "kr" else school.name_local,
        name_en=f"{school.name_en} (school office)",
        country=country,
        services=[],
        area_code=school.area.code,
    )
    officer, _device = do_create_officer_account(
        ACTOR,
        username=OFFICER_USERNAME,
        password=OFFICER_PASSWORD,
        agency=office,
        role=OfficerRole.SCHOOL_OFFICER,
    )
    return officer, school

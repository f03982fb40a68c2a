"""Viet Nam's pack (countries/vn/personnel): the annual quality rating (four levels,
"Hoàn thành xuất sắc nhiệm vụ" at most 20 % of those rated "Hoàn thành tốt nhiệm vụ") refused
at locking when over it, and recruitment by the two rounds of Nghị định 138/2020/NĐ-CP
(eligibility from the register: 18 or older, Vietnamese nationality; round 2 at least 50; the
merit list with its tie at the last post)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.catalogue.packs import recruitment as recruitment_pack
from gov3.catalogue.packs.contents import PackError
from gov3.catalogue.packs.load import load_pack
from gov3.core.errors import ValidationFailedError
from gov3.personnel import evaluation, recruitment
from gov3.personnel.models import ApplicationStatus, EntryTrack, Position, StaffRecord
from gov3.personnel.pack import load
from gov3.personnel.services import (
    do_create_position,
    do_create_staff_record,
    do_create_unit,
    do_load_appointment,
)
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, make_person

pytestmark = pytest.mark.django_db


def _post(unit: object, code: str, band: tuple[str, str], role: str, head: bool) -> Position:
    return do_create_position(
        ACTOR,
        unit=unit,
        code=code,
        title_local=code,
        title_en=code,
        grade_high=band[0],
        grade_low=band[1],
        job_series="administration",
        gov3_role=role,
        is_head=head,
    )


def _serve(post: Position, grade: str, n: int, account: User | None = None) -> StaffRecord:
    record = do_create_staff_record(
        ACTOR,
        person=make_person(name_local=f"Nguyễn Văn {n}", name_latin=f"NGUYEN VAN {n}"),
        employee_number=f"VN{n:04d}",
        country="vn",
        entry=EntryTrack.EXPERIENCED,
        entered_on=date(2015, 3, 1),
        account=account,
    )
    do_load_appointment(
        ACTOR,
        record=record,
        position=post,
        grade=grade,
        step=2,
        starts_on=timezone.localdate() - timedelta(days=400),
    )
    return record


@pytest.fixture
def vn(areas: None) -> tuple[Agency, User, User, list[StaffRecord]]:
    """A Vietnamese department: its HR officer, the head of its office and 6 civil servants."""
    agency = do_create_agency(
        ACTOR,
        code="vn-hn-stc",
        name_local="Sở Tài chính Hà Nội",
        name_en="Ha Noi Department of Finance",
        country="vn",
    )
    top = do_create_unit(
        ACTOR,
        agency=agency,
        code="vn-top",
        name_local=agency.name_local,
        name_en=agency.name_en,
        authorised_headcount=0,
        opened_on=date(2015, 1, 1),
    )
    hr_unit = do_create_unit(
        ACTOR,
        agency=agency,
        parent=top,
        code="vn-hr",
        name_local="Phòng Tổ chức cán bộ",
        name_en="Personnel Office",
        authorised_headcount=2,
        opened_on=date(2015, 1, 1),
    )
    office = do_create_unit(
        ACTOR,
        agency=agency,
        parent=top,
        code="vn-office",
        name_local="Văn phòng Sở",
        name_en="Office",
        authorised_headcount=7,
        opened_on=date(2015, 1, 1),
    )
    hr, _ = do_create_officer_account(
        ACTOR, username="vn-hr", password=PASSWORD, agency=agency, role=OfficerRole.HR_OFFICER
    )
    _serve(_post(hr_unit, "vn-hr-1", ("A1", "A0"), "hr_officer", False), "A1", 1, hr)
    head, _ = do_create_officer_account(
        ACTOR, username="vn-head", password=PASSWORD, agency=agency, role=OfficerRole.AUDITOR
    )
    _serve(_post(office, "vn-office-head", ("A2", "A2"), "auditor", True), "A2", 2, head)
    staff = [
        _serve(_post(office, f"vn-office-{n}", ("A1", "B"), "", False), "A1", 10 + n)
        for n in range(6)
    ]
    return agency, hr, head, staff


def test_the_vn_scale_and_its_quota_are_the_packs() -> None:
    rules = load(str(settings.GOV3_COUNTRIES_DIR), "vn").evaluation_on(date(2026, 12, 1))
    assert rules is not None
    track = rules.quota_for("A1")
    assert [track.label(r, "vi") for r in track.ratings] == [
        "Hoàn thành xuất sắc nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành nhiệm vụ",
        "Không hoàn thành nhiệm vụ",
    ]
    # Excellent at most 20 % of those rated good, rounded down: 4 good allow none, 5 allow 1.
    assert rules.breaches(track, {"excellent": 1, "good": 5}) == []
    (over,) = rules.breaches(track, {"excellent": 1, "good": 4, "fulfilled": 1})
    assert (over.ratings, over.count, over.limit) == (("excellent",), 1, 0)
    assert rules.allowed(track, 6)["excellent"] == 1
    assert rules.bonus("A1", "excellent") is None  # no rate in the pack


def test_a_distribution_over_the_vn_quota_is_refused_at_locking(
    vn: tuple[Agency, User, User, list[StaffRecord]],
) -> None:
    agency, hr, head, staff = vn
    today = timezone.localdate()
    with translation.override("en"):
        with pytest.raises(ValidationFailedError, match="no half"):
            evaluation.do_open_period(hr, kind="work", year=today.year, half=1, reference_day=today)
        period = evaluation.do_open_period(
            hr, kind="work", year=today.year, half=0, reference_day=today
        )
    assert period.agency == agency
    for record, rating in zip(staff, ["excellent"] * 2 + ["good"] * 4, strict=True):
        evaluation.do_rate(head, period.pk, record.pk, rating)
    with pytest.raises(evaluation.QuotaExceededError, match="excellent: 2 given, at most 0"):
        evaluation.do_lock_unit(head, period.pk)
    # S/A/B/C is Korea's scale, not Viet Nam's.
    with pytest.raises(ValidationFailedError, match="Unknown rating 'S' for A1"):
        evaluation.do_rate(head, period.pk, staff[0].pk, "S")
    # 1 excellent of 5 good: at the limit, the unit locks.
    evaluation.do_rate(head, period.pk, staff[0].pk, "good")
    evaluation.do_lock_unit(head, period.pk)


def _applicant(name: str, birth: date, nationality: str = "VNM") -> User:
    person = make_person(name_local=name, name_latin=name.upper(), birth_date=birth)
    Person.objects.filter(pk=person.pk).update(nationality=nationality)
    return do_create_citizen_account(
        ACTOR,
        person=Person.objects.get(pk=person.pk),
        username=f"c-{person.pk}",
        password=PASSWORD,
    )


def test_recruitment_by_the_vn_rules_eligibility_and_merit_list(
    vn: tuple[Agency, User, User, list[StaffRecord]],
) -> None:
    _agency, hr, _head, _staff = vn
    entries = recruitment_pack.load(
        str(settings.GOV3_COUNTRIES_DIR), "vn", frozenset({"A3", "A2", "A1", "A0", "B"})
    )
    for condition in entries[-1].eligibility:  # every rule compiles against vn's variables
        recruitment.compiled("vn", condition.rule)
    today = timezone.localdate()
    final = today + timedelta(days=60)
    notice = recruitment.do_open_notice(
        hr,
        title="Thi tuyển công chức 2026 - Chuyên viên",
        grade="A1",
        job_series="administration",
        posts=1,
        opens_on=today,
        closes_on=today,
        final_exam_on=final,
    )
    assert [s["id"] for s in notice.stages] == ["general_knowledge", "specialised"]
    assert [s["pass_mark"] for s in notice.stages] == [50, 50]
    # Eligibility from the register: 18 on the final exam day, Vietnamese nationality.
    young = _applicant("Trần Thị Trẻ", final.replace(year=final.year - 18) + timedelta(days=1))
    foreign = _applicant("Kim Ngoại", date(1995, 1, 1), nationality="KOR")
    with pytest.raises(recruitment.NotEligibleError) as refused:
        recruitment.do_apply(young, notice.pk)
    assert [c.condition.id for c in refused.value.failed] == ["minimum_age"]
    assert "Điều 36" in str(refused.value)
    with pytest.raises(recruitment.NotEligibleError) as refused:
        recruitment.do_apply(foreign, notice.pk)
    assert [c.condition.id for c in refused.value.failed] == ["vietnamese_nationality"]
    scores = {
        "An": (80, 75),
        "Bình": (45, 99),  # round 1 below 50 %: out
        "Cường": (90, 49),  # round 2 below 50: out
        "Dũng": (60, 75),  # equal to An on round 2: the same rank, both at the last post
        "Hà": (70, 60),
    }
    apps = {
        name: recruitment.do_apply(_applicant(name, final.replace(year=final.year - 18)), notice.pk)
        for name in scores
    }
    yesterday = today - timedelta(days=1)
    type(notice).objects.filter(pk=notice.pk).update(opens_on=yesterday, closes_on=yesterday)
    for n, stage in enumerate(["general_knowledge", "specialised"]):
        for name, application in apps.items():
            application.refresh_from_db()
            if application.status == ApplicationStatus.APPLIED:
                recruitment.do_enter_score(hr, application.pk, stage, scores[name][n])
        recruitment.do_close_stage(hr, notice.pk)
    notice.refresh_from_db()
    for application in apps.values():
        application.refresh_from_db()
    dropped = {a.person.name_local: a.dropped_at for a in apps.values() if a.dropped_at}
    assert dropped == {"Bình": "general_knowledge", "Cường": "specialised"}
    ranked = [(a.person.name_local, a.rank, a.status) for a in recruitment.merit_list(notice)]
    assert ranked == [
        ("An", 1, ApplicationStatus.SUCCESSFUL),
        ("Dũng", 1, ApplicationStatus.SUCCESSFUL),  # tied at the last post: the head decides
        ("Hà", 3, ApplicationStatus.NOT_SELECTED),
    ]
    assert recruitment.rules_for("vn", today).probation_months["A1"] == 12
    # Appointed from the exam: the open-competition entry track (the pack's entry_by_grade),
    # not an experienced hire.
    vacant = _post(
        Position.objects.get(code="vn-office-0").unit, "vn-office-new", ("A1", "B"), "", False
    )
    recruitment.do_appoint(hr, apps["An"].pk, vacant, today + timedelta(days=5))
    record = StaffRecord.objects.get(person=apps["An"].person)
    assert record.entry == EntryTrack.OPEN_EXAM
    with translation.override("vi"):
        assert record.get_entry_display() == "Thi tuyển công chức"


def test_the_country_check_reads_the_recruitment_rules(tmp_path: Path) -> None:
    pack = tmp_path / "vn"
    shutil.copytree(settings.GOV3_COUNTRIES_DIR / "vn", pack)
    assert load_pack(pack).personnel is not None  # as shipped: valid
    rules = pack / "personnel" / "recruitment.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(
            "pass_mark: 50, weight: 1", "pass_mark: 150, weight: 1"
        ),
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="pass_mark above max_score"):
        load_pack(pack)


def test_the_grade_to_entry_mapping_is_pack_data(tmp_path: Path) -> None:
    assert load(str(settings.GOV3_COUNTRIES_DIR), "vn").entry_for("A1") == "open_exam"
    assert load(str(settings.GOV3_COUNTRIES_DIR), "vn").entry_for("A2") == "experienced"
    assert load(str(settings.GOV3_COUNTRIES_DIR), "kr").entry_for("G5") == "grade5_exam"
    pack = tmp_path / "vn"
    shutil.copytree(settings.GOV3_COUNTRIES_DIR / "vn", pack)
    data = pack / "personnel" / "personnel.yaml"
    shipped = data.read_text(encoding="utf-8")
    data.write_text(shipped.replace("  A0: open_exam", "  G5: open_exam"), encoding="utf-8")
    with pytest.raises(PackError) as refused:
        load_pack(pack)
    assert "personnel.yaml" in str(refused.value)
    assert "entry_by_grade.G5: 'G5' is no grade of the pack" in str(refused.value)
    data.write_text(shipped.replace("  A0: open_exam", "  A0: by_lottery"), encoding="utf-8")
    with pytest.raises(PackError, match=r"entry_by_grade\.A0: unknown entry track 'by_lottery'"):
        load_pack(pack)

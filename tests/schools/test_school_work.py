"""School work and the guardian service (issue 20 items 4 and 5): attendance for the day,
term results, notices and consent requests with a receipt, absence reports with evidence, the
access log of the teachers' pages, and bad input (a clear error, nothing changed)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AccessLogEntry
from gov3.schools.queries import attendance_rates
from gov3.schools.work.assessment import assessment_summary, do_record_assessment
from gov3.schools.work.attendance import attendance_sheet, do_take_attendance
from gov3.schools.work.guardian import (
    check_evidence,
    do_answer_consent,
    do_decide_absence,
    do_publish_notice,
    do_report_absence,
)
from gov3.schools.work.models import (
    AbsenceReport,
    AbsenceReportStatus,
    AssessmentRecord,
    AttendanceMark,
    AttendanceStatus,
    ConsentAnswer,
)
from tests.schools.conftest import TODAY, citizen_client
from tests.schools.school_work_world import PDF_BYTES, build_class, png_bytes


@pytest.fixture
def klass(world: dict[str, Any]) -> dict[str, Any]:
    return build_class(world)


def _teacher_client(klass: dict[str, Any], key: str = "teacher_user") -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(klass[key])
    return client


def _ids(klass: dict[str, Any]) -> tuple[str, str]:
    return str(klass["jan1"].public_id), str(klass["feb29"].public_id)


# -- attendance ------------------------------------------------------------------------------


def test_attendance_is_present_by_default_saved_for_the_day_and_changeable_that_day(
    klass: dict[str, Any],
) -> None:
    teacher, assignment = klass["teacher"], klass["assignment"]
    jan1, _feb29 = _ids(klass)
    assert [r.status for r in attendance_sheet(assignment, TODAY)] == ["present", "present"]
    written = do_take_attendance(teacher, assignment, day=TODAY, marks={jan1: "absent"})
    assert written == 2
    marks = {m.enrolment.learner_id: m.status for m in AttendanceMark.objects.all()}
    assert marks == {klass["jan1"].pk: "absent", klass["feb29"].pk: "present"}
    # changed the same day: only the changed mark is written again
    assert do_take_attendance(teacher, assignment, day=TODAY, marks={jan1: "late"}) == 1
    assert AttendanceMark.objects.get(enrolment__learner=klass["jan1"]).status == "late"
    assert AttendanceMark.objects.count() == 2


@pytest.mark.parametrize(
    ("day", "marks", "message"),
    [
        (TODAY - timedelta(days=1), {}, "on the day only"),
        (TODAY, {"00000000-0000-0000-0000-000000000000": "absent"}, "not in this class"),
        (TODAY, {"JAN1": "asleep"}, "present, absent, late or left early"),
    ],
)
def test_bad_attendance_is_refused_and_nothing_is_saved(
    klass: dict[str, Any], day: date, marks: dict[str, str], message: str
) -> None:
    jan1, _ = _ids(klass)
    marks = {jan1 if k == "JAN1" else k: v for k, v in marks.items()}
    with pytest.raises(ValidationFailedError, match=message):
        do_take_attendance(klass["teacher"], klass["assignment"], day=day, marks=marks)
    assert AttendanceMark.objects.count() == 0


def test_another_teachers_class_is_refused(klass: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailedError, match="not your class"):
        do_take_attendance(klass["other"], klass["assignment"], day=TODAY, marks={})
    assert AttendanceMark.objects.count() == 0


def test_attendance_rates_by_school_and_class(klass: dict[str, Any]) -> None:
    jan1, _ = _ids(klass)
    do_take_attendance(klass["teacher"], klass["assignment"], day=TODAY, marks={jan1: "absent"})
    [row] = attendance_rates("kr", 2026)
    assert (row.school_code, row.grade, row.class_name) == ("KR-S-0002", 1, "1")
    assert (row.learner_days, row.attended, row.absent, row.excused) == (2, 1, 1, 0)
    assert row.rate == 0.5
    assert attendance_rates("kr", 2026, school_code="KR-S-0001") == []
    assert attendance_rates("kr", 2026, since=TODAY + timedelta(days=1)) == []


# -- the teacher's pages ---------------------------------------------------------------------


def test_the_attendance_page_saves_the_day_and_logs_the_learners_read(
    klass: dict[str, Any],
) -> None:
    client = _teacher_client(klass)
    jan1, _ = _ids(klass)
    classes = client.get(reverse("schools:my_classes"))
    assert "Grade 1, class 1" in classes.content.decode()
    assert "class 2" not in classes.content.decode()
    url = reverse("schools:attendance", args=[klass["assignment"].pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "김일월" in body
    assert "<script" not in body.split("</head>")[1]
    assert AccessLogEntry.objects.filter(
        subject_id=klass["jan1"].person_id, what="attendance of the day", actor_role="teacher"
    ).exists()
    saved = client.post(url, {f"m-{jan1}": "late"})
    assert saved.status_code == 302
    assert AttendanceMark.objects.get(enrolment__learner=klass["jan1"]).status == "late"
    bad = client.post(url, {f"m-{jan1}": "asleep"})
    assert bad.status_code == 400
    assert "present, absent, late or left early" in bad.content.decode()
    assert AttendanceMark.objects.get(enrolment__learner=klass["jan1"]).status == "late"
    listed = client.get(reverse("schools:class_list", args=[klass["assignment"].pk]))
    assert klass["jan1"].number in listed.content.decode()
    assert AccessLogEntry.objects.filter(
        subject_id=klass["feb29"].person_id, what="class list"
    ).exists()


def test_a_teacher_sees_only_their_classes_and_others_get_404_not_logged(
    klass: dict[str, Any], world: dict[str, Any]
) -> None:
    other = _teacher_client(klass, "other_user")
    for name in ("class_list", "attendance", "assessment", "notices"):
        assert (
            other.get(reverse(f"schools:{name}", args=[klass["assignment"].pk])).status_code == 404
        )
    citizen, _ = citizen_client(world["first"], "first")
    assert citizen.get(reverse("schools:my_classes")).status_code == 404
    assert (
        citizen.get(reverse("schools:attendance", args=[klass["assignment"].pk])).status_code == 404
    )
    assert not AccessLogEntry.objects.exists()


# -- term results ----------------------------------------------------------------------------


def test_term_results_follow_the_packs_scale(klass: dict[str, Any]) -> None:
    jan1, feb29 = _ids(klass)
    teacher, assignment = klass["teacher"], klass["assignment"]
    # Maedong is a primary school: the pack's scale is a written description.
    written = do_record_assessment(
        teacher, assignment, term=1, subject="maths",
        results={jan1: "Adds and subtracts within 100 with confidence.", feb29: ""},
    )  # fmt: skip
    assert written == 1
    [row] = assessment_summary(klass["jan1"].enrolments.get())
    assert (row.term, row.subject) == ("Term 1", "Mathematics")
    with pytest.raises(ValidationFailedError, match="Choose a term"):
        do_record_assessment(teacher, assignment, term=3, subject="maths", results={})
    with pytest.raises(ValidationFailedError, match="Choose a subject"):
        do_record_assessment(teacher, assignment, term=1, subject="alchemy", results={})
    with pytest.raises(ValidationFailedError, match="too long"):
        do_record_assessment(
            teacher, assignment, term=1, subject="maths", results={jan1: "x" * 501}
        )
    assert AssessmentRecord.objects.get().result.startswith("Adds")


def test_the_results_page_records_and_logs(klass: dict[str, Any]) -> None:
    client = _teacher_client(klass)
    jan1, _ = _ids(klass)
    url = reverse("schools:assessment", args=[klass["assignment"].pk])
    assert client.get(url, {"term": "1", "subject": "korean"}).status_code == 200
    assert AccessLogEntry.objects.filter(what="term results").count() == 2
    sent = client.post(url, {"term": "1", "subject": "korean", f"r-{jan1}": "Reads aloud well."})
    assert sent.status_code == 302
    assert AssessmentRecord.objects.get().subject == "korean"
    assert client.get(url, {"term": "9", "subject": "korean"}).status_code == 400


# -- consent requests ------------------------------------------------------------------------


def test_a_consent_request_is_answered_once_with_a_receipt(
    klass: dict[str, Any], world: dict[str, Any]
) -> None:
    notice = do_publish_notice(
        klass["teacher"], klass["assignment"], title="Field trip to the science museum",
        body="Friday 20 November, back by 3 pm.", asks_consent=True,
        answer_by=TODAY + timedelta(days=5),
    )  # fmt: skip
    client, _user = citizen_client(world["first"], "first")
    learner = klass["jan1"]
    page = client.get(reverse("schools:school_work", args=[learner.public_id]))
    assert "Field trip to the science museum" in page.content.decode()
    answered = client.post(
        reverse("schools:answer_consent", args=[learner.public_id, notice.public_id]),
        {"answer": "yes"},
    )
    answer = ConsentAnswer.objects.get()
    assert answered.status_code == 302
    assert answered["Location"] == reverse(
        "schools:consent_receipt", args=[learner.public_id, answer.public_id]
    )
    assert answer.agreed
    assert answer.guardian == world["first"]
    assert "I agree that my child takes part in" in answer.text
    assert len(answer.text_sha256) == 64
    assert answer.notice_snapshot["title"] == notice.title
    receipt = client.get(answered["Location"]).content.decode()
    assert answer.text_sha256 in receipt
    again = client.post(
        reverse("schools:answer_consent", args=[learner.public_id, notice.public_id]),
        {"answer": "no"},
    )
    assert again.status_code == 400
    assert "already answered" in again.content.decode()
    assert ConsentAnswer.objects.count() == 1
    _other_client, other_parent = citizen_client(world["third"], "third")
    with pytest.raises(ValidationFailedError, match="answer date has passed"):
        do_answer_consent(other_parent, klass["feb29"], notice, agreed=True, language="en",
                          today=TODAY + timedelta(days=6))  # fmt: skip
    teacher_view = _teacher_client(klass).get(
        reverse("schools:notices", args=[klass["assignment"].pk])
    )
    assert "No answer yet" in teacher_view.content.decode()


def test_a_consent_request_needs_an_answer_date(klass: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailedError, match="answer date"):
        do_publish_notice(klass["teacher"], klass["assignment"], title="Trip", body="Go",
                          asks_consent=True, answer_by=None)  # fmt: skip
    with pytest.raises(ValidationFailedError, match="title"):
        do_publish_notice(klass["teacher"], klass["assignment"], title=" ", body="Go")


# -- the guardian's pages and absence reports ------------------------------------------------


def test_another_familys_child_is_404_and_not_logged(
    klass: dict[str, Any], world: dict[str, Any]
) -> None:
    notice = do_publish_notice(
        klass["teacher"], klass["assignment"], title="Trip", body="Go", asks_consent=True,
        answer_by=TODAY,
    )  # fmt: skip
    client, user = citizen_client(world["first"], "first")
    theirs = klass["feb29"].public_id
    for url in (
        reverse("schools:school_work", args=[theirs]),
        reverse("schools:report_absence", args=[theirs]),
        reverse("schools:school_work", args=["00000000-0000-0000-0000-000000000000"]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("schools:answer_consent", args=[theirs, notice.public_id]), {"answer": "yes"}
        ).status_code
        == 404
    )
    assert not AccessLogEntry.objects.exists()
    assert not ConsentAnswer.objects.exists()
    with pytest.raises(NotFoundError):
        do_answer_consent(user, klass["feb29"], notice, agreed=True, language="en")
    with pytest.raises(NotFoundError):
        do_report_absence(user, klass["feb29"], first_day=TODAY, last_day=TODAY, reason="illness",
                          note="", evidence_name="a.pdf", evidence=PDF_BYTES)  # fmt: skip
    assert not AbsenceReport.objects.exists()


def test_an_absence_report_with_a_photo_is_accepted_and_the_day_is_excused(
    klass: dict[str, Any], world: dict[str, Any]
) -> None:
    jan1, _ = _ids(klass)
    do_take_attendance(klass["teacher"], klass["assignment"], day=TODAY, marks={})
    client, _user = citizen_client(world["first"], "first")
    url = reverse("schools:report_absence", args=[klass["jan1"].public_id])
    sent = client.post(url, {
        "first_day": TODAY.isoformat(), "reason": "illness", "note": "Fever",
        "evidence": SimpleUploadedFile("note.png", png_bytes(), content_type="image/png"),
    })  # fmt: skip
    assert sent.status_code == 302
    report = AbsenceReport.objects.get()
    assert (report.evidence_type, report.status) == ("image/png", AbsenceReportStatus.PENDING)
    teacher = _teacher_client(klass)
    listing = teacher.get(reverse("schools:absences")).content.decode()
    assert "김일월" in listing
    evidence = teacher.get(reverse("schools:absence_evidence", args=[report.public_id]))
    assert evidence["Content-Type"] == "image/png"
    assert bytes(evidence.content) == png_bytes()
    assert (
        _teacher_client(klass, "other_user")
        .get(reverse("schools:absence", args=[report.public_id]))
        .status_code
        == 404
    )
    decided = teacher.post(reverse("schools:absence", args=[report.public_id]),
                           {"decision": "accept"})  # fmt: skip
    assert decided.status_code == 302
    mark = AttendanceMark.objects.get(enrolment__learner=klass["jan1"])
    assert (mark.status, mark.excused) == (AttendanceStatus.ABSENT, True)
    # the teacher saving the day again keeps the excused absence (absent by default now)
    assert attendance_sheet(klass["assignment"], TODAY)[0].status == "absent"
    do_take_attendance(klass["teacher"], klass["assignment"], day=TODAY, marks={jan1: "absent"})
    assert AttendanceMark.objects.get(enrolment__learner=klass["jan1"]).excused
    with pytest.raises(ValidationFailedError, match="already been decided"):
        do_decide_absence(klass["teacher"], report, accepted=False, note="no")
    page = client.get(reverse("schools:school_work", args=[klass["jan1"].public_id]))
    assert "1 excused" in page.content.decode()
    assert AccessLogEntry.objects.filter(what="absence report evidence").exists()


def test_a_report_not_accepted_needs_a_reason(klass: dict[str, Any], world: dict[str, Any]) -> None:
    _client, user = citizen_client(world["first"], "first")
    report = do_report_absence(
        user, klass["jan1"], first_day=TODAY, last_day=TODAY, reason="family", note="",
        evidence_name="a.pdf", evidence=PDF_BYTES,
    )  # fmt: skip
    assert report.evidence_type == "application/pdf"
    with pytest.raises(ValidationFailedError, match="Say why"):
        do_decide_absence(klass["teacher"], report, accepted=False, note=" ")
    decided = do_decide_absence(klass["teacher"], report, accepted=False, note="No note signed")
    assert decided.status == AbsenceReportStatus.REJECTED


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"I was ill", "not a photo (JPEG or PNG) or a PDF"),
        ("fake.png", b"\x89PNG\r\n\x1a\nnot really", "not a photo (JPEG or PNG) or a PDF"),
        ("fake.pdf", b"%PDF-1.4 no end", "not a photo (JPEG or PNG) or a PDF"),
        ("empty.pdf", b"", "Attach the evidence"),
    ],
)
def test_evidence_that_is_not_a_photo_or_pdf_is_refused_and_nothing_saved(
    klass: dict[str, Any], world: dict[str, Any], name: str, data: bytes, message: str
) -> None:
    client, _user = citizen_client(world["first"], "first")
    sent = client.post(
        reverse("schools:report_absence", args=[klass["jan1"].public_id]),
        {"first_day": TODAY.isoformat(), "reason": "illness",
         "evidence": SimpleUploadedFile(name, data, content_type="image/png")},
    )  # fmt: skip
    assert sent.status_code == 400
    assert message in sent.content.decode()
    assert not AbsenceReport.objects.exists()


@override_settings(GOV3_ATTACHMENT_MAX_BYTES=1024 * 1024)
def test_too_large_evidence_is_refused() -> None:
    with pytest.raises(ValidationFailedError, match="too large"):
        check_evidence("big.pdf", PDF_BYTES + b"0" * (1024 * 1024))


@pytest.mark.parametrize(
    "bad",
    [
        (TODAY, TODAY - timedelta(days=1), "illness", "before the first day"),
        (TODAY, TODAY + timedelta(days=40), "illness", "at most 31 days"),
        (date(2025, 1, 1), date(2025, 1, 2), "illness", "current enrolment"),
        (TODAY, TODAY, "boredom", "Choose the reason"),
    ],
)
def test_bad_absence_reports_are_refused(
    klass: dict[str, Any], world: dict[str, Any], bad: tuple[date, date, str, str]
) -> None:
    first, last, reason, message = bad
    _client, user = citizen_client(world["first"], "first")
    with pytest.raises(ValidationFailedError, match=message):
        do_report_absence(user, klass["jan1"], first_day=first, last_day=last, reason=reason,
                          note="", evidence_name="a.pdf", evidence=PDF_BYTES)  # fmt: skip
    assert not AbsenceReport.objects.exists()

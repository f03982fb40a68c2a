"""Year end in bulk (promotion, graduation, held back, idempotent), the transcript (verifying
with gov3 and the independent SD-JWT library), the dashboards' numbers on a small known set,
open data with small cells suppressed, and the school officer's scope."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import time
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.catalogue.management.commands.country import load_country_areas
from gov3.core.errors import ValidationFailedError
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.documents.core import verify
from gov3.documents.core.verify import load_bundle
from gov3.documents.issuers import jwks
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.verification import bundle, check
from gov3.opendata.datasets import DATASETS
from gov3.registry.models import Person
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import do_register_birth, do_register_person
from gov3.schools.classroom import do_assign_class, do_register_teacher
from gov3.schools.dashboards import dashboard, open_data_rows
from gov3.schools.installed import schools_data
from gov3.schools.models import Enrolment, EnrolmentEnd, Learner, School
from gov3.schools.scope import schools_for
from gov3.schools.services import (
    do_enrol,
    do_load_schools,
    do_register_learner,
    do_transfer,
)
from gov3.schools.work.assessment import do_record_assessment
from gov3.schools.year_end import do_year_end, plan_year_end
from tests.api.test_offers_cases_api import sign_in_officer
from tests.conftest import PASSWORD, tools_required

ACTOR = "test"
ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tests" / "documents" / "sdjwt_verify.mjs"
_serial = iter(range(1, 100_000))


@pytest.fixture
def schools(db: None) -> dict[str, School]:
    load_country_areas("kr")
    do_load_schools(ACTOR, "kr", schools_data("kr"))
    return {s.code: s for s in School.objects.select_related("area", "area__parent")}


def _family(area: str = "11110-02", name: str = "학생") -> tuple[Person, Learner]:
    n = next(_serial)
    born = date(1988, 3, 4)
    mother = do_register_person(
        ACTOR,
        country="kr",
        national_id=national_id_scheme("kr").make(born, "F", 60_000 + n),
        name_local=f"엄마{n}",
        name_latin=f"MOTHER {n}",
        birth_date=born,
        sex="F",
        nationality="KOR",
        area_code=area,
        street="사직로 1",
    )
    child = do_register_birth(
        ACTOR,
        mother=mother,
        father=None,
        name_local=f"{name}{n}",
        name_latin=f"CHILD {n}",
        birth_date=date(2019, 5, 5),
        sex="M",
    )
    return mother, do_register_learner(ACTOR, child, schools_data("kr"))


def _learner(**kw: Any) -> Learner:
    return _family(**kw)[1]


def _enrolled(school: School, grade: int, year: int = 2026, **kw: Any) -> Learner:
    learner = _learner(**kw)
    do_enrol(ACTOR, learner, school, school_year=year, grade=grade, on=date(year, 3, 2))
    return learner


def _officer(username: str, agency: Agency, role: str = OfficerRole.SCHOOL_OFFICER) -> Client:
    user, device = do_create_officer_account(
        ACTOR, username=username, password=PASSWORD, agency=agency, role=role
    )
    return sign_in_officer(user, device)


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def _agency(code: str, area: str | None) -> Agency:
    return do_create_agency(
        ACTOR,
        code=code,
        name_local=code,
        name_en=code,
        country="kr",
        services=[],
        area_code=area,
    )


# -- year end -----------------------------------------------------------------------------------


def test_year_end_promotes_graduates_holds_back_and_is_idempotent(
    schools: dict[str, School],
) -> None:
    school = schools["KR-S-0001"]
    first = [_enrolled(school, 1) for _ in range(3)]
    sixth = [_enrolled(school, 6) for _ in range(2)]
    held = _enrolled(school, 3)
    elsewhere = _enrolled(schools["KR-S-0002"], 2)
    plan = plan_year_end(school, 2026, [held.number])
    assert plan.counts() == {"promote": 3, "graduate": 2, "hold": 1}
    ticks: list[tuple[int, int]] = []
    summary = do_year_end(
        ACTOR,
        school,
        from_year=2026,
        on=date(2027, 3, 2),
        held_back=[held.number],
        progress=lambda done, total: ticks.append((done, total)),
        batch=4,
    )
    assert (summary.promoted, summary.graduated, summary.held_back) == (3, 2, 1)
    assert ticks == [(4, 6), (6, 6)]
    assert summary.batches == 2
    for learner in first:
        now = Enrolment.objects.get(learner=learner, ended_on__isnull=True)
        assert (now.school_year, now.grade, now.school_id) == (2027, 2, school.pk)
    for learner in sixth:
        assert not Enrolment.objects.filter(learner=learner, ended_on__isnull=True).exists()
        assert Enrolment.objects.get(learner=learner).end_reason == EnrolmentEnd.GRADUATED
    repeat = Enrolment.objects.get(learner=held, ended_on__isnull=True)
    assert (repeat.school_year, repeat.grade) == (2027, 3)
    assert Enrolment.objects.get(learner=held, school_year=2026).end_reason == "held_back"
    # another school is untouched
    assert Enrolment.objects.get(learner=elsewhere).school_year == 2026
    # one audit entry a batch, naming every learner and what happened
    entries = AuditEntry.objects.filter(action="schools.year_end")
    assert entries.count() == 2
    named = [
        n for e in entries for key in ("promoted", "graduated", "held_back") for n in e.data[key]
    ]
    assert sorted(named) == sorted(x.number for x in [*first, *sixth, held])
    # twice: nothing changes
    rows = Enrolment.objects.count()
    again = do_year_end(ACTOR, school, from_year=2026, on=date(2027, 3, 2))
    assert again.changed == 0
    assert again.already_done == 4
    assert Enrolment.objects.count() == rows
    assert AuditEntry.objects.filter(action="schools.year_end").count() == 2


def test_year_end_refuses_bad_input_and_changes_nothing(schools: dict[str, School]) -> None:
    school = schools["KR-S-0001"]
    _enrolled(school, 2)
    stranger = _enrolled(schools["KR-S-0002"], 2)
    rows = list(Enrolment.objects.values_list("pk", "ended_on"))
    with pytest.raises(ValidationFailedError, match="cannot be held back"):
        do_year_end(ACTOR, school, from_year=2026, on=date(2027, 3, 2), held_back=[stranger.number])
    with pytest.raises(ValidationFailedError, match="before"):
        do_year_end(ACTOR, school, from_year=2026, on=date(2026, 1, 1))
    assert list(Enrolment.objects.values_list("pk", "ended_on")) == rows


def test_the_year_end_command_shows_progress_and_a_summary(schools: dict[str, School]) -> None:
    school = schools["KR-S-0001"]
    _enrolled(school, 1)
    held = _enrolled(school, 6)
    out = StringIO()
    call_command(
        "schools", "year-end", "KR-S-0001", "2026", "--on", "2027-03-02", "--dry-run", stdout=out
    )
    assert "1 to promote, 1 to graduate, 0 held back; nothing changed" in out.getvalue()
    out = StringIO()
    call_command(
        "schools",
        "year-end",
        "KR-S-0001",
        "2026",
        "--on",
        "2027-03-02",
        "--hold",
        held.number,
        stdout=out,
    )
    assert "2/2 learners" in out.getvalue()
    assert f"1 promoted, 0 graduated, 1 held back ({held.number})." in out.getvalue()
    out = StringIO()
    call_command("schools", "year-end", "KR-S-0001", "2026", "--on", "2027-03-02", stdout=out)
    assert "nothing to do (2 learners already in 2027)" in out.getvalue()
    with pytest.raises(CommandError, match="not a date"):
        call_command("schools", "year-end", "KR-S-0001", "2026", "--on", "March")
    with pytest.raises(CommandError, match="no school"):
        call_command("schools", "year-end", "KR-X", "2026", "--on", "2027-03-02")


def test_the_year_end_page_in_scope_only_logged_and_confirmed(schools: dict[str, School]) -> None:
    school = schools["KR-S-0001"]
    promoted = _enrolled(school, 1)
    held = _enrolled(school, 2)
    own = _officer("cheongun", _agency("KR-S-0001", None))
    url = reverse("schools:officer_year_end", args=["KR-S-0001", 2026])
    logged = AccessLogEntry.objects.count()
    page = own.get(url)
    assert page.status_code == 200
    assert held.number in page.content.decode()
    assert AccessLogEntry.objects.count() == logged + 2
    # another school's list: 404, nothing logged
    other = reverse("schools:officer_year_end", args=["KR-S-0002", 2026])
    assert own.get(other).status_code == 404
    assert AccessLogEntry.objects.count() == logged + 2
    # an officer of another role and agency: 404
    hr = _officer("hr", _agency("kr-hr", None), OfficerRole.HR_OFFICER)
    assert hr.get(url).status_code == 404
    bad = _post(own, url, {"on": "not a date"})
    assert bad.status_code == 400
    assert Enrolment.objects.filter(ended_on__isnull=False).count() == 0
    done = _post(own, url, {"on": "2027-03-02", "hold": [held.number]})
    assert done.status_code == 200
    assert "1 promoted, 0 graduated, 1 held back" in done.content.decode()
    assert Enrolment.objects.get(learner=promoted, ended_on__isnull=True).grade == 2
    assert Enrolment.objects.get(learner=held, ended_on__isnull=True).grade == 2
    assert "Already enrolled for 2027: 2" in own.get(url).content.decode()


# -- the transcript ----------------------------------------------------------------------------


def _independently(document: IssuedDocument, client: Client) -> Any:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@sd-jwt" / "sd-jwt-vc").is_dir():
        if tools_required():
            pytest.fail("node or node_modules/@sd-jwt is missing (run `npm ci`)")
        pytest.skip("node or node_modules/@sd-jwt is missing")
    (key,) = [k for k in jwks()["keys"] if k["kid"] == document.key.kid]
    path = f"/documents/status/{document.document_type}/{document.status_list.number}"
    # The status list first, then the clock: a token signed after `now` was read (a second
    # boundary between the two) would not be valid yet.
    token = client.get(path).content.decode()
    request = {
        "credential": document.credential,
        "jwk": {name: key[name] for name in ("kty", "crv", "x", "y")},
        "now": int(time.time()),
        "status_list": {"uri": f"http://testserver{path}", "token": token},
    }
    done = subprocess.run(
        [node, str(VERIFIER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout)


def test_a_guardian_issues_a_transcript_that_verifies_everywhere(
    schools: dict[str, School], settings: Any
) -> None:
    settings.GOV3_SITE_URL = "http://testserver"
    mother, learner = _family(name="이력")
    user = do_create_citizen_account(
        ACTOR, person=mother, username="transcript-mum", password=PASSWORD
    )
    guardian = Client(headers={"accept-language": "en"})
    guardian.force_login(user)
    url = reverse("schools:issue_certificate", args=[learner.public_id])
    refused = guardian.post(url, {"kind": "transcript"})
    assert refused.status_code == 400
    assert "never been enrolled" in refused.content.decode()
    do_enrol(
        ACTOR,
        learner,
        schools["KR-S-0001"],
        school_year=2026,
        grade=1,
        class_name="2",
        on=date(2026, 3, 2),
    )
    # the class teacher records term 1 results before the transfer
    teacher_mother, _ = _family()
    teacher_user = do_create_citizen_account(
        ACTOR, person=teacher_mother, username="transcript-teacher", password=PASSWORD
    )
    teacher = do_register_teacher(ACTOR, teacher_user, schools["KR-S-0001"])
    klass = do_assign_class(ACTOR, teacher, school_year=2026, grade=1, class_name="2")
    for subject, text in (("maths", "수 세기를 잘함"), ("korean", "글을 또박또박 읽음")):
        do_record_assessment(
            teacher,
            klass,
            term=1,
            subject=subject,
            results={str(learner.public_id): text},
            day=date(2026, 7, 1),
        )
    do_transfer(ACTOR, learner, schools["KR-S-0002"], on=date(2026, 9, 1))
    do_year_end(ACTOR, schools["KR-S-0002"], from_year=2026, on=date(2027, 3, 2))
    issued = guardian.post(url, {"kind": "transcript"})
    document = IssuedDocument.objects.get(holder=learner.person)
    assert issued["Location"] == reverse("documents:detail", args=[document.public_id])
    assert document.document_type == DocumentType.SCHOOL_TRANSCRIPT
    assert [
        (e["school_code"], e["school_year"], e["grade"], e["end_reason"])
        for e in document.claims["enrolments"]
    ] == [
        ("KR-S-0001", 2026, 1, "transferred"),
        ("KR-S-0002", 2026, 1, "promoted"),
        ("KR-S-0002", 2027, 2, ""),
    ]
    results = [  # in the pack's subject order: Korean before maths
        {
            "school_year": 2026,
            "grade": 1,
            "term": 1,
            "subject": "korean",
            "subject_name": "국어 / Korean",
            "result": "글을 또박또박 읽음",
        },
        {
            "school_year": 2026,
            "grade": 1,
            "term": 1,
            "subject": "maths",
            "subject_name": "수학 / Mathematics",
            "result": "수 세기를 잘함",
        },
    ]
    assert document.claims["results"] == results
    printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(document.pdf))).pages)
    assert "수학 / Mathematics" in printed
    assert "수 세기를 잘함" in printed
    assert "1학기 / Term 1" in printed
    offline = load_bundle(json.dumps(bundle()).encode(), now=int(time.time()))
    for form in (bytes(document.pdf), document.credential, document.qr_payload):
        assert check(form).outcome == verify.VALID
        assert offline.check(form).outcome == verify.VALID
    signed_out = Client(headers={"accept-language": "en"})
    answer = signed_out.post(reverse("documents:verify"), {"text": document.number})
    assert answer.status_code == 200
    assert "KR-S-0002" in answer.content.decode()
    result = _independently(document, signed_out)
    assert result["valid"] is True, result
    assert [e["school_code"] for e in result["claims"]["enrolments"]] == [
        "KR-S-0001",
        "KR-S-0002",
        "KR-S-0002",
    ]
    assert result["claims"]["results"] == results
    # the type metadata labels every result claim
    metadata = signed_out.get(
        reverse("documents:credential_type", args=[DocumentType.SCHOOL_TRANSCRIPT])
    ).json()
    paths = {tuple(c["path"]) for c in metadata["claims"]}
    for name in ("school_year", "grade", "term", "subject", "subject_name", "result"):
        assert ("results", None, name) in paths
    # another family's learner: 404, nothing issued
    other_mother, _ = _family()
    other = do_create_citizen_account(
        ACTOR, person=other_mother, username="other-mum", password=PASSWORD
    )
    stranger = Client()
    stranger.force_login(other)
    assert stranger.post(url, {"kind": "transcript"}).status_code == 404
    assert IssuedDocument.objects.filter(holder=learner.person).count() == 1


# -- dashboards and open data -------------------------------------------------------------------


def _known_set(schools: dict[str, School]) -> None:
    """Jongno-gu (11110): KR-S-0001 and KR-S-0002; 7 entrants at 0001, 2 at 0002 in 2027;
    three transfers out of 0001 to 0002 (within Jongno) and, if another district has a
    primary school, one out to it."""
    for _ in range(7):
        _enrolled(schools["KR-S-0001"], 1, year=2027)
    for _ in range(2):
        _enrolled(schools["KR-S-0002"], 1, year=2027)


def test_the_dashboard_numbers_on_a_small_known_set(schools: dict[str, School]) -> None:
    _known_set(schools)
    moving = [_enrolled(schools["KR-S-0001"], 3, year=2027) for _ in range(3)]
    for learner in moving:
        do_transfer(ACTOR, learner, schools["KR-S-0002"], on=date(2027, 5, 1))
    board = dashboard(School.objects.filter(code__in=["KR-S-0001", "KR-S-0002"]), 2027, "en")
    by_school = {r.key: (r.entrants, r.places) for r in board.by_school}
    assert by_school == {
        "KR-S-0001": (7, schools["KR-S-0001"].entry_places),
        "KR-S-0002": (2, schools["KR-S-0002"].entry_places),
    }
    (district,) = board.by_district
    assert district.key == schools["KR-S-0001"].area.parent.code
    assert district.entrants == 9
    (moves,) = board.transfers
    assert (moves.moved_in, moves.moved_out, moves.within) == (0, 0, 3)


def test_a_transfer_between_districts_counts_in_and_out(schools: dict[str, School]) -> None:
    primary = [s for s in schools.values() if s.level == "primary"]
    districts: dict[str, School] = {}
    for s in primary:
        districts.setdefault(s.area.parent.code, s)
    if len(districts) < 2:
        pytest.skip("the kr pack has primary schools in one district only")
    (a, b) = list(districts.values())[:2]
    learner = _enrolled(a, 2, year=2027)
    do_transfer(ACTOR, learner, b, on=date(2027, 6, 1))
    board = dashboard(School.objects.filter(pk__in=[a.pk, b.pk]), 2027, "en")
    rows = {t.key: (t.moved_in, t.moved_out, t.within) for t in board.transfers}
    assert rows[a.area.parent.code] == (0, 1, 0)
    assert rows[b.area.parent.code] == (1, 0, 0)


def test_open_data_suppresses_small_cells(schools: dict[str, School], settings: Any) -> None:
    settings.GOV3_OPEN_DATA_MIN_CELL = 5
    _known_set(schools)
    rows = open_data_rows("kr", 2027)
    jongno = next(r for r in rows if r["district"] == schools["KR-S-0001"].area.parent.code)
    assert jongno["entrants"] == 9
    assert jongno["first_grade_places"] > 0
    # every published count is 0 or at least the threshold
    for row in rows:
        for column in ("entrants", "transferred_in", "transferred_out", "transferred_within"):
            assert row[column] is None or row[column] == 0 or row[column] >= 5
    assert "school-districts" in DATASETS
    csv_rows = DATASETS["school-districts"].rows("kr", date(2027, 6, 1))
    assert csv_rows == rows


def test_open_data_hides_a_single_small_district(schools: dict[str, School], settings: Any) -> None:
    settings.GOV3_OPEN_DATA_MIN_CELL = 5
    for _ in range(2):
        _enrolled(schools["KR-S-0001"], 1, year=2027)
    rows = open_data_rows("kr", 2027)
    jongno = next(r for r in rows if r["district"] == schools["KR-S-0001"].area.parent.code)
    assert jongno["entrants"] is None


def test_scope_district_office_sees_its_district_and_the_ministry_all(
    schools: dict[str, School],
) -> None:
    jongno = schools["KR-S-0001"].area.parent
    district_office = _officer("jongno-edu", _agency("kr-edu-jongno", jongno.code))
    ministry = _officer("moe", _agency("kr-moe", None))
    own_school = _officer("school-0001", _agency("KR-S-0001", None))
    users = {u.username: u for u in User.objects.all()}
    in_district = {s.code for s in schools.values() if s.area.parent_id == jongno.pk}
    assert set(schools_for(users["jongno-edu"], "kr").values_list("code", flat=True)) == in_district
    assert set(schools_for(users["moe"], "kr").values_list("code", flat=True)) == set(schools)
    assert list(schools_for(users["school-0001"], "kr").values_list("code", flat=True)) == [
        "KR-S-0001"
    ]
    _known_set(schools)
    url = reverse("schools:officer_dashboard")
    for client in (district_office, ministry, own_school):
        page = client.get(url, {"year": 2027})
        assert page.status_code == 200
        assert 'id="attendance-rates"' in page.content.decode()
    school_page = own_school.get(url, {"year": 2027}).content.decode()
    assert "KR-S-0002" not in school_page
    assert district_office.get(url, {"year": "20x7"}).status_code == 400
    hr = _officer("hr2", _agency("kr-hr2", None), OfficerRole.HR_OFFICER)
    assert hr.get(url).status_code == 404

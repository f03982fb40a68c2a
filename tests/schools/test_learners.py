"""Schools from the pack, the public finder, and the learner registry: numbers, enrolment
history, and what a citizen may see."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from gov3.accounts.models import User
from gov3.accounts.services import do_create_citizen_account
from gov3.catalogue.management.commands.country import load_country_areas
from gov3.core.errors import ValidationFailedError
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.documents.core import verify
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.verification import check
from gov3.registry.models import Person
from gov3.registry.national_ids import national_id_scheme
from gov3.registry.services import do_register_birth, do_register_person
from gov3.schools.installed import schools_data
from gov3.schools.models import Enrolment, EnrolmentEnd, School
from gov3.schools.queries import check_learner_number
from gov3.schools.services import (
    do_enrol,
    do_graduate,
    do_load_schools,
    do_promote,
    do_register_learner,
    do_transfer,
    do_withdraw,
)

ACTOR = "test"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def schools(db: None) -> dict[str, School]:
    load_country_areas("kr")
    do_load_schools(ACTOR, "kr", schools_data("kr"))
    return {s.code: s for s in School.objects.all()}


def _parent(serial: int, area: str = "11110-02") -> Person:
    born = date(1988, 3, 4)
    return do_register_person(
        ACTOR,
        country="kr",
        national_id=national_id_scheme("kr").make(born, "F", 80_000 + serial),
        name_local=f"부모{serial}",
        name_latin=f"PARENT {serial}",
        birth_date=born,
        sex="F",
        nationality="KOR",
        area_code=area,
        street="사직로 1",
    )


def _child(mother: Person, born: date, name: str = "김하늘") -> Person:
    return do_register_birth(
        ACTOR,
        mother=mother,
        father=None,
        name_local=name,
        name_latin="KIM HANEUL",
        birth_date=born,
        sex="M",
    )


def _signed_in(person: Person, username: str) -> tuple[Client, User]:
    user = do_create_citizen_account(ACTOR, person=person, username=username, password=PASSWORD)
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client, user


def test_loading_the_pack_is_repeatable_and_the_finder_shows_the_district_order(
    schools: dict[str, School], client: Client
) -> None:
    assert do_load_schools(ACTOR, "kr", schools_data("kr")) == (0, 60)
    page = client.get(reverse("schools:finder"), {"q": "Samcheong", "year": 2027})
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Jaedong Elementary School") < text.index("Maedong Elementary School")
    assert "assigned first" in text
    earlier = client.get(reverse("schools:finder"), {"q": "Samcheong", "year": 2026})
    text = earlier.content.decode()
    assert text.index("Maedong Elementary School") < text.index("Jaedong Elementary School")
    korean = client.get(
        reverse("schools:finder"), {"q": "사직동", "year": 2027}, HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert "매동초등학교" in korean.content.decode()
    too_short = client.get(reverse("schools:finder"), {"q": "a", "year": 2027})
    assert too_short.status_code == 400
    assert "at least two letters" in too_short.content.decode()


def test_a_learner_keeps_one_number_through_enrolment_promotion_transfer_graduation(
    schools: dict[str, School],
) -> None:
    mother = _parent(1)
    child = _child(mother, date(2019, 6, 1))
    data = schools_data("kr")
    learner = do_register_learner(ACTOR, child, data)
    assert do_register_learner(ACTOR, child, data) == learner  # once only
    assert check_learner_number(data, learner.number) == learner.number
    maedong, cheongun = schools["KR-S-0002"], schools["KR-S-0001"]
    do_enrol(
        ACTOR, learner, maedong, school_year=2026, grade=5, class_name="2", on=date(2026, 3, 2)
    )
    with pytest.raises(ValidationFailedError, match="already enrolled"):
        do_enrol(ACTOR, learner, cheongun, school_year=2026, grade=5, on=date(2026, 3, 3))
    do_transfer(ACTOR, learner, cheongun, on=date(2026, 9, 1), class_name="1")
    with pytest.raises(ValidationFailedError, match="next school year"):
        do_promote(ACTOR, learner, school_year=2028, on=date(2027, 3, 2))
    do_promote(ACTOR, learner, school_year=2027, on=date(2027, 3, 2), class_name="3")
    with pytest.raises(ValidationFailedError, match="last grade"):
        do_promote(ACTOR, learner, school_year=2028, on=date(2028, 3, 2))
    do_graduate(ACTOR, learner, on=date(2028, 2, 14))
    history = list(Enrolment.objects.filter(learner=learner).order_by("pk"))
    assert [(e.school.code, e.grade, e.end_reason) for e in history] == [
        ("KR-S-0002", 5, EnrolmentEnd.TRANSFERRED),
        ("KR-S-0001", 5, EnrolmentEnd.PROMOTED),
        ("KR-S-0001", 6, EnrolmentEnd.GRADUATED),
    ]
    assert AuditEntry.objects.filter(action__startswith="schools.").count() == 6
    with pytest.raises(ValidationFailedError, match="not enrolled"):
        do_withdraw(ACTOR, learner, on=date(2028, 3, 1), reason="moved abroad")


def test_bad_input_changes_nothing(schools: dict[str, School]) -> None:
    learner = do_register_learner(ACTOR, _child(_parent(2), date(2019, 1, 1)), schools_data("kr"))
    with pytest.raises(ValidationFailedError, match="grades 1 to 6"):
        do_enrol(
            ACTOR, learner, schools["KR-S-0001"], school_year=2026, grade=7, on=date(2026, 3, 2)
        )
    do_enrol(ACTOR, learner, schools["KR-S-0001"], school_year=2026, grade=1, on=date(2026, 3, 2))
    with pytest.raises(ValidationFailedError, match="Say why"):
        do_withdraw(ACTOR, learner, on=date(2026, 5, 1), reason="  ")
    with pytest.raises(ValidationFailedError, match="before the current enrolment"):
        do_withdraw(ACTOR, learner, on=date(2026, 1, 1), reason="moved abroad")
    with pytest.raises(ValidationFailedError, match="same level"):
        do_transfer(ACTOR, learner, schools["KR-S-0101"], on=date(2026, 5, 1))
    assert Enrolment.objects.get(learner=learner).ended_on is None
    forged = learner.number[:-1] + str((int(learner.number[-1]) + 1) % 10)
    with pytest.raises(ValidationFailedError, match="not a valid learner number"):
        check_learner_number(schools_data("kr"), forged)


def test_a_guardian_sees_their_childs_record_and_not_another_familys(
    schools: dict[str, School],
) -> None:
    data = schools_data("kr")
    mother, other = _parent(3), _parent(4)
    mine = do_register_learner(ACTOR, _child(mother, date(2019, 2, 2), "이하늘"), data)
    theirs = do_register_learner(ACTOR, _child(other, date(2019, 3, 3), "박바다"), data)
    do_enrol(
        ACTOR,
        mine,
        schools["KR-S-0002"],
        school_year=2026,
        grade=1,
        class_name="4",
        on=date(2026, 3, 2),
    )
    client, _ = _signed_in(mother, "mother3")
    page = client.get(reverse("schools:my_learners")).content.decode()
    assert "이하늘" in page
    assert mine.number in page
    assert "Maedong Elementary School" in page
    assert "박바다" not in page
    assert client.get(reverse("schools:learner", args=[mine.public_id])).status_code == 200
    logged = AccessLogEntry.objects.count()
    assert client.get(reverse("schools:learner", args=[theirs.public_id])).status_code == 404
    assert AccessLogEntry.objects.count() == logged


def test_a_guardian_issues_a_verifiable_certificate_of_enrolment_at_once(
    schools: dict[str, School], client: Client
) -> None:
    mother = _parent(5)
    learner = do_register_learner(
        ACTOR, _child(mother, date(2019, 4, 4), "정하나"), schools_data("kr")
    )
    guardian, _ = _signed_in(mother, "mother5")
    url = reverse("schools:issue_certificate", args=[learner.public_id])
    refused = guardian.post(url, {"kind": "enrolment"})
    assert refused.status_code == 400
    assert "not enrolled anywhere" in refused.content.decode()
    do_enrol(
        ACTOR,
        learner,
        schools["KR-S-0001"],
        school_year=2026,
        grade=2,
        class_name="3",
        on=date(2026, 3, 2),
    )
    issued = guardian.post(url, {"kind": "enrolment"})
    document = IssuedDocument.objects.get(holder=learner.person)
    assert issued["Location"] == reverse("documents:detail", args=[document.public_id])
    assert document.document_type == DocumentType.SCHOOL_ENROLMENT
    assert check(bytes(document.pdf)).outcome == verify.VALID
    assert check(document.credential).outcome == verify.VALID
    assert check(document.qr_payload).outcome == verify.VALID
    answer = client.post(reverse("documents:verify"), {"text": document.number})
    assert "Cheongun" in answer.content.decode() or "KR-S-0001" in answer.content.decode()
    stranger, _ = _signed_in(_parent(6), "stranger6")
    assert stranger.post(url, {"kind": "enrolment"}).status_code == 404
    assert IssuedDocument.objects.filter(holder=learner.person).count() == 1
    # graduation: refused before it is recorded, then issued and verifying
    assert guardian.post(url, {"kind": "graduation"}).status_code == 400
    do_promote(ACTOR, learner, school_year=2027, on=date(2027, 3, 2))
    do_promote(ACTOR, learner, school_year=2028, on=date(2028, 3, 2))
    do_promote(ACTOR, learner, school_year=2029, on=date(2029, 3, 2))
    do_promote(ACTOR, learner, school_year=2030, on=date(2030, 3, 2))
    do_graduate(ACTOR, learner, on=date(2031, 2, 14))
    guardian.post(url, {"kind": "graduation"})
    diploma = IssuedDocument.objects.get(
        holder=learner.person, document_type=DocumentType.SCHOOL_GRADUATION
    )
    assert diploma.claims["graduated_on"] == "2031-02-14"
    assert check(bytes(diploma.pdf)).outcome == verify.VALID
    assert check(diploma.credential).outcome == verify.VALID


def test_the_api_finds_schools_without_sign_in_and_lists_only_my_learners(
    schools: dict[str, School], client: Client
) -> None:
    found = client.get("/api/v1/schools/find", {"q": "Sajik", "year": 2027}).json()
    assert [s["code"] for s in found[0]["schools"]] == ["KR-S-0002", "KR-S-0001"]
    assert client.get("/api/v1/schools/find", {"q": "x", "year": 2027}).status_code == 422
    mother, other = _parent(7), _parent(8)
    mine = do_register_learner(ACTOR, _child(mother, date(2019, 7, 7), "한결"), schools_data("kr"))
    do_register_learner(ACTOR, _child(other, date(2019, 8, 8), "두리"), schools_data("kr"))
    guardian, _ = _signed_in(mother, "mother7")
    listed = guardian.get("/api/v1/schools/learners").json()
    assert [(row["number"], row["name"]) for row in listed] == [(mine.number, "한결")]

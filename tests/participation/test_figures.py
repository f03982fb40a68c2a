"""The participation dashboards: petitions by agency, disclosure decisions and participation in
consultations as charts with their tables, the public figures suppressed exactly as the open
data (no count from 1 to 4, none recoverable), numbers localised in the tables and never
inside the drawing; the proactive publication list; impact groups named in words; the demo's
petitions keep their area."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from frictionless import Resource, Schema, validate

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import do_create_citizen_account, do_create_officer_account
from gov3.demo.participation import load_demo_petitions
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import Petition, ProactivePublication
from gov3.participation.services.consultations import do_comment
from gov3.participation.services.disclosure import do_decide_disclosure, do_request_disclosure
from gov3.participation.services.petitions import do_file_petition
from gov3.registry.models import Person
from tests.conftest import ACTOR, PASSWORD, current_totp, make_person
from tests.participation.test_consultations import open_draft

pytestmark = pytest.mark.django_db

#: Every number written into a chart's drawing: plain digits with a dot, whatever the language.
SVG_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.fixture
def agencies(areas: None) -> dict[str, Agency]:
    load_agencies("kr")
    return {a.code: a for a in Agency.objects.filter(country="kr")}


@pytest.fixture
def district(agencies: dict[str, Agency]) -> tuple[User, Any]:
    return do_create_officer_account(
        ACTOR,
        username="jongno",
        password=PASSWORD,
        agency=agencies["kr-district-office"],
        role=OfficerRole.REGISTRY_OFFICER,
    )


def officer_signs_in(client: Client, officer: tuple[User, Any]) -> None:
    user, device = officer
    response = client.post(
        "/officer/login/",
        {"username": user.username, "password": PASSWORD, "otp_token": current_totp(device)},
    )
    assert response.status_code == 302


def svg_numbers(page: str) -> list[str]:
    """Every number-valued attribute of every SVG drawing on the page."""
    numbers = []
    for svg in re.findall(r"<svg.*?</svg>", page, re.DOTALL):
        for name, value in re.findall(r'\b(x|y|width|height|viewBox)="([^"]*)"', svg):
            numbers += value.split() if name == "viewBox" else [value]
    return numbers


@pytest.fixture
def disclosures(citizen: User, district: tuple[User, Any]) -> None:
    """Seven requests to the district office: five refused, one waiting, one deemed refused."""
    officer = district[0]
    today = timezone.localdate()
    for number in range(7):
        received = today - timedelta(days=40) if number == 6 else today
        request = do_request_disclosure(
            citizen, agency_code="kr-district-office", subject=f"자료 {number}", today=received
        )
        if number < 5:
            do_decide_disclosure(
                officer,
                request,
                decision="refuse",
                grounds=["privacy"],
                reason="",
                files=[],
                expected_version=request.version,
            )


def test_the_public_figures_are_the_open_data_suppressed_and_drawn_in_plain_numbers(
    family: dict[str, Person],
    agencies: Any,
    disclosures: None,
    welfare_agency: Agency,
    settings: Any,
) -> None:
    today = timezone.localdate()
    assert load_demo_petitions("kr", 300, seed=3, today=today) == 300
    welfare = do_create_officer_account(
        ACTOR,
        username="welfare",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )[0]
    consultation = open_draft(welfare, Path(settings.GOV3_COUNTRIES_DIR) / "kr", day=today)
    supporters = [make_person(name_latin=f"SUPPORTER {n}") for n in range(2)] + [family["stranger"]]
    for number, person in enumerate(supporters):
        account = do_create_citizen_account(
            ACTOR, person=person, username=f"voter{number}", password=PASSWORD
        )
        do_comment(account, consultation, stance="support" if number else "oppose", text="")

    pages = {}
    for language in ("en", "vi"):
        response = Client().get("/participation/figures/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        pages[language] = response.content.decode()
    en, vi = pages["en"], pages["vi"]

    # petitions: every agency with petitions, the on-time share written in each language
    assert "Petitions by agency" in en
    assert "종로구청" not in en  # agency names in English on the English page
    assert "Jongno-gu District Office" in en
    assert re.search(r"<td>\d{1,3}\.\d %</td>", en)
    assert re.search(r"<td>\d{1,3},\d %</td>", vi)
    # disclosure: the five refusals shown; the single waiting and deemed refused ones hidden
    table = en[en.index("disclosure-chart-caption") :]
    table = table[: table.index("</table>")]
    row = re.search(r"Jongno-gu District Office</th>(.*?)</tr>", table, re.DOTALL)
    assert row is not None
    assert re.findall(r"<td>(.*?)</td>", row.group(1)) == ["7", "0", "0", "5", "—", "—"]
    # consultations: one opposes, two support
    consultation_row = re.search(
        rf"{re.escape(consultation.title)}</a></th>(.*?)</tr>", en, re.DOTALL
    )
    assert consultation_row is not None
    assert re.findall(r"<td>(.*?)</td>", consultation_row.group(1))[2:6] == [
        "2",
        "1",
        "0",
        "No",
    ]
    # no count from 1 to 4 anywhere in a published cell of the petition or disclosure tables
    for page_table in re.findall(r"<table.*?</table>", en, re.DOTALL)[:2]:
        for cell in re.findall(r"<td>(\d+)</td>", page_table):
            assert cell == "0" or int(cell) >= 5, cell
    # the drawings hold plain numbers in Vietnamese too (a comma would break them)
    numbers = svg_numbers(vi)
    assert len(numbers) > 20
    assert all(SVG_NUMBER.match(n) for n in numbers), [
        n for n in numbers if not SVG_NUMBER.match(n)
    ]
    assert vi.count("<svg") == en.count("<svg") == 3


def test_the_participation_csvs_with_rows_pass_their_table_schemas(
    family: dict[str, Person], agencies: Any, disclosures: None, client: Client, tmp_path: Path
) -> None:
    load_demo_petitions("kr", 120, seed=4, today=timezone.localdate())
    for slug in ("petitions", "disclosure", "consultation-participation"):
        schema = client.get(f"/open-data/datasets/{slug}.schema.json").json()
        path = tmp_path / f"{slug}.csv"
        path.write_bytes(client.get(f"/open-data/datasets/{slug}.csv").content)
        report = validate(
            Resource(path=path.name, basepath=str(tmp_path), schema=Schema.from_descriptor(schema))
        )
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = client.get("/open-data/datasets/disclosure.csv").content.decode().splitlines()
    assert rows[1] == "kr-district-office,7,0,0,5,,"


def test_the_officers_see_their_agencys_decisions_as_counted_and_publish_a_list(
    disclosures: None, district: tuple[User, Any], client: Client
) -> None:
    officer_signs_in(client, district)
    page = client.get("/officer/participation/disclosure/").content.decode()
    assert "Decisions of your agency" in page
    row = re.search(r"Jongno-gu District Office</th>(.*?)</tr>", page, re.DOTALL)
    assert row is not None
    assert re.findall(r"<td>(.*?)</td>", row.group(1)) == ["7", "0", "0", "5", "1", "1"]

    # an address that is no web address is refused and nothing is listed
    bad = client.post(
        "/officer/participation/disclosure/",
        {"title": "예산서", "url": "javascript:alert(1)"},
    )
    assert bad.status_code == 400
    assert not ProactivePublication.objects.exists()
    done = client.post(
        "/officer/participation/disclosure/",
        {"title": "2027년 종로구 예산서", "url": "https://www.jongno.go.kr/budget-2027.pdf"},
    )
    assert done.status_code == 302
    item = ProactivePublication.objects.get()
    assert item.agency.code == "kr-district-office"
    public = Client().get("/participation/publications/", HTTP_ACCEPT_LANGUAGE="ko")
    text = public.content.decode()
    assert '<a href="https://www.jongno.go.kr/budget-2027.pdf" rel="noopener">' in text
    assert "2027년 종로구 예산서" in text
    assert "종로구청" in text


def test_impact_groups_are_named_in_words_not_codes(
    family: dict[str, Person], welfare_agency: Agency, settings: Any
) -> None:
    today = timezone.localdate()
    officer = do_create_officer_account(
        ACTOR,
        username="welfare",
        password=PASSWORD,
        agency=welfare_agency,
        role=OfficerRole.WELFARE_OFFICER,
    )[0]
    consultation = open_draft(officer, Path(settings.GOV3_COUNTRIES_DIR) / "kr", day=today)
    assert {row["key"] for row in consultation.impact["tables"]["area"]["rows"]} == {"11"}
    pages = {
        language: Client()
        .get(
            f"/participation/consultations/{consultation.public_id}/", HTTP_ACCEPT_LANGUAGE=language
        )
        .content.decode()
        for language in ("en", "ko")
    }
    en, ko = pages["en"], pages["ko"]
    for text in (
        "By area",
        "Seoul",
        "65 to 74 years",
        "18 to 39 years",
        "One person living alone",
    ):
        assert text in en, text
    for text in ("서울특별시", "65~74세", "1인 가구"):
        assert text in ko, text
    rows = re.findall(r'<th scope="row">(.*?)</th>', en)
    for code in ("11", "65-74", "75+", "single", "with_children"):
        assert code not in rows, code


def test_the_demo_petitions_keep_their_area(family: dict[str, Person], agencies: Any) -> None:
    load_demo_petitions("kr", 40, seed=2, today=timezone.localdate())
    areas = set(Petition.objects.values_list("area__code", flat=True))
    assert None not in areas
    assert areas <= {"1111051500", "1111053000"}


def test_the_agency_queue_flags_an_overdue_petition_and_counts_it(
    citizen: User, district: tuple[User, Any], client: Client
) -> None:
    today = timezone.localdate()
    late = do_file_petition(
        citizen,
        kind="complaint",
        category="roads",
        area_code="1111051500",
        title="오래된 민원",
        text="가로등이 꺼져 밤에 도로가 너무 어둡습니다.",
        today=today - timedelta(days=30),  # seven working days ended long ago
    )
    on_time = do_file_petition(
        citizen,
        kind="proposal",
        category="roads",
        area_code="1111051500",
        title="새 민원",
        text="횡단보도를 새로 그려 주세요.",
    )
    assert late.due_on < today <= on_time.due_on
    officer_signs_in(client, district)
    page = client.get("/officer/participation/petitions/").content.decode()
    rows = dict(re.findall(r'">(오래된 민원|새 민원)</a></th><td>(.*?)</td>', page))
    assert "Overdue" in rows["오래된 민원"]
    assert "Overdue" not in rows["새 민원"]
    assert re.search(r"<dt>Overdue</dt><dd>1</dd>", page)

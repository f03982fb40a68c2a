"""Import and export of the organisation and personnel records: a CSV with a broken row is
reported with its line and nothing is imported; wrong types; a JSON round trip export ->
import gives the same document; records link to the register by id number (no names); the
officer's page (another agency's data never; a huge upload refused), the API (in the OpenAPI
document) and `gov3 personnel import|export`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from gov3.accounts.models import Agency
from gov3.accounts.services import do_create_agency
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.personnel import transfer
from gov3.personnel.models import Appointment, Position, StaffRecord, Unit
from gov3.registry.models import Person
from tests.api.test_offers_cases_api import API
from tests.conftest import ACTOR, make_person
from tests.personnel.conftest import Organisation
from tests.personnel.test_pages import _signed_in

pytestmark = pytest.mark.django_db

UNITS = """code,parent,name_local,name_en,authorised_headcount,opened_on,closed_on
m,,행정안전부,Ministry,0,2020-01-01,
m-hr,m,인사과,Personnel,3,2020-01-01,
m-it,m,정보화담당관,IT,2,2020-01-01,
"""

POSITIONS = """code,unit,title_local,title_en,grade_high,grade_low,job_series,\
position_type,work_kind,gov3_role,is_head
m-hr-1,m-hr,인사담당,HR officer,G5,G7,administration,general,general,hr_officer,false
m-it-1,m-it,정보화담당,IT officer,G6,G9,information,open,general,,false
"""


@pytest.fixture
def ministry(areas: None) -> Agency:
    return do_create_agency(
        ACTOR, code="kr-mois", name_local="행정안전부", name_en="MOIS", country="kr"
    )


def _staff_csv(people: list[Person], broken: str = "") -> str:
    lines = ["employee_number,id_number,entry,entered_on,position,grade,step,starts_on"]
    for n, person in enumerate(people):
        lines.append(f"M{n:04d},{person.national_id},grade7_exam,2018-03-01,m-hr-1,G7,2,2020-01-01")
    if broken:
        lines.insert(2, broken)
    return "\n".join(lines) + "\n"


def _counts() -> tuple[int, int, int, int]:
    return (
        Unit.objects.count(),
        Position.objects.count(),
        StaffRecord.objects.count(),
        Appointment.objects.count(),
    )


def _import(agency: Agency, kind: str, text: str) -> transfer.ImportResult:
    return transfer.do_import(ACTOR, agency, transfer.read_csv(kind, text))


def test_a_broken_row_is_reported_with_its_line_and_nothing_is_imported(
    ministry: Agency,
) -> None:
    before = _counts()
    broken = UNITS + "m-x,m,엑스,X,-1,2020-13-01,\nm-hr,m,중복,Dup,1,2020-01-01,\n"
    with pytest.raises(transfer.ImportRefusedError) as refused:
        _import(ministry, "units", broken)
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (5, "authorised_headcount -1 is not between 0 and 1000000; "
            "opened_on '2020-13-01' is not a date (YYYY-MM-DD)"),
        (6, "unit code 'm-hr' appears twice"),
    ]  # fmt: skip
    assert "line 5:" in str(refused.value)
    assert _counts() == before  # the good rows were not imported either

    assert _import(ministry, "units", UNITS) == transfer.ImportResult(3, 0, 0)
    assert _import(ministry, "positions", POSITIONS).positions == 2
    people = [make_person(birth_date=date(1990, 1, n + 1)) for n in range(3)]
    before = _counts()
    bad_row = "M9999,9999999999999,grade7_exam,2018-03-01,m-hr-1,G7,three,2020-01-01"
    with pytest.raises(transfer.ImportRefusedError) as refused:
        _import(ministry, "staff", _staff_csv(people, bad_row))
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (3, "step 'three' is not a whole number")
    ]
    bad_row = "M9999,9999999999999,grade7_exam,2018-03-01,c-hr,G2,1,2020-01-01"
    with pytest.raises(transfer.ImportRefusedError) as refused:
        _import(ministry, "staff", _staff_csv(people, bad_row))
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (3, "no person in the register has this id number; position 'c-hr' is no position "
            "of kr-mois")
    ]  # fmt: skip
    assert _counts() == before
    assert _import(ministry, "staff", _staff_csv(people)).staff == 3
    # Linked by id number: the name is the register's, never imported.
    record = StaffRecord.objects.get(employee_number="M0000")
    assert record.person == people[0]
    assert Appointment.objects.get(record=record).position.code == "m-hr-1"
    assert AuditEntry.objects.filter(action="personnel.imported").count() == 3
    # Again: everyone already has a record, the numbers are taken.
    with pytest.raises(transfer.ImportRefusedError) as refused:
        _import(ministry, "staff", _staff_csv(people[:1]))
    assert refused.value.problems[0].message == (
        "employee number 'M0000' is already used; "
        "the person with this id number already has a personnel record"
    )


def test_header_and_field_count_problems(ministry: Agency) -> None:
    with pytest.raises(transfer.ImportRefusedError) as refused:
        _import(ministry, "units", "code,name\nx,y\n")
    assert refused.value.problems[0].line == 1
    assert "missing columns name_local" in refused.value.problems[0].message
    with pytest.raises(transfer.ImportRefusedError) as refused:
        _import(ministry, "units", UNITS + "m-y,m,와이\n")
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (5, "3 fields where the header has 7")
    ]
    with pytest.raises(transfer.ImportRefusedError):
        _import(ministry, "units", "code,parent,name_local,name_en,authorised_headcount,"
                "opened_on,closed_on\na,b,A,A,1,2020-01-01,\nb,a,B,B,1,2020-01-01,\n")  # fmt: skip
    assert not Unit.objects.filter(agency=ministry).exists()


def _document(ministry: Agency) -> dict[str, object]:
    return json.loads(
        transfer.as_json(
            ministry,
            {k: transfer.export_rows(ministry, k) for k in transfer.KINDS},
            date(2026, 1, 1),
        )
    )


def test_json_round_trip_and_wrong_types(ministry: Agency) -> None:
    people = [make_person(birth_date=date(1991, 2, n + 1)) for n in range(2)]
    _import(ministry, "units", UNITS)
    _import(ministry, "positions", POSITIONS)
    _import(ministry, "staff", _staff_csv(people))
    exported = _document(ministry)
    assert exported["format"] == transfer.FORMAT
    assert [s["id_number"] for s in exported["staff"]] == [p.national_id for p in people]
    text = json.dumps(exported, ensure_ascii=False)
    assert people[0].name_local not in text
    assert "birth" not in text

    # Remove what was imported, import the export, export again: the same document.
    Appointment.objects.filter(record__employee_number__startswith="M").delete()
    StaffRecord.objects.filter(employee_number__startswith="M").delete()
    Position.objects.filter(unit__agency=ministry).delete()
    Unit.objects.filter(agency=ministry, parent__isnull=False).delete()
    Unit.objects.filter(agency=ministry).delete()
    result = transfer.do_import(ACTOR, ministry, transfer.read_json(text))
    assert result == transfer.ImportResult(3, 2, 2)
    assert _document(ministry) == exported

    wrong = {
        "format": transfer.FORMAT,
        "units": [
            {
                "code": "w",
                "parent": None,
                "name_local": "W",
                "name_en": "W",
                "authorised_headcount": "5",
                "opened_on": 20200101,
            }
        ],
        "positions": [{**exported["positions"][0], "code": "w-1", "is_head": "yes"}],
        "staff": ["not an object"],
    }
    before = _counts()
    with pytest.raises(transfer.ImportRefusedError) as refused:
        transfer.do_import(ACTOR, ministry, transfer.read_json(json.dumps(wrong)))
    assert [str(p) for p in refused.value.problems] == [
        "units item 1: authorised_headcount must be a whole number, not str; "
        "opened_on must be text, not int",
        "positions item 1: is_head must be true or false, not str",
        "staff item 1: must be an object",
    ]
    assert _counts() == before
    with pytest.raises(transfer.ImportRefusedError):
        transfer.do_import(ACTOR, ministry, transfer.read_json("[1, 2"))


def test_the_officer_page_imports_exports_and_refuses_a_huge_upload(org: Organisation) -> None:
    client = _signed_in(org.accounts["district-hr"])
    page = client.get(reverse("personnel:transfer"))
    assert page.status_code == 200
    before = _counts()
    bad = UNITS.replace("m-it,m,", "m-it,nowhere,")
    refused = client.post(
        reverse("personnel:transfer"),
        {"file": SimpleUploadedFile("u.csv", bad.encode()), "format": "csv", "kind": "units"},
    )
    assert refused.status_code == 400
    assert (
        "line 4: parent &#x27;nowhere&#x27; is no unit of kr-district" in refused.content.decode()
    )
    assert _counts() == before
    with override_settings(GOV3_PERSONNEL_IMPORT_MAX_BYTES=100):
        huge = client.post(
            reverse("personnel:transfer"),
            {"file": SimpleUploadedFile("u.csv", UNITS.encode()), "format": "csv", "kind": "units"},
        )
        assert huge.status_code == 400
        assert "The file is too large" in huge.content.decode()
        api_huge = client.post(
            f"{API}/personnel/import",
            {"file": SimpleUploadedFile("u.csv", UNITS.encode()), "format": "csv", "kind": "units"},
        )
        assert api_huge.status_code == 413
    assert _counts() == before
    done = client.post(
        reverse("personnel:transfer"),
        {"file": SimpleUploadedFile("u.csv", UNITS.encode()), "format": "csv", "kind": "units"},
    )
    assert done.status_code == 302
    assert Unit.objects.filter(agency=org.district, code="m-hr").exists()

    # Export: the district's staff only, by id number; the read is in their access log.
    staff = client.get(reverse("personnel:export", args=["staff", "csv"])).content.decode()
    assert org.people["welfare"].national_id in staff
    assert org.people["city-hr"].national_id not in staff
    assert "정복지" not in staff
    assert AccessLogEntry.objects.filter(
        subject_id=org.people["welfare"].pk, channel="export", what__startswith="personnel export"
    ).exists()
    assert not AccessLogEntry.objects.filter(subject_id=org.people["city-hr"].pk).exists()
    document = json.loads(client.get(reverse("personnel:export", args=["all", "json"])).content)
    assert {u["code"] for u in document["units"]} >= {"d", "d-hr", "m-hr"}
    # Anyone but an HR officer: not found.
    welfare = _signed_in(org.accounts["welfare"])
    assert welfare.get(reverse("personnel:transfer")).status_code == 404
    assert welfare.get(reverse("personnel:export", args=["staff", "csv"])).status_code == 404


def test_the_api_imports_all_or_nothing_and_exports(org: Organisation) -> None:
    client = _signed_in(org.accounts["city-hr"])
    bad = UNITS + "m-z,m,제트,Z,x,2020-01-01,\n"
    refused = client.post(
        f"{API}/personnel/import",
        {"file": SimpleUploadedFile("u.csv", bad.encode()), "format": "csv", "kind": "units"},
    )
    assert refused.status_code == 422
    assert refused.json()["problems"] == [
        {"kind": "units", "line": 5, "message": "authorised_headcount 'x' is not a whole number"}
    ]
    assert not Unit.objects.filter(code="m").exists()
    ok = client.post(
        f"{API}/personnel/import",
        {"file": SimpleUploadedFile("u.csv", UNITS.encode()), "format": "csv", "kind": "units"},
    )
    assert ok.status_code == 200
    assert ok.json() == {
        "units": 3,
        "positions": 0,
        "staff": 0,
        "reorganisations": 0,
        "moves": 0,
    }
    exported = client.get(f"{API}/personnel/export").json()
    assert {s["id_number"] for s in exported["staff"]} == {
        org.people["city-head"].national_id,
        org.people["city-hr"].national_id,
    }
    assert AccessLogEntry.objects.filter(
        subject_id=org.people["city-hr"].pk, channel="api"
    ).exists()
    schema = client.get(f"{API}/openapi.json").json()
    assert {
        "/api/v1/personnel/import",
        "/api/v1/personnel/export",
        "/api/v1/personnel/analytics",
    } <= set(schema["paths"])


def test_the_command_imports_and_exports(ministry: Agency, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(UNITS.replace("m-it,m,", "m-it,nowhere,"), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("personnel", "import", "--agency", "kr-mois", "--format", "csv",
                     "--kind", "units", str(units))  # fmt: skip
    assert not Unit.objects.filter(agency=ministry).exists()
    units.write_text(UNITS, encoding="utf-8")
    call_command("personnel", "import", "--agency", "kr-mois", "--format", "csv",
                 "--kind", "units", str(units))  # fmt: skip
    out = tmp_path / "all.json"
    call_command("personnel", "export", "--agency", "kr-mois", "-o", str(out))
    assert [u["code"] for u in json.loads(out.read_text())["units"]] == ["m", "m-hr", "m-it"]

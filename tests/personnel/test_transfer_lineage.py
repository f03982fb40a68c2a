"""The organisation's export and import carry the reorganisations: closed units, the lineage
(predecessor -> successor with the act's number, kind and date) and the positions' moves. An
export imported into an agency with nothing gives the same tree on any day and the same
lineage; a broken lineage row (an unknown unit code, a successor before its predecessor's
act, a loop) is reported with its line and nothing is imported."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gov3.accounts.models import Agency
from gov3.accounts.services import do_create_agency
from gov3.core.models import AuditEntry
from gov3.personnel import transfer
from gov3.personnel.models import Position, Unit
from gov3.personnel.reorganisation import (
    ReorganisationDraft,
    SuccessorDraft,
    do_approve_reorganisation,
    do_draft_reorganisation,
)
from gov3.personnel.reorganisation_models import PositionMove, Reorganisation, UnitLink
from gov3.personnel.unit_history import lineage, position_units_on, tree_on
from tests.conftest import ACTOR
from tests.personnel.conftest import Organisation
from tests.personnel.test_reorganisation import split_draft

pytestmark = pytest.mark.django_db

#: The exchange fields holding unit codes, position codes or act numbers, by kind.
CODES = {
    "units": ("code", "parent"),
    "positions": ("code", "unit"),
    "lineage": ("act", "predecessor", "successor"),
    "moves": ("act", "position", "from_unit", "to_unit"),
}


def _reorganise(org: Organisation) -> date:
    """The welfare division split today; the HR division renamed tomorrow (not yet due)."""
    hr, head = org.accounts["district-hr"][0], org.accounts["district-head"][0]
    today = timezone.localdate()
    do_approve_reorganisation(head, do_draft_reorganisation(hr, split_draft(today)).pk)
    rename = ReorganisationDraft(
        kind="rename",
        effective_on=today + timedelta(days=1),
        predecessors=["d-hr"],
        successors=[SuccessorDraft("d-people", "인사혁신과", "People Division")],
    )
    do_approve_reorganisation(head, do_draft_reorganisation(hr, rename).pk)
    return today


def _picture(agency: Agency, days: list[date], prefix: str = "") -> dict[str, Any]:
    """The tree on each day (codes, depth, authorised headcount, each position's unit then)
    and each unit's lineage, codes without `prefix`."""

    def bare(code: str) -> str:
        return code.removeprefix(prefix)

    positions = list(Position.objects.filter(unit__agency=agency))
    units = {u.pk: u for u in Unit.objects.filter(agency=agency)}
    picture: dict[str, Any] = {}
    for day in days:
        where = position_units_on(day, positions)
        picture[day.isoformat()] = {
            "tree": [
                (bare(r.unit.code), r.depth, r.unit.authorised_headcount, r.unit.name_local)
                for r in tree_on(agency.pk, day)
            ],
            "positions": sorted((bare(p.code), bare(units[where[p.pk]].code)) for p in positions),
        }
    for unit in sorted(units.values(), key=lambda u: bare(u.code)):
        found = lineage(unit)
        picture[bare(unit.code)] = [
            (
                bare(step.act.number),
                step.act.kind,
                step.act.effective_on,
                sorted(bare(u.code) for u in step.predecessors),
                sorted(bare(u.code) for u in step.successors),
            )
            for step in [*found.earlier, *found.later]
        ] + [(unit.opened_on, unit.closed_on)]
    return picture


def _prefixed(document: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The document with every code and act number prefixed (codes are unique everywhere)."""
    copy = {k: v for k, v in document.items() if k not in transfer.KINDS}
    for kind, fields in CODES.items():
        copy[kind] = [
            {k: (prefix + v if k in fields and v else v) for k, v in row.items()}
            for row in document[kind]
        ]
    copy["staff"] = []  # the people keep their own records; the organisation travels
    return copy


def test_an_export_imported_into_an_empty_agency_gives_the_same_tree_and_lineage(
    org: Organisation,
) -> None:
    today = _reorganise(org)
    days = [today - timedelta(days=1), today, today + timedelta(days=1), today + timedelta(400)]
    before = _picture(org.district, days)
    documents = {k: transfer.export_rows(org.district, k, today) for k in transfer.KINDS}
    exported = json.loads(transfer.as_json(org.district, documents, today))
    assert {(r["predecessor"], r["successor"]) for r in exported["lineage"]} == {
        ("d-welfare", "d-benefits"),
        ("d-welfare", "d-care"),
        ("d-hr", "d-people"),
    }
    assert {r["code"]: r["closed_on"] for r in exported["units"]}["d-welfare"] == (
        today.isoformat()
    )
    assert {(r["position"], r["from_unit"], r["to_unit"]) for r in exported["moves"]} >= {
        ("d-welfare", "d-welfare", "d-benefits"),
        ("d-welfare-2", "d-welfare", "d-care"),
    }
    copy = do_create_agency(
        ACTOR, code="kr-copy", name_local="복사구청", name_en="Copy", country="kr"
    )
    assert not Unit.objects.filter(agency=copy).exists()
    text = json.dumps(_prefixed(exported, "x-"), ensure_ascii=False)
    result = transfer.do_import(ACTOR, copy, transfer.read_json(text))
    assert (result.reorganisations, result.moves) == (2, len(exported["moves"]))
    assert _picture(copy, days, "x-") == before
    # The CSV export of the lineage reads back with the same rows.
    again = transfer.read_csv("lineage", transfer.as_csv("lineage", documents["lineage"]))
    assert [row["act"] for _, row in again.rows["lineage"]] == [
        r["act"] for r in exported["lineage"]
    ]
    assert not again.problems
    imported = Reorganisation.objects.filter(agency=copy)
    assert {a.status for a in imported} == {"approved"}
    assert {a.drafted_by_id for a in imported} == {None}
    audit = AuditEntry.objects.filter(action="personnel.imported", target_id="kr-copy").get()
    assert audit.data["reorganisations"] == 2


UNITS = """code,parent,name_local,name_en,authorised_headcount,opened_on,closed_on
m,,행정안전부,Ministry,0,2020-01-01,
m-a,m,가과,A,3,2020-01-01,2022-01-01
m-b,m,나과,B,3,2021-06-01,
m-c,m,다과,C,2,2022-01-01,2022-01-01
m-d,m,라과,D,2,2022-01-01,2022-01-01
"""

LINEAGE = """act,kind,effective_on,predecessor,successor
R1,split,2022-01-01,m-a,m-zz
R1,split,2022-01-01,m-a,m-b
R2,rename,2022-01-01,m-c,m-d
R3,rename,2022-01-01,m-d,m-c
R4,merge,2022-01-01,m-a,m-c
"""


def _state() -> tuple[int, ...]:
    return (
        Unit.objects.count(),
        Reorganisation.objects.count(),
        UnitLink.objects.count(),
        PositionMove.objects.count(),
    )


def test_a_broken_lineage_row_is_reported_with_its_line_and_nothing_is_imported(
    areas: None,
) -> None:
    ministry = do_create_agency(
        ACTOR, code="kr-mois", name_local="행정안전부", name_en="MOIS", country="kr"
    )
    transfer.do_import(ACTOR, ministry, transfer.read_csv("units", UNITS))
    before = _state()
    with pytest.raises(transfer.ImportRefusedError) as refused:
        transfer.do_import(ACTOR, ministry, transfer.read_csv("lineage", LINEAGE))
    assert [str(p) for p in refused.value.problems] == [
        "line 2: unknown unit code 'm-zz' (successor): no unit of the file or of kr-mois",
        "line 3: successor 'm-b' opens on 2021-06-01, before its predecessor's act R1 of "
        "2022-01-01",
        "line 4: act R2: 'm-c' -> 'm-d' makes the lineage loop back to 'm-c'",
        "line 5: act R3: 'm-d' -> 'm-c' makes the lineage loop back to 'm-d'",
    ]
    assert _state() == before
    # A move outside its act, or of an act not in the file: refused too, with its line.
    document = {
        "format": transfer.FORMAT,
        "lineage": [
            {
                "act": "R4",
                "kind": "merge",
                "effective_on": "2022-01-01",
                "predecessor": "m-a",
                "successor": "m-c",
            }
        ],
        "moves": [
            {
                "act": "R4",
                "position": "m-a-1",
                "from_unit": "m-b",
                "to_unit": "m-c",
                "moved_on": "2022-01-01",
            },
            {
                "act": "R9",
                "position": "m-a-1",
                "from_unit": "m-a",
                "to_unit": "m-c",
                "moved_on": "2022-01-01",
            },
        ],
    }
    with pytest.raises(transfer.ImportRefusedError) as refused:
        transfer.do_import(ACTOR, ministry, transfer.read_json(json.dumps(document)))
    assert [str(p) for p in refused.value.problems] == [
        "moves item 1: position 'm-a-1' is no position of the file or of kr-mois; "
        "from_unit 'm-b' is not closed by act R4",
        "moves item 2: act 'R9' is not in the file's lineage",
    ]
    assert _state() == before
    # The good row alone is imported.
    document["moves"] = []
    result = transfer.do_import(ACTOR, ministry, transfer.read_json(json.dumps(document)))
    assert result.reorganisations == 1
    merged = lineage(Unit.objects.get(code="m-c"))
    assert [(s.act.number, [u.code for u in s.predecessors]) for s in merged.earlier] == [
        ("R4", ["m-a"])
    ]

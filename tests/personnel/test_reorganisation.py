"""Reorganisations (issue 18 item 1): a split, a merge, a rename and a move close the old units
on the effective date and open new ones, keeping the past (appointments, the tree as it was,
the lineage); every refusal is clear and changes nothing; only the head of the HR unit, not
the drafter, approves; another agency's unit or act is not found."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Model
from django.utils import timezone, translation

from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.personnel.models import Position, Unit
from gov3.personnel.queries import record_view
from gov3.personnel.reorganisation import (
    ReorganisationDraft,
    SuccessorDraft,
    do_apply_due_moves,
    do_approve_reorganisation,
    do_draft_reorganisation,
)
from gov3.personnel.reorganisation_models import PositionMove, Reorganisation, UnitLink
from gov3.personnel.unit_history import lineage, position_units_on, tree_on
from gov3.tasks.runner import kind_of
from tests.personnel.conftest import Organisation

pytestmark = pytest.mark.django_db


def split_draft(day: date, **changes: object) -> ReorganisationDraft:
    """The district's welfare division split into a benefits team and a care team."""
    values: dict[str, object] = {
        "kind": "split",
        "effective_on": day,
        "predecessors": ["d-welfare"],
        "successors": [
            SuccessorDraft("d-benefits", "급여팀", "Benefits Team", 2),
            SuccessorDraft("d-care", "돌봄팀", "Care Team", 3),
        ],
        "positions": {"d-welfare": "d-benefits", "d-welfare-2": "d-care"},
    }
    values.update(changes)
    return ReorganisationDraft(**values)  # type: ignore[arg-type]


def _codes(agency_id: int, day: date) -> list[str]:
    return [row.unit.code for row in tree_on(agency_id, day)]


def test_a_split_keeps_the_past(org: Organisation) -> None:
    hr, head = org.accounts["district-hr"][0], org.accounts["district-head"][0]
    today = timezone.localdate()
    act = do_draft_reorganisation(hr, split_draft(today))
    assert act.number == f"kr-district-R{today.year}-001"
    assert act.status == "draft"
    assert not Unit.objects.filter(code="d-benefits").exists()  # nothing happens before approval
    with pytest.raises(PermissionRefusedError):
        do_approve_reorganisation(hr, act.pk)  # the drafter never approves
    act = do_approve_reorganisation(head, act.pk)
    assert act.status == "approved"
    assert act.approved_by == head

    old = Unit.objects.get(code="d-welfare")
    assert old.closed_on == today  # closed, not deleted nor renamed
    assert old.name_local == "복지정책과"
    benefits, care = Unit.objects.get(code="d-benefits"), Unit.objects.get(code="d-care")
    assert (benefits.opened_on, benefits.authorised_headcount) == (today, 2)
    assert (care.authorised_headcount, care.parent) == (3, old.parent)
    assert Position.objects.get(code="d-welfare").unit == benefits
    assert Position.objects.get(code="d-welfare-2").unit == care

    # The tree the day before shows the old unit; from the effective date, the successors.
    yesterday = today - timedelta(days=1)
    assert _codes(org.district.pk, yesterday) == ["d", "d-hr", "d-welfare"]
    assert _codes(org.district.pk, today) == ["d", "d-benefits", "d-care", "d-hr"]
    counts = {r.unit.code: r.actual for r in tree_on(org.district.pk, yesterday)}
    assert counts["d-welfare"] == 1
    assert {r.unit.code: r.actual for r in tree_on(org.district.pk, today)}["d-benefits"] == 1
    welfare_post = Position.objects.get(code="d-welfare")
    assert position_units_on(yesterday, [welfare_post]) == {welfare_post.pk: old.pk}

    # The appointment made before the split still shows the unit it was made in.
    view = record_view(org.records["welfare"])
    assert view.appointments[0].unit_then == old  # type: ignore[attr-defined]

    # The lineage, both ways, with the act.
    after = lineage(old)
    assert after.earlier == []
    assert [(s.act.number, [u.code for u in s.successors]) for s in after.later] == [
        (act.number, ["d-benefits", "d-care"])
    ]
    assert [u.code for u in lineage(care).earlier[0].predecessors] == ["d-welfare"]
    assert AuditEntry.objects.filter(
        action="personnel.reorganisation_approved", target_id=act.number
    ).exists()


def test_positions_move_on_the_effective_date(org: Organisation) -> None:
    hr, head = org.accounts["district-hr"][0], org.accounts["district-head"][0]
    tomorrow = timezone.localdate() + timedelta(days=1)
    act = do_draft_reorganisation(hr, split_draft(tomorrow))
    do_approve_reorganisation(head, act.pk)
    post = Position.objects.get(code="d-welfare")
    assert post.unit.code == "d-welfare"  # until the date comes
    assert "d-welfare" in _codes(org.district.pk, timezone.localdate())
    assert do_apply_due_moves(tomorrow) == 2
    assert do_apply_due_moves(tomorrow) == 0  # idempotent
    post.refresh_from_db()
    assert post.unit.code == "d-benefits"
    kind = kind_of("personnel.reorganisation_moves")
    assert kind.every is not None
    kind.handler()


def test_a_merge_adds_up_the_headcount(org: Organisation) -> None:
    hr, head = org.accounts["district-hr"][0], org.accounts["district-head"][0]
    today = timezone.localdate()
    draft = ReorganisationDraft(
        kind="merge",
        effective_on=today,
        predecessors=["d-hr", "d-welfare"],
        successors=[SuccessorDraft("d-admin", "행정지원과", "Administration Division")],
    )
    act = do_approve_reorganisation(head, do_draft_reorganisation(hr, draft).pk)
    merged = Unit.objects.get(code="d-admin")
    assert merged.authorised_headcount == 3 + 4
    assert set(Position.objects.filter(unit=merged).values_list("code", flat=True)) == {
        "d-hr-head",
        "d-hr",
        "d-welfare",
        "d-welfare-2",
    }
    assert UnitLink.objects.filter(reorganisation=act, successor=merged).count() == 2
    assert [u.code for u in lineage(merged).earlier[0].predecessors] == ["d-hr", "d-welfare"]
    assert _codes(org.district.pk, today) == ["d", "d-admin"]
    # The head, now in the merged unit, still heads HR and approves the next act.
    rename = ReorganisationDraft(
        kind="rename",
        effective_on=today + timedelta(days=10),
        predecessors=["d-admin"],
        successors=[SuccessorDraft("d-support", "지원과", "Support Division")],
    )
    second = do_approve_reorganisation(head, do_draft_reorganisation(hr, rename).pk)
    assert second.number.endswith("-002")
    assert [s.act.number for s in lineage(Unit.objects.get(code="d-hr")).later] == [
        act.number,
        second.number,
    ]


def test_a_rename_and_a_move(org: Organisation) -> None:
    hr, head = org.accounts["district-hr"][0], org.accounts["district-head"][0]
    today = timezone.localdate()
    rename = ReorganisationDraft(
        kind="rename",
        effective_on=today,
        predecessors=["d-welfare"],
        successors=[SuccessorDraft("d-welfare-policy", "복지정책국", "Welfare Policy Bureau")],
    )
    do_approve_reorganisation(head, do_draft_reorganisation(hr, rename).pk)
    renamed = Unit.objects.get(code="d-welfare-policy")
    assert renamed.authorised_headcount == 4  # kept
    assert renamed.parent is not None
    assert renamed.parent.code == "d"
    move = ReorganisationDraft(
        kind="move",
        effective_on=today + timedelta(days=1),
        predecessors=["d-welfare-policy"],
        successors=[
            SuccessorDraft("d-hr-welfare", "복지정책국", "Welfare Policy Bureau", None, "d-hr")
        ],
    )
    do_approve_reorganisation(head, do_draft_reorganisation(hr, move).pk)
    moved = Unit.objects.get(code="d-hr-welfare")
    assert moved.parent is not None
    assert moved.parent.code == "d-hr"
    tree = tree_on(org.district.pk, today + timedelta(days=1))
    assert [(r.unit.code, r.depth) for r in tree] == [("d", 0), ("d-hr", 1), ("d-hr-welfare", 2)]
    old = lineage(Unit.objects.get(code="d-welfare"))
    assert [s.act.kind for s in old.later] == ["rename", "move"]


def _state() -> tuple[object, ...]:
    models: list[type[Model]] = [Reorganisation, UnitLink, PositionMove]
    return (
        tuple(m.objects.count() for m in models),
        tuple(Unit.objects.order_by("pk").values_list("code", "closed_on", "parent_id")),
        tuple(Position.objects.order_by("pk").values_list("code", "unit_id")),
        AuditEntry.objects.count(),
    )


def _too_far_back() -> date:
    return timezone.localdate() - timedelta(days=32)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"positions": {"d-welfare-2": "d-care"}}, "Position d-welfare is held on or after"),
        ({"effective_on": None}, "Give the date"),
        ("too_far_back", "is too far back"),
        ({"successors": [SuccessorDraft("d-care", "돌봄팀", "Care Team", 3)]}, "at least two"),
        ({"kind": "merge"}, "A merge needs at least two units"),
        (
            {
                "successors": [
                    SuccessorDraft("d-hr", "인사", "HR", 1),
                    SuccessorDraft("x", "x", "x", 1),
                ]
            },
            "The unit code d-hr is already used",
        ),
        ({"predecessors": ["c-welfare"]}, "There is no unit c-welfare in your agency"),
        ({"predecessors": ["d"]}, "still has the sub-unit"),
        ({"kind": "unknown"}, "Choose the kind"),
        ({"positions": {"d-welfare": "d-nowhere"}}, "which is not a new unit"),
        ({"positions": {"d-hr": "d-care"}}, "Position d-hr is not in the units reorganised"),
        (
            {"successors": [SuccessorDraft("a1", "a", "a"), SuccessorDraft("a2", "b", "b", 1)]},
            "Give the authorised headcount",
        ),
        ("closed", "is already closed"),
    ],
)
def test_a_refused_reorganisation_changes_nothing(
    org: Organisation, changes: object, message: str
) -> None:
    hr = org.accounts["district-hr"][0]
    today = timezone.localdate()
    if changes == "too_far_back":
        draft = split_draft(_too_far_back())
    elif changes == "closed":
        Unit.objects.filter(code="d-welfare").update(closed_on=today - timedelta(days=3))
        draft = split_draft(today)
    else:
        assert isinstance(changes, dict)
        draft = split_draft(today, **changes)
    before = _state()
    with translation.override("en"), pytest.raises(ValidationFailedError) as refused:
        do_draft_reorganisation(hr, draft)
    assert message in str(refused.value)
    assert _state() == before


def test_refusals_are_translated(org: Organisation) -> None:
    hr = org.accounts["district-hr"][0]
    with translation.override("ko"), pytest.raises(ValidationFailedError) as refused:
        do_draft_reorganisation(hr, split_draft(timezone.localdate(), successors=[]))
    assert "분할" in str(refused.value)


def test_approval_rechecks_and_changes_nothing_when_refused(org: Organisation) -> None:
    hr, head = org.accounts["district-hr"][0], org.accounts["district-head"][0]
    act = do_draft_reorganisation(hr, split_draft(timezone.localdate()))
    Unit.objects.create(
        agency=org.district,
        code="d-care",
        name_local="돌봄",
        name_en="Care",
        opened_on=date(2020, 1, 1),
    )  # the code was taken meanwhile
    before = _state()
    with translation.override("en"), pytest.raises(ValidationFailedError, match="already used"):
        do_approve_reorganisation(head, act.pk)
    assert _state() == before
    assert Reorganisation.objects.get().status == "draft"


def test_another_agency_finds_nothing(org: Organisation) -> None:
    hr = org.accounts["district-hr"][0]
    act = do_draft_reorganisation(hr, split_draft(timezone.localdate()))
    with pytest.raises(NotFoundError):
        do_approve_reorganisation(org.accounts["city-head"][0], act.pk)
    welfare = org.accounts["welfare"][0]
    with pytest.raises(PermissionRefusedError):
        do_draft_reorganisation(welfare, split_draft(timezone.localdate()))
    assert Reorganisation.objects.get().status == "draft"


def test_a_vacant_position_may_stay_behind(org: Organisation) -> None:
    hr, head = org.accounts["district-hr"][0], org.accounts["district-head"][0]
    draft = split_draft(timezone.localdate(), positions={"d-welfare": "d-care"})
    act = do_approve_reorganisation(head, do_draft_reorganisation(hr, draft).pk)
    assert Position.objects.get(code="d-welfare-2").unit.code == "d-welfare"  # closed with it
    assert list(act.moves.values_list("position__code", "to_unit__code")) == [
        ("d-welfare", "d-care")
    ]

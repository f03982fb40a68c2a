"""Villages under the area tree: profile, checklist, leaders in their slots, village bodies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gov3.accounts.models import User
from gov3.core.errors import ValidationFailedError
from gov3.registry.models import Area
from gov3.saemaul.models import Village, VillageLeader
from gov3.saemaul.queries import village_profile, villages_in
from gov3.saemaul.services import (
    RoleScope,
    do_add_body_member,
    do_appoint_leader,
    do_assign_role,
    do_end_leadership,
    do_update_village,
)
from tests.saemaul.conftest import ACTOR, days_ago, make_village


@pytest.mark.django_db
def test_a_village_is_registered_under_an_eup_myeon_with_its_checklist(
    county: dict[str, Area], programme: None
) -> None:
    village = make_village(
        county["46820-03"],
        "46820-03-0001",
        infrastructure={"electricity": True, "roads": 1972, "water": False},
    )
    profile = village_profile(village)
    done = {item: (is_done, year) for item, _, is_done, year in profile.checklist}
    assert done["electricity"] == (True, None)
    assert done["roads"] == (True, 1972)
    assert done["water"] == (False, None)
    assert done["bridges"] == (False, None)  # not recorded: shown as not done
    assert profile.infrastructure_done == 2
    assert [v.code for v in villages_in(county["46"])] == ["46820-03-0001"]
    assert list(villages_in(county["46820-02"])) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("area_code", "fields", "message"),
    [
        ("46820", {}, "not an eup/myeon/dong"),
        ("46820-03", {"households": 200, "population": 100}, "more households than people"),
        ("46820-03", {"latitude": 34.5, "longitude": None}, "both a latitude"),
        ("46820-03", {"name_local": " "}, "needs a name"),
        ("46820-03", {"infrastructure": {"airport": True}}, "not an item"),
    ],
)
def test_bad_villages_are_refused(
    county: dict[str, Area],
    programme: None,
    area_code: str,
    fields: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(ValidationFailedError, match=message):
        make_village(county[area_code], "46820-03-0001", **fields)
    assert not Village.objects.exists()


@pytest.mark.django_db
def test_village_codes_are_unique_and_profiles_can_change(village: Village) -> None:
    with pytest.raises(ValidationFailedError, match="already registered"):
        make_village(village.area, village.code)
    updated = do_update_village(ACTOR, village, households=45, population=200)
    assert (updated.households, updated.population) == (45, 200)
    with pytest.raises(ValidationFailedError, match="more households"):
        do_update_village(ACTOR, village, households=500)


@pytest.mark.django_db
def test_leaders_fill_their_slots_one_man_and_one_woman(village: Village) -> None:
    with pytest.raises(ValidationFailedError, match="for a person of sex"):
        do_appoint_leader(
            ACTOR, village, slot_code="leader_woman", name="박철수", sex="M", since=days_ago(30)
        )
    first = do_appoint_leader(
        ACTOR, village, slot_code="leader_man", name="박철수", sex="M", since=days_ago(300)
    )
    do_appoint_leader(
        ACTOR, village, slot_code="leader_woman", name="김순자", sex="F", since=days_ago(300)
    )
    second = do_appoint_leader(
        ACTOR, village, slot_code="leader_man", name="이영호", sex="M", since=days_ago(10)
    )
    first.refresh_from_db()
    assert first.until == days_ago(11)
    serving = village_profile(village).leaders
    assert sorted(leader.name for leader in serving) == ["김순자", "이영호"]
    with pytest.raises(ValidationFailedError, match="a new term must start after"):
        do_appoint_leader(
            ACTOR, village, slot_code="leader_man", name="최", sex="M", since=days_ago(20)
        )
    do_end_leadership(ACTOR, second, until=timezone.localdate())
    assert VillageLeader.objects.filter(until__isnull=True).count() == 1
    with pytest.raises(ValidationFailedError, match="no leader slot"):
        do_appoint_leader(
            ACTOR, village, slot_code="treasurer", name="x", sex="M", since=days_ago(1)
        )


@pytest.mark.django_db
def test_village_bodies_have_one_chair_and_the_womens_association_women(village: Village) -> None:
    do_add_body_member(
        ACTOR,
        village,
        body="development_committee",
        name="박",
        sex="M",
        since=days_ago(5),
        role="chair",
    )
    with pytest.raises(ValidationFailedError, match="already chairs"):
        do_add_body_member(
            ACTOR,
            village,
            body="development_committee",
            name="이",
            sex="F",
            since=days_ago(5),
            role="chair",
        )
    with pytest.raises(ValidationFailedError, match="women members only"):
        do_add_body_member(
            ACTOR, village, body="womens_association", name="김", sex="M", since=days_ago(5)
        )
    do_add_body_member(
        ACTOR,
        village,
        body="womens_association",
        name="김순자",
        sex="F",
        since=days_ago(5),
        role="chair",
    )
    do_add_body_member(
        ACTOR, village, body="development_committee", name="이", sex="F", since=days_ago(5)
    )
    profile = village_profile(village)
    assert [m.name for m in profile.committee] == ["박", "이"]
    assert [m.name for m in profile.womens_association] == ["김순자"]
    with pytest.raises(ValidationFailedError, match="in the future"):
        do_add_body_member(
            ACTOR,
            village,
            body="development_committee",
            name="x",
            sex="M",
            since=timezone.localdate() + timedelta(days=1),
        )


@pytest.mark.django_db
def test_roles_name_a_village_or_an_area_of_their_level(
    village: Village, county: dict[str, Area], officer: tuple[User, Any]
) -> None:
    user = officer[0]
    with pytest.raises(ValidationFailedError, match="works for an area of the level"):
        do_assign_role(ACTOR, user, level="county", scope=RoleScope(area=county["46820-03"]))
    assignment = do_assign_role(
        ACTOR, user, level="eup_myeon", scope=RoleScope(area=county["46820-03"])
    )
    assert (assignment.level, assignment.area, assignment.country) == (
        "eup_myeon",
        county["46820-03"],
        "kr",
    )
    assignment = do_assign_role(ACTOR, user, level="central", scope=RoleScope(country="kr"))
    assert assignment.area is None

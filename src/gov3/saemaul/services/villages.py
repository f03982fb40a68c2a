"""Commands for villages: registration, profile, infrastructure, leaders, bodies, roles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.registry.models import Area, AreaLevel, Person, Sex
from gov3.saemaul.geo import valid_point
from gov3.saemaul.models import (
    Body,
    BodyMember,
    BodyRole,
    InfrastructureItem,
    LeaderSlot,
    SaemaulAssignment,
    SaemaulLevel,
    Village,
    VillageAnnualFigures,
    VillageClassification,
    VillageInfrastructure,
    VillageLeader,
)
from gov3.saemaul.services._common import audit, refuse, refuse_future

#: The area level each programme level works at.
LEVEL_AREA = {
    SaemaulLevel.EUP_MYEON: AreaLevel.DISTRICT,
    SaemaulLevel.COUNTY: AreaLevel.MUNICIPALITY,
    SaemaulLevel.PROVINCE: AreaLevel.PROVINCE,
}

#: An infrastructure checklist entry: done before the programme (True), not done (False),
#: or done in a given year (an int).
InfrastructureState = bool | int


def check_village_fields(
    *,
    area: Area,
    name_local: str,
    households: int,
    population: int,
    latitude: float | None,
    longitude: float | None,
) -> list[tuple[str, str]]:
    """Problems with a village's fields as (field, message); empty if all is well."""
    problems: list[tuple[str, str]] = []
    if area.level != AreaLevel.DISTRICT:
        problems.append(
            (
                "area_code",
                gettext(
                    "%(area)s is not an eup/myeon/dong; a village belongs to the lowest level "
                    "of areas."
                )
                % {"area": area.name_local},
            )
        )
    if not name_local.strip():
        problems.append(("name_local", gettext("A village needs a name.")))
    if households < 0 or population < 0:
        problems.append(("households", gettext("Households and population cannot be negative.")))
    elif population and households > population:
        problems.append(
            ("households", gettext("A village cannot have more households than people."))
        )
    if (latitude is not None or longitude is not None) and not valid_point(latitude, longitude):
        problems.append(
            (
                "latitude",
                gettext(
                    "The location needs both a latitude (-90 to 90) and a longitude "
                    "(-180 to 180) in decimal degrees."
                ),
            )
        )
    return problems


def _infrastructure_rows(
    village: Village, infrastructure: Mapping[str, InfrastructureState]
) -> list[VillageInfrastructure]:
    rows = []
    for item, state in infrastructure.items():
        if item not in InfrastructureItem.values:
            refuse(
                gettext("%(item)s is not an item of the infrastructure checklist.") % {"item": item}
            )
        done = state is True or (isinstance(state, int) and not isinstance(state, bool))
        year = state if isinstance(state, int) and not isinstance(state, bool) else None
        rows.append(
            VillageInfrastructure(village=village, item=item, done=done, completed_year=year)
        )
    return rows


def do_register_village(
    actor: str,
    *,
    area: Area,
    code: str,
    name_local: str,
    name_en: str = "",
    households: int = 0,
    population: int = 0,
    latitude: float | None = None,
    longitude: float | None = None,
    registered_on: date | None = None,
    infrastructure: Mapping[str, InfrastructureState] | None = None,
) -> Village:
    """Register a village under an eup/myeon/dong, with its baseline infrastructure checklist."""
    problems = check_village_fields(
        area=area,
        name_local=name_local,
        households=households,
        population=population,
        latitude=latitude,
        longitude=longitude,
    )
    if problems:
        refuse(problems[0][1])
    code = code.strip()
    if not code:
        refuse(gettext("A village needs a code."))
    with transaction.atomic(durable=True):
        if Village.objects.filter(code=code).exists():
            refuse(
                gettext("A village with the code %(code)s is already registered.") % {"code": code}
            )
        village = Village.objects.create(
            code=code,
            name_local=name_local.strip(),
            name_en=name_en.strip(),
            area=area,
            households=households,
            population=population,
            latitude=latitude,
            longitude=longitude,
            registered_on=registered_on or timezone.localdate(),
        )
        VillageInfrastructure.objects.bulk_create(
            _infrastructure_rows(village, infrastructure or {})
        )
        audit(actor, "register_village", village, code=code, area=area.code)
    return village


def do_update_village(
    actor: str,
    village: Village,
    *,
    name_local: str | None = None,
    name_en: str | None = None,
    households: int | None = None,
    population: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    clear_location: bool = False,
) -> Village:
    """Change a village's profile; fields left as None keep their value."""
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "name_local": name_local,
            "name_en": name_en,
            "households": households,
            "population": population,
            "latitude": latitude,
            "longitude": longitude,
        }.items()
        if value is not None
    }
    if clear_location:
        changes.update(latitude=None, longitude=None)
    problems = check_village_fields(
        area=village.area,
        name_local=changes.get("name_local", village.name_local),
        households=changes.get("households", village.households),
        population=changes.get("population", village.population),
        latitude=changes.get("latitude", village.latitude),
        longitude=changes.get("longitude", village.longitude),
    )
    if problems:
        refuse(problems[0][1])
    with transaction.atomic(durable=True):
        Village.objects.filter(pk=village.pk).update(**changes)
        audit(actor, "update_village", village, changes=changes)
    village.refresh_from_db()
    return village


def do_set_infrastructure(
    actor: str, village: Village, item: str, *, done: bool, completed_year: int | None = None
) -> VillageInfrastructure:
    """Mark a checklist item done (in ``completed_year``, or before the programme) or not done."""
    if item not in InfrastructureItem.values:
        refuse(gettext("%(item)s is not an item of the infrastructure checklist.") % {"item": item})
    if completed_year is not None and not done:
        refuse(gettext("An item that is not done has no year of completion."))
    if completed_year is not None and completed_year > timezone.localdate().year:
        refuse(
            gettext("The year of completion %(year)s is in the future.") % {"year": completed_year}
        )
    with transaction.atomic(durable=True):
        row, _ = VillageInfrastructure.objects.update_or_create(
            village=village, item=item, defaults={"done": done, "completed_year": completed_year}
        )
        audit(actor, "set_infrastructure", village, item=item, done=done, year=completed_year)
    return row


def do_record_annual_figures(
    actor: str, village: Village, *, year: int, average_household_income_krw: int
) -> VillageAnnualFigures:
    """Record a village's yearly survey figures (used to compute its class for the year)."""
    if average_household_income_krw < 0:
        refuse(gettext("An income cannot be negative."))
    if year > timezone.localdate().year:
        refuse(gettext("The year %(year)s is in the future.") % {"year": year})
    with transaction.atomic(durable=True):
        if VillageClassification.objects.filter(village=village, year=year).exists():
            refuse(
                gettext(
                    "%(village)s was already classified for %(year)s on these figures; they "
                    "can no longer be changed."
                )
                % {"village": village.name_local, "year": year}
            )
        row, _ = VillageAnnualFigures.objects.update_or_create(
            village=village,
            year=year,
            defaults={
                "average_household_income_krw": average_household_income_krw,
                "recorded_by": actor,
            },
        )
        audit(
            actor, "record_annual_figures", village, year=year, income=average_household_income_krw
        )
    return row


def _slot(village: Village, slot_code: str) -> LeaderSlot:
    slot = LeaderSlot.objects.filter(country=village.area.country, code=slot_code).first()
    if slot is None:
        refuse(
            gettext("There is no leader slot %(slot)s; load the programme data first.")
            % {"slot": slot_code}
        )
    return slot


def do_appoint_leader(
    actor: str,
    village: Village,
    *,
    slot_code: str,
    name: str,
    sex: str,
    since: date,
    phone: str = "",
    person: Person | None = None,
) -> VillageLeader:
    """Record the elected holder of a leader slot; the previous term ends the day before."""
    slot = _slot(village, slot_code)
    if sex not in Sex.values:
        refuse(gettext("Sex must be M, F or X."))
    if slot.required_sex and sex != slot.required_sex:
        refuse(
            gettext(
                "The slot '%(slot)s' is for a person of sex '%(sex)s'; %(name)s cannot hold it."
            )
            % {"slot": slot.name, "sex": Sex(slot.required_sex).label, "name": name}
        )
    if not name.strip():
        refuse(gettext("A leader needs a name."))
    refuse_future(since, gettext("appointment"))
    with transaction.atomic(durable=True):
        current = VillageLeader.objects.filter(
            village=village, slot=slot, until__isnull=True
        ).first()
        if current is not None:
            if current.since >= since:
                refuse(
                    gettext(
                        "%(name)s has held this slot since %(since)s; a new term must start "
                        "after that."
                    )
                    % {"name": current.name, "since": current.since}
                )
            VillageLeader.objects.filter(pk=current.pk).update(until=since - timedelta(days=1))
        leader = VillageLeader.objects.create(
            village=village,
            slot=slot,
            name=name.strip(),
            sex=sex,
            phone=phone.strip(),
            person=person,
            since=since,
        )
        audit(actor, "appoint_leader", village, slot=slot.code, leader=leader.pk)
    return leader


def do_end_leadership(actor: str, leader: VillageLeader, *, until: date) -> VillageLeader:
    """End a leader's term."""
    if leader.until is not None:
        refuse(gettext("This term already ended on %(day)s.") % {"day": leader.until})
    if until < leader.since:
        refuse(gettext("A term cannot end before it started."))
    with transaction.atomic(durable=True):
        VillageLeader.objects.filter(pk=leader.pk).update(until=until)
        audit(actor, "end_leadership", leader.village, leader=leader.pk, until=until.isoformat())
    leader.refresh_from_db()
    return leader


def do_add_body_member(
    actor: str,
    village: Village,
    *,
    body: str,
    name: str,
    sex: str,
    since: date,
    role: str = BodyRole.MEMBER,
) -> BodyMember:
    """Add a member to the development committee or the women's association."""
    if body not in Body.values:
        refuse(gettext("Unknown village body %(body)s.") % {"body": body})
    if role not in BodyRole.values:
        refuse(gettext("Unknown role %(role)s.") % {"role": role})
    if sex not in Sex.values:
        refuse(gettext("Sex must be M, F or X."))
    if body == Body.WOMENS_ASSOCIATION and sex != Sex.FEMALE:
        refuse(gettext("The women's association has women members only."))
    if not name.strip():
        refuse(gettext("A member needs a name."))
    refuse_future(since, gettext("membership"))
    with transaction.atomic(durable=True):
        if role == BodyRole.CHAIR:
            chair = BodyMember.objects.filter(
                village=village, body=body, role=BodyRole.CHAIR, until__isnull=True
            ).first()
            if chair is not None:
                refuse(
                    gettext("%(name)s already chairs the %(body)s; end their term first.")
                    % {"name": chair.name, "body": Body(body).label}
                )
        member = BodyMember.objects.create(
            village=village, body=body, role=role, name=name.strip(), sex=sex, since=since
        )
        audit(actor, "add_body_member", village, body=body, role=role, member=member.pk)
    return member


def do_end_body_membership(actor: str, member: BodyMember, *, until: date) -> BodyMember:
    """End a member's term in a village body."""
    if member.until is not None:
        refuse(gettext("This term already ended on %(day)s.") % {"day": member.until})
    if until < member.since:
        refuse(gettext("A term cannot end before it started."))
    with transaction.atomic(durable=True):
        BodyMember.objects.filter(pk=member.pk).update(until=until)
        audit(actor, "end_body_membership", member.village, member=member.pk)
    member.refresh_from_db()
    return member


@dataclass(frozen=True)
class RoleScope:
    """Where a role applies: a village, an area, or (central) a whole country."""

    village: Village | None = None
    area: Area | None = None
    country: str = ""


def do_assign_role(actor: str, user: User, *, level: str, scope: RoleScope) -> SaemaulAssignment:
    """Give a user their place in the programme (replacing any earlier one)."""
    if level not in SaemaulLevel.values:
        refuse(gettext("Unknown programme level %(level)s.") % {"level": level})
    village, area, country = scope.village, scope.area, scope.country
    if level == SaemaulLevel.VILLAGE:
        if village is None or area is not None:
            refuse(gettext("A village leader's role names their village."))
        country = village.area.country
    elif level == SaemaulLevel.CENTRAL:
        if village is not None or area is not None or len(country) != 2:
            refuse(gettext("A central role names only its country."))
    else:
        if area is None or village is not None:
            refuse(gettext("This role names the area it covers."))
        if area.level != LEVEL_AREA[SaemaulLevel(level)]:
            refuse(
                gettext("A %(role)s works for an area of the level '%(level)s'.")
                % {
                    "role": SaemaulLevel(level).label,
                    "level": AreaLevel(LEVEL_AREA[SaemaulLevel(level)]).label,
                }
            )
        country = area.country
    with transaction.atomic(durable=True):
        assignment, _ = SaemaulAssignment.objects.update_or_create(
            user=user,
            defaults={
                "level": level,
                "village": village,
                "area": area,
                "country": country,
                "assigned_at": timezone.now(),
                "assigned_by": actor,
            },
        )
        audit(
            actor,
            "assign_role",
            "user",
            user.pk,
            level=level,
            village=village.code if village else None,
            area=area.code if area else None,
        )
    return assignment

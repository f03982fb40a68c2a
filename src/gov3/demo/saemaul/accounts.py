"""The programme's demo accounts: a village leader and officers at each level above, with the
published demo password (refused outside DEBUG).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
    do_set_password,
)
from gov3.core.errors import Gov3Error
from gov3.demo.saemaul.county import ACTOR, COUNTRY, HWASAN, _areas, district_code
from gov3.registry.models import Person
from gov3.saemaul.models import SaemaulLevel, Village, VillageLeader
from gov3.saemaul.services import RoleScope, do_appoint_leader, do_assign_role

PASSWORD = "demo-saemaul-2026"  # noqa: S105 - published demo password, refused outside DEBUG


@dataclass(frozen=True)
class SaemaulLogin:
    """A demo account for the programme, as printed by `gov3 demo setup`."""

    role: str
    username: str
    password: str
    url: str
    totp_secret: str = ""
    person: str = ""


def _agency(code: str, name_local: str, name_en: str) -> Agency:
    return do_create_agency(
        ACTOR, code=code, name_local=name_local, name_en=name_en, country=COUNTRY
    )


def _totp_secret(user: User) -> str:
    device = TOTPDevice.objects.filter(user=user).first()
    return base64.b32encode(device.bin_key).decode() if device else ""


def _officer(username: str, agency: Agency) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        do_set_password(ACTOR, user, PASSWORD)
        return user
    return do_create_officer_account(
        ACTOR, username=username, password=PASSWORD, agency=agency, role=OfficerRole.SAEMAUL_OFFICER
    )[0]


def _leader_person(village: Village) -> Person:
    """A living adult man of the demo population without an account, to be the village leader."""
    existing = VillageLeader.objects.filter(
        village=village, slot__code="leader_man", until__isnull=True, person__isnull=False
    ).first()
    if existing is not None and existing.person is not None:
        return existing.person
    today = timezone.localdate()
    person = (
        Person.objects.filter(
            country=COUNTRY,
            sex="M",
            date_of_death__isnull=True,
            birth_date__lte=today.replace(year=today.year - 30),
            birth_date__gte=today.replace(year=today.year - 60),
            account__isnull=True,
        )
        .order_by("id")
        .first()
    )
    if person is None:
        raise Gov3Error("The demo population has no adult man without an account to be the leader.")
    return person


def set_up_demo_accounts(base_url: str) -> list[SaemaulLogin]:
    """The programme's demo accounts: a village leader and officers at each level above."""
    if not settings.DEBUG:
        raise Gov3Error("The demo uses published passwords: it only runs with GOV3_DEBUG on.")
    _, county, districts = _areas()
    hwasan = districts[HWASAN]
    village = Village.objects.get(code=f"{district_code(HWASAN)}-0001")
    person = _leader_person(village)
    leader = User.objects.filter(username="saemaul-leader").first()
    if leader is None:
        leader = do_create_citizen_account(
            ACTOR, person=person, username="saemaul-leader", password=PASSWORD
        )
        do_appoint_leader(
            ACTOR,
            village,
            slot_code="leader_man",
            name=person.name_local,
            sex="M",
            since=timezone.localdate() - timedelta(days=365),
            person=person,
        )
    else:
        do_set_password(ACTOR, leader, PASSWORD)
    do_assign_role(ACTOR, leader, level=SaemaulLevel.VILLAGE, scope=RoleScope(village=village))
    officers = [
        (
            "saemaul-myeon",
            SaemaulLevel.EUP_MYEON,
            hwasan,
            ("kr-46820-03", "해남군 화산면사무소", "Hwasan-myeon Office, Haenam-gun"),
        ),
        (
            "saemaul-county",
            SaemaulLevel.COUNTY,
            county,
            ("kr-46820", "해남군청", "Haenam-gun Office"),
        ),
        (
            "saemaul-province",
            SaemaulLevel.PROVINCE,
            county.parent,
            ("kr-46", "전라남도청", "Jeollanam-do Provincial Office"),
        ),
        (
            "saemaul-central",
            SaemaulLevel.CENTRAL,
            None,
            ("kr-mois", "행정안전부", "Ministry of the Interior and Safety"),
        ),
    ]
    logins = [
        SaemaulLogin(
            "village leader",
            leader.username,
            PASSWORD,
            f"{base_url}/login/",
            person=f"{person.name_local} ({person.name_latin}), "
            f"{village.name_local} {village.code}",
        )
    ]
    for username, level, area, agency_fields in officers:
        user = _officer(username, _agency(*agency_fields))
        scope = RoleScope(area=area) if area is not None else RoleScope(country=COUNTRY)
        do_assign_role(ACTOR, user, level=level, scope=scope)
        logins.append(
            SaemaulLogin(
                level.replace("_", "/") + (" officer" if area is not None else " manager"),
                username,
                PASSWORD,
                f"{base_url}/officer/login/",
                totp_secret=_totp_secret(user),
            )
        )
    return logins

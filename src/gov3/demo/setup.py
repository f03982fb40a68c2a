"""Set up the demo: migrate, load a country pack, generate residents, create demo accounts.

Every step is idempotent, so `make demo` can run again and again without duplicating anything.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gov3.accounts.models import AccountKind, OfficerRole, User
from gov3.accounts.queries import age_of_majority
from gov3.accounts.services import (
    do_create_administrator,
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
    do_set_password,
)
from gov3.core.dates import add_years
from gov3.core.errors import Gov3Error
from gov3.demo.participation import load_demo as load_participation_demo
from gov3.demo.personnel import load_demo as load_personnel_demo
from gov3.demo.recruitment import load_demo as load_recruitment_demo
from gov3.demo.saemaul import load_demo as load_saemaul_demo
from gov3.demo.saemaul import set_up_demo_accounts as set_up_saemaul_accounts
from gov3.demo.school_work import load_demo as load_school_work_demo
from gov3.demo.school_work import load_school_officer
from gov3.demo.schools import load_demo as load_schools_demo
from gov3.documents.issuers import current_key
from gov3.documents.models import DocumentStatus, DocumentType, IssuedDocument
from gov3.documents.services import allocate_passport_number
from gov3.offers.models import Offer
from gov3.offers.publish import publish_services
from gov3.offers.services import notify_offers
from gov3.offers.sweep import run_sweep
from gov3.registry.models import Passport, PassportStatus, Person, Vaccination
from gov3.registry.services import do_record_passport_issued
from gov3.registry.snapshot import write_snapshot
from gov3.synthetic.population import generate_population
from gov3.synthetic.vaccinations import generate_vaccinations

ACTOR = "system:demo"
DEMO_PASSWORDS = {
    "citizen": "demo-citizen-2026",
    "officer": "demo-officer-2026",
    "admin": "demo-admin-2026",
    "school": "demo-school-2026",
    "teacher": "demo-teacher-2026",
    "school-officer": "demo-school-officer-2026",
    "hr-officer": "demo-hr-2026",
    "division-head": "demo-head-2026",
}


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as printed for the newcomer."""

    role: str
    username: str
    password: str
    url: str
    totp_secret: str = ""
    person: str = ""


def _refuse_production() -> None:
    if not settings.DEBUG:
        raise Gov3Error("The demo uses published passwords: it only runs with GOV3_DEBUG on.")


def _demo_parent(country: str, today: date) -> Person:
    """A living mother of a minor child, young enough to have another: the demo citizen, so
    that 'acting for a child' shows and an officer can register a birth with her as the mother
    (`make demo` prints her national id). A father if the population has no such mother."""
    existing = User.objects.filter(username="citizen").select_related("person").first()
    if existing is not None and existing.person is not None:
        return existing.person
    minor_child = Person.objects.filter(
        Q(mother=OuterRef("pk")) | Q(father=OuterRef("pk")),
        date_of_death__isnull=True,
        birth_date__gt=add_years(today, -age_of_majority(country)),
    )
    parents = (
        Person.objects.filter(
            country=country,
            date_of_death__isnull=True,
            birth_date__lte=add_years(today, -30),
            birth_date__gte=add_years(today, -50),
            account__isnull=True,
        )
        .filter(Exists(minor_child))
        .order_by("id")
    )
    mother = parents.filter(sex="F", birth_date__gte=add_years(today, -44)).first()
    parent = mother or parents.first()
    if parent is None:
        raise Gov3Error("The demo population has no parent with a minor child; generate more.")
    return parent


#: The demo citizen's passport expires this many days after `make demo`: within six months, so
#: the renewal is offered (and the paperless passport can be tried).
PASSPORT_DUE_DAYS = 120


def _passport_due(person: Person, today: date) -> None:
    """Give the demo citizen a passport due for renewal, unless she holds one already or has
    a passport issued by gov3 (she renewed it in the demo).

    A passport renewed in the demo is hers to keep: a second `make demo` must not cancel it in
    the register (which revokes its document) to hand out a made-up one again.
    """
    valid = Passport.objects.filter(person=person, status=PassportStatus.VALID)
    if valid.filter(expires_on__lte=today + timedelta(days=180)).exists():
        return
    issued_by_gov3 = IssuedDocument.objects.filter(
        holder=person, document_type=DocumentType.PASSPORT, status=DocumentStatus.VALID
    )
    if issued_by_gov3.exists():
        return
    expires_on = today + timedelta(days=PASSPORT_DUE_DAYS)
    do_record_passport_issued(
        ACTOR,
        person,
        number=allocate_passport_number(person.country, None),
        issued_on=add_years(expires_on, -10),
        expires_on=expires_on,
    )


def _totp_secret(user: User) -> str:
    device = TOTPDevice.objects.filter(user=user).first()
    return base64.b32encode(device.bin_key).decode() if device else ""


def _ensure_user(username: str) -> User | None:
    user = User.objects.filter(username=username).first()
    if user is not None:
        do_set_password(ACTOR, user, DEMO_PASSWORDS[username])
    return user


def set_up_demo(country: str, size: int, seed: int, base_url: str) -> list[DemoLogin]:
    """Bring the demo database to a known state and return the logins to print."""
    _refuse_production()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("country", "load", country)
    generate_population(country, size, seed, if_empty=True)
    today = timezone.localdate()
    if not Vaccination.objects.filter(person__country=country).exists():
        # the influenza reminder skips people the vaccination register shows vaccinated
        generate_vaccinations(country=country, as_of=today, seed=seed)
    parent = _demo_parent(country, today)
    # The demo officer's office serves the demo family's municipality (the access policy lets
    # registry officers read their area's residents only).
    home = parent.household.address.area if parent.household else None
    agency = do_create_agency(
        ACTOR,
        code=f"{country}-district-office",
        name_local="종로구청" if country == "kr" else "UBND phường Ba Đình",
        name_en="Jongno-gu District Office"
        if country == "kr"
        else "Ba Dinh Ward People's Committee",
        country=country,
        services=["*"],  # decides the cases of every service
        area_code=(home.parent.code if home and home.parent else None),
    )

    citizen = _ensure_user("citizen") or do_create_citizen_account(
        ACTOR, person=parent, username="citizen", password=DEMO_PASSWORDS["citizen"]
    )
    officer = (
        _ensure_user("officer")
        or do_create_officer_account(
            ACTOR,
            username="officer",
            password=DEMO_PASSWORDS["officer"],
            agency=agency,
            role=OfficerRole.REGISTRY_OFFICER,
        )[0]
    )
    admin = (
        _ensure_user("admin")
        or do_create_administrator(ACTOR, username="admin", password=DEMO_PASSWORDS["admin"])[0]
    )
    assert citizen.person is not None
    logins = [
        DemoLogin(
            "citizen",
            "citizen",
            DEMO_PASSWORDS["citizen"],
            f"{base_url}/login/",
            person=(
                f"{citizen.person.name_local} ({citizen.person.name_latin}), national id "
                f"{citizen.person.national_id}"
            ),
        ),
        DemoLogin(
            "officer",
            officer.username,
            DEMO_PASSWORDS["officer"],
            f"{base_url}/officer/login/",
            totp_secret=_totp_secret(officer),
        ),
        DemoLogin(
            "administrator",
            admin.username,
            DEMO_PASSWORDS["admin"],
            f"{base_url}/admin/",
            totp_secret=_totp_secret(admin),
        ),
    ]
    if country == "kr":  # the Saemaul demo replays Korea's history (Haenam county, 1970-79)
        load_saemaul_demo()
        logins += [DemoLogin(**vars(login)) for login in set_up_saemaul_accounts(base_url)]
    personnel_logins = load_personnel_demo(country, agency, officer, DEMO_PASSWORDS, seed)
    load_recruitment_demo(country, personnel_logins[-1][1])  # the HR officer's round
    for label, account in personnel_logins:
        logins.append(
            DemoLogin(
                label,
                account.username,
                DEMO_PASSWORDS[account.username],
                f"{base_url}/officer/login/",
                totp_secret=_totp_secret(account),
            )
        )
    _passport_due(citizen.person, today)
    for document_type in DocumentType.values:  # the issuer keys (docs/keys.md)
        current_key(document_type)
    # The school-entry round before the sweep: the child's notice carries the school.
    _ensure_user("school")
    school = load_schools_demo(
        country,
        citizen,
        today,
        home.parent.parent.code if home and home.parent and home.parent.parent else None,
    )
    if school is not None:
        logins.append(
            DemoLogin(
                "school officer (education office)",
                school.username,
                DEMO_PASSWORDS["school"],
                f"{base_url}/officer/schools/follow-up/",
                totp_secret=_totp_secret(school),
            )
        )
    _ensure_user("teacher")
    teacher = load_school_work_demo(country, citizen, today)
    if teacher is not None:
        logins.append(
            DemoLogin("teacher", teacher.username, DEMO_PASSWORDS["teacher"],
                      f"{base_url}/school/classes/")
        )  # fmt: skip
    _ensure_user("school-officer")
    school_office = load_school_officer(country, citizen)
    if school_office is not None:
        school_officer, its_school = school_office
        logins.append(
            DemoLogin(
                f"school officer ({its_school.code})",
                school_officer.username,
                DEMO_PASSWORDS["school-officer"],
                f"{base_url}/officer/schools/{its_school.code}/teachers/",
                totp_secret=_totp_secret(school_officer),
            )
        )
    # the facts snapshot that `gov3 rules evaluate` reads by default
    write_snapshot(snapshot_path(), country=country)
    _propose(country, citizen)
    load_participation_demo(country, citizen, officer)  # petitions, disclosure, consultation
    return logins


def _propose(country: str, citizen: User) -> None:
    """Record the rules versions and sweep, so the demo citizen finds offers waiting; only
    the demo citizen is notified (the rest stay "proposed" until `gov3 offers notify`)."""
    publish_services(country)
    result = run_sweep(country, notify=False)
    mine = Offer.objects.filter(pk__in=result.offer_ids, recipient=citizen.person)
    notify_offers(list(mine.values_list("pk", flat=True)))


def snapshot_path() -> Path:
    """Where the demo keeps its registry snapshot (the default of `gov3 rules evaluate`)."""
    return Path(settings.VAR_DIR) / "facts.parquet"


def current_code(username: str) -> str:
    """The current TOTP code of a demo account (for trying the officer sign-in)."""
    _refuse_production()
    user = User.objects.get(
        username=username, kind__in=[AccountKind.OFFICER, AccountKind.ADMINISTRATOR]
    )
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"

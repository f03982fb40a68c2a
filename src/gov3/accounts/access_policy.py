"""Need-to-know for officers: which purposes each role may state, and whom each purpose lets
them read (its scope). The policy is data: a country pack may set it in
`countries/<code>/access-policy.yaml`; without that file the safe default below applies.
docs/access-policy.md explains it.

The mechanism is two functions every read of a register record goes through:
`may_read(officer, person, purpose)` for one record, and `readable_people(officer, purpose)`
(a queryset filter) for lists such as the officer search. A scope is a named filter on people
(`Q`), registered by the app that knows the data (`area_residents` here, `agency_cases` by
`gov3.cases`, `agency_petitioners` and `agency_requesters` by `gov3.participation`), so that
a later source of officers' roles and agencies (personnel administration) changes who an
officer is, not how reads are checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from django.db.models import Q, QuerySet

from gov3.accounts.models import OfficerRole, User
from gov3.core.errors import Gov3Error
from gov3.core.models import AccessPurpose
from gov3.registry.models import Person

POLICY_FILE = "access-policy.yaml"

#: A scope: the people an officer may read, as a filter on `Person`.
Scope = Callable[[User], Q]
SCOPES: dict[str, Scope] = {}

NOBODY = Q(pk__in=[])


class AccessPolicyError(Gov3Error):
    """A country pack's access policy is not valid; the message names the file and entry."""


def scope(name: str) -> Callable[[Scope], Scope]:
    """Register a scope under `name` (apps register theirs when they load)."""

    def register(function: Scope) -> Scope:
        SCOPES[name] = function
        return function

    return register


@scope("nobody")
def _nobody(officer: User) -> Q:
    return NOBODY


@scope("area_residents")
def area_residents(officer: User) -> Q:
    """People whose registered address is in the officer's agency's area (at any level below
    it); nobody if the agency has no area."""
    agency = officer.agency
    if agency is None or agency.area_id is None:
        return NOBODY
    area = "household__address__area"
    return (
        Q(**{area: agency.area_id})
        | Q(**{f"{area}__parent": agency.area_id})
        | Q(**{f"{area}__parent__parent": agency.area_id})
    )


@dataclass(frozen=True)
class AccessPolicy:
    """For each officer role, the purposes it may state and the scope each purpose gives."""

    grants: Mapping[str, Mapping[str, str]]
    source: str = "default"

    def purposes(self, role: str) -> list[AccessPurpose]:
        return [AccessPurpose(p) for p in self.grants.get(role, {})]

    def scope_of(self, role: str, purpose: str) -> str | None:
        return self.grants.get(role, {}).get(purpose)


#: The safe default: registry officers read their area's residents for registry work; welfare
#: officers the people in their agency's cases (its queue included); both handle the petitions
#: and information-disclosure requests their agency receives; Saemaul officers and auditors
#: read no register records, petitions or requests (auditors read the audit and access logs).
DEFAULT_POLICY = AccessPolicy(
    {
        OfficerRole.REGISTRY_OFFICER: {
            AccessPurpose.CITIZEN_REQUEST: "area_residents",
            AccessPurpose.REGISTRY_CORRECTION: "area_residents",
            AccessPurpose.DOCUMENT_ISSUANCE: "area_residents",
            AccessPurpose.BIRTH_REGISTRATION: "area_residents",
            AccessPurpose.PETITION_HANDLING: "agency_petitioners",
            AccessPurpose.DISCLOSURE_HANDLING: "agency_requesters",
        },
        OfficerRole.WELFARE_OFFICER: {
            AccessPurpose.BENEFIT_ASSESSMENT: "agency_cases",
            AccessPurpose.CITIZEN_REQUEST: "agency_cases",
            AccessPurpose.PETITION_HANDLING: "agency_petitioners",
            AccessPurpose.DISCLOSURE_HANDLING: "agency_requesters",
        },
        OfficerRole.SAEMAUL_OFFICER: {},
        OfficerRole.AUDITOR: {},
        # Personnel records are read through gov3.personnel (their agency's staff only).
        OfficerRole.HR_OFFICER: {},
        # School officers read learners through gov3.schools (their school's or district's).
        OfficerRole.SCHOOL_OFFICER: {},
    }
)

#: Purposes only systems and administrators state; no officer role may be granted them.
NOT_FOR_OFFICERS = (AccessPurpose.SYSTEM_EVALUATION, AccessPurpose.REGISTRY_ADMINISTRATION)

#: Purposes that open one petition or information-disclosure request (and what it shows of the
#: person who filed it), never that person's register record: the register's search and record
#: pages neither offer nor accept them.
NOT_FOR_REGISTER_RECORDS = (
    AccessPurpose.PETITION_HANDLING,
    AccessPurpose.DISCLOSURE_HANDLING,
    # HR officers read staff records through gov3.personnel, never the register (ADR 0036).
    AccessPurpose.PERSONNEL_ADMINISTRATION,
)


def parse_policy(text: str, where: str) -> AccessPolicy:
    """Read and check a policy file: known roles, purposes and scopes only."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise AccessPolicyError(f"{where}: not valid YAML ({error}).") from None
    roles = data.get("roles") if isinstance(data, dict) else None
    if not isinstance(roles, dict):
        raise AccessPolicyError(f"{where}: expected `roles:` mapping each role to its purposes.")
    grants: dict[str, dict[str, str]] = {}
    for role, given in roles.items():
        if role not in OfficerRole.values:
            raise AccessPolicyError(
                f"{where}: unknown role {role!r}; roles are {', '.join(OfficerRole.values)}."
            )
        purposes = given or {}
        if not isinstance(purposes, dict):
            raise AccessPolicyError(f"{where}: {role} must map purposes to scopes.")
        grants[role] = {}
        for purpose, scope_name in purposes.items():
            if purpose not in AccessPurpose.values or purpose in NOT_FOR_OFFICERS:
                allowed = [p for p in AccessPurpose.values if p not in NOT_FOR_OFFICERS]
                raise AccessPolicyError(
                    f"{where}: {role} cannot state purpose {purpose!r}; use one of "
                    f"{', '.join(allowed)}."
                )
            if scope_name not in SCOPES:
                raise AccessPolicyError(
                    f"{where}: unknown scope {scope_name!r} for {role}/{purpose}; scopes are "
                    f"{', '.join(sorted(SCOPES))}."
                )
            grants[role][purpose] = scope_name
    return AccessPolicy(grants, source=where)


@lru_cache(maxsize=8)
def access_policy(country: str) -> AccessPolicy:
    """The country pack's policy, or the safe default when the pack sets none."""
    path = Path(settings.GOV3_COUNTRIES_DIR) / country / POLICY_FILE
    if not path.exists():
        return DEFAULT_POLICY
    return parse_policy(path.read_text(encoding="utf-8"), str(path))


def _policy_for(officer: User) -> AccessPolicy | None:
    if not officer.is_officer or officer.agency is None:
        return None
    return access_policy(officer.agency.country)


def purposes_for(officer: User) -> list[AccessPurpose]:
    """The purposes this officer may state to read a register record (none for anyone who is
    not an officer; never those of `NOT_FOR_REGISTER_RECORDS`)."""
    policy = _policy_for(officer)
    granted = policy.purposes(officer.role) if policy else []
    return [p for p in granted if p not in NOT_FOR_REGISTER_RECORDS]


def may_state(officer: User, purpose: AccessPurpose | str) -> bool:
    """Whether the policy grants this officer's role `purpose` at all (whoever it reads)."""
    policy = _policy_for(officer)
    return policy is not None and policy.scope_of(officer.role, str(purpose)) is not None


def readable_q(officer: User, purpose: AccessPurpose | str) -> Q:
    """Whom `officer` may read for `purpose`, as a filter on `Person` (nobody if the purpose
    is not one their role may state)."""
    policy = _policy_for(officer)
    name = policy.scope_of(officer.role, str(purpose)) if policy else None
    if name is None:
        return NOBODY
    return SCOPES[name](officer)


def readable_people(
    officer: User, purpose: AccessPurpose | str, people: QuerySet[Person] | None = None
) -> QuerySet[Person]:
    """`people` (default: everyone) narrowed to those `officer` may read for `purpose`."""
    people = Person.objects.all() if people is None else people
    return people.filter(readable_q(officer, purpose))


def may_read(officer: User, person: Person, purpose: AccessPurpose | str) -> bool:
    """Whether `officer` may read `person`'s record for `purpose`."""
    return readable_people(officer, purpose, Person.objects.filter(pk=person.pk)).exists()

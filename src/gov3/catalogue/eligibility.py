"""The service catalogue as pages show it, and eligibility checks for one resident.

Glue between the pure rules (`gov3.rules`) and the register: picks the country's pack, reads the
resident's facts, explains in the reader's language. Reads by officers are logged by the caller
(`gov3.registry.queries`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.utils.translation import get_language

from gov3.catalogue.installed import country_pack, rules_pack
from gov3.core.errors import NotFoundError
from gov3.registry.facts import subject_for
from gov3.registry.models import Person
from gov3.rules.explain import Explanation, ParamUsed, explain_service, rule_in_words
from gov3.rules.pack import RulePack, Service

LANGUAGES = ("en", "ko", "vi")


def language() -> str:
    """The active language if the packs carry it, else English."""
    code = (get_language() or "en").split("-")[0]
    return code if code in LANGUAGES else "en"


def text(labels: Mapping[str, str]) -> str:
    """A pack label in the active language."""
    return labels.get(language()) or labels.get("en", "")


@dataclass(frozen=True)
class ServiceView:
    """A service as the catalogue pages show it."""

    id: str
    name: str
    summary: str
    agency: str
    kind: str
    legal_basis: list[tuple[str, str]]
    rule: str
    amount_rule: str | None
    params: list[ParamUsed]
    for_children: bool


def _view(pack: RulePack, service: Service, day: date) -> ServiceView:
    lang = language()
    params = []
    for path in sorted(service.params_used()):
        parameter = pack.params[path]
        if parameter.values[0].valid_from > day:
            continue
        dated = parameter.at(day)
        params.append(
            ParamUsed(
                text(parameter.label),
                f"{dated.value:,}" if isinstance(dated.value, int) else str(dated.value),
                dated.valid_from,
                dated.source_title,
                dated.source_url,
            )
        )
    return ServiceView(
        id=service.id,
        name=text(service.name),
        summary=text(service.summary),
        agency=text(service.agency),
        kind=service.kind,
        legal_basis=[(text(b.title), b.url) for b in service.legal_basis],
        rule=rule_in_words(pack, service.eligible, lang, day),
        amount_rule=(
            rule_in_words(pack, service.amount, lang, day) if service.amount is not None else None
        ),
        params=params,
        for_children=service.recipient == "guardian",
    )


def catalogue(country: str, day: date) -> list[ServiceView]:
    """Every service of the country, benefits first, then documents and reminders."""
    pack = rules_pack(country)
    order = {"benefit": 0, "document": 1, "reminder": 2}
    services = sorted(pack.services.values(), key=lambda s: (order[s.kind], text(s.name)))
    return [_view(pack, service, day) for service in services]


def service_names(country: str) -> list[tuple[str, str]]:
    """(id, name in the active language) of every service, by name: for a choice list."""
    names = ((service.id, text(service.name)) for service in rules_pack(country).services.values())
    return sorted(names, key=lambda pair: pair[1])


def service_view(country: str, service_id: str, day: date) -> ServiceView:
    pack = rules_pack(country)
    service = pack.services.get(service_id)
    if service is None:
        raise NotFoundError("There is no such service.")
    return _view(pack, service, day)


def _subject_person(person: Person, service: Service) -> Person:
    """Household services are decided for the head of the household."""
    if service.subject != "household" or person.household_id is None:
        return person
    head = (
        Person.objects.filter(
            household_id=person.household_id,
            relationship_to_head="head",
            date_of_death__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    return head or person


def check(person: Person, service_id: str, day: date) -> tuple[Explanation, ServiceView]:
    """`explain_for` and the service as pages show it, for an eligibility page."""
    return explain_for(person, service_id, day), service_view(person.country, service_id, day)


def explain_for(person: Person, service_id: str, day: date) -> Explanation:
    """Whether `person` qualifies for the service on `day`, and why (no logging here)."""
    pack = rules_pack(person.country)
    service = pack.services.get(service_id)
    if service is None:
        raise NotFoundError("There is no such service.")
    subject = subject_for(_subject_person(person, service))
    return explain_service(
        pack,
        service,
        subject,
        day,
        language=language(),
        currency=country_pack(person.country).currency.code,
    )

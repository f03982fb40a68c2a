"""The service catalogue as pages show it, and eligibility checks for one resident.

Glue between the pure rules (`gov3.rules`) and the register: picks the country's pack, reads the
resident's facts, explains in the reader's language. Reads by officers are logged by the caller
(`gov3.registry.queries`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import get_language, gettext_lazy

from gov3.catalogue.installed import country_pack, rules_pack
from gov3.catalogue.reasons import Reason, Reasons, reasons_for, requirements
from gov3.catalogue.sources import ParamRow, param_rows
from gov3.core.errors import NotFoundError
from gov3.registry.facts import subject_for
from gov3.registry.models import Person
from gov3.rules.explain import Explanation, Step, explain_service, rule_in_words
from gov3.rules.pack import KINDS, RulePack, Service

LANGUAGES = ("en", "ko", "vi")
#: The catalogue's heading over the services of each kind (`rules.pack.KINDS`).
KIND_HEADINGS = {
    "benefit": gettext_lazy("Benefits"),
    "eligibility": gettext_lazy("Entitlements"),
    "document": gettext_lazy("Documents"),
    "reminder": gettext_lazy("Reminders"),
}


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
    #: What the rule asks for and pays, in sentences (`catalogue.reasons`).
    requirements: Reasons
    #: The rule with the pack's labels for names, and as written in the service file: for
    #: experts, behind "show the rule as written".
    rule: str
    amount_rule: str | None
    rule_as_written: str
    amount_as_written: str | None
    params: list[ParamRow]
    for_children: bool


def _view(pack: RulePack, service: Service, day: date, country: str) -> ServiceView:
    lang = language()
    local = country_pack(country)
    return ServiceView(
        id=service.id,
        name=text(service.name),
        summary=text(service.summary),
        agency=text(service.agency),
        kind=service.kind,
        legal_basis=[(text(b.title), b.url) for b in service.legal_basis],
        requirements=requirements(pack, service, day, currency=local.currency.code)
        if _in_force(pack, service, day)
        else Reasons(()),
        rule=rule_in_words(pack, service.eligible, lang, day),
        amount_rule=(
            rule_in_words(pack, service.amount, lang, day) if service.amount is not None else None
        ),
        rule_as_written=service.eligible_text,
        amount_as_written=service.amount_text,
        params=param_rows(
            pack,
            service.params_used(),
            day,
            language=lang,
            local_language=local.locale,
            currency=local.currency.code,
        ),
        for_children=service.recipient == "guardian",
    )


def _in_force(pack: RulePack, service: Service, day: date) -> bool:
    """Whether every parameter the service reads has a value on `day`."""
    return all(pack.params[path].values[0].valid_from <= day for path in service.params_used())


@dataclass(frozen=True)
class ExplanationView:
    """An eligibility result as the pages show it: the sentences first (`reasons`), then the
    data used and the amounts in force; the engine's step-by-step check (`eligibility`,
    `calculation`) stays behind "show the rule as written"."""

    explanation: Explanation
    sentences: Reasons
    params: list[ParamRow]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Who qualifies, condition by condition, in sentences."""
        return self.sentences.eligibility

    @property
    def amount_reasons(self) -> tuple[Reason, ...]:
        """How the amount is reached, in sentences (empty when not eligible)."""
        return self.sentences.amount

    @property
    def eligible(self) -> bool:
        return self.explanation.eligible

    @property
    def amount(self) -> int | None:
        return self.explanation.amount

    @property
    def day(self) -> date:
        return self.explanation.day

    @property
    def eligibility(self) -> Step:
        return self.explanation.eligibility

    @property
    def calculation(self) -> Step | None:
        return self.explanation.calculation

    @property
    def facts(self) -> list[Any]:
        return list(self.explanation.facts)


def catalogue(country: str, day: date) -> list[ServiceView]:
    """Every service of the country in the order of `KINDS` (benefits, entitlements, documents,
    reminders), by name within a kind."""
    pack = rules_pack(country)
    services = sorted(pack.services.values(), key=lambda s: (KINDS.index(s.kind), text(s.name)))
    return [_view(pack, service, day, country) for service in services]


def service_names(country: str) -> list[tuple[str, str]]:
    """(id, name in the active language) of every service, by name: for a choice list."""
    names = ((service.id, text(service.name)) for service in rules_pack(country).services.values())
    return sorted(names, key=lambda pair: pair[1])


def service_view(country: str, service_id: str, day: date) -> ServiceView:
    pack = rules_pack(country)
    service = pack.services.get(service_id)
    if service is None:
        raise NotFoundError("There is no such service.")
    return _view(pack, service, day, country)


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


def check(
    person: Person, service_id: str, day: date, *, reader_is_subject: bool = True
) -> tuple[ExplanationView, ServiceView]:
    """`explain_for` and the service as pages show it, for an eligibility page."""
    return (
        explain_for(person, service_id, day, reader_is_subject=reader_is_subject),
        service_view(person.country, service_id, day),
    )


def explain_for(
    person: Person, service_id: str, day: date, *, reader_is_subject: bool = True
) -> ExplanationView:
    """Whether `person` qualifies for the service on `day`, and why (no logging here).
    `reader_is_subject`: False when a parent reads it for a child (sentences name the child)."""
    pack = rules_pack(person.country)
    service = pack.services.get(service_id)
    if service is None:
        raise NotFoundError("There is no such service.")
    decided_for = _subject_person(person, service)
    subject = subject_for(decided_for)
    local = country_pack(person.country)
    currency = local.currency.code
    explanation = explain_service(
        pack, service, subject, day, language=language(), currency=currency
    )
    name = None if reader_is_subject and decided_for.pk == person.pk else decided_for.name_local
    return ExplanationView(
        explanation=explanation,
        sentences=reasons_for(pack, service, subject, day, currency=currency, subject_name=name),
        params=param_rows(
            pack,
            service.params_used(),
            day,
            language=language(),
            local_language=local.locale,
            currency=currency,
        ),
    )

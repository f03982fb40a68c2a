"""What an offer says: applying a service to one subject and recording why.

Shared by the three triggers (life events, sweeps, rule changes): who receives the offer, the
period it is for, the facts the rule read with their registers, the parameters in force with
their sources, and the explanation in every language of the pack.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import translation

from gov3.catalogue.installed import country_pack, rules_pack
from gov3.catalogue.reasons import Reason, reasons_for
from gov3.catalogue.sources import ParamRow, param_rows
from gov3.core.dates import add_years
from gov3.core.translations import LANGUAGES
from gov3.registry.facts import subject_for
from gov3.registry.models import Person
from gov3.rules import ir
from gov3.rules.explain import Explanation, Step, evaluate_service, explain_service
from gov3.rules.facts import FACTS, Subject
from gov3.rules.ir import Scope, Value
from gov3.rules.pack import RulePack, Service

#: Services a citizen asks for when they need them (certificates): never proposed unasked.
ON_REQUEST = "on_request"

#: What a programme proposes with its offers beyond the rules' answer, worked out when an offer
#: is shown rather than stored with each of a national batch: the name an offer's
#: ``trigger_detail["proposed_by"]`` gives → a function of the offer giving, per language,
#: ``rows`` of [label, value] and ``actions`` of {url, label} (or None). Filled by the apps
#: that make such offers (schools: the school-entry round), so `offers` knows none of them.
PROPOSED_BY: dict[str, Callable[[Any], dict[str, Any] | None]] = {}


def period_of(service: Service, day: date, facts: Mapping[str, Value] | None = None) -> str:
    """The period an offer is for: the value of the service's `once_per` fact (e.g. the expiry
    date of the passport to renew), the year for a yearly service, else "" (once, or a
    continuing entitlement paid every month until the person no longer qualifies)."""
    if service.once_per is not None:
        return fact_text((facts or {}).get(service.once_per, ""))
    return str(day.year) if service.period == "yearly" else ""


def proactive(service: Service) -> bool:
    """Whether gov3 proposes this service by itself (certificates are asked for)."""
    return service.period != ON_REQUEST


def facts_read(service: Service) -> list[str]:
    """The subject's own registry facts the service's rules read, in a stable order."""
    nodes = ir.walk(service.eligible)
    if service.amount is not None:
        nodes += ir.walk(service.amount)
    columns = {n.column for n in nodes if isinstance(n, ir.Column) and n.scope is Scope.SUBJECT}
    return [name for name in FACTS if name in columns]


def fact_text(value: Value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def facts_encoder(columns: Sequence[str]) -> Callable[[tuple[Any, ...]], str]:
    """For the national batches: the facts the rule read (``columns``, `facts_read`), given as
    the values a database query returned, encoded as JSON as `facts_record` gives them. Each
    fact's name and source are encoded once, each value once (an age, a province recurs), and
    the rows of the same values (a cohort shares many) share their text."""
    from gov3.rules.backends import database_value  # noqa: PLC0415 - it loads SQLGlot

    parts = [
        (
            f'{{"name": {json.dumps(name, ensure_ascii=False)}, "value": ',
            FACTS[name].type,
            f', "source": {json.dumps(FACTS[name].source, ensure_ascii=False)}}}',
        )
        for name in columns
    ]
    pieces: dict[tuple[int, Any], str] = {}
    rows: dict[tuple[Any, ...], str] = {}

    def encode(values: tuple[Any, ...]) -> str:
        text = rows.get(values)
        if text is None:
            items = []
            for at, value in enumerate(values):
                item = pieces.get((at, value))
                if item is None:
                    head, kind, tail = parts[at]
                    fact = fact_text(database_value(value, kind))
                    item = pieces[at, value] = head + json.dumps(fact, ensure_ascii=False) + tail
                items.append(item)
            text = rows[values] = "[" + ", ".join(items) + "]"
        return text

    return encode


def facts_record(service: Service, facts: dict[str, Value] | Any) -> list[dict[str, str]]:
    """The facts the rule read, as an offer stores them."""
    return [
        {"name": name, "value": fact_text(facts[name]), "source": FACTS[name].source}
        for name in facts_read(service)
    ]


def params_record(pack: RulePack, service: Service, day: date) -> list[dict[str, Any]]:
    """The parameters in force on `day`, with the date they took effect and their source."""
    record = []
    for path in sorted(service.params_used()):
        dated = pack.params[path].at(day)
        record.append(
            {
                "path": path,
                "label": dict(pack.params[path].label),
                "value": dated.value if isinstance(dated.value, int) else str(dated.value),
                "valid_from": dated.valid_from.isoformat(),
                "source_title": dated.source_title,
                "source_url": dated.source_url,
            }
        )
    return record


def legal_basis_record(service: Service) -> list[dict[str, Any]]:
    return [{"title": dict(basis.title), "url": basis.url} for basis in service.legal_basis]


def _step(step: Step) -> dict[str, Any]:
    return {
        "text": step.text,
        "holds": step.holds,
        "children": [_step(child) for child in step.children],
    }


def explanation_record(explanation: Explanation) -> dict[str, Any]:
    """An explanation as JSON: the sentences a citizen reads, no live objects."""
    return {
        "eligible": explanation.eligible,
        "amount": explanation.amount,
        "eligibility": _step(explanation.eligibility),
        "calculation": _step(explanation.calculation) if explanation.calculation else None,
        "facts": [
            {"label": f.label, "value": f.value, "source": f.source} for f in explanation.facts
        ],
        "params": [
            {
                "label": p.label,
                "value": p.value,
                "valid_from": p.valid_from.isoformat(),
                "source_title": p.source_title,
                "source_url": p.source_url,
            }
            for p in explanation.params
        ],
    }


def _reason(reason: Reason) -> dict[str, Any]:
    return {
        "text": reason.text,
        "holds": reason.holds,
        "children": [_reason(child) for child in reason.children],
    }


def _param_row(row: ParamRow) -> dict[str, Any]:
    return {
        "label": row.label,
        "value": row.value,
        "valid_from": row.valid_from.isoformat(),
        "source_title": row.source_title,
        "source_title_en": row.source_title_en,
        "source_language": row.source_language,
        "source_url": row.source_url,
    }


def explanations(
    pack: RulePack,
    service: Service,
    subject: Subject,
    day: date,
    currency: str,
    *,
    subject_name: str | None = None,
) -> dict[str, Any]:
    """The explanation in every language: the sentences a citizen reads first (`reasons`,
    `amount_reasons`; `subject_name` when the reader answers for a child), the engine's
    step-by-step check, the facts and the amounts in force with their sources."""
    local_language = country_pack(pack.country).locale
    records = {}
    for language in LANGUAGES:
        with translation.override(language):
            record = explanation_record(
                explain_service(pack, service, subject, day, language=language, currency=currency)
            )
            reasons = reasons_for(
                pack, service, subject, day, currency=currency, subject_name=subject_name
            )
            record["reasons"] = [_reason(r) for r in reasons.eligibility]
            record["amount_reasons"] = [_reason(r) for r in reasons.amount]
            record["params"] = [
                _param_row(row)
                for row in param_rows(
                    pack,
                    service.params_used(),
                    day,
                    language=language,
                    local_language=local_language,
                    currency=currency,
                )
            ]
        records[language] = record
    return records


def guardian_of(child: Person, day: date) -> Person | None:
    """Who answers for a minor: the living mother, else the living father (the register's
    parents); None when neither is living."""
    for parent in (child.mother, child.father):
        if parent is not None and parent.date_of_death is None:
            return parent
    return None


def guardian_sql(mother: str, father: str) -> str:
    """`guardian_of` in SQL: the id of the living mother, else of the living father, else NULL;
    `mother` and `father` are the aliases of the child's parents' rows of the register, joined
    with LEFT JOIN (the sweep's and the school-entry roster's queries)."""
    return (
        f"CASE WHEN {mother}.id IS NOT NULL AND {mother}.date_of_death IS NULL THEN {mother}.id "
        f"WHEN {father}.id IS NOT NULL AND {father}.date_of_death IS NULL THEN {father}.id END"
    )


def recipient_for(service: Service, subject: Person, day: date) -> Person | None:
    """Who receives the offer: the subject, or for a child's service a parent while the child
    is a minor (the pack's age of majority)."""
    if service.recipient != "guardian":
        return subject
    majority = country_pack(subject.country).age_of_majority
    if subject.birth_date <= add_years(day, -majority):
        return subject
    return guardian_of(subject, day)


@dataclass(frozen=True)
class Proposal:
    """An offer not yet written."""

    service: Service
    recipient: Person
    subject: Person
    period: str
    province: str
    day: date
    amount: int | None
    currency: str
    facts: list[dict[str, str]]
    params: list[dict[str, Any]]
    explanation: dict[str, Any]

    def fields(self) -> dict[str, Any]:
        """The model fields of the offer this proposal becomes."""
        service = self.service
        return {
            "country": self.subject.country,
            "service_id": service.id,
            "service_version": service.version,
            "service_kind": service.kind,
            "service_name": dict(service.name),
            "recipient": self.recipient,
            "subject": self.subject,
            "province": self.province,
            "period": self.period,
            "evaluated_on": self.day,
            "amount": self.amount,
            "currency": self.currency,
            "facts": self.facts,
            "params": self.params,
            "legal_basis": legal_basis_record(service),
            "explanation": self.explanation,
            "deadline": self.day + timedelta(days=service.deadline_days),
        }


def propose(
    service: Service,
    person: Person,
    day: date,
    *,
    subject: Subject | None = None,
    asked: bool = False,
) -> Proposal | None:
    """The offer of `service` for `person` on `day`, or None if they do not qualify or nobody
    can receive it. A service given only on request is proposed only when ``asked`` (the
    citizen asked for it: the proposal is the basis of their case)."""
    pack = rules_pack(person.country)
    if person.date_of_death is not None or not (asked or proactive(service)):
        return None
    subject = subject if subject is not None else subject_for(person)
    eligible, amount = evaluate_service(pack, service, subject, day)
    if not eligible:
        return None
    recipient = recipient_for(service, person, day)
    if recipient is None:
        return None
    currency = country_pack(person.country).currency.code
    return Proposal(
        service=service,
        recipient=recipient,
        subject=person,
        period=period_of(service, day, subject.facts),
        province=str(subject.facts.get("province", "")),
        day=day,
        amount=amount,
        currency=currency if amount is not None else "",
        facts=facts_record(service, subject.facts),
        params=params_record(pack, service, day),
        explanation=explanations(
            pack,
            service,
            subject,
            day,
            currency,
            subject_name=None if recipient.pk == person.pk else person.name_local,
        ),
    )

"""What a draft would mean for one citizen: the service explained under the current and the
draft version on the draft's day (the same explain evaluator as `gov3 rules explain`), and
why, in sentences, under each version (as offers explain themselves), written from the same
explanation: the service is evaluated once per version."""

from __future__ import annotations

from dataclasses import dataclass, field

from gov3.catalogue.eligibility import language
from gov3.catalogue.installed import country_pack, rules_pack
from gov3.catalogue.reasons import Reasons, reasons_from
from gov3.participation.models import Consultation
from gov3.participation.services.consultations import draft_pack
from gov3.registry.facts import subject_for
from gov3.registry.models import Person
from gov3.rules.explain import Explanation, explain_service


@dataclass(frozen=True)
class ForYou:
    now: Explanation
    draft: Explanation
    #: Why, in sentences, under the current version and under the draft.
    now_reasons: Reasons = field(default_factory=lambda: Reasons(()))
    draft_reasons: Reasons = field(default_factory=lambda: Reasons(()))

    @property
    def change(self) -> int:
        """The change in the monthly amount (0 if the service has none)."""
        return (self.draft.amount or 0) - (self.now.amount or 0)


def for_person(consultation: Consultation, person: Person) -> ForYou:
    current = rules_pack(consultation.country)
    draft = draft_pack(consultation)
    subject = subject_for(person)
    currency = country_pack(consultation.country).currency.code
    day = consultation.effective_on
    kwargs = {"language": language(), "currency": currency}
    now = explain_service(
        current, current.services[consultation.service_id], subject, day, **kwargs
    )
    drafted = explain_service(
        draft, draft.services[consultation.service_id], subject, day, **kwargs
    )
    return ForYou(
        now,
        drafted,
        reasons_from(now, current, subject, currency=currency),
        reasons_from(drafted, draft, subject, currency=currency),
    )

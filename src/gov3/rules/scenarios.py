"""Run the scenario tests every service file carries."""

from __future__ import annotations

from dataclasses import dataclass

from gov3.rules.errors import EvaluationError
from gov3.rules.explain import evaluate_service
from gov3.rules.facts import Subject
from gov3.rules.pack import RulePack, Scenario, Service


@dataclass(frozen=True)
class Outcome:
    """One scenario's result: `problem` is None when it passed."""

    service: Service
    scenario: Scenario
    problem: str | None

    @property
    def where(self) -> str:
        return f"{self.service.file}:{self.scenario.line}"


def subject_of(scenario: Scenario) -> Subject:
    """The scenario's person as a subject; their household is them plus the listed members."""
    return Subject(scenario.person, (scenario.person, *scenario.household))


def run_scenario(pack: RulePack, service: Service, scenario: Scenario) -> Outcome:
    try:
        eligible, amount = evaluate_service(pack, service, subject_of(scenario), scenario.day)
    except EvaluationError as error:
        return Outcome(service, scenario, str(error))
    problems = []
    if eligible != scenario.eligible:
        problems.append(f"expected eligible {scenario.eligible}, got {eligible}")
    if scenario.amount is not None and amount != scenario.amount:
        problems.append(f"expected amount {scenario.amount}, got {amount}")
    return Outcome(service, scenario, "; ".join(problems) or None)


def run_scenarios(pack: RulePack, service_id: str | None = None) -> list[Outcome]:
    """Every scenario of every service (or of one)."""
    services = [pack.services[service_id]] if service_id else list(pack.services.values())
    return [
        run_scenario(pack, service, scenario) for service in services for scenario in service.tests
    ]

"""The countries' real catalogues load, cite their law, and pass every scenario test."""

from __future__ import annotations

from pathlib import Path

import pytest

from gov3.rules.pack import KINDS, RulePack, load_rules
from gov3.rules.scenarios import run_scenario

COUNTRIES = Path(__file__).resolve().parents[2] / "countries"
MINIMUM_SERVICES = {"kr": 12, "vn": 3}
_packs: dict[str, RulePack] = {}


def pack(code: str) -> RulePack:
    if code not in _packs:
        _packs[code] = load_rules(COUNTRIES / code)
    return _packs[code]


@pytest.mark.parametrize(("code", "minimum"), MINIMUM_SERVICES.items())
def test_the_catalogue_is_complete_and_sourced(code: str, minimum: int) -> None:
    rules = pack(code)
    assert len(rules.services) >= minimum
    for service in rules.services.values():
        assert service.legal_basis, service.id
        assert all(b.url.startswith("https://") for b in service.legal_basis), service.id
        assert service.tests, service.id
        assert all(service.name.get(lang) for lang in ("en", "ko", "vi")), service.id
    for parameter in rules.params.values():
        assert all(v.source_url.startswith(("https://", "http://")) for v in parameter.values)


def test_korea_offers_every_kind_of_service() -> None:
    kinds = {service.kind for service in pack("kr").services.values()}
    assert kinds == set(KINDS) == {"benefit", "eligibility", "document", "reminder"}


def test_an_entitlement_pays_nothing_and_a_benefit_always_pays() -> None:
    services = [s for code in MINIMUM_SERVICES for s in pack(code).services.values()]
    assert pack("kr").services["senior_free_transit"].kind == "eligibility"
    for service in services:
        if service.kind == "eligibility":
            assert service.amount is None, service.id
            assert all(t.amount is None for t in service.tests), service.id
        if service.kind == "benefit":
            assert service.amount is not None, service.id


def _scenarios() -> list[tuple[str, str, int]]:
    cases = []
    for code in MINIMUM_SERVICES:
        for service in load_rules(COUNTRIES / code).services.values():
            cases.extend((code, service.id, index) for index in range(len(service.tests)))
    return cases


@pytest.mark.parametrize(("code", "service_id", "index"), _scenarios())
def test_scenario(code: str, service_id: str, index: int) -> None:
    rules = pack(code)
    service = rules.services[service_id]
    outcome = run_scenario(rules, service, service.tests[index])
    assert outcome.problem is None, f"{outcome.where}: {outcome.scenario.name}: {outcome.problem}"

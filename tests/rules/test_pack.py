"""Loading a rules pack: everything is checked, every problem is located, nothing half-loads."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from gov3.rules.errors import EvaluationError, RulesError
from gov3.rules.pack import load_rules
from gov3.rules.scenarios import run_scenarios

MINIPACK = Path(__file__).parent / "minipack"


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "xx"
    shutil.copytree(MINIPACK, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(directory: Path) -> str:
    with pytest.raises(RulesError) as caught:
        load_rules(directory)
    return str(caught.value)


def test_the_minimal_pack_loads_and_its_scenarios_pass() -> None:
    pack = load_rules(MINIPACK)
    assert set(pack.services) == {"pension"}
    service = pack.services["pension"]
    assert service.kind == "benefit"
    assert service.life_events == ("birth",)
    assert service.params_used() == {"pension.age", "pension.amount", "pension.limit"}
    outcomes = run_scenarios(pack)
    assert [o.problem for o in outcomes] == [None, None]


def test_parameters_take_the_value_in_force_on_the_date() -> None:
    params = load_rules(MINIPACK).params
    assert params.on(date(2024, 12, 31), ["pension.amount"]) == {"pension.amount": 334810}
    assert params.on(date(2025, 1, 1), ["pension.amount"]) == {"pension.amount": 342510}
    with pytest.raises(EvaluationError, match=r"params.pension.amount` has no value on 2023-06-01"):
        params.on(date(2023, 6, 1), ["pension.amount"])


def test_an_unknown_variable_is_reported_at_its_line_and_column(pack_dir: Path) -> None:
    edit(pack_dir / "services" / "pension.yaml", "eligible: age >=", "eligible: agee >=")
    assert "xx/services/pension.yaml:14:11: unknown name `agee`; did you mean `age`" in problems(
        pack_dir
    )


def test_a_type_error_in_a_quoted_expression_is_located(pack_dir: Path) -> None:
    edit(
        pack_dir / "services" / "pension.yaml",
        "eligible: age >= params.pension.age and",
        'eligible: "has_spouse + 1 > 0"\nold_eligible: age >= params.pension.age and',
    )
    report = problems(pack_dir)
    assert "unknown field `old_eligible`" in report
    assert "xx/services/pension.yaml:14:12: `+` needs numbers, found bool" in report


def test_malformed_yaml_is_reported_with_its_line(pack_dir: Path) -> None:
    edit(pack_dir / "services" / "pension.yaml", "kind: benefit", "kind: [benefit")
    assert "xx/services/pension.yaml:" in problems(pack_dir)
    assert "not valid YAML" in problems(pack_dir)


def test_every_problem_of_every_file_is_listed_and_nothing_loads(pack_dir: Path) -> None:
    edit(pack_dir / "services" / "pension.yaml", "kind: benefit", "kind: gift")
    edit(pack_dir / "services" / "pension.yaml", "deadline_days: 60", "deadline_days: soon")
    edit(pack_dir / "parameters" / "pension.yaml", "from: 2025-01-01", "from: 2025-31-01")
    edit(pack_dir / "variables.yaml", "column: sex", "column: gender")
    report = problems(pack_dir)
    assert "kind must be one of benefit, eligibility, document, reminder (found `gift`)" in report
    assert "deadline_days must be a whole number (found `soon`)" in report
    assert "must be a date written YYYY-MM-DD (found `2025-31-01`)" in report
    assert "`gender` is not a registry fact" in report


def test_missing_and_unknown_fields_are_named(pack_dir: Path) -> None:
    edit(pack_dir / "services" / "pension.yaml", "auto_approve: true", "auto_aprove: true")
    report = problems(pack_dir)
    assert "service: `auto_approve` is missing" in report
    assert "service: unknown field `auto_aprove`" in report


def test_dated_values_must_be_in_order_and_sourced(pack_dir: Path) -> None:
    edit(pack_dir / "parameters" / "pension.yaml", "from: 2025-01-01", "from: 2023-01-01")
    edit(
        pack_dir / "parameters" / "pension.yaml", 'url: "https://example.org/act"', 'url: "ftp://x"'
    )
    report = problems(pack_dir)
    assert "dated values must be listed oldest first" in report
    assert "the source url must start with https://" in report


def test_a_scenario_with_a_wrong_fact_is_refused(pack_dir: Path) -> None:
    edit(
        pack_dir / "services" / "pension.yaml",
        "person: {birth_date: 1960-03-02, monthly_income: 1000000}",
        "person: {birth_date: 02/03/1960, monthly_income: lots, sex: male}",
    )
    report = problems(pack_dir)
    assert "`birth_date` must be a date written YYYY-MM-DD (found `02/03/1960`)" in report
    assert "`monthly_income` must be a whole number (found `lots`)" in report
    assert "`sex` must be one of M, F, X" in report


def test_a_failing_scenario_is_reported_with_its_line(pack_dir: Path) -> None:
    edit(pack_dir / "services" / "pension.yaml", "amount: 342510}", "amount: 342511}")
    outcomes = run_scenarios(load_rules(pack_dir))
    failed = [o for o in outcomes if o.problem]
    assert len(failed) == 1
    assert failed[0].where == "xx/services/pension.yaml:19"
    assert failed[0].problem == "expected amount 342511, got 342510"


def test_a_scenario_before_any_parameter_value_fails_clearly(pack_dir: Path) -> None:
    edit(pack_dir / "services" / "pension.yaml", "date: 2025-03-01", "date: 2019-03-01")
    outcomes = run_scenarios(load_rules(pack_dir))
    assert "has no value on 2019-03-01" in (outcomes[1].problem or "")


def test_a_service_id_must_match_its_file(pack_dir: Path) -> None:
    edit(pack_dir / "services" / "pension.yaml", "id: pension", "id: pensions")
    assert "id `pensions` must match the file name `pension`" in problems(pack_dir)


def test_once_per_must_name_a_date_or_text_fact(pack_dir: Path) -> None:
    service = pack_dir / "services" / "pension.yaml"
    edit(service, "period: monthly", "period: monthly\nonce_per: monthly_income")
    assert "once_per must name a registry fact of type date or text" in problems(pack_dir)
    edit(service, "once_per: monthly_income", "once_per: passport_expiry")
    assert load_rules(pack_dir).services["pension"].once_per == "passport_expiry"


def test_a_benefit_without_an_amount_is_refused_at_its_kind(pack_dir: Path) -> None:
    service = pack_dir / "services" / "pension.yaml"
    edit(
        service,
        "amount: params.pension.amount * 4 // 5 if has_spouse else params.pension.amount\n",
        "",
    )
    edit(service, "amount: 342510}", "}")
    edit(service, "amount: 0}", "}")
    assert (
        "xx/services/pension.yaml:6:7: a `benefit` pays an amount: add an `amount:` expression, "
        "or, if the service only answers yes or no, make it `kind: eligibility`"
    ) in problems(pack_dir)


def test_an_eligibility_service_with_an_amount_is_refused_at_its_amount(pack_dir: Path) -> None:
    edit(pack_dir / "services" / "pension.yaml", "kind: benefit", "kind: eligibility")
    report = problems(pack_dir)
    assert (
        "xx/services/pension.yaml:15:9: an `eligibility` service answers yes or no and pays "
        "nothing: remove `amount:`, or make it `kind: benefit`"
    ) in report
    # its scenario tests may not expect an amount either
    assert (
        "xx/services/pension.yaml:22:38: test `turns 65 today`: an `eligibility` service has no "
        "amount to expect; remove `amount`"
    ) in report


def test_an_eligibility_service_loads_without_an_amount_and_its_scenarios_pass(
    pack_dir: Path,
) -> None:
    service = pack_dir / "services" / "pension.yaml"
    edit(service, "kind: benefit", "kind: eligibility")
    edit(
        service,
        "amount: params.pension.amount * 4 // 5 if has_spouse else params.pension.amount\n",
        "",
    )
    edit(service, ", amount: 342510}", "}")
    edit(service, ", amount: 0}", "}")
    pack = load_rules(pack_dir)
    pension = pack.services["pension"]
    assert (pension.kind, pension.amount, pension.amount_text) == ("eligibility", None, None)
    assert [o.problem for o in run_scenarios(pack)] == [None, None]

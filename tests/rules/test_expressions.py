"""The rule language: what it accepts, the types it gives, and how it refuses everything else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gov3.rules import ir
from gov3.rules.errors import RulesError
from gov3.rules.expressions import Where, compile_expression
from gov3.rules.ir import Type
from gov3.rules.pack import RulePack, load_rules

MINIPACK = Path(__file__).parent / "minipack"


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_rules(MINIPACK)


def check(pack: RulePack, text: str, expect: Type | None = None) -> ir.Node:
    return compile_expression(
        text,
        variables=pack.variables,
        params=pack.params.types(),
        where=Where("services/x.yaml", 10, 12),
        expect=expect,
    )


def refusal(pack: RulePack, text: str, expect: Type | None = None) -> str:
    with pytest.raises(RulesError) as caught:
        check(pack, text, expect)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("age >= 65", Type.BOOL),
        ("18 <= age < 35", Type.BOOL),
        ("household.income <= params.pension.limit", Type.BOOL),
        ("params.pension.amount * 4 // 5", Type.MONEY),
        ("params.pension.amount - 1000", Type.MONEY),
        ("household.income // household.size", Type.MONEY),
        ("household.income // params.pension.limit", Type.INT),
        ("days_until(passport_expiry) <= 183", Type.BOOL),
        ('disability in ("mild", "severe")', Type.BOOL),
        ('sex not in ("X",)', Type.BOOL),
        ("count(household.members, age < 8)", Type.INT),
        ("any(household.members, age >= 65 and has_spouse)", Type.BOOL),
        ("max(household.members, birth_date)", Type.DATE),
        ("min(age, 70)", Type.INT),
        ('date("2024-02-29") < today', Type.BOOL),
        ("year(birth_date) % 2 == year(today) % 2", Type.BOOL),
        ("300000 if has_spouse else params.pension.amount", Type.MONEY),
    ],
)
def test_accepted_expressions_have_their_type(pack: RulePack, text: str, kind: Type) -> None:
    assert check(pack, text).type is kind


def test_an_integer_literal_amount_is_money(pack: RulePack) -> None:
    node = check(pack, "3_000_000_000", Type.MONEY)
    assert node == ir.Literal(Type.MONEY, ir.Pos(10, 12), 3_000_000_000)


def test_a_derived_variable_keeps_its_name_and_definition(pack: RulePack) -> None:
    node = check(pack, "age")
    assert isinstance(node, ir.Derived)
    assert node.name == "age"
    assert isinstance(node.expr, ir.Call)
    assert node.expr.func == "years_between"


def test_inside_an_aggregate_names_are_the_members(pack: RulePack) -> None:
    node = check(pack, "count(household.members, age < 8)")
    assert isinstance(node, ir.Aggregate)
    columns = [n for n in ir.walk(node) if isinstance(n, ir.Column)]
    assert columns
    assert all(column.scope is ir.Scope.MEMBER for column in columns)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("agee >= 65", "unknown name `agee`; did you mean `age`"),
        ("age / 2", "use `//`"),
        ("monthly_income * 0.8", "no decimal numbers"),
        ("birth_date.year", "unknown name `birth_date.year`"),
        ('__import__("os")', "unknown function `__import__`"),
        ("(lambda: 1)()", "only the rule functions may be called"),
        ("household.members[0]", "`Subscript` is not allowed"),
        ("[x for x in household.members]", "`ListComp` is not allowed"),
        ("age ** 2", "this operator is not allowed"),
        ("age == 'old'", "cannot compare int with text"),
        ('disability == "sever"', "`sever` is not a value of `disability`"),
        ("sex < 'M'", "can only be compared with == or !="),
        ("monthly_income * monthly_income", "cannot compute money * money"),
        ("age + monthly_income", "cannot compute int + money"),
        ("count(household.members, household.size > 2)", "cannot be used per member"),
        ("count(household.members, count(household.members) > 1)", "inside another aggregate"),
        ('date("2025-13-01")', "is not a date in the form YYYY-MM-DD"),
        ("params.pension.nothing", "unknown parameter `params.pension.nothing`"),
        ("household.members", "is a list of people"),
        ("sum(age)", "needs a list of people first"),
        ("age if has_spouse else has_spouse", "both branches must have the same type"),
        ("age >=", "syntax"),
        ("not age", "expected a bool value here, found int"),
    ],
)
def test_refused_expressions_say_why_and_what_is_valid(
    pack: RulePack, text: str, message: str
) -> None:
    assert message in refusal(pack, text)


def test_a_refusal_names_the_file_line_and_column(pack: RulePack) -> None:
    # the text starts at line 10, column 12 of its file; `agee` is 6 characters in
    assert refusal(pack, "age > 1 and agee >= 65").startswith("services/x.yaml:10:24: unknown name")


def test_eligibility_must_be_a_condition(pack: RulePack) -> None:
    assert "expected a bool value here, found int" in refusal(pack, "age", Type.BOOL)


def test_the_date_function_makes_a_date_literal(pack: RulePack) -> None:
    node = check(pack, 'date("2024-02-29")')
    assert node == ir.Literal(Type.DATE, ir.Pos(10, 12), date(2024, 2, 29))

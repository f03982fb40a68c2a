"""A country pack declares facts in ``facts.yaml`` (issue 17, item 1): checked like the rest of
the pack, every problem with its file and line, and a declared fact is a column like any other
for every evaluator."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from gov3.rules import facts, vectorised
from gov3.rules.backends import evaluate_rows, load_facts
from gov3.rules.declarations import declare_pack_facts
from gov3.rules.errors import RulesError
from gov3.rules.explain import evaluate
from gov3.rules.expressions import Where, compile_expression
from gov3.rules.facts import Fact, FactDeclarationError, Subject, complete, declare
from gov3.rules.ir import Type
from gov3.rules.pack import load_rules

MINIPACK = Path(__file__).parent / "minipack"
TODAY = date(2025, 11, 3)  # the rules below compare with fixed dates only

DECLARED = """\
registers:
  school: {en: school register, ko: 학적부, vi: sổ học bạ}
facts:
  school_grade:
    type: int
    default: 0
    register: school
    reader: test_school_grade
  enrolled_since:
    type: date
    default: 1900-01-01
    register: school
    reader: test_enrolment
    options: {kind: primary}
  school_kind:
    type: text
    default: none
    values: [none, primary, secondary]
    register: school
    reader: test_enrolment
"""


@pytest.fixture(autouse=True)
def restored_facts() -> Iterator[None]:
    """Declarations are per process: put the facts and registers back after each test."""
    known, sources = dict(facts.FACTS), {k: dict(v) for k, v in facts.SOURCES.items()}
    yield
    facts.FACTS.clear()
    facts.FACTS.update(known)
    facts.SOURCES.clear()
    facts.SOURCES.update(sources)


def _pack(tmp_path: Path, declared: str, variables: str = "") -> Path:
    directory = tmp_path / "pack"
    shutil.copytree(MINIPACK, directory)
    (directory / "facts.yaml").write_text(declared, encoding="utf-8")
    path = directory / "variables.yaml"
    path.write_text(path.read_text(encoding="utf-8") + variables, encoding="utf-8")
    return directory


def test_a_declared_fact_is_a_variable_every_evaluator_reads(tmp_path: Path) -> None:
    variables = (
        "school_grade:\n  column: school_grade\n"
        "  label: {en: school grade, ko: 학년, vi: lớp}\n"
        "school_kind:\n  column: school_kind\n"
        "  label: {en: school, ko: 학교급, vi: cấp học}\n"
    )
    pack = load_rules(_pack(tmp_path, DECLARED, variables))
    assert facts.declared()["school_kind"].values == ("none", "primary", "secondary")
    assert facts.SOURCES["school"]["ko"] == "학적부"
    node = compile_expression(
        'school_kind == "primary" and school_grade >= 3',
        variables=pack.variables,
        params={},
        where=Where("t"),
    )
    rows = [
        {
            "person_id": 1,
            "household_id": 1,
            **complete({"school_kind": "primary", "school_grade": 4}),
        },
        {
            "person_id": 2,
            "household_id": 1,
            **complete({"school_kind": "primary", "school_grade": 2}),
        },
        {"person_id": 3, "household_id": 2, **complete({})},  # defaults: none, 0
    ]
    expected = {1: True, 2: False, 3: False}
    reference = {
        int(row["person_id"]): evaluate(node, Subject(row, [row]), {}, TODAY)  # type: ignore[arg-type]
        for row in rows
    }
    assert reference == expected
    population = vectorised.Population.from_rows(rows)
    assert vectorised.values_by_person(node, population, {}, TODAY) == expected
    for backend, connection in (
        ("sqlite", sqlite3.connect(":memory:")),
        ("duckdb", duckdb.connect(":memory:")),
    ):
        load_facts(backend, connection, rows)  # type: ignore[arg-type]
        got = evaluate_rows(node, backend, connection, params={}, today=TODAY)  # type: ignore[arg-type]
        assert got == expected, backend
    with pytest.raises(RulesError, match="not a value of `school_kind`"):
        compile_expression(
            'school_kind == "college"', variables=pack.variables, params={}, where=Where("t")
        )


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        (DECLARED.replace("type: int", "type: float"), "type must be one of"),
        (DECLARED.replace("school_grade:", "birth_date:"), "built-in fact"),
        (DECLARED.replace("kind: primary", "kind: \"x'; DROP TABLE y\""), "plain words only"),
        (DECLARED.replace("  school: {en: school register, ko: 학적부, vi: sổ học bạ}\n", "  {}\n")
         .replace("registers:\n  {}\n", ""), "register `school` is not known"),
        (DECLARED.replace("default: none", "default: college"), "default must be one of"),
        (DECLARED.replace("    reader: test_school_grade\n", ""), "`reader` is missing"),
        (DECLARED.replace("default: 1900-01-01", "default: yesterday"), "YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_a_bad_declaration_is_refused_with_where_and_why(
    tmp_path: Path, declared: str, message: str
) -> None:
    directory = _pack(tmp_path, declared)
    before = dict(facts.FACTS)
    with pytest.raises(RulesError, match=message) as caught:
        declare_pack_facts(directory)
    assert "facts.yaml:" in str(caught.value)  # file and line
    if message not in ("built-in fact", "register `school` is not known"):
        assert before == facts.FACTS  # a file with a problem declares nothing


def test_a_fact_is_declared_once_and_never_changed() -> None:
    grade = Fact(Type.INT, 0, "population", (), "test_school_grade")
    declare("school_grade", grade)
    declare("school_grade", grade)  # the same again: nothing changes
    with pytest.raises(FactDeclarationError, match="already declared differently"):
        declare("school_grade", Fact(Type.MONEY, 0, "population", (), "test_school_grade"))
    with pytest.raises(FactDeclarationError, match="which reader"):
        declare("other_fact", Fact(Type.INT, 0, "population"))
    assert facts.FACTS["school_grade"] == grade

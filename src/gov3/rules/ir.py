"""The typed tree every evaluator walks.

`expressions.compile_expression` turns the Python-syntax text of a service's `eligible:` or
`amount:` into these nodes after checking every name and type, so an evaluator never meets an
unknown name or a type error. The semantics every evaluator must implement (and the conformance
property test checks) are stated here, once:

* ``INT`` and ``MONEY`` are exact 64-bit integers. ``MONEY`` is an amount in the currency's
  minor unit (KRW and VND have none). Never a float. A result beyond 64 bits (of ``+ - *``,
  ``-x``, ``//``, a household ``sum``) is an error in every evaluator, never a wrapped value.
* ``a // b`` floors (as Python does) and ``a % b`` takes the sign of ``b``; either with
  ``b == 0`` gives ``0``.
* ``a / b`` is the exact ratio (a rational number, never rounded; ``0`` when ``b == 0``). A
  ratio can only be compared (``household.income / household.size <= limit``): every
  evaluator compares ``a / b`` with ``c / d`` (a whole number ``c`` being ``c / 1``) by
  cross-multiplication after making both divisors positive, ``a·|d|·sign(b) ? c·|b|·sign(d)``.
  A cross product beyond 64 bits is an error in every evaluator (never a wrapped or rounded
  comparison).
* ``DATE`` values are calendar days. ``years_between(a, b)`` is the number of whole years from
  ``a`` to ``b``: ``b.year - a.year``, less one if ``(b.month, b.day) < (a.month, a.day)``
  (so someone born on 29 February turns a year older on 1 March in a common year).
  ``months_between(a, b)`` is ``12 * (b.year - a.year) + b.month - a.month``, less one if
  ``b.day < a.day``. ``days_between(a, b)`` is ``b - a`` in days. All three may be negative.
* ``TEXT`` compares only with ``==``, ``!=`` and ``in``.
* An aggregate runs over the members of the subject's household; the subject is always one of
  them (someone without a household is a household of one). Inside it, `Column` and `Derived`
  nodes with ``scope == MEMBER`` read the member's facts. ``count`` with no condition counts
  members; ``sum`` of nothing cannot happen.
* There are no nulls: the snapshot fills a missing fact with its documented default
  (``rules.facts.BASE_FACTS``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class Type(enum.StrEnum):
    """The value types of the rule language."""

    BOOL = "bool"
    INT = "int"
    MONEY = "money"
    DATE = "date"
    TEXT = "text"


class Scope(enum.StrEnum):
    """Whose facts a column reads: the subject's, or a household member's inside an aggregate."""

    SUBJECT = "subject"
    MEMBER = "member"


@dataclass(frozen=True, slots=True)
class Pos:
    """Where a node starts in its service file (1-based line and column)."""

    line: int
    column: int


Value = bool | int | date | str


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every node: its checked type and where it came from."""

    type: Type
    pos: Pos


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A constant written in the expression (or a `date("2025-01-01")`)."""

    value: Value


@dataclass(frozen=True, slots=True)
class Column(Node):
    """A registry fact of the subject or of a member (see `rules.facts.BASE_FACTS`)."""

    name: str  # the variable's name in the pack
    column: str  # the fact column it reads
    scope: Scope


@dataclass(frozen=True, slots=True)
class Derived(Node):
    """A derived variable declared by the pack (``age``, ``household.size``): its checked
    definition, kept as a node so explanations can name it."""

    name: str
    expr: Node
    scope: Scope


@dataclass(frozen=True, slots=True)
class Param(Node):
    """A dated parameter (``params.basic_pension.income_limit``), read at the evaluation date."""

    path: str  # "basic_pension.income_limit"


@dataclass(frozen=True, slots=True)
class Today(Node):
    """The evaluation date."""


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Neg(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Arith(Node):
    """``+ - * // %`` on INT/MONEY."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Ratio(Node):
    """``a / b``: the exact ratio, only ever compared (see the module's semantics). Its `type`
    is the unit of the result as for ``//`` (MONEY / INT is MONEY, MONEY / MONEY is INT)."""

    numerator: Node
    denominator: Node


def ratio_parts(node: Node) -> tuple[Node, Node] | None:
    """(numerator, denominator) when `node` is a ratio (written ``/``, or a derived variable
    defined as one); None for a whole number."""
    while isinstance(node, Derived):
        node = node.expr
    if isinstance(node, Ratio):
        return node.numerator, node.denominator
    return None


#: The range of the 64-bit integers INT and MONEY live in.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """``== != < <= > >=`` (chained comparisons are split into an `BoolOp` ``and``)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    """``and`` / ``or`` over two or more operands."""

    op: str
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class If(Node):
    """``then if test else orelse``."""

    test: Node
    then: Node
    orelse: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    """``item in (a, b, …)`` or ``not in``; the options are literals or parameters."""

    item: Node
    options: tuple[Node, ...]
    negated: bool


#: Scalar functions: name → (argument types, result type). ``min``/``max`` of two or more
#: numbers are `Call` too; with a collection first they are an `Aggregate`.
FUNCTIONS: dict[str, tuple[tuple[Type, ...], Type]] = {
    "years_between": ((Type.DATE, Type.DATE), Type.INT),
    "months_between": ((Type.DATE, Type.DATE), Type.INT),
    "days_between": ((Type.DATE, Type.DATE), Type.INT),
    "year": ((Type.DATE,), Type.INT),
    "month": ((Type.DATE,), Type.INT),
    "day": ((Type.DATE,), Type.INT),
}


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A scalar function: one of `FUNCTIONS`, or ``min``/``max`` of numbers (same type)."""

    func: str
    args: tuple[Node, ...]


AGGREGATES = ("count", "sum", "any", "all", "min", "max")
COLLECTIONS = ("household.members",)


@dataclass(frozen=True, slots=True)
class Aggregate(Node):
    """``count(household.members, age < 8)`` and friends. `expr` is evaluated per member
    (scope MEMBER); ``count`` may have no condition (``expr is None``)."""

    func: str
    collection: str
    expr: Node | None


def children(node: Node) -> tuple[Node, ...]:  # noqa: PLR0911 - one case per node
    """The direct sub-nodes of `node`, in evaluation order."""
    match node:
        case Derived(expr=expr):
            return (expr,)
        case Not(operand=operand) | Neg(operand=operand):
            return (operand,)
        case Arith(left=left, right=right) | Compare(left=left, right=right):
            return (left, right)
        case Ratio(numerator=numerator, denominator=denominator):
            return (numerator, denominator)
        case BoolOp(operands=operands):
            return operands
        case If(test=test, then=then, orelse=orelse):
            return (test, then, orelse)
        case In(item=item, options=options):
            return (item, *options)
        case Call(args=args):
            return args
        case Aggregate(expr=expr):
            return () if expr is None else (expr,)
        case _:
            return ()


def walk(node: Node) -> list[Node]:
    """`node` and every node below it, depth first."""
    found = [node]
    for child in children(node):
        found.extend(walk(child))
    return found


def params_used(node: Node) -> set[str]:
    """The parameter paths an expression reads."""
    return {n.path for n in walk(node) if isinstance(n, Param)}

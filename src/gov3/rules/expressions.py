"""Parse and check a rule expression: Python syntax in, a typed `ir` tree out.

Only a small, safe subset of Python is accepted (docs/rules.md lists it). The text is parsed
with `ast` and never evaluated by Python: every name must be a declared variable, a parameter
or ``today``, every call one of the rule functions, and every operation well typed. A problem
is reported with the line and column in the service file and what would be valid.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from gov3.rules import ir
from gov3.rules.errors import RuleProblem, RulesError
from gov3.rules.facts import FACTS
from gov3.rules.ir import Pos, Scope, Type

NUMERIC = (Type.INT, Type.MONEY)
_ARITH = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
ALLOWED = (
    "comparisons, and/or/not, + - * // %, an exact ratio a / b (only compared), "
    'x if c else y, `in (…)`, date("YYYY-MM-DD"), '
    "today, declared variables, params.<group>.<name>, the functions "
    + ", ".join((*ir.FUNCTIONS, "days_until", "min", "max"))
    + " and the aggregates "
    + ", ".join(ir.AGGREGATES)
)


@dataclass(frozen=True)
class Variable:
    """A name a rule may read: a registry fact (`column`) or a derived expression (`expr`)."""

    name: str
    type: Type
    label: Mapping[str, str]
    column: str | None = None
    expr: ir.Node | None = None
    has_aggregate: bool = False
    values: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Where:
    """Where an expression's text starts in its file, to report positions in file terms."""

    file: str
    line: int = 1
    column: int = 1


def compile_expression(
    text: str,
    *,
    variables: Mapping[str, Variable],
    params: Mapping[str, Type],
    where: Where,
    expect: Type | None = None,
    ratio: bool = False,
) -> ir.Node:
    """Check `text` and return its typed tree; raise `RulesError` with every problem found.

    With `ratio` the whole expression may be an exact ratio ``a / b`` (a derived variable that
    rules then compare); anywhere else a ratio may only be a side of a comparison."""
    checker = _Checker(variables, params, where)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise RulesError(
            [checker.problem_at(error.lineno or 1, (error.offset or 1) - 1, f"syntax: {error.msg}")]
        ) from None
    try:
        if ratio:
            node: ir.Node | None = checker.visit_any(tree.body, Scope.SUBJECT)
        else:
            node = checker.visit(tree.body, Scope.SUBJECT)
        if node is not None and expect is not None:
            node = checker.expect(node, expect, tree.body)
    except _RefusedError:
        node = None
    if checker.problems or node is None:
        raise RulesError(checker.problems)
    return node


class _RefusedError(Exception):
    """Stops checking an expression after the first problem in it."""


def _suggest(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    return "valid names: " + ", ".join(f"`{v}`" for v in sorted(valid)[:40])


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def rescope(node: ir.Node, scope: Scope) -> ir.Node:
    """The same tree reading `scope`'s facts (a derived variable used inside an aggregate)."""
    if isinstance(node, ir.Column):
        return dataclasses.replace(node, scope=scope)
    if isinstance(node, ir.Derived):
        return dataclasses.replace(node, scope=scope, expr=rescope(node.expr, scope))
    if isinstance(node, ir.Aggregate):
        return node
    changes: dict[str, object] = {}
    for spec in dataclasses.fields(node):
        value = getattr(node, spec.name)
        if isinstance(value, ir.Node):
            changes[spec.name] = rescope(value, scope)
        elif isinstance(value, tuple) and value and isinstance(value[0], ir.Node):
            changes[spec.name] = tuple(rescope(item, scope) for item in value)
    return dataclasses.replace(node, **changes) if changes else node  # type: ignore[arg-type]


def _is_literal_int(node: ir.Node) -> bool:
    if isinstance(node, ir.Neg):
        return _is_literal_int(node.operand)
    return isinstance(node, ir.Literal) and node.type is Type.INT


def _is_literal_ratio(node: ir.Node) -> bool:
    """``7 / 2``: a ratio of integer literals (money when compared with money)."""
    return (
        isinstance(node, ir.Ratio)
        and _is_literal_int(node.numerator)
        and _is_literal_int(node.denominator)
    )


def _as_money(node: ir.Node) -> ir.Node:
    """An integer literal (or a ratio of them) used with money is money."""
    if isinstance(node, ir.Ratio):
        return dataclasses.replace(node, type=Type.MONEY, numerator=_as_money(node.numerator))
    if isinstance(node, ir.Neg):
        return dataclasses.replace(node, type=Type.MONEY, operand=_as_money(node.operand))
    return dataclasses.replace(node, type=Type.MONEY)


class _Checker:
    def __init__(
        self, variables: Mapping[str, Variable], params: Mapping[str, Type], where: Where
    ) -> None:
        self.variables = variables
        self.params = params
        self.where = where
        self.problems: list[RuleProblem] = []

    # -- reporting ----------------------------------------------------------------------------
    def problem_at(self, line: int, col_offset: int, message: str) -> RuleProblem:
        file_line = self.where.line + line - 1
        column = (self.where.column if line == 1 else 1) + col_offset
        return RuleProblem(self.where.file, file_line, column, message)

    def pos(self, node: ast.AST) -> Pos:
        problem = self.problem_at(getattr(node, "lineno", 1), getattr(node, "col_offset", 0), "")
        return Pos(problem.line or 1, problem.column or 1)

    def refuse(self, node: ast.AST, message: str) -> _RefusedError:
        self.problems.append(
            self.problem_at(getattr(node, "lineno", 1), getattr(node, "col_offset", 0), message)
        )
        return _RefusedError()

    def expect(self, node: ir.Node, wanted: Type, source: ast.AST) -> ir.Node:
        if wanted is Type.MONEY and _is_literal_int(node):
            return _as_money(node)
        if node.type is not wanted:
            raise self.refuse(source, f"expected a {wanted} value here, found {node.type}")
        return node

    # -- the walk -----------------------------------------------------------------------------
    def visit(self, node: ast.expr, scope: Scope) -> ir.Node:
        """`node` checked, as a value that may be used anywhere (not an exact ratio)."""
        checked = self.visit_any(node, scope)
        if ir.ratio_parts(checked) is not None:
            raise self.refuse(
                node,
                "an exact ratio (`/`) can only be compared, e.g. `a / b <= limit`; "
                "use `//` for a whole number (rounded down)",
            )
        return checked

    def visit_any(self, node: ast.expr, scope: Scope) -> ir.Node:  # noqa: PLR0911 - one per syntax
        """`node` checked; it may be an exact ratio."""
        match node:
            case ast.Constant():
                return self.constant(node)
            case ast.Name() | ast.Attribute():
                return self.name(node, scope)
            case ast.UnaryOp():
                return self.unary(node, scope)
            case ast.BinOp():
                return self.arith(node, scope)
            case ast.Compare():
                return self.compare(node, scope)
            case ast.BoolOp():
                operands = tuple(self.boolean(value, scope) for value in node.values)
                op = "and" if isinstance(node.op, ast.And) else "or"
                return ir.BoolOp(Type.BOOL, self.pos(node), op, operands)
            case ast.IfExp():
                return self.if_else(node, scope)
            case ast.Call():
                return self.call(node, scope)
        kind = type(node).__name__
        raise self.refuse(node, f"`{kind}` is not allowed in a rule; allowed: {ALLOWED}")

    def boolean(self, node: ast.expr, scope: Scope) -> ir.Node:
        return self.expect(self.visit(node, scope), Type.BOOL, node)

    def constant(self, node: ast.Constant) -> ir.Node:
        value = node.value
        if isinstance(value, bool):
            return ir.Literal(Type.BOOL, self.pos(node), value)
        if isinstance(value, int):
            return ir.Literal(Type.INT, self.pos(node), value)
        if isinstance(value, str):
            return ir.Literal(Type.TEXT, self.pos(node), value)
        if isinstance(value, float):
            raise self.refuse(
                node,
                "no decimal numbers: amounts and counts are whole numbers "
                "(write a percentage as `x * 80 // 100`)",
            )
        raise self.refuse(node, f"the constant {value!r} is not allowed in a rule")

    def name(self, node: ast.Name | ast.Attribute, scope: Scope) -> ir.Node:
        dotted = _dotted(node)
        if dotted is None:
            raise self.refuse(node, "only declared names may be written with a dot")
        if dotted == "today":
            return ir.Today(Type.DATE, self.pos(node))
        if dotted.startswith("params."):
            path = dotted.removeprefix("params.")
            if path not in self.params:
                raise self.refuse(
                    node, f"unknown parameter `{dotted}`; {_suggest(path, list(self.params))}"
                )
            return ir.Param(self.params[path], self.pos(node), path)
        if dotted in ir.COLLECTIONS:
            raise self.refuse(
                node, f"`{dotted}` is a list of people: use it in count/sum/any/all/min/max"
            )
        variable = self.variables.get(dotted)
        if variable is None:
            valid = [*self.variables, "today", *(f"params.{p}" for p in self.params)]
            raise self.refuse(node, f"unknown name `{dotted}`; {_suggest(dotted, valid)}")
        if variable.column is not None:
            return ir.Column(variable.type, self.pos(node), dotted, variable.column, scope)
        assert variable.expr is not None
        if scope is Scope.MEMBER and variable.has_aggregate:
            raise self.refuse(
                node, f"`{dotted}` is about the whole household: it cannot be used per member"
            )
        expr = variable.expr if scope is Scope.SUBJECT else rescope(variable.expr, scope)
        return ir.Derived(variable.type, self.pos(node), dotted, expr, scope)

    def unary(self, node: ast.UnaryOp, scope: Scope) -> ir.Node:
        if isinstance(node.op, ast.Not):
            return ir.Not(Type.BOOL, self.pos(node), self.boolean(node.operand, scope))
        operand = self.visit(node.operand, scope)
        if operand.type not in NUMERIC:
            raise self.refuse(node, f"`-` needs a number, found {operand.type}")
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.USub):
            return ir.Neg(operand.type, self.pos(node), operand)
        raise self.refuse(node, "`~` is not allowed in a rule")

    def arith(self, node: ast.BinOp, scope: Scope) -> ir.Node:
        op = _ARITH.get(type(node.op))
        if op is None:
            raise self.refuse(node, f"this operator is not allowed in a rule; allowed: {ALLOWED}")
        left, right = self.visit(node.left, scope), self.visit(node.right, scope)
        for side, source in ((left, node.left), (right, node.right)):
            if side.type not in NUMERIC:
                raise self.refuse(source, f"`{op}` needs numbers, found {side.type}")
        result = self.arith_type(op, left, right)
        if result is None:
            raise self.refuse(node, f"cannot compute {left.type} {op} {right.type}")
        if result is Type.MONEY:
            left = _as_money(left) if _is_literal_int(left) and op in "+-%" else left
            right = _as_money(right) if _is_literal_int(right) and op in "+-%" else right
        if op == "/":
            return ir.Ratio(result, self.pos(node), left, right)
        return ir.Arith(result, self.pos(node), op, left, right)

    @staticmethod
    def arith_type(op: str, left: ir.Node, right: ir.Node) -> Type | None:  # noqa: PLR0911
        kinds = (left.type, right.type)
        if kinds == (Type.INT, Type.INT):
            return Type.INT
        if op in ("+", "-", "%"):
            if kinds == (Type.MONEY, Type.MONEY):
                return Type.MONEY
            if _is_literal_int(left) or _is_literal_int(right):
                return Type.MONEY
            return None
        if op == "*":
            return Type.MONEY if Type.INT in kinds else None
        # division, floor (//) or exact (/)
        if kinds == (Type.MONEY, Type.INT):
            return Type.MONEY
        if kinds == (Type.MONEY, Type.MONEY):
            return Type.INT
        return None

    def comparable(
        self, op: str, left: ir.Node, right: ir.Node, node: ast.AST
    ) -> tuple[ir.Node, ir.Node]:
        if {left.type, right.type} == {Type.INT, Type.MONEY}:
            if _is_literal_int(left) or _is_literal_ratio(left):
                return _as_money(left), right
            if _is_literal_int(right) or _is_literal_ratio(right):
                return left, _as_money(right)
        if left.type is not right.type:
            raise self.refuse(node, f"cannot compare {left.type} with {right.type}")
        if left.type in (Type.TEXT, Type.BOOL) and op not in ("==", "!="):
            raise self.refuse(node, f"{left.type} values can only be compared with == or !=")
        self.check_text_value(left, right, node)
        return left, right

    def check_text_value(self, left: ir.Node, right: ir.Node, node: ast.AST) -> None:
        for item, other in ((left, right), (right, left)):
            values = self.values_of(item)
            if values and isinstance(other, ir.Literal) and other.value not in values:
                raise self.refuse(
                    node,
                    f"`{other.value}` is not a value of `{getattr(item, 'name', '')}`; "
                    f"valid: {', '.join(values)}",
                )

    def values_of(self, node: ir.Node) -> tuple[str, ...]:
        if isinstance(node, ir.Column):
            return FACTS[node.column].values
        return ()

    def compare(self, node: ast.Compare, scope: Scope) -> ir.Node:
        parts: list[ir.Node] = []
        left_source = node.left
        left = self.visit_any(node.left, scope)
        for op_node, right_source in zip(node.ops, node.comparators, strict=True):
            if isinstance(op_node, ast.In | ast.NotIn):
                if ir.ratio_parts(left) is not None:
                    raise self.refuse(left_source, "an exact ratio (`/`) cannot be used with `in`")
                parts.append(self.membership(node, left, right_source, scope, op_node))
            else:
                op = _COMPARE.get(type(op_node))
                if op is None:
                    raise self.refuse(node, "`is` is not allowed in a rule: use == or !=")
                right = self.visit_any(right_source, scope)
                a, b = self.comparable(op, left, right, node)
                parts.append(ir.Compare(Type.BOOL, self.pos(left_source), op, a, b))
                left = right
            left_source = right_source
        if len(parts) == 1:
            return parts[0]
        return ir.BoolOp(Type.BOOL, self.pos(node), "and", tuple(parts))

    def membership(
        self, node: ast.Compare, item: ir.Node, source: ast.expr, scope: Scope, op: ast.cmpop
    ) -> ir.Node:
        if not isinstance(source, ast.Tuple | ast.List | ast.Set) or not source.elts:
            raise self.refuse(source, '`in` needs a list of values, e.g. `x in ("a", "b")`')
        options: list[ir.Node] = []
        for element in source.elts:
            option = self.visit(element, scope)
            if not isinstance(option, ir.Literal | ir.Param):
                raise self.refuse(element, "the values after `in` must be constants or parameters")
            _, option = self.comparable("==", item, option, element)
            options.append(option)
        negated = isinstance(op, ast.NotIn)
        return ir.In(Type.BOOL, self.pos(node), item, tuple(options), negated)

    def if_else(self, node: ast.IfExp, scope: Scope) -> ir.Node:
        test = self.boolean(node.test, scope)
        then, orelse = self.visit(node.body, scope), self.visit(node.orelse, scope)
        if then.type is not orelse.type:
            if then.type is Type.MONEY and _is_literal_int(orelse):
                orelse = _as_money(orelse)
            elif orelse.type is Type.MONEY and _is_literal_int(then):
                then = _as_money(then)
            else:
                raise self.refuse(
                    node, f"both branches must have the same type ({then.type} vs {orelse.type})"
                )
        return ir.If(then.type, self.pos(node), test, then, orelse)

    def call(self, node: ast.Call, scope: Scope) -> ir.Node:
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node, f"only the rule functions may be called; allowed: {ALLOWED}")
        name = node.func.id
        if node.keywords:
            raise self.refuse(node, f"`{name}` takes no keyword arguments")
        args = node.args
        if name == "date":
            return self.date_literal(node)
        if name in ir.AGGREGATES and args and _dotted(args[0]) in ir.COLLECTIONS:
            return self.aggregate(node, name, scope)
        if name in ("min", "max"):
            return self.scalar_extreme(node, name, scope)
        if name in ir.AGGREGATES:
            raise self.refuse(
                node, f"`{name}` needs a list of people first, e.g. `{name}(household.members, …)`"
            )
        if name == "days_until":
            if len(args) != 1:
                raise self.refuse(node, "`days_until` takes one date")
            target = self.expect(self.visit(args[0], scope), Type.DATE, args[0])
            today = ir.Today(Type.DATE, self.pos(node))
            return ir.Call(Type.INT, self.pos(node), "days_between", (today, target))
        signature = ir.FUNCTIONS.get(name)
        if signature is None:
            raise self.refuse(node, f"unknown function `{name}`; allowed: {ALLOWED}")
        wanted, result = signature
        if len(args) != len(wanted):
            raise self.refuse(node, f"`{name}` takes {len(wanted)} argument(s)")
        checked = tuple(
            self.expect(self.visit(arg, scope), kind, arg)
            for arg, kind in zip(args, wanted, strict=True)
        )
        return ir.Call(result, self.pos(node), name, checked)

    def date_literal(self, node: ast.Call) -> ir.Node:
        args = node.args
        if (
            len(args) != 1
            or not isinstance(args[0], ast.Constant)
            or not isinstance(args[0].value, str)
        ):
            raise self.refuse(node, 'write a date as date("YYYY-MM-DD")')
        try:
            value = date.fromisoformat(args[0].value)
        except ValueError:
            raise self.refuse(
                args[0], f"`{args[0].value}` is not a date in the form YYYY-MM-DD"
            ) from None
        return ir.Literal(Type.DATE, self.pos(node), value)

    def scalar_extreme(self, node: ast.Call, name: str, scope: Scope) -> ir.Node:
        if len(node.args) < 2:
            raise self.refuse(node, f"`{name}` takes two or more numbers, or a list of people")
        values = [self.visit(arg, scope) for arg in node.args]
        kinds = {value.type for value in values if not _is_literal_int(value)} or {Type.INT}
        if len(kinds) != 1 or not kinds <= {Type.INT, Type.MONEY, Type.DATE}:
            raise self.refuse(node, f"`{name}` needs numbers or dates of one type")
        kind = kinds.pop()
        if kind is Type.MONEY:
            values = [_as_money(v) if _is_literal_int(v) else v for v in values]
        elif kind is Type.DATE and any(v.type is not Type.DATE for v in values):
            raise self.refuse(node, f"`{name}` needs numbers or dates of one type")
        return ir.Call(kind, self.pos(node), name, tuple(values))

    def aggregate(self, node: ast.Call, name: str, scope: Scope) -> ir.Node:
        if scope is Scope.MEMBER:
            raise self.refuse(node, "an aggregate cannot be used inside another aggregate")
        collection = _dotted(node.args[0]) or ""
        rest = node.args[1:]
        if len(rest) > 1:
            raise self.refuse(node, f"`{name}` takes the list and one expression")
        if not rest:
            if name != "count":
                raise self.refuse(node, f"`{name}` needs an expression for each member")
            return ir.Aggregate(Type.INT, self.pos(node), name, collection, None)
        expr = self.visit(rest[0], Scope.MEMBER)
        if name in ("count", "any", "all"):
            expr = self.expect(expr, Type.BOOL, rest[0])
            result = Type.INT if name == "count" else Type.BOOL
        elif name == "sum":
            if expr.type not in NUMERIC:
                raise self.refuse(rest[0], f"`sum` needs a number per member, found {expr.type}")
            result = expr.type
        else:
            if expr.type not in (*NUMERIC, Type.DATE):
                raise self.refuse(rest[0], f"`{name}` needs a number or date per member")
            result = expr.type
        return ir.Aggregate(result, self.pos(node), name, collection, expr)

"""The plan: the expressions to evaluate in canonical form, derived variables inlined and equal
sub-trees shared, and aggregates that read only the member marked per household.
"""

from __future__ import annotations

from dataclasses import dataclass

from gov3.rules import ir
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import FACTS
from gov3.rules.ir import Scope

_P0 = ir.Pos(0, 0)


@dataclass(frozen=True, slots=True)
class _HouseholdAggregate(ir.Node):
    """An aggregate whose expression reads only the member: computed once per household.
    Its expression's columns are rescoped to SUBJECT (each row read as itself)."""

    func: str
    expr: ir.Node | None


class _Plan:
    """Canonical forms of the expressions to evaluate: positions and variable names dropped,
    derived variables inlined, equal sub-trees one object (so a chunk computes them once)."""

    def __init__(self) -> None:
        self._interned: dict[ir.Node, ir.Node] = {}
        self._done: dict[tuple[int, bool, bool], ir.Node] = {}
        self._keep: list[ir.Node] = []  # originals stay alive so their ids stay unique
        self.uses: dict[int, int] = {}
        self.member_dependent: set[int] = set()
        self.columns: set[str] = set()
        self.params: set[str] = set()

    def add(self, node: ir.Node) -> ir.Node:
        """The canonical form of a top-level expression (counted for sharing)."""
        canonical = self._canonical(node, member=False, rows=False)
        self._count(canonical)
        return canonical

    def cached(self, node: ir.Node) -> bool:
        """Whether a chunk should keep ``node``'s value for a second use."""
        return (
            isinstance(node, ir.Column | ir.Aggregate | _HouseholdAggregate)
            or self.uses.get(id(node), 0) > 1
        )

    def _count(self, node: ir.Node) -> None:
        seen = self.uses.get(id(node), 0)
        self.uses[id(node)] = seen + 1
        if seen:
            return
        for child in _children(node):
            self._count(child)

    def _intern(self, node: ir.Node) -> ir.Node:
        found = self._interned.get(node)
        if found is None:
            found = self._interned[node] = node
            if isinstance(node, ir.Column):
                dependent = node.scope is Scope.MEMBER
            else:
                dependent = not isinstance(node, ir.Aggregate | _HouseholdAggregate) and any(
                    id(c) in self.member_dependent for c in _children(node)
                )
            if dependent:
                self.member_dependent.add(id(node))
        return found

    def _canonical(self, node: ir.Node, *, member: bool, rows: bool) -> ir.Node:
        """``member``: inside a member-scoped derived variable (every fact is the member's);
        ``rows``: inside a per-household aggregate (every fact is the row's own)."""
        key = (id(node), member, rows)
        found = self._done.get(key)
        if found is None:
            self._keep.append(node)
            found = self._done[key] = self._intern(self._build(node, member=member, rows=rows))
        return found

    def _build(self, node: ir.Node, *, member: bool, rows: bool) -> ir.Node:  # noqa: PLR0911, PLR0912
        def sub(child: ir.Node) -> ir.Node:
            return self._canonical(child, member=member, rows=rows)

        match node:
            case ir.Literal(value=value):
                return ir.Literal(node.type, _P0, value)
            case ir.Column(column=column, scope=scope):
                if column not in FACTS:
                    raise EvaluationError(f"There is no fact called {column!r}.")
                self.columns.add(column)
                if member:
                    scope = Scope.MEMBER
                if rows:
                    scope = Scope.SUBJECT
                return ir.Column(node.type, _P0, "", column, scope)
            case ir.Derived(expr=expr, scope=scope):
                # A member's derived variable reads every fact of the member, whichever scope
                # its definition's columns were written with.
                return self._canonical(expr, member=member or scope is Scope.MEMBER, rows=rows)
            case ir.Param(path=path):
                self.params.add(path)
                return ir.Param(node.type, _P0, path)
            case ir.Today():
                return ir.Today(node.type, _P0)
            case ir.Not(operand=operand):
                return ir.Not(node.type, _P0, sub(operand))
            case ir.Neg(operand=operand):
                return ir.Neg(node.type, _P0, sub(operand))
            case ir.Arith(op=op, left=left, right=right):
                return ir.Arith(node.type, _P0, op, sub(left), sub(right))
            case ir.Ratio(numerator=numerator, denominator=denominator):
                return ir.Ratio(node.type, _P0, sub(numerator), sub(denominator))
            case ir.Compare(op=op, left=left, right=right):
                return ir.Compare(node.type, _P0, op, sub(left), sub(right))
            case ir.BoolOp(op=op, operands=operands):
                return ir.BoolOp(node.type, _P0, op, tuple(sub(o) for o in operands))
            case ir.If(test=test, then=then, orelse=orelse):
                return ir.If(node.type, _P0, sub(test), sub(then), sub(orelse))
            case ir.In(item=item, options=options, negated=negated):
                return ir.In(node.type, _P0, sub(item), tuple(sub(o) for o in options), negated)
            case ir.Call(func=func, args=args):
                return ir.Call(node.type, _P0, func, tuple(sub(a) for a in args))
            case ir.Aggregate(func=func, collection=collection, expr=expr):
                return self._aggregate(node, func, collection, expr, member=member, rows=rows)
        raise EvaluationError(f"Cannot evaluate a {type(node).__name__} node.")

    def _aggregate(
        self,
        node: ir.Node,
        func: str,
        collection: str,
        expr: ir.Node | None,
        *,
        member: bool,
        rows: bool,
    ) -> ir.Node:
        if member or rows:
            raise EvaluationError(
                f"An aggregate inside another aggregate (line {node.pos.line}, column "
                f"{node.pos.column}) cannot be evaluated."
            )
        if collection not in ir.COLLECTIONS:
            raise EvaluationError(f"Unknown collection {collection!r}.")
        if expr is not None and any(isinstance(n, ir.Aggregate) for n in ir.walk(expr)):
            raise EvaluationError(
                f"An aggregate inside another aggregate (line {node.pos.line}, column "
                f"{node.pos.column}) cannot be evaluated."
            )
        if expr is None:
            return _HouseholdAggregate(node.type, _P0, func, None)
        if not _reads_subject(expr, member=False):
            inner = self._canonical(expr, member=False, rows=True)
            return _HouseholdAggregate(node.type, _P0, func, inner)
        inner = self._canonical(expr, member=False, rows=False)
        return ir.Aggregate(node.type, _P0, func, collection, inner)


def _reads_subject(node: ir.Node, *, member: bool) -> bool:
    """Whether ``node`` (inside an aggregate) reads any fact of the subject."""
    match node:
        case ir.Column(scope=scope):
            return not member and scope is Scope.SUBJECT
        case ir.Derived(expr=expr, scope=scope):
            return _reads_subject(expr, member=member or scope is Scope.MEMBER)
        case ir.Aggregate():
            return True
    return any(_reads_subject(child, member=member) for child in ir.children(node))


def _children(node: ir.Node) -> tuple[ir.Node, ...]:
    if isinstance(node, _HouseholdAggregate):
        return () if node.expr is None else (node.expr,)
    return ir.children(node)

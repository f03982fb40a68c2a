"""The evaluator proper: one run over one population evaluates the plan's nodes over frames
(every subject, a subset left open by ``and``/``or``, or (subject, member) pairs), caching
shared values, and reduces aggregates over households.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from gov3.rules import ir
from gov3.rules.errors import EvaluationError
from gov3.rules.ir import Scope, Value
from gov3.rules.vectorised.operations import (
    _checked,
    _checked_negative,
    _compare,
    _cross_products,
    _member_of,
    _parts,
    _ratio_terms,
    _reduce,
    _take,
    _text_equals,
    _where,
)
from gov3.rules.vectorised.plan import _HouseholdAggregate, _Plan
from gov3.rules.vectorised.population import Population, _Span
from gov3.rules.vectorised.values import (
    _DATE_DIFFS,
    _V,
    NDArray,
    _calendar,
    _date,
    _day,
    _Parts,
    _Text,
)

#: An ``and`` goes on over only the entries still open once they are at most this share.
_SUBSET_SHARE = 0.6


@dataclass(eq=False)
class _Frame:
    """The entries a vector has one value for.

    A top frame has one entry per subject: every row (``rows is None``) or the rows listed.
    A subset frame holds some entries (`index`) of a top frame (`base`): where the rest of an
    ``and`` still matters, or where a service's amount is needed.
    A pair frame (for an aggregate that reads both the subject and the member) has one entry
    per (subject of `parent`, member of the subject's household).
    """

    key: int
    length: int
    rows: NDArray | None = None
    base: _Frame | None = None
    index: NDArray | None = None
    parent: _Frame | None = None
    members: NDArray | None = None
    subject_of: NDArray | None = None  # pair frame: the parent entry of each pair
    bounds: NDArray | None = None  # pair frame: where each parent entry's pairs start
    pairs: _Frame | None = field(default=None, repr=False)


class _Run:
    """One evaluation over one population: a cache of shared values per frame."""

    def __init__(
        self, plan: _Plan, population: Population, params: Mapping[str, Value], today: date
    ) -> None:
        self.plan = plan
        self.pop = population
        self.params = params
        self.today = _day(today)
        self.cache: dict[tuple[int, int], _V] = {}
        self.household_values: dict[int, _V] = {}
        self.households_of: dict[int, tuple[_Frame, NDArray, NDArray, NDArray] | None] = {}
        self.frames = 0
        self.all_rows = self._frame(population.size, None)
        self._heads: _Frame | None = None

    def _frame(self, length: int, rows: NDArray | None, **more: Any) -> _Frame:
        self.frames += 1
        return _Frame(self.frames, length, rows, **more)

    def heads(self) -> _Frame:
        """The frame of household heads (subjects of household services)."""
        if self._heads is None:
            relationship = self.pop.column("relationship_to_head")
            assert isinstance(relationship, _Text)
            rows = np.flatnonzero(_text_equals(relationship, "head"))
            self._heads = self._frame(len(rows), rows)
        return self._heads

    # The evaluator proper.

    def value(self, node: ir.Node, frame: _Frame) -> _V:
        if frame.parent is not None and id(node) not in self.plan.member_dependent:
            # Pairs of (subject, member): what reads only the subject is the subject's value.
            assert frame.subject_of is not None
            return _take(self.value(node, frame.parent), frame.subject_of)
        if not self.plan.cached(node):
            return self._compute(node, frame)
        key = (frame.key, id(node))
        found = self.cache.get(key)
        if found is None:
            if frame.base is not None:  # already known for all: take this subset's part
                whole = self.cache.get((frame.base.key, id(node)))
                if whole is not None:
                    assert frame.index is not None
                    found = _take(whole, frame.index)
            if found is None:
                found = self._compute(node, frame)
            self.cache[key] = found
        return found

    def subset(self, frame: _Frame, positions: NDArray) -> _Frame:
        """The entries ``positions`` of top or subset frame ``frame``."""
        base = frame.base or frame
        index = positions if frame.index is None else frame.index[positions]
        rows = index if base.rows is None else base.rows[index]
        return self._frame(len(index), rows, base=base, index=index)

    def _compute(self, node: ir.Node, frame: _Frame) -> _V:  # noqa: PLR0911, PLR0912
        match node:
            case ir.Literal(value=value):
                return _day(value) if isinstance(value, date) else value
            case ir.Today():
                return self.today
            case ir.Param(path=path):
                return self._param(path)
            case ir.Column(column=column, scope=scope):
                return self._column(column, scope, frame)
            case ir.Not(operand=operand):
                v = self.value(operand, frame)
                return np.logical_not(v) if isinstance(v, np.ndarray) else not v
            case ir.Neg(operand=operand):
                return _checked_negative(self.value(operand, frame))
            case ir.Arith(op=op, left=left, right=right):
                return _checked(op, self.value(left, frame), self.value(right, frame))
            case ir.Compare(op=op, left=left, right=right):
                if isinstance(left, ir.Ratio) or isinstance(right, ir.Ratio):
                    a, b = _cross_products(self._terms(left, frame), self._terms(right, frame))
                    return _compare(op, a, b)
                return _compare(op, self.value(left, frame), self.value(right, frame))
            case ir.BoolOp(op=op, operands=operands):
                return self._boolop(op, operands, frame)
            case ir.If(test=test, then=then, orelse=orelse):
                t = self.value(test, frame)
                if not isinstance(t, np.ndarray):
                    return self.value(then if t else orelse, frame)
                return _where(t, self.value(then, frame), self.value(orelse, frame))
            case ir.In(item=item, options=options, negated=negated):
                found = _member_of(self.value(item, frame), [self.value(o, frame) for o in options])
                if not negated:
                    return found
                return np.logical_not(found) if isinstance(found, np.ndarray) else not found
            case ir.Call(func=func, args=args):
                return self._call(func, args, frame)
            case _HouseholdAggregate():
                return self._household_aggregate(node, frame)
            case ir.Aggregate(func=func, expr=expr):
                return self._pair_aggregate(func, expr, frame)
        raise EvaluationError(f"Cannot evaluate a {type(node).__name__} node.")

    def _terms(self, node: ir.Node, frame: _Frame) -> tuple[_V, _V]:
        """A side of a comparison as (numerator, positive denominator); see `ir`."""
        if not isinstance(node, ir.Ratio):
            return self.value(node, frame), 1
        return _ratio_terms(self.value(node.numerator, frame), self.value(node.denominator, frame))

    def _param(self, path: str) -> _V:
        try:
            value = self.params[path]
        except KeyError:
            raise EvaluationError(
                f"Parameter {path} has no value for {_date(self.today)}."
            ) from None
        return _day(value) if isinstance(value, date) else value

    def _column(self, name: str, scope: Scope, frame: _Frame) -> _V:
        values = self.pop.column(name)
        if frame.parent is not None:
            assert frame.members is not None
            return _take(values, frame.members)
        if scope is Scope.MEMBER:
            raise EvaluationError(f"The member's {name} is read outside an aggregate.")
        if frame.rows is None:
            return values
        return _take(values, frame.rows)

    def _boolop(self, op: str, operands: Sequence[ir.Node], frame: _Frame) -> _V:
        """``and`` / ``or``, evaluating each operand only where the result is still open:
        once few entries remain, the rest is computed on that subset of the frame."""
        decisive = op == "or"  # the value that settles the result on its own
        sub = frame  # where the next operand is evaluated
        positions: NDArray | None = None  # the entries of `frame` that `sub` holds
        open_: NDArray | None = None  # over `sub`: not settled yet (None: all)
        vector = False
        for operand in operands:
            v = self.value(operand, sub)
            if not isinstance(v, np.ndarray):
                if bool(v) is not decisive:
                    continue  # True in an `and`, False in an `or`: changes nothing
                if not vector:
                    return decisive
                open_ = np.zeros(sub.length, dtype=bool)
                break
            vector = True
            still = np.logical_not(v) if decisive else v
            open_ = still if open_ is None else np.logical_and(open_, still)
            left = int(np.count_nonzero(open_))
            if sub.parent is None and left <= _SUBSET_SHARE * sub.length:
                picked = np.flatnonzero(open_)
                positions = picked if positions is None else positions[picked]
                sub, open_ = self.subset(frame, positions), None
                if not left:
                    break
        if not vector:
            return not decisive
        if positions is None:
            assert open_ is not None
            return np.logical_not(open_) if decisive else open_
        unsettled = positions if open_ is None else positions[open_]
        out = np.full(frame.length, decisive, dtype=bool)
        out[unsettled] = not decisive
        return out

    def _call(self, func: str, args: Sequence[ir.Node], frame: _Frame) -> _V:  # noqa: PLR0911
        values: list[Any] = [self.value(a, frame) for a in args]
        vectors = [isinstance(v, np.ndarray) for v in values]
        if func in ("min", "max"):
            if not any(vectors):
                return int(min(values) if func == "min" else max(values))
            reduce = np.minimum if func == "min" else np.maximum
            out = values[0]
            for v in values[1:]:
                out = reduce(out, v)
            return np.asarray(out, dtype=np.int64)
        if func in ("year", "month", "day"):
            which = ("year", "month", "day").index(func)
            if not vectors[0]:
                return int(_parts(values[0])[which])
            return self._day_function(args[0], values[0], lambda p: p[which])
        if func == "days_between":
            a, b = values
            return np.subtract(b, a, dtype=np.int64) if any(vectors) else int(b - a)
        diff = _DATE_DIFFS.get(func)
        if diff is None:
            raise EvaluationError(f"Unknown function {func}().")
        a, b = values
        if not any(vectors):
            return int(diff(_parts(a), _parts(b)))
        if not vectors[1]:
            fixed = _parts(b)
            return self._day_function(args[0], a, lambda p: diff(p, fixed))
        if not vectors[0]:
            fixed = _parts(a)
            return self._day_function(args[1], b, lambda p: diff(fixed, p))
        wide = [_calendar(x) for x in (a, b)]
        return np.asarray(
            diff((wide[0][0], wide[0][1], wide[0][2]), (wide[1][0], wide[1][1], wide[1][2])),
            dtype=np.int64,
        )

    def _day_function(
        self, node: ir.Node, days: NDArray, function: Callable[[_Parts], Any]
    ) -> NDArray:
        """``function`` of the calendar parts of each of ``days``: computed once per day of
        their span and looked up, when the span is not much longer than the vector."""
        if len(days) == 0:
            return np.zeros(0, dtype=np.int64)
        span = self.pop.calendar(node.column) if isinstance(node, ir.Column) else _Span.of(days)
        if span is None:
            return np.asarray(function(_calendar(days)), dtype=np.int64)
        return span.lookup(days, function)

    # Aggregates.

    def _household_aggregate(self, node: _HouseholdAggregate, frame: _Frame) -> _V:
        if frame.parent is not None:
            raise EvaluationError("An aggregate inside another aggregate cannot be evaluated.")
        pop = self.pop
        per_household = self.household_values.get(id(node))
        if per_household is None and node.expr is not None and frame.rows is not None:
            few = self._their_households(frame)
            if few is not None:  # few subjects (left by an `and`): only their households
                members, starts, sizes, back = few
                found = _reduce(
                    node.func, self.value(node.expr, members), starts, starts + sizes, sizes
                )
                return found[back] if isinstance(found, np.ndarray) else found
        if per_household is None:
            v = None if node.expr is None else self.value(node.expr, self.all_rows)
            per_household = _reduce(node.func, v, pop.starts, pop.ends, pop.sizes)
            self.household_values[id(node)] = per_household
        if not isinstance(per_household, np.ndarray):
            return per_household
        if frame.rows is None:
            return np.repeat(per_household, pop.sizes)
        return per_household[pop.household_of[frame.rows]]

    def _their_households(self, frame: _Frame) -> tuple[_Frame, NDArray, NDArray, NDArray] | None:
        """For a frame of few subjects: the frame of every member of their households, where
        each household's run of members starts and how long it is, and each subject's
        household among them; None when that is not much less than everyone."""
        if frame.key in self.households_of:
            return self.households_of[frame.key]
        pop = self.pop
        assert frame.rows is not None
        households = pop.household_of[frame.rows]  # rows ascend, so households do too
        first = np.empty(len(households), dtype=bool)
        first[:1] = True
        np.not_equal(households[1:], households[:-1], out=first[1:])
        wanted = households[first]
        sizes = pop.sizes[wanted]
        count = int(sizes.sum())
        found = None
        if count <= _SUBSET_SHARE * pop.size / 2:
            starts = np.zeros(len(wanted), dtype=np.int64)
            np.cumsum(sizes[:-1], out=starts[1:])
            rows = np.repeat(pop.starts[wanted] - starts, sizes) + np.arange(count)
            back = np.cumsum(first) - 1
            found = (self.subset(self.all_rows, rows), starts, sizes, back)
        self.households_of[frame.key] = found
        return found

    def _pair_aggregate(self, func: str, expr: ir.Node | None, frame: _Frame) -> _V:
        if frame.parent is not None:
            raise EvaluationError("An aggregate inside another aggregate cannot be evaluated.")
        pairs = self._pairs(frame)
        assert pairs.bounds is not None
        v = None if expr is None else self.value(expr, pairs)
        ends = np.append(pairs.bounds[1:], pairs.length)
        return _reduce(func, v, pairs.bounds, ends, ends - pairs.bounds)

    def _pairs(self, frame: _Frame) -> _Frame:
        """Every (subject of ``frame``, member of their household) pair, subject by subject."""
        if frame.pairs is None:
            pop = self.pop
            subject_rows = np.arange(pop.size, dtype=np.int64) if frame.rows is None else frame.rows
            households = pop.household_of[subject_rows]
            sizes = pop.sizes[households]
            subject_of = np.repeat(np.arange(len(subject_rows), dtype=np.int64), sizes)
            bounds = np.zeros(len(subject_rows), dtype=np.int64)
            np.cumsum(sizes[:-1], out=bounds[1:])
            offset = np.arange(len(subject_of), dtype=np.int64) - np.repeat(bounds, sizes)
            members = np.repeat(pop.starts[households], sizes) + offset
            frame.pairs = self._frame(
                len(members),
                None,
                parent=frame,
                members=members,
                subject_of=subject_of,
                bounds=bounds,
            )
        return frame.pairs

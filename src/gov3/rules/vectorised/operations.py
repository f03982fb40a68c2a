"""Operations on values, scalar or vector alike: arithmetic checked for overflow, exact ratios
cross-multiplied, comparisons, ``if`` and ``in``, and aggregates reduced over runs of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gov3.rules import ir
from gov3.rules.errors import EvaluationError
from gov3.rules.vectorised.values import _V, NDArray, _date, _Parts, _Text


def _parts(day: int) -> _Parts:
    """(year, month, day) of a day number."""
    d = _date(day)
    return d.year, d.month, d.day


def _int(v: _V) -> int:
    assert isinstance(v, int), v
    return int(v)


def _array(v: _V) -> NDArray:
    assert isinstance(v, np.ndarray)
    return v


def _take(v: _V, index: NDArray) -> _V:
    if isinstance(v, np.ndarray):
        return v[index]
    if isinstance(v, _Text):
        return _Text(v.codes[index], v.categories)
    return v


_SCALAR_ARITH: dict[str, Callable[[int, int], int]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "//": lambda x, y: x // y if y else 0,
    "%": lambda x, y: x % y if y else 0,
}
_ARITH: dict[str, Any] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "//": np.floor_divide,
    "%": np.remainder,
}


def _arith(op: str, a: _V, b: _V) -> _V:
    """``a op b`` on int64 (``//`` and ``%`` by zero give 0)."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return _SCALAR_ARITH[op](_int(a), _int(b))
    x: Any = np.asarray(a, dtype=np.int64) if isinstance(a, np.ndarray) else _int(a)
    y: Any = np.asarray(b, dtype=np.int64) if isinstance(b, np.ndarray) else _int(b)
    ufunc = _ARITH[op]
    if op in ("+", "-", "*"):
        out: NDArray = ufunc(x, y, dtype=np.int64)
        return out
    if not isinstance(y, np.ndarray):
        if y == 0:
            return np.zeros(len(x), dtype=np.int64)
        return np.asarray(ufunc(x, y, dtype=np.int64))
    zero = y == 0
    out = ufunc(x, np.where(zero, 1, y), dtype=np.int64)
    out[zero] = 0
    return out


def _bound(v: _V) -> int:
    """The largest magnitude in `v` (exact, in Python integers)."""
    if not isinstance(v, np.ndarray):
        return abs(_int(v))
    if v.size == 0:
        return 0
    return max(abs(int(v.min())), abs(int(v.max())))


def _overflow() -> EvaluationError:
    return EvaluationError(
        "A number in the rule goes beyond 64 bits for some people; the rule cannot be "
        "evaluated for these facts."
    )


def _checked_multiply(a: _V, b: _V) -> _V:
    """``a * b`` on int64, refused (never wrapped) when a product leaves 64 bits."""
    if _bound(a) * _bound(b) <= ir.INT64_MAX:
        return _arith("*", a, b)
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        raise _overflow()
    x: Any = np.asarray(a, dtype=np.int64) if isinstance(a, np.ndarray) else np.int64(_int(a))
    y: Any = np.asarray(b, dtype=np.int64) if isinstance(b, np.ndarray) else np.int64(_int(b))
    with np.errstate(over="ignore"):
        product = np.multiply(x, y, dtype=np.int64)
        divisor = np.where(x == 0, 1, x)
        wrong = (x != 0) & (np.floor_divide(product, divisor) != y)
        wrong |= (x == -1) & (y == ir.INT64_MIN)
        wrong |= (y == -1) & (x == ir.INT64_MIN)
    if bool(np.any(wrong)):
        raise _overflow()
    return np.asarray(product)


def _in_range(value: int) -> int:
    if not ir.INT64_MIN <= value <= ir.INT64_MAX:
        raise _overflow()
    return value


def _checked_negative(v: _V) -> _V:
    """``-v``, refused when v holds the smallest 64-bit integer (its negation is not one)."""
    if not isinstance(v, np.ndarray):
        return _in_range(-_int(v))
    if _bound(v) > ir.INT64_MAX:
        raise _overflow()
    return np.negative(v)


def _checked(op: str, a: _V, b: _V) -> _V:
    """``a op b`` as `_arith`, refused (never wrapped) when a result leaves 64 bits. A bound
    from each side's extremes settles almost every case; only beyond it are the entries
    checked one by one."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return _in_range(_SCALAR_ARITH[op](_int(a), _int(b)))
    if op == "*":
        return _checked_multiply(a, b)
    if op in ("+", "-"):
        if _bound(a) + _bound(b) <= ir.INT64_MAX:
            return _arith(op, a, b)
        x: Any = np.asarray(a, dtype=np.int64) if isinstance(a, np.ndarray) else np.int64(_int(a))
        y: Any = np.asarray(b, dtype=np.int64) if isinstance(b, np.ndarray) else np.int64(_int(b))
        with np.errstate(over="ignore"):
            out = np.add(x, y) if op == "+" else np.subtract(x, y)
            # Two's complement: the result's sign differs from both operands' (for `+`), or
            # from the first's while the operands' signs differ (for `-`).
            wrong = ((x ^ out) & ((y if op == "+" else ~y) ^ out)) < 0
        if bool(np.any(wrong)):
            raise _overflow()
        return np.asarray(out)
    if op == "//" and _bound(a) > ir.INT64_MAX:
        divisor: Any = b if isinstance(b, np.ndarray) else _int(b)
        dividend: Any = a if isinstance(a, np.ndarray) else _int(a)
        if bool(np.any(np.equal(divisor, -1) & np.equal(dividend, ir.INT64_MIN))):
            raise _overflow()  # the smallest 64-bit integer // -1
    return _arith(op, a, b)


def _checked_sums(v: NDArray, starts: NDArray, ends: NDArray, sizes: NDArray) -> NDArray:
    """`_run_sums` of int64 ``v``, refused when a household's sum leaves 64 bits."""
    if _bound(v) * (int(sizes.max()) if len(sizes) else 0) <= ir.INT64_MAX:
        return _run_sums(v, starts, ends, np.int64)
    # Exact: the high and low 32 bits summed apart cannot wrap; a sum is out of range only
    # where the high part is, and those few are checked in Python integers.
    high = _run_sums(v >> 32, starts, ends, np.int64)
    low = _run_sums(v & 0xFFFFFFFF, starts, ends, np.int64)
    for index in np.flatnonzero(np.abs(high) >= (1 << 31) - int(sizes.max())):
        _in_range((int(high[index]) << 32) + int(low[index]))
    return _run_sums(v, starts, ends, np.int64)


def _ratio_terms(a: _V, b: _V) -> tuple[_V, _V]:
    """``a / b`` as (n, d) with d > 0 (``0 / 1`` where b is 0)."""
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        n, d = _int(a), _int(b)
        if d == 0:
            return 0, 1
        return (-n, -d) if d < 0 else (n, d)
    x: Any = np.asarray(a, dtype=np.int64) if isinstance(a, np.ndarray) else _int(a)
    y: Any = np.asarray(b, dtype=np.int64) if isinstance(b, np.ndarray) else _int(b)
    if bool(np.any((y < 0) & (x == ir.INT64_MIN))):
        raise _overflow()
    negative, zero = np.less(y, 0), np.equal(y, 0)
    numerators = np.where(zero, 0, np.where(negative, np.negative(x), x)).astype(np.int64)
    denominators = np.where(zero, 1, np.abs(y)).astype(np.int64)
    return numerators, denominators


def _cross_products(left: tuple[_V, _V], right: tuple[_V, _V]) -> tuple[_V, _V]:
    """(a·d, c·b) for ``a / b`` compared with ``c / d``, both divisors positive."""
    (a, b), (c, d) = left, right
    first = a if isinstance(d, int) and d == 1 else _checked_multiply(a, d)
    second = c if isinstance(b, int) and b == 1 else _checked_multiply(c, b)
    return first, second


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}
_SCALAR_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda x, y: bool(x == y),
    "!=": lambda x, y: bool(x != y),
    "<": lambda x, y: bool(x < y),
    "<=": lambda x, y: bool(x <= y),
    ">": lambda x, y: bool(x > y),
    ">=": lambda x, y: bool(x >= y),
}


def _compare(op: str, a: _V, b: _V) -> _V:
    if isinstance(a, _Text) or isinstance(b, _Text):
        if op not in ("==", "!="):
            raise EvaluationError(f"Text cannot be compared with {op}.")
        if isinstance(a, _Text) and isinstance(b, _Text):
            ca, cb, _ = _unify(a, b)
            equal = np.equal(ca, cb)
        else:
            text, scalar = (a, b) if isinstance(a, _Text) else (b, a)
            assert isinstance(text, _Text)
            equal = _text_equals(text, str(scalar))
        return np.asarray(equal if op == "==" else np.logical_not(equal))
    if not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray):
        return _SCALAR_COMPARE[op](a, b)
    return np.asarray(_COMPARE[op](a, b))


def _text_equals(text: _Text, value: str) -> NDArray:
    matches = [i for i, c in enumerate(text.categories) if c == value]
    if len(matches) == 1:  # the usual case: comparing the codes is faster than a look-up
        return np.equal(text.codes, matches[0])
    table = np.array([c == value for c in text.categories], dtype=bool)
    out: NDArray = table[text.codes]
    return out


def _unify(a: _Text | str, b: _Text | str) -> tuple[Any, Any, tuple[str, ...]]:
    """Codes of ``a`` and ``b`` into one shared tuple of categories (scalars become one code)."""
    if isinstance(a, _Text) and isinstance(b, _Text) and a.categories == b.categories:
        return a.codes, b.codes, a.categories
    categories: dict[str, int] = {}
    for side in (a, b):
        for c in side.categories if isinstance(side, _Text) else (side,):
            categories.setdefault(c, len(categories))

    def recode(side: _Text | str) -> Any:
        if isinstance(side, _Text):
            table = np.array([categories[c] for c in side.categories], dtype=np.int32)
            return table[side.codes]
        return categories[side]

    return recode(a), recode(b), tuple(categories)


def _where(test: NDArray, then: _V, orelse: _V) -> _V:
    if isinstance(then, _Text | str) and isinstance(orelse, _Text | str):
        ca, cb, categories = _unify(then, orelse)
        return _Text(np.where(test, ca, cb), categories)
    a: Any = then
    b: Any = orelse
    out: NDArray = np.where(test, a, b)
    return out


def _member_of(item: _V, options: list[_V]) -> _V:
    scalars = [o for o in options if not isinstance(o, np.ndarray | _Text)]
    vectors = [o for o in options if isinstance(o, np.ndarray | _Text)]
    found: Any
    if isinstance(item, _Text):
        wanted = {str(s) for s in scalars}
        table = np.array([c in wanted for c in item.categories], dtype=bool)
        found = table[item.codes]
    elif isinstance(item, np.ndarray):
        if len(scalars) > 8:
            found = np.isin(item, np.array(scalars, dtype=item.dtype))
        else:  # a few options: comparisons are faster than np.isin's sort
            found = np.zeros(len(item), dtype=bool)
            for option in scalars:
                found |= item == option
    else:
        found = any(item == s for s in scalars)
    for vector in vectors:
        same: Any = _compare("==", item, vector)
        found = np.logical_or(found, same)
    return bool(found) if isinstance(found, bool) else np.asarray(found)


def _reduce(  # noqa: PLR0911
    func: str, v: _V | None, starts: NDArray, ends: NDArray, sizes: NDArray
) -> _V:
    """``func`` over each run ``starts[i] … ends[i]`` (``sizes[i]`` long) of ``v`` (runs are
    never empty)."""
    if func == "count":
        if v is None:
            return sizes.astype(np.int64)
        if not isinstance(v, np.ndarray):
            return sizes.astype(np.int64) if v else np.zeros(len(sizes), dtype=np.int64)
        return _run_sums(v, starts, ends, np.int32).astype(np.int64)
    if v is None:
        raise EvaluationError(f"{func}() needs an expression.")
    if not isinstance(v, np.ndarray):
        if func == "sum":
            return _checked_multiply(sizes.astype(np.int64), _int(v))
        return v  # any, all, min, max of the same value
    if func == "sum":
        return _checked_sums(np.asarray(v, dtype=np.int64), starts, ends, sizes)
    if func == "any":
        return _run_sums(v, starts, ends, np.int32) > 0
    if func == "all":
        return np.equal(_run_sums(v, starts, ends, np.int32), sizes)
    if func == "min":
        return np.minimum.reduceat(v, starts)
    if func == "max":
        return np.maximum.reduceat(v, starts)
    raise EvaluationError(f"Unknown aggregate {func}().")


def _run_sums(v: NDArray, starts: NDArray, ends: NDArray, dtype: Any) -> NDArray:
    """The sum of each run of ``v``: cumulative sums, differenced at the run ends (exact in
    two's complement even if the running sum wraps)."""
    total = np.cumsum(v, dtype=dtype)
    out: NDArray = total[ends - 1]
    out[1:] -= total[starts[1:] - 1]
    return out

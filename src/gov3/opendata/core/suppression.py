"""Small-cell suppression for published statistics, with protection against secondary
disclosure: a suppressed cell must not be recoverable from the published cells and total.

A table here is one column of figures by category, published with its total. Counts from 1
to ``threshold - 1`` are suppressed (primary suppression); zeros are published. Then, while a
suppressed cell could still be worked out, more cells are suppressed (secondary suppression),
the smallest first:

* **counts**: every suppressed cell is at least 1 (zeros are published, so a reader knows
  that), so with ``k`` suppressed cells whose sum is ``S`` (= total - the published cells),
  each lies in ``[1, S - (k - 1)]``. No cell is pinned to one value iff ``k ≥ 2`` and
  ``S ≥ k + 1``.
* **sums of money** (e.g. the change in cost of a group): a sum is suppressed where fewer
  than ``threshold`` people contribute to it; a sum can be any whole number, so two
  suppressed sums under a published total are never pinned.

If no cell is left to add, the total is suppressed too. Nothing else is published from the
same figures (tables that add up across columns would need cross-column protection).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K")


@dataclass(frozen=True)
class Published(Generic[K]):
    """A column as published: each cell's figure or None (suppressed), and the total."""

    cells: dict[K, int | None]
    total: int | None


def _protected_counts(values: Mapping[K, int], hidden: set[K], total: int) -> bool:
    if not hidden:
        return True
    shown = sum(v for k, v in values.items() if k not in hidden)
    rest = total - shown
    return len(hidden) >= 2 and rest >= len(hidden) + 1


def suppress_counts(values: Mapping[K, int], threshold: int) -> Published[K]:
    """Publish counts ≥ 0 by category with their total, none of 1 … threshold-1 shown and
    none recoverable."""
    if any(v < 0 for v in values.values()):
        raise ValueError("counts cannot be negative")
    total = sum(values.values())
    if 0 < total < threshold:
        return Published({k: (0 if v == 0 else None) for k, v in values.items()}, None)
    hidden = {k for k, v in values.items() if 0 < v < threshold}
    order = sorted((v, str(k), k) for k, v in values.items() if v > 0 and k not in hidden)
    while not _protected_counts(values, hidden, total):
        if not order:
            return Published({k: (0 if v == 0 else None) for k, v in values.items()}, None)
        hidden.add(order.pop(0)[2])
    return Published({k: (None if k in hidden else v) for k, v in values.items()}, total)


def suppress_sums(
    sums: Mapping[K, int], contributors: Mapping[K, int], threshold: int
) -> Published[K]:
    """Publish sums (any sign) by category with their total: a sum with 1 … threshold-1
    contributors is suppressed, and a second one (the fewest contributors) if it would be
    alone; with fewer than ``threshold`` contributors in all, the total too."""
    everyone = sum(contributors.values())
    total = sum(sums.values())
    if 0 < everyone < threshold:
        return Published({k: (None if contributors[k] else sums[k]) for k in sums}, None)
    hidden = {k for k in sums if 0 < contributors[k] < threshold}
    if len(hidden) == 1:
        others = sorted(
            (contributors[k], str(k), k) for k in sums if contributors[k] > 0 and k not in hidden
        )
        if not others:
            return Published({k: (None if contributors[k] else sums[k]) for k in sums}, None)
        hidden.add(others[0][2])
    return Published({k: (None if k in hidden else sums[k]) for k in sums}, total)

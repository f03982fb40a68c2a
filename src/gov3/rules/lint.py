"""Warnings about rules that are valid but probably not what the law says.

`gov3 rules check` prints them after checking a pack. Today one: a floor division ``//``
inside a comparison. ``income // size <= limit`` admits a household up to ``size - 1`` over
the per-member limit (10 in a household of 3 is "3 per member"); ``income / size <= limit``
compares the exact ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

from gov3.rules import ir
from gov3.rules.pack import RulePack


@dataclass(frozen=True)
class RuleWarning:
    """One warning: where (file, line, column of the comparison) and what."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def _floor_division(node: ir.Node) -> str | None:
    """How `node` reaches a ``//``: "" when written in it, the derived variable's name when
    through one, None when it has none."""
    match node:
        case ir.Arith(op="//"):
            return ""
        case ir.Derived(name=name, expr=expr):
            return None if _floor_division(expr) is None else name
        case ir.Aggregate():
            return None  # a division per member, summed: not a ratio compared
    for child in ir.children(node):
        found = _floor_division(child)
        if found is not None:
            return found
    return None


def floor_division_warnings(pack: RulePack) -> list[RuleWarning]:
    """Every comparison of a service that compares a value rounded down by ``//``."""
    found: list[RuleWarning] = []
    for service in pack.services.values():
        roots = [service.eligible] + ([service.amount] if service.amount is not None else [])
        seen: set[tuple[int, int]] = set()
        for root in roots:
            for node in ir.walk(root):
                if not isinstance(node, ir.Compare):
                    continue
                via = [_floor_division(node.left), _floor_division(node.right)]
                if all(v is None for v in via) or (node.pos.line, node.pos.column) in seen:
                    continue
                seen.add((node.pos.line, node.pos.column))
                through = next(v for v in via if v is not None)
                what = f"`{through}` (defined with `//`)" if through else "`//`"
                found.append(
                    RuleWarning(
                        service.file,
                        node.pos.line,
                        node.pos.column,
                        f"service `{service.id}` compares {what}, which rounds down: the "
                        "comparison is not exact (write `a / b` to compare the exact ratio)",
                    )
                )
    return found

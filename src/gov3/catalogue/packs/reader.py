"""Reading YAML node by node with line numbers (`_Reader`): every value checked, every problem
collected with where it is.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from gov3.catalogue.packs.contents import PackProblem, Source
from gov3.rules.pack import SAFE_LOADER  # libyaml's parser when PyYAML has it, one definition

#: How far a set of shares may be from 1 (the published tables are rounded to 0.1 %).
SHARE_TOLERANCE = 0.005


class _Reader:
    """Reads one YAML document node by node, collecting problems with their line numbers."""

    def __init__(self, file: str, problems: list[PackProblem]) -> None:
        self.file = file
        self.problems = problems
        self._constructor = SafeConstructor()

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(PackProblem(self.file, line, message))

    def compose(self, path: Path) -> yaml.Node | None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            self.problems.append(PackProblem(self.file, None, f"cannot read the file: {exc}"))
            return None
        try:
            node = yaml.compose(text, Loader=SAFE_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = mark.line + 1 if mark is not None else None
            self.problems.append(PackProblem(self.file, line, f"not valid YAML: {exc.problem}"))
            return None
        if node is None:
            self.problems.append(PackProblem(self.file, 1, "the file is empty"))
        return node

    def mapping(self, node: yaml.Node | None, where: str) -> dict[str, yaml.Node] | None:
        if node is None:
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{where} must be a mapping of keys to values")
            return None
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                self.problem(key_node, f"duplicate key {key!r} in {where}")
            result[key] = value_node
        return result

    def key(
        self,
        mapping: dict[str, yaml.Node] | None,
        key: str,
        owner: yaml.Node | None,
        where: str,
        *,
        required: bool = True,
    ) -> yaml.Node | None:
        if mapping is None:
            return None
        node = mapping.get(key)
        if node is None and required:
            self.problem(owner, f"missing required key {key!r} in {where}")
        return node

    def value(self, node: yaml.Node | None) -> Any:
        if node is None:
            return None
        try:
            return self._constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self.problem(node, f"cannot read the value: {exc.problem}")
            return None

    def text(self, node: yaml.Node | None, where: str, *, allow_empty: bool = False) -> str | None:
        if node is None:
            return None
        value = self.value(node)
        if not isinstance(value, str) or (not value.strip() and not allow_empty):
            self.problem(node, f"{where} must be a non-empty text")
            return None
        return value

    def integer(
        self, node: yaml.Node | None, where: str, low: int, high: int | None = None
    ) -> int | None:
        if node is None:
            return None
        value = self.value(node)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(node, f"{where} must be a whole number")
            return None
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(node, f"{where} must be {bounds}, not {value}")
            return None
        return int(value)

    def number(self, node: yaml.Node | None, where: str, low: float, high: float) -> float | None:
        if node is None:
            return None
        value = self.value(node)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.problem(node, f"{where} must be a number")
            return None
        if not low <= value <= high:
            self.problem(node, f"{where} must be between {low} and {high}, not {value}")
            return None
        return float(value)

    def share(self, node: yaml.Node | None, where: str) -> float | None:
        return self.number(node, where, 0.0, 1.0)

    def sequence(self, node: yaml.Node | None, where: str) -> list[yaml.Node] | None:
        if node is None:
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{where} must be a list")
            return None
        if not node.value:
            self.problem(node, f"{where} must not be empty")
            return None
        return list(node.value)

    def source(
        self, mapping: dict[str, yaml.Node] | None, owner: yaml.Node | None, where: str, key: str
    ) -> Source | None:
        node = self.key(mapping, key, owner, where)
        fields = self.mapping(node, f"{where}.{key}")
        title = self.text(self.key(fields, "title", node, f"{where}.{key}"), f"{where}.{key}.title")
        url = self.text(self.key(fields, "url", node, f"{where}.{key}"), f"{where}.{key}.url")
        if url is not None and not url.startswith(("https://", "http://")):
            self.problem(
                fields["url"] if fields else node, f"{where}.{key}.url must be a web address"
            )
            return None
        if title is None or url is None:
            return None
        return Source(title=title.strip(), url=url)


def _check_sum(reader: _Reader, node: yaml.Node | None, where: str, shares: list[float]) -> None:
    total = sum(shares)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        reader.problem(node, f"the shares in {where} add up to {total:.4f}, not 1")

"""Facts a country pack declares: ``countries/<cc>/facts.yaml``.

A rule can read the built-in facts (`rules.facts.BASE_FACTS`) and any fact a pack declares here
with its type, its default (what a person the register holds nothing about has), the register
it comes from and the reader that reads it (`gov3.registry.readers`, with its options)::

    registers:
      vaccination: {en: vaccination register, ko: 예방접종 등록, vi: cơ sở dữ liệu tiêm chủng}
    facts:
      last_influenza_vaccination:
        type: date
        default: 1900-01-01
        register: vaccination
        reader: latest_vaccination
        options: {vaccine: influenza}

One declaration serves every reading: explain (the ORM, one household), the SQL relation of
everyone's facts, and the Parquet snapshot written from it; the evaluators see one more column.
A new register is this data plus one reader, not an edit of the engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from gov3.rules.errors import RulesError
from gov3.rules.facts import Fact, FactDeclarationError, declare
from gov3.rules.ir import Type

if TYPE_CHECKING:
    from gov3.rules.pack import _Files

FILE = "facts.yaml"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: Reader options go into SQL as literals: plain words only.
_OPTION = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def read_facts(files: _Files, path: Path) -> list[str]:
    """Declare the facts of `path` (problems go to `files`, and then none is declared); the
    names declared."""
    root = files.open(path)
    if root is None:
        return []
    top = files.mapping(root, FILE)
    if top is None or not files.keys(root, top, ("facts",), ("registers",), FILE):
        return []
    registers: dict[str, dict[str, str]] = {}
    listed = files.mapping(top["registers"], "registers") if "registers" in top else {}
    for name, node in (listed or {}).items():
        labels = files.labels(node, f"register `{name}`")
        if labels is not None:
            registers[name] = labels
    problems = len(files.problems)
    found = {}
    for name, node in (files.mapping(top["facts"], "facts") or {}).items():
        fact = _read_fact(files, name, node)
        if fact is not None:
            found[name] = (fact, node)
    if len(files.problems) > problems:
        return []  # a file with a problem declares nothing
    names = []
    for name, (fact, node) in found.items():
        try:
            declare(name, fact, registers.get(fact.source))
        except FactDeclarationError as error:
            files.problem(node, str(error))
            continue
        names.append(name)
    return names


def _read_fact(files: _Files, name: str, node: yaml.Node) -> Fact | None:
    what = f"fact `{name}`"
    if not _NAME.match(name):
        files.problem(node, f"{what}: a fact's name is lower-case words joined by _")
        return None
    spec = files.mapping(node, what)
    required = ("type", "default", "register", "reader")
    if spec is None or not files.keys(node, spec, required, ("values", "options"), what):
        return None
    kind = files.choice(spec["type"], tuple(Type), f"{what} type")
    source = files.text(spec["register"], f"{what} register")
    reader = files.text(spec["reader"], f"{what} reader")
    if kind is None or source is None or reader is None:
        return None
    default = files.typed(spec["default"], Type(kind), f"{what} default")
    values = _values(files, spec, Type(kind), what)
    options = _options(files, spec, what)
    if default is None or values is None or options is None:
        return None
    if values and default not in values:
        files.problem(spec["default"], f"{what}: the default must be one of the values")
        return None
    return Fact(Type(kind), default, source, values, reader, tuple(sorted(options.items())))


def _values(
    files: _Files, spec: Mapping[str, yaml.Node], kind: Type, what: str
) -> tuple[str, ...] | None:
    if "values" not in spec:
        return ()
    node = spec["values"]
    if kind is not Type.TEXT or not isinstance(node, yaml.SequenceNode):
        files.problem(node, f"{what}: `values` is a list, for a text fact only")
        return None
    return tuple(str(item.value) for item in node.value)


def _options(files: _Files, spec: Mapping[str, yaml.Node], what: str) -> dict[str, str] | None:
    """The reader's options: plain words (they reach SQL as literals)."""
    if "options" not in spec:
        return {}
    options: dict[str, str] = {}
    for key, value in (files.mapping(spec["options"], f"{what} options") or {}).items():
        text = files.text(value, f"{what} option `{key}`")
        if text is None:
            return None
        if not (_OPTION.match(key) and _OPTION.match(text)):
            files.problem(value, f"{what} option `{key}`: plain words only (letters, digits, _)")
            return None
        options[key] = text
    return options


def declare_pack_facts(directory: Path | str) -> list[str]:
    """Declare the facts of the pack in `directory` (none without a ``facts.yaml``): what a
    process does at start-up for its installed pack, before reading any register."""
    from gov3.rules.pack import _Files  # noqa: PLC0415 - the pack loader imports this module

    root = Path(directory)
    path = root / FILE
    if not path.exists():
        return []
    files = _Files(root)
    names = read_facts(files, path)
    if files.problems:
        raise RulesError(files.problems)
    return names

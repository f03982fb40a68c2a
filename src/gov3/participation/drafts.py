"""Draft versions of country-pack files: load a pack with some files replaced (refused with
every problem's file:line:column, as `gov3 rules check`), write a parameter change as a new
dated value, and install an adopted draft into the pack."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path, PurePosixPath

import yaml

from gov3.core.errors import ValidationFailedError
from gov3.rules.errors import RulesError
from gov3.rules.pack import RulePack, load_rules

#: The pack files a draft may replace.
DRAFTABLE = ("services/", "parameters/")


def _safe_path(path: str) -> PurePosixPath:
    pure = PurePosixPath(path)
    if (
        pure.is_absolute()
        or ".." in pure.parts
        or not path.startswith(DRAFTABLE)
        or pure.suffix != ".yaml"
        or len(pure.parts) != 2
    ):
        raise ValidationFailedError(
            f"{path}: a draft may only replace services/<name>.yaml or parameters/<name>.yaml"
        )
    return pure


def load_draft(pack_dir: Path, files: Mapping[str, str]) -> RulePack:
    """The pack at ``pack_dir`` with ``files`` (path inside the pack → text) replaced, loaded
    and checked; a pack that does not load is refused with every problem's file:line:column
    (the paths are the pack's own, e.g. services/basic_pension.yaml:12:5)."""
    for path in files:
        _safe_path(path)
    with tempfile.TemporaryDirectory(prefix="gov3-draft-") as work:
        copy = Path(work) / pack_dir.name
        shutil.copytree(pack_dir, copy)
        for path, text in files.items():
            (copy / path).write_text(text, encoding="utf-8")
        try:
            return load_rules(copy)
        except RulesError as error:
            prefix = (str(copy) + os.sep, f"{copy.name}/")
            lines = []
            for problem in error.problems:
                where = str(problem)
                for start in prefix:
                    where = where.removeprefix(start)
                lines.append(where)
            raise ValidationFailedError(
                "The draft does not load; nothing was published:\n" + "\n".join(lines)
            ) from None


def parameter_change(
    pack_dir: Path,
    *,
    service_file: str,
    new_version: str,
    values: Mapping[str, int],
    valid_from: date,
    source_title: str,
    source_url: str,
) -> dict[str, str]:
    """The draft files for new values of parameters (``group.name`` → value) from
    ``valid_from``: each value appended to its parameter's dated values (the file's comments
    and layout kept), and the service's version changed so that `gov3 offers publish`
    re-evaluates it."""
    files: dict[str, str] = {}
    for path, value in values.items():
        group, _, name = path.partition(".")
        relative = f"parameters/{group}.yaml"
        text = files.get(relative) or (pack_dir / relative).read_text(encoding="utf-8")
        files[relative] = _append_value(
            text,
            group=group,
            name=name,
            value=value,
            valid_from=valid_from,
            title=source_title,
            url=source_url,
        )
    relative = f"services/{service_file}"
    service = (pack_dir / relative).read_text(encoding="utf-8")
    files[relative] = _replace_version(service, new_version)
    return files


def _append_value(
    text: str, *, group: str, name: str, value: int, valid_from: date, title: str, url: str
) -> str:
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        raise ValidationFailedError(f"parameters/{group}.yaml is not a mapping")
    group_node = next((v for k, v in root.value if k.value == group), None)
    param_node = (
        next((v for k, v in group_node.value if k.value == name), None)
        if isinstance(group_node, yaml.MappingNode)
        else None
    )
    values_node = (
        next((v for k, v in param_node.value if k.value == "values"), None)
        if isinstance(param_node, yaml.MappingNode)
        else None
    )
    if not isinstance(values_node, yaml.SequenceNode) or not values_node.value:
        raise ValidationFailedError(f"There is no parameter params.{group}.{name} to change.")
    indent = " " * values_node.value[-1].start_mark.column
    lines = text.splitlines(keepends=True)
    # a block sequence ends where the next key begins; leave the blank lines before it
    end_line = min(values_node.end_mark.line, len(lines))
    while end_line > 0 and not lines[end_line - 1].strip():
        end_line -= 1
    quoted_title = title.replace('"', "'")
    entry = (
        f"{indent[:-2]}- from: {valid_from.isoformat()}\n"
        f"{indent}value: {value}\n"
        f'{indent}source: {{title: "{quoted_title}", url: "{url}"}}\n'
    )
    return "".join([*lines[:end_line], entry, *lines[end_line:]])


def _replace_version(text: str, new_version: str) -> str:
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if line.startswith("version:"):
            lines[number] = f'version: "{new_version}"\n'
            return "".join(lines)
    raise ValidationFailedError("The service file has no version line.")


def install(pack_dir: Path, files: Mapping[str, str]) -> None:
    """Write an adopted draft into the pack: each file under a temporary name, then moved
    into place."""
    for path, text in files.items():
        target = pack_dir / _safe_path(path)
        temporary = target.with_suffix(".yaml.adopting")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)

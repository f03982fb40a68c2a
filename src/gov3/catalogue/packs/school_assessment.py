"""schools/assessment.yaml: the terms of a school year, the subjects a class teacher records and
the result scale of each school level (docs/schools.md "Term assessment records"). Checked with
the rest of the pack: every problem names the file, the key (``subjects.maths``) and its line.

The runtime reader is `gov3.schools.work.assessment.parse_spec`; this check is stricter (every
label in each of the pack's languages, a source, a scale for each level the pack's schools have)
so that a pack that passes `gov3 country check` never fails there.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import yaml

from gov3.catalogue.packs.contents import PackProblem

ASSESSMENT_FILE = "assessment.yaml"
RESULT_KINDS = ("levels", "text", "marks")
#: The longest written description a pack may allow (the database column is text, but a
#: transcript table has to print it).
MAX_TEXT_LENGTH = 2000


class _Lines:
    """The line (1-based) of each key path of a YAML mapping, from its composed node tree."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.lines: dict[tuple[str, ...], int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple[str, ...]) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.lines[(*path, str(key.value))] = key.start_mark.line + 1
                self._walk(value, (*path, str(key.value)))
                self.lines[(*path, str(key.value))] = key.start_mark.line + 1

    def of(self, path: tuple[str, ...]) -> int | None:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)


class _Check:
    def __init__(self, file: str, lines: _Lines, problems: list[PackProblem]) -> None:
        self.file = file
        self.lines = lines
        self.problems = problems

    def problem(self, path: tuple[str, ...], message: str) -> None:
        key = ".".join(path)
        self.problems.append(PackProblem(self.file, self.lines.of(path), f"{key}: {message}"))

    def labels(self, path: tuple[str, ...], value: Any, languages: Sequence[str]) -> None:
        if not isinstance(value, dict):
            self.problem(path, f"must be labels in {', '.join(languages)}, e.g. {{en: ...}}")
            return
        missing = [lang for lang in languages if not str(value.get(lang) or "").strip()]
        if missing:
            self.problem(path, f"needs a label in {', '.join(missing)}")

    def source(self, value: Any) -> None:
        if not isinstance(value, dict):
            self.problem(("source",), "needs a title and a url")
            return
        if not str(value.get("title") or "").strip():
            self.problem(("source", "title"), "must not be empty")
        url = str(value.get("url") or "")
        if not url.startswith(("https://", "http://")):
            self.problem(("source", "url"), "must be an http(s) address")

    def terms(self, value: Any, languages: Sequence[str]) -> None:
        if not isinstance(value, dict) or not value:
            self.problem(("terms",), "must map each term number (1, 2, ...) to its labels")
            return
        numbers = []
        for key, labels in value.items():
            if not isinstance(key, int) or isinstance(key, bool) or key < 1:
                self.problem(("terms", str(key)), "a term is a number 1, 2, ...")
                continue
            numbers.append(key)
            self.labels(("terms", str(key)), labels, languages)
        if numbers and sorted(numbers) != list(range(1, len(numbers) + 1)):
            self.problem(("terms",), f"terms must be numbered 1 to {len(numbers)}")

    def subjects(self, value: Any, languages: Sequence[str]) -> None:
        if not isinstance(value, dict) or not value:
            self.problem(("subjects",), "must map each subject code to its labels")
            return
        for key, labels in value.items():
            code = str(key)
            if not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 40:
                self.problem(("subjects", code), "a subject code is letters, digits and '_'")
                continue
            self.labels(("subjects", code), labels, languages)

    def results(self, value: Any, levels: Collection[str], school_levels: Sequence[str]) -> None:
        if not isinstance(value, dict) or not value:
            self.problem(("results",), "must give the result scale of each school level")
            return
        for key, scale in value.items():
            level = str(key)
            path = ("results", level)
            if level not in school_levels:
                self.problem(path, f"unknown school level; use {', '.join(school_levels)}")
                continue
            if not isinstance(scale, dict) or scale.get("kind") not in RESULT_KINDS:
                self.problem((*path, "kind"), f"must be one of {', '.join(RESULT_KINDS)}")
                continue
            if scale["kind"] == "levels":
                self._levels(path, scale.get("levels"))
            elif scale["kind"] == "marks":
                self._marks(path, scale)
            else:
                length = scale.get("max_length")
                if (
                    not isinstance(length, int)
                    or isinstance(length, bool)
                    or not 1 <= length <= MAX_TEXT_LENGTH
                ):
                    self.problem(
                        (*path, "max_length"), f"must be a number from 1 to {MAX_TEXT_LENGTH}"
                    )
        for level in sorted(set(levels) - {str(k) for k in value}):
            self.problem(("results",), f"no result scale for the {level} schools of schools.csv")

    def _marks(self, path: tuple[str, ...], scale: dict[str, Any]) -> None:
        low, high, decimals = scale.get("min"), scale.get("max"), scale.get("decimals", 1)
        numbers = [v for v in (low, high) if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) != 2 or not 0 <= numbers[0] < numbers[1] <= 1000:
            self.problem(path, "marks need min and max, 0 <= min < max <= 1000")
        if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 2:
            self.problem((*path, "decimals"), "must be 0, 1 or 2")
        if "levels" in scale:
            self._levels(path, scale.get("levels"))

    def _levels(self, path: tuple[str, ...], items: Any) -> None:
        if not isinstance(items, list) or not items:
            self.problem((*path, "levels"), "must list the results, best first")
            return
        names = [str(item).strip() for item in items]
        if any(not name for name in names):
            self.problem((*path, "levels"), "a result must not be empty")
        elif len(set(names)) != len(names):
            self.problem((*path, "levels"), "a result is listed twice")
        elif any(len(name) > 40 for name in names):
            self.problem((*path, "levels"), "a result is at most 40 characters")


def check_assessment(
    folder: Path,
    languages: Sequence[str],
    levels: Collection[str],
    school_levels: Sequence[str],
    problems: list[PackProblem],
) -> None:
    """Check ``folder/assessment.yaml``; ``levels`` are the school levels of the pack's
    schools (each needs a result scale)."""
    path = folder / ASSESSMENT_FILE
    file = str(path)
    if not path.is_file():
        problems.append(
            PackProblem(
                file, None, "missing: the terms, subjects and result scales teachers record"
            )
        )
        return
    try:
        source = path.read_text(encoding="utf-8")
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(source)
    except (OSError, yaml.YAMLError) as exc:
        problems.append(PackProblem(file, None, f"cannot read the file: {exc}"))
        return
    if not isinstance(raw, dict):
        problems.append(PackProblem(file, 1, "the file must be a mapping"))
        return
    check = _Check(file, _Lines(node), problems)
    check.terms(raw.get("terms"), languages)
    check.subjects(raw.get("subjects"), languages)
    check.results(raw.get("results"), levels, school_levels)
    check.source(raw.get("source"))

"""`gov3 country check` checks schools/assessment.yaml: each problem with its file, key and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gov3.catalogue.packs import PackError, load_pack

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("code", ["kr", "vn"])
def test_the_shipped_packs_pass(code: str) -> None:
    assert load_pack(ROOT / "countries" / code).schools is not None


def _broken(tmp_path: Path, old: str, new: str) -> str:
    pack = tmp_path / "kr"
    shutil.copytree(ROOT / "countries" / "kr", pack)
    path = pack / "schools" / "assessment.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    line = next(i for i, row in enumerate(path.read_text().splitlines(), 1) if new in row)
    message = str(caught.value)
    assert "assessment.yaml" in message
    return message.replace(str(path), "assessment.yaml").replace(f":{line}:", ":LINE:")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "1: {ko: 1학기, en: Term 1, vi: Học kỳ 1}",
            "1: {ko: 1학기, vi: Học kỳ 1}",
            "assessment.yaml:LINE: terms.1: needs a label in en",
        ),
        (
            "2: {ko: 2학기, en: Term 2, vi: Học kỳ 2}",
            "3: {ko: 3학기, en: Term 3, vi: Học kỳ 3}",
            "terms: terms must be numbered 1 to 2",
        ),
        (
            "  2: {ko: 2학기",
            "  second: {ko: 2학기",
            "assessment.yaml:LINE: terms.second: a term is a number 1, 2, ...",
        ),
        (
            "maths: {ko: 수학, en: Mathematics, vi: Toán}",
            "maths: {en: Mathematics, vi: Toán}",
            "assessment.yaml:LINE: subjects.maths: needs a label in ko",
        ),
        (
            "music: {ko: 음악, en: Music, vi: Âm nhạc}",
            "music: 음악",
            "assessment.yaml:LINE: subjects.music: must be labels in ko, en",
        ),
        (
            "  primary: {kind: text, max_length: 500}",
            "  primary: {kind: text, max_length: 0}",
            "assessment.yaml:LINE: results.primary.max_length: must be a number from 1 to 2000",
        ),
        (
            "  middle: {kind: levels, levels: [A, B, C, D, E]}",
            "  middle: {kind: levels, levels: []}",
            "assessment.yaml:LINE: results.middle.levels: must list the results, best first",
        ),
        (
            "  middle: {kind: levels, levels: [A, B, C, D, E]}",
            "  middle: {kind: levels, levels: [A, B, A]}",
            "results.middle.levels: a result is listed twice",
        ),
        (
            "  high: {kind: levels, levels: [A, B, C, D, E]}",
            "  high: {kind: grades, levels: [A, B, C, D, E]}",
            "assessment.yaml:LINE: results.high.kind: must be one of levels, text",
        ),
        (
            "  high: {kind: levels, levels: [A, B, C, D, E]}",
            "  college: {kind: levels, levels: [A, B, C, D, E]}",
            "assessment.yaml:LINE: results.college: unknown school level",
        ),
        (
            '  url: "https://www.law.go.kr/행정규칙/학교생활기록작성및관리지침"',
            '  url: "www.law.go.kr"',
            "assessment.yaml:LINE: source.url: must be an http(s) address",
        ),
    ],
)
def test_each_kind_of_error_names_the_file_and_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert expected in _broken(tmp_path, old, new)


def test_a_school_level_without_a_scale_and_a_missing_file(tmp_path: Path) -> None:
    pack = tmp_path / "kr"
    shutil.copytree(ROOT / "countries" / "kr", pack)
    path = pack / "schools" / "assessment.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  primary: {kind: text, max_length: 500}\n", ""), "utf-8")
    with pytest.raises(PackError, match=r"no result scale for the primary schools of schools\.csv"):
        load_pack(pack)
    path.unlink()
    with pytest.raises(PackError, match=r"assessment\.yaml:-: missing"):
        load_pack(pack)


def test_a_marks_scale_needs_a_range_and_decimals(tmp_path: Path) -> None:
    message = _broken(
        tmp_path,
        "  high: {kind: levels, levels: [A, B, C, D, E]}",
        "  high: {kind: marks, min: 10, max: 0, decimals: 3}",
    )
    assert "assessment.yaml:LINE: results.high: marks need min and max, 0 <= min < max" in message
    assert "assessment.yaml:LINE: results.high.decimals: must be 0, 1 or 2" in message

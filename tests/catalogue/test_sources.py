"""Where amounts come from (issue 14, item 3): a value's check status is a field of its own —
officers and `gov3 rules check` see it, citizens see clean titles — and a source not written in
English has an English title."""

from __future__ import annotations

import re
import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from gov3.catalogue.sources import unchecked_values
from gov3.rules.errors import RulesError
from gov3.rules.pack import load_rules

COUNTRIES = Path(__file__).resolve().parents[2] / "countries"
MINIPACK = Path(__file__).resolve().parents[1] / "rules" / "minipack"
# The working notes that used to sit in titles shown to the public.
WORKING_NOTE = re.compile(
    r"verify|secondary sources|several .* agree|보도로만|확인 필요|가정\b|미반영|근사", re.I
)
NOT_ENGLISH = re.compile(r"[^\x00-\x7f\u2013\u2014\u2019]")


def _pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "xx"
    shutil.copytree(MINIPACK, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_source_carries_its_english_title_status_and_note(tmp_path: Path) -> None:
    pack_dir = _pack_copy(tmp_path)
    _edit(
        pack_dir / "parameters" / "pension.yaml",
        'source: {title: "Notice 2025", url: "https://example.org/2025"}',
        'source: {title: "고시 2025", title_en: "Notice 2025", url: "https://example.org/2025", '
        'status: secondary, note: "two newspapers agree"}',
    )
    pack = load_rules(pack_dir)
    dated = pack.params["pension.amount"].at(date(2025, 6, 1))
    assert (dated.source_title, dated.source_title_en) == ("고시 2025", "Notice 2025")
    assert (dated.status, dated.note) == ("secondary", "two newspapers agree")
    assert pack.params["pension.age"].at(date(2025, 6, 1)).status == "official"  # the default
    found = [str(v) for v in unchecked_values(pack)]
    assert found == [
        "params.pension.amount from 2025-01-01: source secondary — two newspapers agree "
        "(https://example.org/2025)"
    ]


def test_an_unknown_status_is_refused_where_it_is_written(tmp_path: Path) -> None:
    pack_dir = _pack_copy(tmp_path)
    _edit(
        pack_dir / "parameters" / "pension.yaml",
        'source: {title: "Act", url: "https://example.org/act"}',
        'source: {title: "Act", url: "https://example.org/act", status: probably}',
    )
    with pytest.raises(RulesError) as caught:
        load_rules(pack_dir)
    assert "pension.yaml:8:" in str(caught.value)
    assert "must be one of official, secondary, unverified (found `probably`)" in str(caught.value)


def test_unchecked_values_that_ended_before_a_day_are_left_out() -> None:
    pack = load_rules(COUNTRIES / "kr")
    now = {(v.path, v.value.valid_from) for v in unchecked_values(pack, since=date(2026, 3, 16))}
    every = {(v.path, v.value.valid_from) for v in unchecked_values(pack)}
    # the 2025 single-person threshold was seen only in secondary sources; 2026's replaced it
    single_2025 = ("basic_pension.income_limit_single", date(2025, 1, 1))
    assert single_2025 in every
    assert single_2025 not in now
    assert ("passport.fee", date(2021, 12, 21)) in now  # in force, not checked against the decree


@pytest.mark.parametrize("country", ["kr", "vn"])
def test_source_titles_are_clean_and_foreign_ones_have_an_english_title(country: str) -> None:
    pack = load_rules(COUNTRIES / country)
    for path, parameter in pack.params.items():
        for dated in parameter.values:
            assert not WORKING_NOTE.search(dated.source_title), (path, dated.source_title)
            if NOT_ENGLISH.search(dated.source_title):
                assert dated.source_title_en, (path, dated.source_title)
                assert not NOT_ENGLISH.search(dated.source_title_en.replace("Đ", "")), path


@pytest.mark.django_db
def test_rules_check_warns_about_values_not_checked_against_the_official_text() -> None:
    out, err = StringIO(), StringIO()
    call_command("rules", "check", "kr", stdout=out, stderr=err)
    assert "all checked" in out.getvalue()
    assert "rest on sources not checked against the official text" in out.getvalue()
    assert (
        "warning: params.passport.fee from 2021-12-21: source unverified — check the annexed "
        "table in force" in err.getvalue()
    )

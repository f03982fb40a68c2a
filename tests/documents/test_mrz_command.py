"""`gov3 mrz make` and `gov3 mrz check`, through call_command and one real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

SPECIMEN_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
SPECIMEN_TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
# The specimen with a wrong document number check digit (5 instead of 6).
CORRUPTED_TD3 = [SPECIMEN_TD3[0], "L898902C35" + SPECIMEN_TD3[1][10:]]
SPECIMEN_OPTIONS = [
    "--issuing-state",
    "UTO",
    "--surname",
    "Eriksson",
    "--given-names",
    "Anna María",
    "--number",
    "L898902C3",
    "--nationality",
    "UTO",
    "--birth-date",
    "1974-08-12",
    "--sex",
    "F",
    "--expiry-date",
    "2012-04-15",
]
SPECIMEN_JSON = {
    "issuing_state": "UTO",
    "surname": "Eriksson",
    "given_names": "Anna Maria",
    "number": "L898902C3",
    "nationality": "UTO",
    "birth_date": "1974-08-12",
    "sex": "F",
    "expiry_date": "2012-04-15",
    "optional_data": "ZE184226B",
}
GOV3 = Path(sys.executable).with_name("gov3")


def _run(*args: str, stdin: str = "") -> str:
    out = StringIO()
    call_command("mrz", *args, stdout=out, stdin=StringIO(stdin))
    return out.getvalue()


def test_make_prints_the_td3_specimen() -> None:
    output = _run("make", *SPECIMEN_OPTIONS, "--optional-data", "ZE184226B")
    assert output.splitlines() == SPECIMEN_TD3


def test_make_prints_the_td1_specimen() -> None:
    options = [o if o != "L898902C3" else "D23145890" for o in SPECIMEN_OPTIONS]
    output = _run("make", "--type", "td1", *options)
    assert output.splitlines() == SPECIMEN_TD1


def test_make_uses_the_document_code_given() -> None:
    output = _run("make", "--document-code", "PM", *SPECIMEN_OPTIONS)
    assert output.startswith("PMUTOERIKSSON<<ANNA<MARIA<")


def test_make_reads_the_fields_from_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "fields.json"
    path.write_text(json.dumps(SPECIMEN_JSON), encoding="utf-8")
    assert _run("make", "--json", str(path)).splitlines() == SPECIMEN_TD3


def test_make_reads_the_fields_from_json_on_stdin() -> None:
    fields = {**SPECIMEN_JSON, "type": "td1", "number": "D23145890", "optional_data": ""}
    assert _run("make", "--json", "-", stdin=json.dumps(fields)).splitlines() == SPECIMEN_TD1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"birth_date": "1974-13-12"}, "birth_date: not a date (YYYY-MM-DD): '1974-13-12'"),
        ({"surname": "홍"}, "surname: '홍' (HANGUL SYLLABLE HONG) cannot be transliterated"),
        ({"number": "L898902C3X"}, "number: 'L898902C3X' is longer than 9 characters"),
        ({"sex": "Q"}, "sex: 'Q' is not M, F or X"),
        ({"issuing_state": "U1O"}, "issuing_state: 'U1O' is not a Doc 9303 state code"),
        ({"type": "td2"}, "type: 'td2' is not td3 or td1"),
        ({"surname": None}, "missing field(s): surname"),
        ({"colour": "blue"}, "unknown field(s) colour"),
        ({"optional_data_2": "X"}, "optional_data_2: a passport (td3) has no optional data 2"),
        ({"expiry_date": 20120415}, "expiry_date: give the date as text YYYY-MM-DD"),
    ],
)
def test_make_names_the_field_that_is_wrong(change: dict[str, object], message: str) -> None:
    fields = {**SPECIMEN_JSON, **change}
    with pytest.raises(CommandError) as caught:
        _run("make", "--json", "-", stdin=json.dumps(fields))
    assert message in str(caught.value)


def test_make_refuses_json_that_is_not_an_object_or_not_json() -> None:
    with pytest.raises(CommandError, match="is not JSON"):
        _run("make", "--json", "-", stdin="{not json")
    with pytest.raises(CommandError, match="must hold a JSON object"):
        _run("make", "--json", "-", stdin="[1, 2]")


def test_make_refuses_json_and_options_together() -> None:
    with pytest.raises(CommandError, match="not both"):
        _run("make", "--json", "-", "--surname", "X", stdin=json.dumps(SPECIMEN_JSON))


def test_make_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        _run("make", "--json", str(tmp_path / "absent.json"))


def test_check_prints_the_fields_of_a_valid_mrz() -> None:
    output = _run("check", stdin="\n".join(SPECIMEN_TD3) + "\n")
    assert "surname:                ERIKSSON" in output
    assert "given names:            ANNA MARIA" in output
    assert "birth date:             740812 (1974-08-12)" in output
    assert "Every check digit is correct." in output


def test_check_json_is_machine_readable() -> None:
    data = json.loads(_run("check", "--json", stdin="\n".join(SPECIMEN_TD1)))
    assert data["format"] == "TD1"
    assert data["document_number"] == "D23145890"
    assert data["birth_date"] == "1974-08-12"
    assert data["valid"] is True
    assert data["problems"] == []


def test_check_fails_with_every_wrong_check_digit_after_printing_the_fields() -> None:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("mrz", "check", stdout=out, stdin=StringIO("\n".join(CORRUPTED_TD3)))
    assert "document number: check digit is '5', should be '6'" in str(caught.value)
    assert "composite: check digit is '0', should be '3'" in str(caught.value)
    assert "document number:        L898902C3" in out.getvalue()


def test_check_json_lists_the_problems_and_still_fails() -> None:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("mrz", "check", "--json", stdout=out, stdin=StringIO("\n".join(CORRUPTED_TD3)))
    data = json.loads(out.getvalue())
    assert data["valid"] is False
    assert [p["field"] for p in data["problems"]] == ["document_number", "composite"]


def test_check_refuses_text_that_is_not_an_mrz() -> None:
    with pytest.raises(CommandError, match="not an MRZ: an MRZ is 2 lines of 44"):
        _run("check", stdin="hello world\n")


def test_the_real_command_exits_non_zero_on_a_wrong_check_digit() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gov3.settings"}
    good = subprocess.run(
        [str(GOV3), "mrz", "check"],
        input="\n".join(SPECIMEN_TD3) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    bad = subprocess.run(
        [str(GOV3), "mrz", "check"],
        input="\n".join(CORRUPTED_TD3) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 1
    assert "document number: check digit is '5', should be '6'" in bad.stderr
    assert "surname:" in bad.stdout

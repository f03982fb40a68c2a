"""`gov3 mrz …`: make a passport or ID card MRZ from its fields, or check one read from stdin."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from gov3.documents.core.mrz import (
    MRZError,
    MRZFieldError,
    ParsedMRZ,
    TD1Fields,
    TD3Fields,
    make_td1,
    make_td3,
    parse,
)

#: The JSON keys `make --json` reads, the same names as the command-line options.
FIELD_KEYS = (
    "type",
    "document_code",
    "issuing_state",
    "surname",
    "given_names",
    "number",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
    "optional_data",
    "optional_data_2",
)
_REQUIRED = (
    "issuing_state",
    "surname",
    "number",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
)
_DEFAULT_CODE = {"td3": "P", "td1": "I"}
#: The MRZ module's field names as this command's keys.
_OPTION_NAMES = {"document_number": "number", "optional_data_1": "optional_data"}


def _day(key: str, value: Any) -> date:
    if not isinstance(value, str):
        raise CommandError(f"{key}: give the date as text YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{key}: not a date (YYYY-MM-DD): {value!r}") from exc


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise CommandError(f"{key}: must be text, not {value!r}")
    return value


class Command(BaseCommand):
    help = (
        "ICAO Doc 9303 machine-readable zones. `make` prints the MRZ lines of a passport (TD3, "
        "2 x 44) or ID card (TD1, 3 x 30) from its fields; `check` reads MRZ lines from stdin, "
        "prints the fields and every wrong check digit, and exits with status 1 if any."
    )
    #: `call_command("mrz", "check", stdin=...)` in tests; `gov3 mrz check` reads sys.stdin.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{make,check}")
        make = sub.add_parser(
            "make",
            help="print the MRZ lines for the given fields",
            description="Give every field as an option, or all of them in a JSON object "
            f"(keys: {', '.join(FIELD_KEYS)}) with --json FILE ('-' reads stdin).",
        )
        make.add_argument("--json", metavar="FILE", help="read the fields from this JSON file")
        make.add_argument(
            "--type", choices=("td3", "td1"), help="td3 = passport (default), td1 = ID card"
        )
        make.add_argument(
            "--document-code",
            help="P, PM, PP … for a passport (default P); I, ID, I< … for a card (default I)",
        )
        make.add_argument("--issuing-state", help="three-letter code: KOR, UTO, D<<")
        make.add_argument("--surname", help="surname (primary identifier), as registered")
        make.add_argument("--given-names", help="given names (secondary identifier)")
        make.add_argument("--number", help="document number")
        make.add_argument("--nationality", help="three-letter code: KOR, UTO, D<<")
        make.add_argument("--birth-date", help="YYYY-MM-DD")
        make.add_argument("--sex", help="M, F or X")
        make.add_argument("--expiry-date", help="YYYY-MM-DD")
        make.add_argument(
            "--optional-data", help="TD3 personal number (14), or TD1 optional data 1 (15)"
        )
        make.add_argument("--optional-data-2", help="TD1 only: optional data 2 (11)")
        check = sub.add_parser(
            "check",
            help="read MRZ lines from stdin; print the fields and every wrong check digit",
        )
        check.add_argument("--json", action="store_true", help="print the fields as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin: TextIO = options.get("stdin") or sys.stdin
        if options["action"] == "make":
            self._make(options, stdin)
        else:
            self._check(options, stdin)

    def _fields(self, options: dict[str, Any], stdin: TextIO) -> dict[str, Any]:
        given = {key: options.get(key) for key in FIELD_KEYS if options.get(key) is not None}
        if options["json"] is None:
            return given
        if given:
            raise CommandError(
                "give the fields either in --json or as options, not both "
                f"(also given: {', '.join(sorted(given))})"
            )
        source = options["json"]
        try:
            text = stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
            data = json.loads(text)
        except OSError as exc:
            raise CommandError(f"cannot read {source}: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{source} is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise CommandError(f"{source} must hold a JSON object with the fields")
        unknown = sorted(set(data) - set(FIELD_KEYS))
        if unknown:
            raise CommandError(
                f"unknown field(s) {', '.join(unknown)}; the fields are {', '.join(FIELD_KEYS)}"
            )
        return {key: value for key, value in data.items() if value is not None}

    def _make(self, options: dict[str, Any], stdin: TextIO) -> None:
        values = self._fields(options, stdin)
        kind = values.get("type", "td3")
        if kind not in _DEFAULT_CODE:
            raise CommandError(f"type: {kind!r} is not td3 or td1")
        missing = [key for key in _REQUIRED if key not in values]
        if missing:
            raise CommandError(f"missing field(s): {', '.join(missing)}")
        if kind == "td3" and "optional_data_2" in values:
            raise CommandError("optional_data_2: a passport (td3) has no optional data 2")
        common: dict[str, Any] = {
            "document_code": _text("document_code", values.get("document_code", "") or "")
            or _DEFAULT_CODE[kind],
            "issuing_state": _text("issuing_state", values["issuing_state"]),
            "surname": _text("surname", values["surname"]),
            "given_names": _text("given_names", values.get("given_names", "")),
            "document_number": _text("number", values["number"]),
            "nationality": _text("nationality", values["nationality"]),
            "birth_date": _day("birth_date", values["birth_date"]),
            "sex": _text("sex", values["sex"]),
            "expiry_date": _day("expiry_date", values["expiry_date"]),
        }
        optional = _text("optional_data", values.get("optional_data", ""))
        try:
            if kind == "td3":
                lines: tuple[str, ...] = make_td3(TD3Fields(**common, optional_data=optional))
            else:
                second = _text("optional_data_2", values.get("optional_data_2", ""))
                lines = make_td1(
                    TD1Fields(**common, optional_data_1=optional, optional_data_2=second)
                )
        except MRZFieldError as exc:
            key = _OPTION_NAMES.get(exc.field, exc.field)
            raise CommandError(f"{key}: {exc.reason}") from exc
        except MRZError as exc:
            raise CommandError(str(exc)) from exc
        for line in lines:
            self.stdout.write(line)

    def _check(self, options: dict[str, Any], stdin: TextIO) -> None:
        try:
            parsed = parse(stdin.read().splitlines())
        except MRZError as exc:
            raise CommandError(f"not an MRZ: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(parsed), ensure_ascii=False, indent=2))
        else:
            self._print(parsed)
        if parsed.problems:
            lines = "\n".join(f"  {problem.message}" for problem in parsed.problems)
            raise CommandError(f"{len(parsed.problems)} problem(s) in the MRZ:\n{lines}")
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS("Every check digit is correct."))

    def _print(self, parsed: ParsedMRZ) -> None:
        def dated(text: str, day: date | None) -> str:
            return f"{text} ({day.isoformat()})" if day else f"{text} (not a valid date)"

        rows = [
            ("format", parsed.format),
            ("document code", parsed.document_code),
            ("issuing state", parsed.issuing_state),
            ("surname", parsed.surname),
            ("given names", parsed.given_names),
            ("name may be truncated", "yes" if parsed.name_may_be_truncated else "no"),
            ("document number", parsed.document_number),
            ("nationality", parsed.nationality),
            ("birth date", dated(parsed.birth_date_text, parsed.birth_date)),
            ("sex", parsed.sex),
            ("expiry date", dated(parsed.expiry_date_text, parsed.expiry_date)),
            ("optional data", parsed.optional_data),
        ]
        if parsed.format == "TD1":
            rows.append(("optional data 2", parsed.optional_data_2))
        for label, value in rows:
            self.stdout.write(f"{label + ':':<23} {value}")


def _as_json(parsed: ParsedMRZ) -> dict[str, Any]:
    return {
        "format": parsed.format,
        "lines": list(parsed.lines),
        "document_code": parsed.document_code,
        "issuing_state": parsed.issuing_state,
        "surname": parsed.surname,
        "given_names": parsed.given_names,
        "name_may_be_truncated": parsed.name_may_be_truncated,
        "document_number": parsed.document_number,
        "nationality": parsed.nationality,
        "birth_date_text": parsed.birth_date_text,
        "birth_date": parsed.birth_date.isoformat() if parsed.birth_date else None,
        "sex": parsed.sex,
        "expiry_date_text": parsed.expiry_date_text,
        "expiry_date": parsed.expiry_date.isoformat() if parsed.expiry_date else None,
        "optional_data": parsed.optional_data,
        "optional_data_2": parsed.optional_data_2,
        "valid": parsed.valid,
        "problems": [
            {
                "field": problem.field,
                "kind": problem.kind,
                "expected": problem.expected,
                "found": problem.found,
                "message": problem.message,
            }
            for problem in parsed.problems
        ],
    }

"""The machine-readable zone (MRZ) of passports and ID cards, exactly as ICAO Doc 9303 prints it.

Two layouts (Doc 9303, 7th edition 2015 / 8th edition 2021):

* TD3, the passport data page (Part 4): two lines of 44 characters.
* TD1, the ID card (Part 5): three lines of 30 characters.

Only ``A-Z``, ``0-9`` and the filler ``<`` may appear (Part 3). `make_td3` and `make_td1`
build the lines from plain fields; `parse` reads them back and lists every wrong check digit
and malformed field instead of stopping at the first one, because an officer or a border
reader needs to see all of them. Only input that is not an MRZ at all (wrong shape, a character
outside the MRZ alphabet) raises `MRZFormatError`.

Both ICAO specimens (Part 4: ``P<UTOERIKSSON<<ANNA<MARIA…``; Part 5: ``I<UTOD231458907…``)
are reproduced character for character by the tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

FILLER = "<"
ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
TD3_LINE = 44
TD3_NAME = 39  # Part 4: line 1 positions 6-44
TD3_NUMBER = 9
TD3_OPTIONAL = 14  # Part 4: "personal number or other optional data", line 2 positions 29-42
TD1_LINE = 30
TD1_NAME = 30  # Part 5: the whole of line 3
TD1_NUMBER = 9
TD1_OPTIONAL_1 = 15  # Part 5: line 1 positions 16-30
TD1_OPTIONAL_2 = 11  # Part 5: line 2 positions 19-29
#: Part 5 §4.2.4 (long document number): the characters after the ninth, the check digit and a
#: filler must fit in the 15 positions of optional data 1, so at most 9 + 13 characters.
TD1_LONG_NUMBER = TD1_NUMBER + TD1_OPTIONAL_1 - 2
#: Part 3 §4.9 (check digits): weights 7, 3, 1 repeating.
_WEIGHTS = (7, 3, 1)
#: Birth dates lie in the past; expiry dates may lie up to this many years ahead (see `parse`).
EXPIRY_YEARS_AHEAD = 50

#: Doc 9303 Part 3 §6 "Transliterations recommended for use by States", table of Latin
#: characters with diacritics (Unicode order). Where the table offers a choice (Ä: AE or A;
#: Ñ: N or NXX; Ü: UE, UXX or U) the first, recommended form is used. Latin letters with
#: diacritics the table does not list (e.g. Romanian Ș, Vietnamese Ệ) fall back to their base
#: letter by Unicode decomposition, which is what the table does for every plain accent.
_LATIN: dict[str, str] = {
    "À": "A", "Á": "A", "Â": "A", "Ã": "A", "Ä": "AE", "Å": "AA", "Æ": "AE", "Ç": "C",
    "È": "E", "É": "E", "Ê": "E", "Ë": "E", "Ì": "I", "Í": "I", "Î": "I", "Ï": "I",
    "Ð": "D", "Ñ": "N", "Ò": "O", "Ó": "O", "Ô": "O", "Õ": "O", "Ö": "OE", "Ø": "OE",
    "Ù": "U", "Ú": "U", "Û": "U", "Ü": "UE", "Ý": "Y", "Þ": "TH", "ß": "SS", "Ÿ": "Y",
    "Ā": "A", "Ă": "A", "Ą": "A", "Ć": "C", "Ĉ": "C", "Ċ": "C", "Č": "C", "Ď": "D",
    "Đ": "D", "Ē": "E", "Ĕ": "E", "Ė": "E", "Ę": "E", "Ě": "E", "Ĝ": "G", "Ğ": "G",
    "Ġ": "G", "Ģ": "G", "Ĥ": "H", "Ħ": "H", "Ĩ": "I", "Ī": "I", "Ĭ": "I", "Į": "I",
    "İ": "I", "Ĳ": "IJ", "Ĵ": "J", "Ķ": "K", "Ĺ": "L", "Ļ": "L", "Ľ": "L",
    "Ŀ": "L", "Ł": "L", "Ń": "N", "Ņ": "N", "Ň": "N", "Ŋ": "N", "Ō": "O", "Ŏ": "O",
    "Ő": "O", "Œ": "OE", "Ŕ": "R", "Ŗ": "R", "Ř": "R", "Ś": "S", "Ŝ": "S", "Ş": "S",
    "Š": "S", "Ţ": "T", "Ť": "T", "Ŧ": "T", "Ũ": "U", "Ū": "U", "Ŭ": "U", "Ů": "U",
    "Ű": "U", "Ų": "U", "Ŵ": "W", "Ŷ": "Y", "Ź": "Z", "Ż": "Z", "Ž": "Z",
}  # fmt: skip
#: Part 3 (the name in the MRZ): apostrophes are omitted ...
_APOSTROPHES = frozenset("'\u2019\u2018\u02bc\u02bb`\u00b4")
#: ... and hyphens become a filler, as spaces between name components do.
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014")


class MRZError(ValueError):
    """Base of every MRZ error: the message says what was wrong and how to fix it."""


class MRZFormatError(MRZError):
    """The text is not a machine-readable zone at all (wrong shape or characters)."""


class MRZFieldError(MRZError):
    """A field given to `make_td3`/`make_td1` cannot be written in an MRZ."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class TD3Fields:
    """What a passport's MRZ holds (Doc 9303 Part 4). Codes may be given as ``D`` or ``D<<``."""

    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: date
    sex: str
    expiry_date: date
    optional_data: str = ""


@dataclass(frozen=True)
class TD1Fields:
    """What an ID card's MRZ holds (Doc 9303 Part 5). The number may be up to 22 characters."""

    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: date
    sex: str
    expiry_date: date
    optional_data_1: str = ""
    optional_data_2: str = ""


@dataclass(frozen=True)
class CheckFailure:
    """One thing wrong in a parsed MRZ: a wrong check digit or a malformed field.

    ``kind`` is ``"check_digit"`` (``expected`` and ``found`` are the digits) or ``"malformed"``
    (``expected`` describes what the field should hold, ``found`` is what it holds).
    """

    field: str
    expected: str
    found: str
    kind: Literal["check_digit", "malformed"] = "check_digit"

    @property
    def message(self) -> str:
        """A sentence an officer can act on."""
        label = self.field.replace("_", " ")
        if self.kind == "check_digit":
            return f"{label}: check digit is {self.found!r}, should be {self.expected!r}"
        return f"{label}: {self.found!r} is not {self.expected}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ParsedMRZ:
    """The fields read from an MRZ, filler stripped, and everything found wrong with them.

    Dates are kept as printed (``birth_date_text``, ``YYMMDD``) and as `date` where the text is
    a real date (`parse` explains the century rule). ``optional_data`` is the TD3 personal
    number field or the TD1 optional data 1; ``optional_data_2`` is TD1 only.
    ``name_may_be_truncated`` is true when the name field ends in a letter, which is how
    Doc 9303 marks a name cut to fit (a name that fits exactly looks the same).
    """

    format: Literal["TD3", "TD1"]
    lines: tuple[str, ...]
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date_text: str
    birth_date: date | None
    sex: str
    expiry_date_text: str
    expiry_date: date | None
    optional_data: str
    optional_data_2: str
    name_may_be_truncated: bool
    problems: list[CheckFailure] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when every check digit is right and every field well formed."""
        return not self.problems

    def to_fields(self) -> TD3Fields | TD1Fields:
        """The fields to make this MRZ again; ValueError when a date could not be read."""
        if self.birth_date is None or self.expiry_date is None:
            raise MRZError("the birth or expiry date is not a valid date")
        if self.format == "TD3":
            return TD3Fields(
                self.document_code,
                self.issuing_state,
                self.surname,
                self.given_names,
                self.document_number,
                self.nationality,
                self.birth_date,
                self.sex,
                self.expiry_date,
                optional_data=self.optional_data,
            )
        return TD1Fields(
            self.document_code,
            self.issuing_state,
            self.surname,
            self.given_names,
            self.document_number,
            self.nationality,
            self.birth_date,
            self.sex,
            self.expiry_date,
            optional_data_1=self.optional_data,
            optional_data_2=self.optional_data_2,
        )


# --- check digits (Part 3 §4.9) ---------------------------------------------------------------


def _value(char: str) -> int:
    if "0" <= char <= "9":
        return ord(char) - ord("0")
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    raise MRZFormatError(f"{char!r} is not an MRZ character (A-Z, 0-9 or <)")


def check_digit(text: str) -> str:
    """The Doc 9303 Part 3 §4.9 check digit of ``text``: weights 7, 3, 1; sum modulo 10."""
    total = sum(_value(char) * _WEIGHTS[i % 3] for i, char in enumerate(text))
    return str(total % 10)


# --- names (Part 3 §6; Part 4 §4.6; Part 5) ---------------------------------------------------


def _letter(char: str, field_name: str) -> str:
    """One upper-case character of a name as MRZ text: letters, ``<`` or nothing."""
    if "A" <= char <= "Z":
        return char
    if char in _LATIN:
        return _LATIN[char]
    if char.isspace() or char in _HYPHENS or char == FILLER:
        return FILLER
    if char in _APOSTROPHES:
        return ""
    category = unicodedata.category(char)
    if category.startswith("N"):
        raise MRZFieldError(field_name, f"digits are not written in an MRZ name ({char!r})")
    if category.startswith("P"):
        return ""  # Part 3: other punctuation is not reproduced in the MRZ
    decomposed = unicodedata.normalize("NFKD", char)
    if (
        decomposed
        and "A" <= decomposed[0] <= "Z"
        and all(unicodedata.category(mark) == "Mn" for mark in decomposed[1:])
    ):
        return decomposed[0]
    name = unicodedata.name(char, "unnamed character")
    raise MRZFieldError(
        field_name,
        f"{char!r} ({name}) cannot be transliterated: Doc 9303 Part 3 §6 covers Latin letters; "
        "give the registered romanised name",
    )


def _transliterate(name: str, field_name: str) -> str:
    if not isinstance(name, str):
        raise MRZFieldError(field_name, f"must be text, not {type(name).__name__}")
    letters = "".join(
        _letter(upper, field_name)
        for char in unicodedata.normalize("NFC", name)
        for upper in char.upper()  # "ß".upper() is "SS"; "ŉ" becomes apostrophe + N
    )
    # Runs of separators collapse to one so that "<<" only ever separates surname from names.
    return re.sub("<+", FILLER, letters).strip(FILLER)


def transliterate(name: str) -> str:
    """``name`` in MRZ characters: upper case, Part 3 §6 transliteration, components joined by
    ``<`` (spaces and hyphens), apostrophes and other punctuation dropped.

    Raises `MRZFieldError` naming a character that cannot be transliterated (a non-Latin script,
    a digit, a symbol).
    """
    return _transliterate(name, "name")


def _fit(components: Sequence[str], width: int) -> str | None:
    """``components`` joined by ``<`` in exactly ``width`` characters ending in a letter.

    Characters are taken off the end of the last component that is still longer than an
    initial, so names are shortened from the last towards the first and each keeps at least
    its initial; when every kept component is an initial, trailing initials are dropped. None
    when ``width`` cannot be filled that way (every kept component is one letter and one
    position would be left over).
    """
    lengths = [len(part) for part in components]
    total = sum(lengths) + len(lengths) - 1
    while total > width:
        longer = [i for i, n in enumerate(lengths) if n > 1]
        if longer:
            lengths[longer[-1]] -= 1
            total -= 1
        else:
            lengths.pop()
            total -= 2
            if not lengths:
                return None
    if total < width:  # only after a whole initial was dropped: give one letter back
        spare = [i for i, n in enumerate(lengths) if n < len(components[i])]
        if not spare:
            return None
        lengths[spare[0]] += 1
    return FILLER.join(part[:n] for part, n in zip(components, lengths, strict=False))


def _fit_at_most(components: Sequence[str], width: int) -> str:
    """``components`` shortened by `_fit` to exactly ``width`` characters, or to ``width - 1``
    when every kept component is an initial and one position would be left over."""
    fitted = _fit(components, width)
    if fitted is None:
        fitted = _fit(components, width - 1)
    if fitted is None:  # pragma: no cover - _fit always fits one less after dropping initials
        raise MRZFieldError("given_names", "cannot be truncated to fit the name field")
    return fitted


def _truncate(primary: str, secondary: str, width: int) -> str:
    """Doc 9303 Part 3 §4.6 truncation of a name too long for the field (Part 4 §4.2.2 for TD3,
    Part 5 for the 30-character TD1 field).

    1. The secondary identifier is truncated before the primary: the primary identifier stays
       whole whenever it leaves room for ``<<`` and the initial of the first given name.
    2. Given names are shortened from the end, the last one first, each down to its initial;
       if even the initials do not fit, the last initials are dropped (`_fit`).
    3. Only when the primary identifier alone is too long is it truncated the same way,
       keeping ``<<`` and the initial of the first given name.
    4. The field is filled and ends in a letter, so a reader can tell the name was truncated —
       except when only single-letter given names are left and one position is over: the
       position stays a filler rather than shortening the primary identifier (step 1 comes
       first).
    """
    parts = primary.split(FILLER)
    if not secondary:
        fitted = _fit(parts, width)
        if fitted is None:
            raise MRZFieldError("surname", "cannot be truncated to fill the name field")
        return fitted
    names = secondary.split(FILLER)
    if len(primary) <= width - 3:
        rest = _fit_at_most(names, width - 2 - len(primary))
        return f"{primary}<<{rest}".ljust(width, FILLER)
    kept = _fit(parts, width - 3) or _fit(parts, width - 4)
    if kept is None:
        raise MRZFieldError("surname", "cannot be truncated to fill the name field")
    return f"{kept}<<{names[0][0]}".ljust(width, FILLER)


def name_field(surname: str, given_names: str, width: int) -> tuple[str, bool]:
    """The MRZ name field ``PRIMARY<<SECONDARY<NAMES`` padded to ``width``; True if truncated.

    A person with a single name has it as the surname (primary identifier) and no given names.
    """
    if width < 4:
        raise ValueError("a name field is at least 4 characters wide")
    primary = _transliterate(surname, "surname")
    secondary = _transliterate(given_names, "given_names")
    if not primary:
        raise MRZFieldError(
            "surname",
            "is empty: a person with one name has it as the surname (primary identifier)",
        )
    full = f"{primary}<<{secondary}" if secondary else primary
    if len(full) <= width:
        return full.ljust(width, FILLER), False
    return _truncate(primary, secondary, width), True


# --- the other fields --------------------------------------------------------------------------


def _document_code(code: str, allowed_first: str, field_name: str = "document_code") -> str:
    text = str(code).upper()
    if not re.fullmatch("[A-Z][A-Z<]?", text):
        raise MRZFieldError(field_name, f"{code!r} is not a document code (one or two letters)")
    if text[0] not in allowed_first:
        raise MRZFieldError(
            field_name, f"{code!r} must start with {' or '.join(allowed_first)} for this layout"
        )
    return text.ljust(2, FILLER)


def _state(code: str, field_name: str) -> str:
    """Part 3 §5: a three-letter code, shorter ones (Germany's ``D``) padded with fillers."""
    text = str(code).upper()
    if not re.fullmatch("[A-Z]{1,3}<*", text) or len(text) > 3:
        raise MRZFieldError(
            field_name, f"{code!r} is not a Doc 9303 state code (three letters, e.g. KOR, D<<)"
        )
    return text.ljust(3, FILLER)


def _document_number(number: str, longest: int) -> str:
    text = str(number).upper()
    if not re.fullmatch("[A-Z0-9]+", text):
        raise MRZFieldError("document_number", f"{number!r} may hold only letters and digits")
    if len(text) > longest:
        raise MRZFieldError("document_number", f"{number!r} is longer than {longest} characters")
    return text


def _yymmdd(day: date, field_name: str) -> str:
    if not isinstance(day, date):
        raise MRZFieldError(field_name, f"must be a date, not {type(day).__name__}")
    return day.strftime("%y%m%d")


def _sex(sex: str) -> str:
    """Part 4: F, M or ``<`` (unspecified); ``X`` on the data page is ``<`` here."""
    text = str(sex).upper()
    if text in {"M", "F"}:
        return text
    if text in {"X", "<", ""}:
        return FILLER
    raise MRZFieldError("sex", f"{sex!r} is not M, F or X")


def _optional(data: str, width: int, field_name: str) -> str:
    text = str(data).upper()
    if not re.fullmatch("[A-Z0-9<]*", text):
        raise MRZFieldError(field_name, f"{data!r} may hold only letters, digits and <")
    if len(text) > width:
        raise MRZFieldError(field_name, f"{data!r} is longer than {width} characters")
    return text.ljust(width, FILLER)


def make_td3(fields: TD3Fields) -> tuple[str, str]:
    """The two 44-character lines of a passport MRZ (Doc 9303 Part 4)."""
    code = _document_code(fields.document_code, "P")
    state = _state(fields.issuing_state, "issuing_state")
    name, _truncated = name_field(fields.surname, fields.given_names, TD3_NAME)
    number = _document_number(fields.document_number, TD3_NUMBER).ljust(TD3_NUMBER, FILLER)
    nationality = _state(fields.nationality, "nationality")
    birth = _yymmdd(fields.birth_date, "birth_date")
    expiry = _yymmdd(fields.expiry_date, "expiry_date")
    sex = _sex(fields.sex)
    optional = _optional(fields.optional_data, TD3_OPTIONAL, "optional_data")
    # Part 4, line 2 position 43: when the field is all fillers the check digit may be 0 or <;
    # gov3 prints <. Both weigh 0, so the composite check digit is the same either way.
    optional_check = FILLER if optional == FILLER * TD3_OPTIONAL else check_digit(optional)
    number_part = number + check_digit(number)
    birth_part = birth + check_digit(birth)
    tail = expiry + check_digit(expiry) + optional + optional_check
    composite = check_digit(number_part + birth_part + tail)  # positions 1-10, 14-20, 22-43
    return (
        code + state + name,
        number_part + nationality + birth_part + sex + tail + composite,
    )


def make_td1(fields: TD1Fields) -> tuple[str, str, str]:
    """The three 30-character lines of an ID card MRZ (Doc 9303 Part 5).

    A document number longer than nine characters follows Part 5 §4.2.4: its first nine
    characters in positions 6-14, ``<`` in position 15, and the rest of the number, its check
    digit (over the whole number) and a filler at the start of optional data 1.
    """
    code = _document_code(fields.document_code, "ACI")
    state = _state(fields.issuing_state, "issuing_state")
    number = _document_number(fields.document_number, TD1_LONG_NUMBER)
    if len(number) <= TD1_NUMBER:
        padded = number.ljust(TD1_NUMBER, FILLER)
        number_part = padded + check_digit(padded)
        optional_1 = _optional(fields.optional_data_1, TD1_OPTIONAL_1, "optional_data_1")
    else:
        overflow = number[TD1_NUMBER:] + check_digit(number) + FILLER
        room = TD1_OPTIONAL_1 - len(overflow)
        data = _optional(fields.optional_data_1, room, "optional_data_1")
        number_part = number[:TD1_NUMBER] + FILLER
        optional_1 = overflow + data
    birth = _yymmdd(fields.birth_date, "birth_date")
    expiry = _yymmdd(fields.expiry_date, "expiry_date")
    sex = _sex(fields.sex)
    nationality = _state(fields.nationality, "nationality")
    optional_2 = _optional(fields.optional_data_2, TD1_OPTIONAL_2, "optional_data_2")
    name, _truncated = name_field(fields.surname, fields.given_names, TD1_NAME)
    line1 = code + state + number_part + optional_1
    birth_part = birth + check_digit(birth)
    expiry_part = expiry + check_digit(expiry)
    # Part 5: line 1 positions 6-30, line 2 positions 1-7, 9-15 and 19-29.
    composite = check_digit(line1[5:30] + birth_part + expiry_part + optional_2)
    line2 = birth_part + sex + expiry_part + nationality + optional_2 + composite
    return line1, line2, name


# --- reading -----------------------------------------------------------------------------------


def _shape(lines: Sequence[str]) -> tuple[Literal["TD3", "TD1"], tuple[str, ...]]:
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not all(isinstance(line, str) for line in lines):
        raise MRZFormatError("every MRZ line must be text")
    cleaned = tuple(line.strip() for line in lines if line.strip())
    lengths = [len(line) for line in cleaned]
    if lengths == [TD3_LINE] * 2:
        kind: Literal["TD3", "TD1"] = "TD3"
    elif lengths == [TD1_LINE] * 3:
        kind = "TD1"
    else:
        got = (
            f"{len(cleaned)} line(s) of {', '.join(str(n) for n in lengths)} characters"
            if cleaned
            else "no text"
        )
        hint = " (2 lines of 36 is TD2, which gov3 does not read)" if lengths == [36, 36] else ""
        raise MRZFormatError(
            "an MRZ is 2 lines of 44 characters (TD3, passport) or 3 lines of 30 (TD1, card); "
            f"got {got}{hint}"
        )
    for row, line in enumerate(cleaned, start=1):
        for column, char in enumerate(line, start=1):
            if char not in ALPHABET:
                hint = " (the MRZ is upper case)" if char.isalpha() and char.islower() else ""
                raise MRZFormatError(
                    f"line {row}, position {column}: {char!r} is not an MRZ character "
                    f"(A-Z, 0-9 or <){hint}"
                )
    return kind, cleaned


def _split_name(text: str) -> tuple[str, str, bool]:
    truncated = text[-1] != FILLER
    primary, _sep, secondary = text.rstrip(FILLER).partition("<<")
    return (
        " ".join(part for part in primary.split(FILLER) if part),
        " ".join(part for part in secondary.split(FILLER) if part),
        truncated,
    )


class _Reader:
    """Collects every problem while the fields are read."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.problems: list[CheckFailure] = []

    def check(self, field_name: str, text: str, found: str, *, blank_ok: bool = False) -> None:
        if blank_ok and text == FILLER * len(text) and found in {FILLER, "0"}:
            return
        expected = check_digit(text)
        if found != expected:
            self.problems.append(CheckFailure(field_name, expected, found))

    def malformed(self, field_name: str, expected: str, found: str) -> None:
        self.problems.append(CheckFailure(field_name, expected, found, kind="malformed"))

    def code(self, text: str, allowed_first: str) -> str:
        if text[0] not in allowed_first or not re.fullmatch("[A-Z][A-Z<]", text):
            self.malformed("document_code", f"a document code starting with {allowed_first}", text)
        return text.rstrip(FILLER)

    def state(self, field_name: str, text: str) -> str:
        if not re.fullmatch("[A-Z]{1,3}<*", text):
            self.malformed(field_name, "a three-letter state code", text)
        return text.rstrip(FILLER)

    def sex(self, text: str) -> str:
        if text not in {"M", "F", "X", FILLER}:
            self.malformed("sex", "M, F or <", text)
        return text

    def name(self, text: str) -> tuple[str, str, bool]:
        if not re.fullmatch("[A-Z<]+", text):
            self.malformed("name", "letters and <", text)
        return _split_name(text)

    def day(self, field_name: str, text: str, *, past: bool) -> date | None:
        """Doc 9303 prints two-digit years; the century is chosen by `parse`'s rule."""
        if not text.isdigit():
            # Part 3 (dates): unknown parts of a date of birth are printed as fillers.
            unknown = field_name == "birth_date" and re.fullmatch(r"(\d\d)?(\d\d)?<*", text)
            if not unknown:
                self.malformed(field_name, "a date YYMMDD", text)
            return None
        yy, month, dd = int(text[:2]), int(text[2:4]), int(text[4:])
        if past:
            year = self.today.year - (self.today.year - yy) % 100
            years: tuple[int, ...] = (year, year - 100)
        else:
            latest = self.today.year + EXPIRY_YEARS_AHEAD
            years = (latest - (latest - yy) % 100,)
        for year in years:
            try:
                day = date(year, month, dd)
            except ValueError:
                continue
            if not past or day <= self.today:
                return day
        self.malformed(field_name, "a date YYMMDD", text)
        return None


def parse(lines: Sequence[str], *, today: date | None = None) -> ParsedMRZ:
    """Read a TD3 or TD1 MRZ, recognised by its shape, and list everything wrong in it.

    Every wrong check digit (document number, birth date, expiry date, TD3 optional data,
    composite) is reported with what it should be; a wrong check digit inside the composite's
    range makes the composite wrong too, and both are reported. Malformed fields (a letter in a
    date, an impossible date, a digit in the name) are reported the same way. Nothing here
    raises for a wrong check digit; `MRZFormatError` means the text is not an MRZ.

    Century rule for the two-digit years (``today`` defaults to `date.today`): a birth date is
    the latest date with those digits that is not after ``today``; an expiry date is the latest
    date with those digits no more than `EXPIRY_YEARS_AHEAD` (50) years after ``today``'s year.
    """
    kind, cleaned = _shape(lines)
    reader = _Reader(today or date.today())  # noqa: DTZ011 - a calendar day, no time zone
    if kind == "TD3":
        line1, line2 = cleaned
        code = reader.code(line1[0:2], "P")
        state = reader.state("issuing_state", line1[2:5])
        surname, given, truncated = reader.name(line1[5:44])
        number = line2[0:9]
        reader.check("document_number", number, line2[9])
        nationality = reader.state("nationality", line2[10:13])
        birth_text, expiry_text = line2[13:19], line2[21:27]
        reader.check("birth_date", birth_text, line2[19])
        sex = reader.sex(line2[20])
        reader.check("expiry_date", expiry_text, line2[27])
        optional = line2[28:42]
        reader.check("optional_data", optional, line2[42], blank_ok=True)
        composite_text = line2[0:10] + line2[13:20] + line2[21:43]
        reader.check("composite", composite_text, line2[43])
        optional_2 = ""
    else:
        line1, line2, line3 = cleaned
        code = reader.code(line1[0:2], "ACI")
        state = reader.state("issuing_state", line1[2:5])
        number, optional = _td1_number(reader, line1)
        birth_text, expiry_text = line2[0:6], line2[8:14]
        reader.check("birth_date", birth_text, line2[6])
        sex = reader.sex(line2[7])
        reader.check("expiry_date", expiry_text, line2[14])
        nationality = reader.state("nationality", line2[15:18])
        optional_2 = line2[18:29].rstrip(FILLER)
        composite_text = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
        reader.check("composite", composite_text, line2[29])
        surname, given, truncated = reader.name(line3)
    return ParsedMRZ(
        format=kind,
        lines=cleaned,
        document_code=code,
        issuing_state=state,
        surname=surname,
        given_names=given,
        document_number=number.rstrip(FILLER),
        nationality=nationality,
        birth_date_text=birth_text,
        birth_date=reader.day("birth_date", birth_text, past=True),
        sex=sex,
        expiry_date_text=expiry_text,
        expiry_date=reader.day("expiry_date", expiry_text, past=False),
        optional_data=optional.rstrip(FILLER),
        optional_data_2=optional_2,
        name_may_be_truncated=truncated,
        problems=_ordered(reader.problems),
    )


def _td1_number(reader: _Reader, line1: str) -> tuple[str, str]:
    """The document number and optional data 1 of a TD1 line 1, long numbers included."""
    head, mark, optional = line1[5:14], line1[14], line1[15:30]
    if mark != FILLER:
        reader.check("document_number", head, mark)
        return head, optional
    # Part 5 §4.2.4: "<" in position 15 means the number continues in optional data 1, followed
    # by its check digit and a filler.
    end = optional.find(FILLER)
    if end < 2 or FILLER in head:
        reader.malformed(
            "document_number",
            "a check digit, or a long number continued in optional data 1",
            line1[5:30],
        )
        return head, optional
    number = head + optional[: end - 1]
    reader.check("document_number", number, optional[end - 1])
    return number, optional[end + 1 :]


_FIELD_ORDER = (
    "document_code",
    "issuing_state",
    "name",
    "document_number",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
    "optional_data",
    "composite",
)


def _ordered(problems: list[CheckFailure]) -> list[CheckFailure]:
    """Problems in the order the fields are printed, the composite last."""
    return sorted(problems, key=lambda p: _FIELD_ORDER.index(p.field))

"""The ICAO Doc 9303 MRZ: specimens, check digits, names, truncation and reading back."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gov3.documents.core.mrz import (
    ALPHABET,
    MRZFieldError,
    MRZFormatError,
    TD1Fields,
    TD3Fields,
    check_digit,
    make_td1,
    make_td3,
    name_field,
    parse,
    transliterate,
)

TODAY = date(2026, 11, 27)
SPECIMEN_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
SPECIMEN_TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
SPECIMEN_TD3_FIELDS = TD3Fields(
    document_code="P",
    issuing_state="UTO",
    surname="Eriksson",
    given_names="Anna María",
    document_number="L898902C3",
    nationality="UTO",
    birth_date=date(1974, 8, 12),
    sex="F",
    expiry_date=date(2012, 4, 15),
    optional_data="ZE184226B",
)
SPECIMEN_TD1_FIELDS = TD1Fields(
    document_code="I",
    issuing_state="UTO",
    surname="Eriksson",
    given_names="Anna Maria",
    document_number="D23145890",
    nationality="UTO",
    birth_date=date(1974, 8, 12),
    sex="F",
    expiry_date=date(2012, 4, 15),
)
# (line index, 0-based position) of every check digit and the field it protects.
TD3_CHECKS = [(1, 9, "document_number"), (1, 19, "birth_date"), (1, 27, "expiry_date")]
TD3_CHECKS += [(1, 42, "optional_data"), (1, 43, "composite")]
TD1_CHECKS = [(0, 14, "document_number"), (1, 6, "birth_date"), (1, 14, "expiry_date")]
TD1_CHECKS += [(1, 29, "composite")]


def _replace(lines: tuple[str, ...], row: int, column: int, char: str) -> list[str]:
    changed = list(lines)
    changed[row] = changed[row][:column] + char + changed[row][column + 1 :]
    return changed


def _td3(surname: str, given_names: str, **changes: object) -> tuple[str, str]:
    fields = replace(SPECIMEN_TD3_FIELDS, surname=surname, given_names=given_names, **changes)
    return make_td3(fields)


# --- specimens ---------------------------------------------------------------------------------


def test_the_td3_specimen_is_made_character_for_character() -> None:
    assert make_td3(SPECIMEN_TD3_FIELDS) == SPECIMEN_TD3


def test_the_td1_specimen_is_made_character_for_character() -> None:
    assert make_td1(SPECIMEN_TD1_FIELDS) == SPECIMEN_TD1


def test_the_td3_specimen_reads_back_into_its_fields() -> None:
    parsed = parse(SPECIMEN_TD3, today=TODAY)
    assert parsed.problems == []
    assert parsed.format == "TD3"
    assert (parsed.document_code, parsed.issuing_state, parsed.nationality) == ("P", "UTO", "UTO")
    assert (parsed.surname, parsed.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert parsed.document_number == "L898902C3"
    assert (parsed.birth_date_text, parsed.birth_date) == ("740812", date(1974, 8, 12))
    assert (parsed.expiry_date_text, parsed.expiry_date) == ("120415", date(2012, 4, 15))
    assert (parsed.sex, parsed.optional_data) == ("F", "ZE184226B")
    fields = parsed.to_fields()
    assert isinstance(fields, TD3Fields)
    assert make_td3(fields) == SPECIMEN_TD3


def test_the_td1_specimen_reads_back_into_its_fields() -> None:
    parsed = parse(SPECIMEN_TD1, today=TODAY)
    assert parsed.problems == []
    assert parsed.format == "TD1"
    assert (parsed.surname, parsed.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert parsed.document_number == "D23145890"
    assert parsed.birth_date == date(1974, 8, 12)
    assert parsed.expiry_date == date(2012, 4, 15)
    fields = parsed.to_fields()
    assert isinstance(fields, TD1Fields)
    assert make_td1(fields) == SPECIMEN_TD1


def test_parse_accepts_one_text_with_newlines_and_surrounding_blank_lines() -> None:
    parsed = parse("\n" + "\r\n".join(SPECIMEN_TD3) + "\n\n", today=TODAY)
    assert parsed.valid
    assert parsed.lines == SPECIMEN_TD3


@pytest.mark.parametrize(
    ("text", "digit"),
    [("L898902C3", "6"), ("740812", "2"), ("120415", "9"), ("ZE184226B<<<<<", "1")],
)
def test_check_digits_of_the_specimen_fields(text: str, digit: str) -> None:
    assert check_digit(text) == digit


def test_check_digit_refuses_a_character_outside_the_mrz_alphabet() -> None:
    with pytest.raises(MRZFormatError, match="not an MRZ character"):
        check_digit("AB-1")


# --- check digit failures ----------------------------------------------------------------------


@pytest.mark.parametrize(("row", "column", "field"), TD3_CHECKS)
def test_every_corrupted_td3_check_digit_is_reported_for_its_field(
    row: int, column: int, field: str
) -> None:
    right = SPECIMEN_TD3[row][column]
    for wrong in sorted(ALPHABET - {right}):
        problems = parse(_replace(SPECIMEN_TD3, row, column, wrong), today=TODAY).problems
        first = problems[0]
        assert (first.field, first.expected, first.found) == (field, right, wrong)
        # A check digit inside the composite's range also makes the composite wrong, unless the
        # replacement weighs the same modulo 10 (a letter 10 more than the digit).
        assert {p.field for p in problems} <= {field, "composite"}


@pytest.mark.parametrize(("row", "column", "field"), TD1_CHECKS)
def test_every_corrupted_td1_check_digit_is_reported_for_its_field(
    row: int, column: int, field: str
) -> None:
    right = SPECIMEN_TD1[row][column]
    for wrong in sorted(ALPHABET - {right}):
        problems = parse(_replace(SPECIMEN_TD1, row, column, wrong), today=TODAY).problems
        assert problems[0].field == field
        # "<" after the number means "long number" (Part 5): then the number is malformed
        assert problems[0].found == wrong or problems[0].kind == "malformed"
        assert {p.field for p in problems} <= {field, "composite"}


def test_a_changed_data_character_fails_its_check_digit_and_the_composite() -> None:
    lines = _replace(SPECIMEN_TD3, 1, 18, "3")  # born 740813 instead of 740812
    problems = parse(lines, today=TODAY).problems
    assert [(p.field, p.expected, p.found) for p in problems] == [
        ("birth_date", "3", "2"),  # 7x7 + 4x3 + 0x1 + 8x7 + 1x3 + 3x1 = 123
        ("composite", "7", "0"),  # the changed digit weighs 7 in the composite
    ]
    assert problems[0].message == "birth date: check digit is '2', should be '3'"


def test_every_failure_is_listed_not_only_the_first() -> None:
    lines = _replace(_replace(SPECIMEN_TD3, 1, 9, "0"), 1, 27, "0")
    lines = _replace(tuple(lines), 1, 42, "0")
    fields = [p.field for p in parse(lines, today=TODAY).problems]
    assert fields == ["document_number", "expiry_date", "optional_data", "composite"]


def test_an_empty_personal_number_has_filler_as_check_digit_and_zero_is_accepted() -> None:
    lines = _td3("Eriksson", "Anna Maria", optional_data="")
    assert lines[1][28:43] == "<" * 15
    assert parse(lines, today=TODAY).valid
    assert parse(_replace(lines, 1, 42, "0"), today=TODAY).valid
    assert parse(_replace(lines, 1, 42, "5"), today=TODAY).problems[0].field == "optional_data"


def test_malformed_fields_are_reported_not_raised() -> None:
    lines = _replace(SPECIMEN_TD3, 1, 15, "X")  # a letter in the birth date
    lines = _replace(tuple(lines), 1, 20, "Q")  # no such sex
    lines = _replace(tuple(lines), 0, 8, "1")  # a digit in the name
    parsed = parse(lines, today=TODAY)
    malformed = {p.field for p in parsed.problems if p.kind == "malformed"}
    assert malformed == {"name", "birth_date", "sex"}
    assert parsed.birth_date is None


def test_an_impossible_date_is_reported() -> None:
    lines = _td3("Eriksson", "Anna", expiry_date=date(2030, 1, 31))
    broken = lines[1][:21] + "301332" + check_digit("301332") + lines[1][28:]
    broken = broken[:43] + check_digit(broken[0:10] + broken[13:20] + broken[21:43])
    parsed = parse([lines[0], broken], today=TODAY)
    assert [(p.field, p.kind) for p in parsed.problems] == [("expiry_date", "malformed")]
    assert parsed.expiry_date is None


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (date(1974, 8, 12), date(1974, 8, 12)),
        (date(2025, 1, 1), date(2025, 1, 1)),
        (date(1926, 11, 28), date(1926, 11, 28)),  # the digits 261128 would be tomorrow in 2026
        (date(2000, 2, 29), date(2000, 2, 29)),
    ],
)
def test_birth_dates_are_read_as_the_latest_date_not_after_today(
    birth: date, expected: date
) -> None:
    assert parse(_td3("A", "B", birth_date=birth), today=TODAY).birth_date == expected


@pytest.mark.parametrize(
    ("expiry", "expected"),
    [(date(2074, 1, 1), date(2074, 1, 1)), (date(1977, 1, 1), date(1977, 1, 1))],
)
def test_expiry_dates_are_read_up_to_fifty_years_ahead(expiry: date, expected: date) -> None:
    assert parse(_td3("A", "B", expiry_date=expiry), today=TODAY).expiry_date == expected


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mrz"),
    [
        ("Müller", "MUELLER"),
        ("Straße", "STRASSE"),
        ("Øresund", "OERESUND"),
        ("Ångström", "AANGSTROEM"),
        ("Æsa", "AESA"),
        ("Þór", "THOR"),
        ("Peña", "PENA"),
        ("Łukasz", "LUKASZ"),
        ("Œuvre", "OEUVRE"),
        ("Ĳsselmeer", "IJSSELMEER"),
        ("İsmail", "ISMAIL"),
        ("Ștefan", "STEFAN"),  # comma below is not in the table: base letter by decomposition
        ("Nguyễn", "NGUYEN"),
        ("O'Brien", "OBRIEN"),
        ("D\u2019Arcy", "DARCY"),
        ("Jean-Luc", "JEAN<LUC"),
        ("  Anne   Marie  ", "ANNE<MARIE"),
        ("Smith - Jones", "SMITH<JONES"),
        ("St. John", "ST<JOHN"),
        ("e\u0301lise", "ELISE"),  # decomposed é
    ],
)
def test_transliteration_follows_doc_9303_part_3(name: str, mrz: str) -> None:
    assert transliterate(name) == mrz


@pytest.mark.parametrize(
    ("name", "char"), [("홍길동", "홍"), ("Пётр", "П"), ("Henry 8", "8"), ("Anna ☃", "☃")]
)
def test_a_character_that_cannot_be_transliterated_is_named(name: str, char: str) -> None:
    with pytest.raises(MRZFieldError) as caught:
        transliterate(name)
    assert caught.value.field == "name"
    assert repr(char) in str(caught.value)


def test_make_names_the_field_whose_name_cannot_be_transliterated() -> None:
    with pytest.raises(MRZFieldError, match="given_names: 'Ж'") as caught:
        _td3("Ivanov", "Жанна")
    assert caught.value.field == "given_names"


def test_a_single_name_is_the_primary_identifier() -> None:
    assert name_field("Aristotle", "", 39) == ("ARISTOTLE" + "<" * 30, False)
    with pytest.raises(MRZFieldError, match="surname"):
        name_field("", "Anna", 39)


# --- truncation --------------------------------------------------------------------------------

LONG_NAMES = [
    ("Nilavadhanananda", "Chayapa Dejthamrong Krasuang"),
    ("Wolfeschlegelsteinhausenbergerdorff", "Hubert Blaine Charles David Earl Frederick"),
    ("Wolfeschlegelsteinhausenbergerdorffvoralternwarenge", "Hubert"),
    ("Wolfeschlegelsteinhausenbergerdorffvoralternwarenge", ""),
    ("Müller-Lüdenscheidt", "Þór Ærøskøbing Straße"),
    ("Lee", "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z"),
    ("Hepburn-Stuart-Forbes-Trefusis", "Bartholomew Christopher"),
    ("Ng", "Alexandrina Victoria Elizabeth Margaret Rose"),
]


@pytest.mark.parametrize(("surname", "given_names"), LONG_NAMES)
def test_a_truncated_td3_name_fills_the_field_and_ends_in_a_letter(
    surname: str, given_names: str
) -> None:
    field, truncated = name_field(surname, given_names, 39)
    assert truncated
    assert len(field) == 39
    initials_only = all(len(n) == 1 for n in field.partition("<<")[2].rstrip("<").split("<"))
    assert field[-1].isalpha() or initials_only
    assert "<<<" not in field
    lines = _td3(surname, given_names)
    assert [len(line) for line in lines] == [44, 44]
    assert lines[0][5:] == field
    parsed = parse(lines, today=TODAY)
    assert parsed.valid
    assert parsed.name_may_be_truncated or initials_only
    full_components = transliterate(given_names).split("<") if given_names else []
    kept = parsed.given_names.split()
    assert len(kept) >= 1 or not full_components
    # every kept component is a prefix of the component it came from (at least its initial)
    for component, original in zip(kept, full_components, strict=False):
        assert original.startswith(component)


@pytest.mark.parametrize(("surname", "given_names"), LONG_NAMES)
def test_a_truncated_td1_name_fills_the_field_and_ends_in_a_letter(
    surname: str, given_names: str
) -> None:
    lines = make_td1(replace(SPECIMEN_TD1_FIELDS, surname=surname, given_names=given_names))
    assert len(lines[2]) == 30
    kept = lines[2].partition("<<")[2].rstrip("<").split("<")
    assert lines[2][-1].isalpha() or all(len(name) == 1 for name in kept)
    assert parse(lines, today=TODAY).valid


def test_the_secondary_identifier_is_truncated_before_the_primary() -> None:
    field, _ = name_field("Nilavadhanananda", "Chayapa Dejthamrong Krasuang", 39)
    assert field == "NILAVADHANANANDA<<CHAYAPA<DEJTHAMRONG<K"
    field, _ = name_field("Nilavadhanananda", "Chayapa Dejthamrong Krasuang", 30)
    assert field == "NILAVADHANANANDA<<CHAYAPA<DE<K"  # each given name keeps at least its initial


def test_a_primary_identifier_too_long_alone_keeps_the_first_initial() -> None:
    field, _ = name_field("Wolfeschlegelsteinhausenbergerdorffvoralternwarenge", "Hubert", 39)
    assert field == "WOLFESCHLEGELSTEINHAUSENBERGERDORFFV<<H"


def test_single_letter_given_names_never_shorten_the_surname() -> None:
    # 26 initials cannot fill the 34 positions after LEE<<: the given names are truncated
    # (Part 3: the secondary identifier first), the surname stays whole and the last position
    # is a filler. gov3 used to shorten the surname to LE to end on a letter (issue 14, item 8).
    field, truncated = name_field("Lee", " ".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 39)
    assert field == "LEE<<A<B<C<D<E<F<G<H<I<J<K<L<M<N<O<P<Q<"
    assert truncated
    lines = _td3("Lee", " ".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assert parse(lines, today=TODAY).surname == "LEE"


def test_a_name_that_fits_exactly_is_not_truncated() -> None:
    field, truncated = name_field("A" * 20, "B" * 17, 39)
    assert (len(field), truncated) == (39, False)


# --- fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document_code": "V"}, "document_code"),
        ({"document_code": "P12"}, "document_code"),
        ({"issuing_state": "KO1"}, "issuing_state"),
        ({"nationality": "KORE"}, "nationality"),
        ({"document_number": "M1234567890"}, "document_number"),
        ({"document_number": "M-123"}, "document_number"),
        ({"sex": "Q"}, "sex"),
        ({"optional_data": "A" * 15}, "optional_data"),
        ({"optional_data": "AB CD"}, "optional_data"),
        ({"birth_date": "1974-08-12"}, "birth_date"),
    ],
)
def test_a_field_that_cannot_be_written_is_named(changes: dict[str, object], field: str) -> None:
    with pytest.raises(MRZFieldError) as caught:
        _td3("Eriksson", "Anna", **changes)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_codes_and_sex_are_written_as_doc_9303_prints_them() -> None:
    line1, line2 = _td3(
        "Eriksson", "Anna", document_code="PM", issuing_state="D", nationality="D<<", sex="X"
    )
    assert line1.startswith("PMD<<ERIKSSON")
    assert line2[10:13] == "D<<"
    assert line2[20] == "<"
    parsed = parse((line1, line2), today=TODAY)
    assert (parsed.document_code, parsed.issuing_state, parsed.sex) == ("PM", "D", "<")


def test_a_td1_long_document_number_continues_in_optional_data() -> None:
    fields = replace(SPECIMEN_TD1_FIELDS, document_number="D23145890AB12", optional_data_1="XY")
    lines = make_td1(fields)
    number_check = check_digit("D23145890AB12")
    assert lines[0] == f"I<UTOD23145890<AB12{number_check}<XY".ljust(30, "<")
    parsed = parse(lines, today=TODAY)
    assert parsed.valid
    assert (parsed.document_number, parsed.optional_data) == ("D23145890AB12", "XY")
    wrong = "0" if lines[0][19] != "0" else "1"
    problems = parse(_replace(lines, 0, 19, wrong), today=TODAY).problems
    assert problems[0].field == "document_number"


def test_a_td1_number_too_long_for_optional_data_is_refused() -> None:
    fields = replace(
        SPECIMEN_TD1_FIELDS, document_number="D2314589012345", optional_data_1="ABCDEFGHIJ"
    )
    with pytest.raises(MRZFieldError, match="optional_data_1"):
        make_td1(fields)
    with pytest.raises(MRZFieldError, match="document_number"):
        make_td1(replace(SPECIMEN_TD1_FIELDS, document_number="D" * 23))


# --- not an MRZ --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "got no text"),
        (["hello"], "got 1 line"),
        ([SPECIMEN_TD3[0], SPECIMEN_TD3[1][:-1]], "of 44, 43 characters"),
        ([*SPECIMEN_TD3, SPECIMEN_TD3[0]], "got 3 line"),
        (["A" * 36, "B" * 36], "TD2"),
        ([SPECIMEN_TD3[0].lower(), SPECIMEN_TD3[1]], "upper case"),
        ([SPECIMEN_TD3[0], SPECIMEN_TD3[1].replace("UTO", "U-O")], "line 2, position 12"),
        ([SPECIMEN_TD3[0], 42], "must be text"),
    ],
)
def test_input_that_is_not_an_mrz_raises_a_clear_error(lines: list[object], message: str) -> None:
    with pytest.raises(MRZFormatError, match=re.escape(message)):
        parse(lines)  # type: ignore[arg-type]


def test_format_errors_are_value_errors() -> None:
    assert issubclass(MRZFormatError, ValueError)
    assert issubclass(MRZFieldError, ValueError)


# --- properties --------------------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÄÖÜßØÅÆÞÑéłŠçİœ"
_word = st.text(alphabet=_LETTERS, min_size=1, max_size=14)
_name = st.lists(_word, min_size=1, max_size=4).flatmap(
    lambda words: st.sampled_from([" ", "-", "'", " - "]).map(lambda sep: sep.join(words))
)
_given = st.one_of(st.just(""), _name)
_state = st.from_regex(r"[A-Z]{1,3}", fullmatch=True)
_sex = st.sampled_from(["M", "F", "X", "<"])
_birth = st.dates(min_value=TODAY - timedelta(days=365 * 99), max_value=TODAY)
_expiry = st.dates(
    min_value=TODAY - timedelta(days=365 * 49), max_value=TODAY + timedelta(days=365 * 49)
)


def _assert_mrz_shape(lines: tuple[str, ...], width: int) -> None:
    for line in lines:
        assert len(line) == width
        assert set(line) <= ALPHABET


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    code=st.from_regex(r"P[A-Z<]?", fullmatch=True),
    state=_state,
    surname=_name,
    given_names=_given,
    number=st.from_regex(r"[A-Z0-9]{1,9}", fullmatch=True),
    nationality=_state,
    birth=_birth,
    sex=_sex,
    expiry=_expiry,
    optional=st.from_regex(r"[A-Z0-9<]{0,14}", fullmatch=True),
)
def test_td3_make_then_parse_round_trips(
    *,
    code: str,
    state: str,
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth: date,
    sex: str,
    expiry: date,
    optional: str,
) -> None:
    fields = TD3Fields(
        code, state, surname, given_names, number, nationality, birth, sex, expiry, optional
    )
    lines = make_td3(fields)
    _assert_mrz_shape(lines, 44)
    parsed = parse(lines, today=TODAY)
    assert parsed.problems == []
    assert (parsed.birth_date, parsed.expiry_date) == (birth, expiry)
    assert parsed.document_number == number
    assert parsed.issuing_state == state
    assert parsed.optional_data == optional.rstrip("<")
    _, truncated = name_field(surname, given_names, 39)
    if not truncated:
        assert parsed.surname == transliterate(surname).replace("<", " ")
        assert parsed.given_names == transliterate(given_names).replace("<", " ")
    again = parsed.to_fields()
    assert isinstance(again, TD3Fields)
    assert make_td3(again) == lines


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    code=st.from_regex(r"[ACI][A-Z<]?", fullmatch=True),
    state=_state,
    surname=_name,
    given_names=_given,
    number=st.from_regex(r"[A-Z0-9]{1,22}", fullmatch=True),
    nationality=_state,
    birth=_birth,
    sex=_sex,
    expiry=_expiry,
    optional_1=st.from_regex(r"[A-Z0-9<]{0,15}", fullmatch=True),
    optional_2=st.from_regex(r"[A-Z0-9<]{0,11}", fullmatch=True),
)
def test_td1_make_then_parse_round_trips(
    *,
    code: str,
    state: str,
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth: date,
    sex: str,
    expiry: date,
    optional_1: str,
    optional_2: str,
) -> None:
    room = 15 if len(number) <= 9 else 15 - (len(number) - 9) - 2
    assume(len(optional_1) <= room)
    fields = TD1Fields(
        code,
        state,
        surname,
        given_names,
        number,
        nationality,
        birth,
        sex,
        expiry,
        optional_1,
        optional_2,
    )
    lines = make_td1(fields)
    _assert_mrz_shape(lines, 30)
    parsed = parse(lines, today=TODAY)
    assert parsed.problems == []
    assert parsed.document_number == number
    assert (parsed.birth_date, parsed.expiry_date) == (birth, expiry)
    again = parsed.to_fields()
    assert isinstance(again, TD1Fields)
    assert make_td1(again) == lines


@given(surname=_name, given_names=_given, width=st.sampled_from([30, 39]))
def test_every_name_field_fills_its_width(*, surname: str, given_names: str, width: int) -> None:
    field, truncated = name_field(surname, given_names, width)
    assert len(field) == width
    assert set(field) <= ALPHABET - set("0123456789")
    assert field[0] != "<"
    if truncated and field[-1] == "<":
        # only when the kept given names are all initials (see the property below)
        assert all(len(part) == 1 for part in field.split("<<", 1)[1].rstrip("<").split("<"))


_upper_word = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=20)
_initials_or_words = st.lists(
    st.one_of(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=1),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=12),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=500, deadline=None)
@given(
    primary=st.lists(_upper_word, min_size=1, max_size=3),
    secondary=_initials_or_words,
    width=st.sampled_from([30, 39]),
)
def test_given_names_are_truncated_before_the_primary_identifier(
    *, primary: list[str], secondary: list[str], width: int
) -> None:
    """ICAO Doc 9303 Part 3: the secondary identifier is truncated first; the primary
    identifier is shortened only when it alone leaves no room for ``<<`` and one initial."""
    surname, given = "<".join(primary), "<".join(secondary)
    field, truncated = name_field(surname, given, width)
    full = f"{surname}<<{given}"
    assert len(field) == width
    if len(full) <= width:
        assert (field, truncated) == (full.ljust(width, "<"), False)
        return
    assert truncated
    kept_primary, _, kept_given = field.partition("<<")
    names = kept_given.rstrip("<").split("<")
    if len(surname) <= width - 3:
        assert kept_primary == surname  # the surname is never shortened to make room
    else:
        assert len(kept_primary) <= width - 3
        assert names == [secondary[0][0]]  # only the first initial is left
    # every kept given name is a prefix of its own (at least its initial), in order
    assert len(names) >= 1
    for kept, original in zip(names, secondary, strict=False):
        assert original.startswith(kept)
        assert kept
    # the field ends in a letter unless the given names left are all single letters
    if field[-1] == "<":
        assert all(len(name) == 1 for name in names)
    # nothing that could have been kept was thrown away: at most one position is unused
    assert len(field.rstrip("<")) >= width - 1

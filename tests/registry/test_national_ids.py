"""National id numbers: Korean resident registration numbers and Vietnamese personal ids."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.kr import rrn

from gov3.registry.national_ids import (
    EncodedFacts,
    InvalidNationalIdError,
    check_consistent,
    national_id_scheme,
)


def test_a_made_korean_number_is_valid_and_encodes_birth_and_sex() -> None:
    scheme = national_id_scheme("kr")
    number = scheme.make(date(1990, 1, 1), "M", 1234)
    assert len(number) == 13
    assert scheme.validate(number) == number
    assert scheme.decode(number) == EncodedFacts(1990, date(1990, 1, 1), "M")
    assert check_consistent("kr", number, date(1990, 1, 1), "M") == number


def test_the_seventh_digit_gives_century_and_sex() -> None:
    scheme = national_id_scheme("kr")
    assert scheme.make(date(1990, 5, 5), "F", 1)[6] == "2"
    assert scheme.make(date(2005, 5, 5), "M", 1)[6] == "3"
    assert scheme.make(date(2005, 5, 5), "F", 1)[6] == "4"


def test_a_wrong_check_digit_is_refused() -> None:
    scheme = national_id_scheme("kr")
    number = scheme.make(date(1990, 1, 1), "M", 1234)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(InvalidNationalIdError, match="checksum"):
        scheme.validate(wrong)


@pytest.mark.parametrize("number", ["900101123456", "90010112345678", "9001011a34567", ""])
def test_a_wrong_length_or_letters_are_refused(number: str) -> None:
    with pytest.raises(InvalidNationalIdError, match="13 digits"):
        national_id_scheme("kr").validate(number)


def test_29_february_only_in_leap_years() -> None:
    scheme = national_id_scheme("kr")
    number = scheme.make(date(2000, 2, 29), "F", 7)
    assert scheme.decode(number).birth_date == date(2000, 2, 29)
    # The same digits with a year that has no 29 February do not make a date.
    body = "010229" + number[6:12]
    bad = body + rrn.calc_check_digit(body)
    with pytest.raises(InvalidNationalIdError):
        scheme.validate(bad)


def test_a_number_that_disagrees_with_birth_date_or_sex_is_refused() -> None:
    number = national_id_scheme("kr").make(date(1990, 1, 1), "M", 5)
    with pytest.raises(InvalidNationalIdError, match="birth date"):
        check_consistent("kr", number, date(1990, 1, 2), "M")
    with pytest.raises(InvalidNationalIdError, match="sex"):
        check_consistent("kr", number, date(1990, 1, 1), "F")


def test_vietnamese_numbers() -> None:
    scheme = national_id_scheme("vn")
    number = scheme.make(date(1995, 6, 1), "F", 42)
    assert len(number) == 12
    assert number.startswith("0011" + "95")
    assert check_consistent("vn", number, date(1995, 6, 1), "F") == number
    with pytest.raises(InvalidNationalIdError, match="birth year"):
        check_consistent("vn", number, date(1996, 6, 1), "F")
    with pytest.raises(InvalidNationalIdError, match="12 digits"):
        scheme.validate("12345")
    with pytest.raises(InvalidNationalIdError, match="province code"):
        scheme.validate("099195000042")


def test_serials_give_distinct_numbers_for_people_born_alike() -> None:
    scheme = national_id_scheme("kr")
    numbers = {scheme.make(date(1980, 3, 3), "M", s) for s in range(0, 96_999, 997)}
    assert len(numbers) == len(range(0, 96_999, 997))
    with pytest.raises(ValueError, match="serial"):
        scheme.make(date(1980, 3, 3), "M", 97_000)

"""National identity numbers per country: validation, and allocation for new registrations.

Korea: the 13-digit resident registration number (주민등록번호), validated with python-stdnum
(birth date, century/sex digit, place code, check digit). Numbers assigned since October 2020 no
longer encode the place of birth or carry a valid check digit; gov3 issues numbers in the older,
checkable form, and this is a country-pack decision to revisit (docs/adr/0002).

Viet Nam: the 12-digit citizen identity number (số định danh cá nhân, Decree 137/2015/ND-CP,
Circular 07/2016/TT-BCA): 3-digit province code, a century/sex digit, the 2-digit birth year and a
6-digit serial.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.kr import rrn

from gov3.core.errors import ValidationFailedError


class InvalidNationalIdError(ValidationFailedError):
    """A national id number is malformed or inconsistent with the person's data."""


@dataclass(frozen=True)
class EncodedFacts:
    """What a national id number itself says about its holder."""

    birth_year: int
    birth_date: date | None  # None where the number carries only the year
    sex: str


class NationalIdScheme(Protocol):
    """How one country writes and checks its national identity numbers."""

    @property
    def label(self) -> str:
        """What the number is called, e.g. "resident registration number"."""

    def validate(self, number: str) -> str:
        """Return the compact form of ``number`` or raise `InvalidNationalIdError`."""

    def decode(self, number: str) -> EncodedFacts:
        """What the number itself says about birth and sex."""

    def make(self, birth_date: date, sex: str, serial: int) -> str:
        """Build a valid number for a person; ``serial`` distinguishes people born alike."""


@dataclass(frozen=True)
class KoreanRRN:
    """Korea's resident registration number."""

    label: str = "resident registration number"

    def validate(self, number: str) -> str:
        try:
            return str(rrn.validate(number))
        except StdnumValidationError as exc:
            raise InvalidNationalIdError(
                f"{number!r} is not a valid Korean resident registration number "
                f"({str(exc).rstrip('.').lower()}); it has 13 digits, e.g. 900101-1234568."
            ) from exc

    def decode(self, number: str) -> EncodedFacts:
        compact = self.validate(number)
        born = rrn.get_birth_date(compact)
        return EncodedFacts(born.year, born, "M" if compact[6] in "13579" else "F")

    def make(self, birth_date: date, sex: str, serial: int) -> str:
        if not 0 <= serial < 97_000:
            raise ValueError("serial must be between 0 and 96,999")
        # Seventh digit: century and sex (9/0 for the 1800s, 1/2 for the 1900s, 3/4 after).
        female = sex == "F"
        digit = {18: "90", 19: "12", 20: "34"}[birth_date.year // 100][int(female)]
        place, rest = divmod(serial, 1000)
        body = f"{birth_date:%y%m%d}{digit}{place:02d}{rest:03d}"
        return body + str(rrn.calc_check_digit(body))


@dataclass(frozen=True)
class VietnameseCitizenId:
    """Viet Nam's 12-digit personal identification number."""

    label: str = "personal identification number"
    province_code: str = "001"  # Ha Noi; the registering province for new numbers

    def validate(self, number: str) -> str:
        compact = number.replace(" ", "").replace("-", "")
        if not compact.isdigit() or len(compact) != 12:
            raise InvalidNationalIdError(
                f"{number!r} is not a valid Vietnamese personal identification number: "
                "it has exactly 12 digits."
            )
        province = int(compact[:3])
        if not 1 <= province <= 96:
            raise InvalidNationalIdError(
                f"{number!r}: the first three digits ({compact[:3]}) are not a province code "
                "(001-096)."
            )
        if compact[3] not in "0123456789":
            raise InvalidNationalIdError(f"{number!r}: the fourth digit must give century and sex.")
        return compact

    def decode(self, number: str) -> EncodedFacts:
        compact = self.validate(number)
        code = int(compact[3])
        year = 1900 + 100 * (code // 2) + int(compact[4:6])
        return EncodedFacts(year, None, "F" if code % 2 else "M")

    def make(self, birth_date: date, sex: str, serial: int) -> str:
        if not 0 <= serial < 1_000_000:
            raise ValueError("serial must be between 0 and 999,999")
        code = 2 * ((birth_date.year - 1900) // 100) + (1 if sex == "F" else 0)
        return f"{self.province_code}{code}{birth_date:%y}{serial:06d}"


_SCHEMES: dict[str, NationalIdScheme] = {"kr": KoreanRRN(), "vn": VietnameseCitizenId()}


def national_id_scheme(country: str) -> NationalIdScheme:
    """The id scheme of a country, e.g. ``national_id_scheme("kr")``."""
    try:
        return _SCHEMES[country]
    except KeyError:
        raise ValidationFailedError(
            f"No national id rules for country {country!r}; known: {', '.join(sorted(_SCHEMES))}."
        ) from None


def check_consistent(country: str, number: str, birth_date: date, sex: str) -> str:
    """Validate ``number`` and check it agrees with the registered birth date and sex."""
    scheme = national_id_scheme(country)
    compact = scheme.validate(number)
    encoded = scheme.decode(compact)
    if encoded.birth_date is not None and encoded.birth_date != birth_date:
        raise InvalidNationalIdError(
            f"{number!r} encodes the birth date {encoded.birth_date}, not {birth_date}."
        )
    if encoded.birth_year != birth_date.year:
        raise InvalidNationalIdError(
            f"{number!r} encodes the birth year {encoded.birth_year}, not {birth_date.year}."
        )
    if sex in {"M", "F"} and encoded.sex != sex:
        raise InvalidNationalIdError(f"{number!r} encodes sex {encoded.sex}, not {sex}.")
    return compact

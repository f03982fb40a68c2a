"""What a validated country pack holds (`CountryPack` and its parts), and `PackError` with the
problems found, each with its file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gov3.catalogue.packs.personnel import PersonnelPack
    from gov3.catalogue.packs.schools import SchoolsData


@dataclass(frozen=True)
class PackProblem:
    """One thing wrong in a country pack, with where it is."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line if self.line is not None else '-'}: {self.message}"


class PackError(Exception):
    """A country pack is invalid; ``problems`` lists everything that is wrong with it."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            f"The country pack has {len(problems)} problem(s):\n"
            + "\n".join(str(p) for p in problems)
        )


@dataclass(frozen=True)
class Source:
    """Where a figure or a rule comes from."""

    title: str
    url: str


@dataclass(frozen=True)
class Currency:
    """The currency money amounts are kept in (exact integers in the minor unit)."""

    code: str
    minor_unit: int


@dataclass(frozen=True)
class NationalIdSpec:
    """The national id number scheme and what it is called in each language."""

    scheme: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class PassportSpec:
    """How the country's passports are written (ICAO Doc 9303 part 4 document code)."""

    document_code: str
    issuing_state: str
    number_format: str
    validity_years: int


@dataclass(frozen=True)
class AreaRow:
    """One administrative area from areas.csv."""

    code: str
    parent_code: str | None
    level: str
    name_local: str
    name_en: str
    line: int


@dataclass(frozen=True)
class AgeBand:
    """A share of the population aged ``start`` to ``end`` years inclusive."""

    start: int
    end: int
    share: float


@dataclass(frozen=True)
class NamePart:
    """A surname, middle name or given-name syllable, in the national script and in Latin."""

    local: str
    latin: str
    share: float = 1.0


@dataclass(frozen=True)
class NamingData:
    """What names are made of, and how they are written."""

    source: Source
    join_local: str
    surnames: tuple[NamePart, ...]
    middle_male: tuple[NamePart, ...]
    middle_female: tuple[NamePart, ...]
    given_syllables: int
    given_join_local: str
    given_join_latin: str
    given_male: tuple[NamePart, ...]
    given_female: tuple[NamePart, ...]


@dataclass(frozen=True)
class PopulationStats:
    """The published statistics a synthetic population is drawn from (population.yaml)."""

    reference_year: int
    age_bands: tuple[AgeBand, ...]
    males_per_100_females: float
    household_size_shares: tuple[tuple[int, float], ...]
    three_generation_share: float
    disability_share: float
    disability_severe_share: float
    income_median_monthly: int
    income_sigma: float
    income_round_to: int
    earning_share_working_age: float
    earning_share_older: float
    older_median_factor: float
    passport_share_valid: float
    deceased_share: float
    deceased_within_years: int
    moved_share: float
    moved_within_years: int
    street_names: tuple[str, ...]
    names: NamingData
    sources: Mapping[str, Source]


@dataclass(frozen=True)
class CountryPack:
    """A validated country pack."""

    path: Path
    code: str
    iso3: str
    names: Mapping[str, str]
    locale: str
    languages: tuple[str, ...]
    currency: Currency
    time_zone: str
    national_id: NationalIdSpec
    age_of_majority: int
    passport: PassportSpec
    area_levels: tuple[str, ...]
    areas: tuple[AreaRow, ...]
    population: PopulationStats
    references: Mapping[str, Source] = field(default_factory=dict)
    #: schools, school districts and learner numbers (``schools/``), if the pack has them
    schools: SchoolsData | None = None
    #: Grades, pay tables and tenure rules (`personnel/personnel.yaml`), if the pack has them.
    personnel: PersonnelPack | None = None

    @property
    def leaf_areas(self) -> tuple[AreaRow, ...]:
        """The areas of the lowest level, where addresses are."""
        return tuple(a for a in self.areas if a.level == self.area_levels[-1])

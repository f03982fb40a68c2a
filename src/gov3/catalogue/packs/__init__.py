"""Country packs: read and validate ``countries/<cc>/`` (pack.yaml, areas.csv, population.yaml).

Pure Python (PyYAML and the standard library, no Django), so a pack can be checked anywhere,
including in a pre-commit hook. Validation collects *every* problem with its file and line before
it gives up, and nothing is returned half-loaded: either `load_pack` returns a complete, frozen
`CountryPack` or it raises `PackError` listing all problems. The format is described in
docs/country-packs.md.

The parts, by what they do: `contents` (what a validated pack holds, and `PackError`),
`reader` (YAML with line numbers), `head` (pack.yaml), `areas` (areas.csv), `population`
(population.yaml), `schools` (schools/) and `load` (`load_pack`, `pack_path`).
"""

from gov3.catalogue.packs.areas import AREA_COLUMNS
from gov3.catalogue.packs.contents import (
    AgeBand,
    AreaRow,
    CountryPack,
    Currency,
    NamePart,
    NamingData,
    NationalIdSpec,
    PackError,
    PackProblem,
    PassportSpec,
    PopulationStats,
    Source,
)
from gov3.catalogue.packs.head import AREA_LEVELS, CURRENCY_MINOR_UNITS, ID_SCHEMES
from gov3.catalogue.packs.load import PACK_FILE, load_pack, pack_path
from gov3.catalogue.packs.reader import SHARE_TOLERANCE
from gov3.catalogue.packs.schools import (
    DistrictRow,
    LearnerIdSpec,
    SchoolRow,
    SchoolsData,
)
from gov3.rules.pack import SAFE_LOADER

__all__ = [
    "AREA_COLUMNS",
    "AREA_LEVELS",
    "CURRENCY_MINOR_UNITS",
    "ID_SCHEMES",
    "PACK_FILE",
    "SAFE_LOADER",
    "SHARE_TOLERANCE",
    "AgeBand",
    "AreaRow",
    "CountryPack",
    "Currency",
    "DistrictRow",
    "LearnerIdSpec",
    "NamePart",
    "NamingData",
    "NationalIdSpec",
    "PackError",
    "PackProblem",
    "PassportSpec",
    "PopulationStats",
    "SchoolRow",
    "SchoolsData",
    "Source",
    "load_pack",
    "pack_path",
]

"""A synthetic population for demos, tests and benchmarks, drawn from a country pack's statistics.

`generate_population` builds residents household by household (heads, spouses, children with
their parents, some three-generation households), with national id numbers from the country's
scheme, names, addresses, incomes, disabilities, passports, deaths and moves, and bulk-loads
them through the register's bulk loader (`gov3.registry.bulk_load`: PostgreSQL through ``COPY``,
SQLite through batched ``executemany``). Households are made and written in chunks, so memory
stays flat whatever the size; rows are built column-wise with NumPy in a child process while this
one writes the previous chunk. Generated data is not the register: this package sits above
the domain apps (docs/architecture.md), and the register depends on nothing above it.

Everything random comes from one seeded NumPy generator, so the same seed, pack and as-of date
give the same rows, national ids and public ids. Why this writes rows directly instead of calling
the `do_*` commands per person: docs/adr/0003-bulk-population-load.md.

The parts, by what they do: `households` (who lives together, with ages and family links),
`identifiers` (public ids, national id check digits, passport numbers), `rows` (households
turned into the register's rows) and `generate` (the command: checks, the transaction, the
generating process).
"""

from gov3.synthetic.population.generate import (
    DEFAULT_BATCH,
    PopulationExistsError,
    PopulationSummary,
    _chunks,
    generate_population,
)
from gov3.synthetic.population.households import MAX_AGE, _HouseholdSampler
from gov3.synthetic.population.identifiers import (
    RRN_WEIGHTS,
    _PassportNumbers,
    _public_ids,
    rrn_check_digits,
)
from gov3.synthetic.population.rows import ACTOR, _RowBuilder

__all__ = [
    "ACTOR",
    "DEFAULT_BATCH",
    "MAX_AGE",
    "RRN_WEIGHTS",
    "PopulationExistsError",
    "PopulationSummary",
    "_HouseholdSampler",
    "_PassportNumbers",
    "_RowBuilder",
    "_chunks",
    "_public_ids",
    "generate_population",
    "rrn_check_digits",
]

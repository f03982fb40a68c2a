"""Rules over the whole population at once: NumPy over the registry snapshot.

`evaluate` gives one value per resident of a `Population` (whole households, rows grouped by
household); `evaluate_service` gives a service's eligibility and amount per subject;
`evaluate_catalogue` runs every service of a pack over a snapshot file of any size, a row group
(whole households) at a time on a pool of threads, and returns counts and exact totals.

The semantics are `ir`'s, exactly. How they map onto arrays:

* INT and MONEY are int64 arrays, DATE int32 days since 1970-01-01 (Arrow's date32), TEXT a
  code array into a small tuple of distinct strings (`_Text`; Arrow's dictionary columns),
  BOOL bool arrays. Values that do not vary (literals, parameters, ``today`` and anything made
  only of them) stay Python scalars and are computed exactly as Python would.
* ``//`` and ``%`` are NumPy's floor division and remainder (Python's rules), with a zero
  divisor giving 0. A comparison with an exact ratio ``a / b`` is cross-multiplied in int64,
  each product checked: a product beyond 64 bits raises `EvaluationError`, never wraps.
* Calendar parts (year, month, day) use Howard Hinnant's civil-from-days arithmetic. A date
  function of a column and a scalar (``years_between(birth_date, today)``) is computed once per
  day of the column's span and looked up, so ``age`` costs one look-up per resident.
* Households are contiguous runs of rows. An aggregate whose condition reads only the member
  is computed per household (cumulative sums differenced at the run ends) and copied to each
  subject, for every household or, when an ``and`` has left few subjects, for theirs only;
  one whose condition also reads the subject's own facts is evaluated over every (subject,
  member) pair of each household.
* ``and``/``or`` go on evaluating only where the result is still open once that is a minority
  of the entries, and a service's amount is computed only for those eligible: no operation
  has side effects or can fail on a row, so this changes nothing but the time.
* Identical sub-expressions (a derived variable such as ``age`` used by several services) are
  computed once per block of rows.

The parts, by what they do: `values` (how values are held, calendar arithmetic), `operations`
(element-wise operations and reductions over runs), `population` (`Population`), `plan`
(canonical, shared sub-expressions), `run` (the evaluator over frames), `evaluators` (the
public functions) and `blocks` (blocks of whole households on a pool of threads).
"""

from gov3.rules.vectorised.blocks import DEFAULT_BLOCK_ROWS, _blocks, _file_blocks, _in_pool
from gov3.rules.vectorised.evaluators import (
    IdentifiedServiceRules,
    ServiceResult,
    ServiceRules,
    ServiceTotals,
    _amount_node,
    _any_household,
    _check_params,
    _service_values,
    columns_needed,
    evaluate,
    evaluate_catalogue,
    evaluate_service,
    exact_sum,
    to_python,
    values_by_person,
)
from gov3.rules.vectorised.plan import _Plan
from gov3.rules.vectorised.population import Population
from gov3.rules.vectorised.run import _Run
from gov3.rules.vectorised.values import EPOCH, NDArray

__all__ = [
    "DEFAULT_BLOCK_ROWS",
    "EPOCH",
    "IdentifiedServiceRules",
    "NDArray",
    "Population",
    "ServiceResult",
    "ServiceRules",
    "ServiceTotals",
    "_Plan",
    "_Run",
    "_amount_node",
    "_any_household",
    "_blocks",
    "_check_params",
    "_file_blocks",
    "_in_pool",
    "_service_values",
    "columns_needed",
    "evaluate",
    "evaluate_catalogue",
    "evaluate_service",
    "exact_sum",
    "to_python",
    "values_by_person",
]

"""Vietnamese: Django's formats, and thousands grouped (2.470.000) as Vietnamese writes them.

Django's `vi` locale sets the separators but no `NUMBER_GROUPING`, so grouped numbers came out
ungrouped ("2470000") in Vietnamese while Korean and English pages grouped them.
"""

from django.conf.locale.vi import formats as _django

DATE_FORMAT = _django.DATE_FORMAT
TIME_FORMAT = _django.TIME_FORMAT
DATETIME_FORMAT = _django.DATETIME_FORMAT
YEAR_MONTH_FORMAT = _django.YEAR_MONTH_FORMAT
MONTH_DAY_FORMAT = _django.MONTH_DAY_FORMAT
SHORT_DATE_FORMAT = _django.SHORT_DATE_FORMAT
SHORT_DATETIME_FORMAT = _django.SHORT_DATETIME_FORMAT
DECIMAL_SEPARATOR = _django.DECIMAL_SEPARATOR
THOUSAND_SEPARATOR = _django.THOUSAND_SEPARATOR
NUMBER_GROUPING = 3

"""Vietnamese: Django's own formats (django/conf/locale/vi/formats.py), and thousands grouped
(2.470.000) as Vietnamese writes them.

Django's `vi` locale sets the separators but no `NUMBER_GROUPING`, so grouped numbers came out
ungrouped ("2470000") in Vietnamese while Korean and English pages grouped them.
"""

DATE_FORMAT = r"\N\gà\y d \t\há\n\g n \nă\m Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"H:i \N\gà\y d \t\há\n\g n \nă\m Y"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "H:i d-m-Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

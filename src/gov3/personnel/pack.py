"""The country pack's personnel data, read and checked by the pack loader
(`gov3.catalogue.packs.personnel`, pure; `gov3 country check` reports its problems)."""

from gov3.catalogue.packs.personnel import (
    ENTRIES,
    FILE,
    POSITION_TYPES,
    RULE_KINDS,
    WORK_KINDS,
    Grade,
    PayTable,
    PersonnelPack,
    PersonnelPackError,
    StepRule,
    TenureRule,
    load,
    parse,
)

__all__ = [
    "ENTRIES",
    "FILE",
    "POSITION_TYPES",
    "RULE_KINDS",
    "WORK_KINDS",
    "Grade",
    "PayTable",
    "PersonnelPack",
    "PersonnelPackError",
    "StepRule",
    "TenureRule",
    "load",
    "parse",
]

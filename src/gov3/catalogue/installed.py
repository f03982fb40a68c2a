"""The country packs and rules installed with this deployment (`settings.GOV3_COUNTRIES_DIR`)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from gov3.catalogue.packs import CountryPack, PackError, load_pack, pack_path
from gov3.rules.declarations import declare_pack_facts
from gov3.rules.errors import RulesError
from gov3.rules.pack import RulePack, load_rules


@lru_cache(maxsize=16)
def country_pack(code: str) -> CountryPack:
    """The validated pack of a country, loaded once per process."""
    return load_pack(pack_path(code, settings.GOV3_COUNTRIES_DIR))


@lru_cache(maxsize=16)
def rules_pack(code: str) -> RulePack:
    """The checked services, parameters and variables of a country, loaded once per process."""
    return load_rules(pack_path(code, settings.GOV3_COUNTRIES_DIR))


def declare_installed_facts() -> list[str]:
    """Declare the facts the installed country's pack reads beyond the built-in ones
    (``facts.yaml``), at start-up, so that the register's readings (`registry.facts`, the SQL
    relation, the snapshot) carry them before any rule is loaded. A pack that does not load is
    reported by the system check (`catalogue.checks`), not here."""
    try:
        return declare_pack_facts(
            pack_path(str(settings.GOV3_COUNTRY), settings.GOV3_COUNTRIES_DIR)
        )
    except (PackError, RulesError):
        return []

"""The country packs and rules installed with this deployment (`settings.GOV3_COUNTRIES_DIR`)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from gov3.catalogue.packs import CountryPack, load_pack, pack_path
from gov3.rules.pack import RulePack, load_rules


@lru_cache(maxsize=16)
def country_pack(code: str) -> CountryPack:
    """The validated pack of a country, loaded once per process."""
    return load_pack(pack_path(code, settings.GOV3_COUNTRIES_DIR))


@lru_cache(maxsize=16)
def rules_pack(code: str) -> RulePack:
    """The checked services, parameters and variables of a country, loaded once per process."""
    return load_rules(pack_path(code, settings.GOV3_COUNTRIES_DIR))

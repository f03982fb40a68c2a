"""The participation policy and routing classifier of the installed country packs, loaded
once per process (the classifier trains in about a tenth of a second)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from gov3.catalogue.packs import pack_path
from gov3.participation.core.policy import Policy, load_policy
from gov3.participation.core.routing import Router


@lru_cache(maxsize=8)
def policy(country: str) -> Policy:
    return load_policy(pack_path(country, settings.GOV3_COUNTRIES_DIR))


@lru_cache(maxsize=8)
def router(country: str) -> Router:
    return Router(policy(country).examples)


def clear() -> None:
    """Forget the loaded policies (after the pack changed, e.g. in tests)."""
    policy.cache_clear()
    router.cache_clear()

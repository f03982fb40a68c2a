"""The schools data of the installed country packs, read and validated once per process."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext

from gov3.catalogue.packs import SchoolsData, load_pack, pack_path
from gov3.core.errors import ValidationFailedError


@lru_cache(maxsize=8)
def schools_data(country: str) -> SchoolsData:
    """The pack's `SchoolsData`; a pack without ``schools/`` is a clear error."""
    pack = load_pack(pack_path(country, settings.GOV3_COUNTRIES_DIR))
    if pack.schools is None:
        raise ValidationFailedError(
            gettext("The country pack %(country)s has no schools data.") % {"country": country}
        )
    return pack.schools


def clear() -> None:
    """Forget the loaded data (after the pack changed, e.g. in tests)."""
    schools_data.cache_clear()

"""A system check: the installed country's rules load, so a broken pack stops the server at
start-up (and `gov3 check` in deployment) instead of failing on a citizen's page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from gov3.catalogue.installed import rules_pack
from gov3.catalogue.packs import PackError, pack_path
from gov3.registry.readers import READERS
from gov3.rules.errors import RulesError
from gov3.rules.facts import declared


@register()
def rules_pack_loads(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        directory = pack_path(str(settings.GOV3_COUNTRY), Path(settings.GOV3_COUNTRIES_DIR))
    except PackError as error:
        return [Error(str(error), id="gov3.E101")]
    if not (directory / "services").is_dir():
        return []  # a country without services yet: nothing to check
    try:
        rules_pack(str(settings.GOV3_COUNTRY))  # loaded once: the pages then use this copy
    except RulesError as error:
        return [
            Error(
                f"the rules of {directory} do not load ({len(error.problems)} problem(s))",
                hint="\n".join(str(problem) for problem in error.problems[:20]),
                id="gov3.E102",
            )
        ]
    return []


@register()
def declared_facts_have_readers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every fact the pack declares names a reader an app registered (`registry.readers`)."""
    return [
        Error(
            f"fact `{name}` is read by `{fact.reader}`, which no app registers",
            hint=f"known readers: {', '.join(sorted(READERS))}",
            id="gov3.E103",
        )
        for name, fact in declared().items()
        if fact.reader not in READERS
    ]

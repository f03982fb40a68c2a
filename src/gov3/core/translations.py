"""Texts kept in every language at once (a notification is written once and read later in
the recipient's language)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

#: The languages every gov3 text is translated into.
LANGUAGES = ("en", "ko", "vi")


def in_every_language(message: str, **values: Any) -> dict[str, str]:
    """`message` (marked with `gettext_noop` where it is written) translated into every
    language, with `values` filled in; a value may itself be a mapping of language → text."""
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            local = {
                key: (value.get(language) or value.get("en", ""))
                if isinstance(value, Mapping)
                else value
                for key, value in values.items()
            }
            texts[language] = gettext(message) % local
    return texts

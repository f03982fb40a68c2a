"""The text a citizen agrees to when confirming an offer, versioned and hashed.

The consent receipt stores the version, the exact text shown (in the language shown) and its
SHA-256, so that what was agreed to can be proved later even after the text changes. Change
the wording only together with a new `AGREEMENT_VERSION`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

AGREEMENT_VERSION = "2026-1"


def agreement_text(service_name: str, for_child: str | None, language: str) -> str:
    """The agreement in `language` for an offer of `service_name` (for a child, by name)."""
    with translation.override(language):
        if for_child:
            first = gettext(
                "I confirm, as the parent of %(child)s, that I want %(service)s for my child."
            ) % {"child": for_child, "service": service_name}
        else:
            first = gettext("I confirm that I want %(service)s.") % {"service": service_name}
        rest = gettext(
            "The agency may use the register data shown on this page to decide and pay it. "
            "I will tell the agency if these data are wrong. I can withdraw at any time."
        )
    return f"{first} {rest}"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_json(data: Any) -> str:
    """The hash of `data` in a canonical JSON form (sorted keys, no spaces)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256_text(canonical)

"""gov3 as an OpenID provider for other government systems (ADR 0027), on django-oauth-toolkit.

The toolkit does the protocol (authorization code with PKCE, refresh, revocation, discovery,
JWKS, ID tokens and userinfo); gov3 adds what is its own: the claims come from the population
register, only citizens may consent, the consent screen names what each scope releases in the
citizen's language, and every release of claims to a client is written to the access log
("who looked at my data") with the client's name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from oauth2_provider.oauth2_validators import OAuth2Validator

from gov3.accounts.models import User
from gov3.core.access import log_access
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.schools.classroom import (
    ROSTER_SCOPE,
    SCHOOL_CLAIMS,
    SCHOOL_SCOPE,
    allowed_scopes,
    school_claims,
)

#: What each scope releases, as the consent screen says it.
SCOPES = {
    "openid": _("that you signed in with gov3 (an identifier for you, the same for this system)"),
    "profile": _("your name and date of birth, from the population register"),
    "national_id": _("your national id number"),
    SCHOOL_SCOPE: _("your learner number, school, class and role there (learner or teacher)"),
    ROSTER_SCOPE: _("the class lists of the school (for the school's classroom system)"),
}
#: Which scope releases each claim.
CLAIM_SCOPES = {
    "sub": "openid",
    "name": "profile",
    "name_latin": "profile",
    "birthdate": "profile",
    "national_id": "national_id",
    **dict.fromkeys(SCHOOL_CLAIMS, SCHOOL_SCOPE),
}


def signing_key_pem() -> str:
    """The provider's RSA signing key (PEM), made on first use and readable by the owner only.
    Settings read it lazily (`GOV3_OIDC_PROVIDER_KEY`)."""
    path = Path(settings.GOV3_OIDC_PROVIDER_KEY)
    if path.exists():
        return path.read_text(encoding="ascii")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="ascii")
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(pem)
    return pem


class RegisterClaimsValidator(OAuth2Validator):  # type: ignore[misc]
    """Claims from the register; each release written to the access log."""

    oidc_claim_scope = CLAIM_SCOPES

    def get_claim_dict(self, request: Any) -> dict[str, Any]:
        user = request.user
        person = user.person if isinstance(user, User) else None
        if person is None:  # only citizens consent (the authorization view refuses others)
            return {"sub": f"account-{user.pk}"}
        return {
            "sub": person.public_id.hex,
            "name": person.name_local,
            "name_latin": person.name_latin,
            "birthdate": person.birth_date.isoformat(),
            "national_id": person.national_id,
            **school_claims(user),
        }

    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        """A registered classroom system gets only the scopes it was granted; any other client
        may not ask for the school or roster scopes (ADR 0040)."""
        granted = allowed_scopes(client)
        if granted is None:
            if {SCHOOL_SCOPE, ROSTER_SCOPE} & set(scopes):
                return False
        elif not set(scopes) <= granted:
            return False
        return bool(super().validate_scopes(client_id, scopes, client, request, *args, **kwargs))

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Any) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_oidc_claims(token, token_handler, request)
        user = request.user
        released = sorted(name for name in claims if name != "sub")
        if isinstance(user, User) and user.person_id is not None and released:
            client = request.client
            log_access(
                subject_ids=[user.person_id],
                actor_id=None,
                actor_label=client.name,
                actor_role="oidc_client",
                agency=client.name,
                purpose=AccessPurpose.CITIZEN_REQUEST,
                purpose_note=f"signed in with gov3; released: {', '.join(released)}",
                channel=AccessChannel.API,
                what=f"claims released to {client.name}: {', '.join(released)}",
            )
        return claims

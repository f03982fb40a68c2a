"""Which national digital ID gov3 trusts: `countries/<cc>/identity.yaml`, with the deployment's
issuer and client id from settings, and the client's private key for `private_key_jwt`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import get_language
from joserfc.jwk import ECKey

from gov3.core.errors import ValidationFailedError

IDENTITY_FILE = "identity.yaml"


@dataclass(frozen=True)
class NationalIdProvider:
    """The OpenID provider of the national digital ID, as this deployment uses it."""

    country: str
    issuer: str
    client_id: str
    scopes: tuple[str, ...]
    national_id_claim: str
    names: dict[str, str]
    client_key_path: Path

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)

    def name(self) -> str:
        """The provider's name in the reader's language (English if the pack lacks it)."""
        language = (get_language() or "en")[:2]
        return self.names.get(language) or self.names.get("en") or self.issuer


def national_id_provider(country: str | None = None) -> NationalIdProvider:
    """The national digital ID of `country` (the deployment's by default)."""
    country = country or str(settings.GOV3_COUNTRY)
    path = Path(settings.GOV3_COUNTRIES_DIR) / country / IDENTITY_FILE
    section: dict[str, object] = {}
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict) or not isinstance(
            loaded.get("national_digital_id", {}), dict
        ):
            raise ValidationFailedError(f"{path}: national_digital_id must be a mapping.")
        section = loaded.get("national_digital_id") or {}
    scopes = section.get("scopes") or ["openid"]
    names = section.get("names") or {}
    if not isinstance(scopes, list) or "openid" not in scopes:
        raise ValidationFailedError(f"{path}: scopes must be a list that includes openid.")
    if not isinstance(names, dict):
        raise ValidationFailedError(f"{path}: names must map languages to names.")
    return NationalIdProvider(
        country=country,
        issuer=(settings.GOV3_NATIONAL_ID_ISSUER or str(section.get("issuer") or "")).rstrip("/"),
        client_id=settings.GOV3_NATIONAL_ID_CLIENT_ID or str(section.get("client_id") or ""),
        scopes=tuple(str(scope) for scope in scopes),
        national_id_claim=str(section.get("national_id_claim") or "national_id"),
        names={str(k): str(v) for k, v in names.items()},
        client_key_path=Path(settings.GOV3_NATIONAL_ID_CLIENT_KEY),
    )


def client_key(provider: NationalIdProvider) -> ECKey:
    """The P-256 key gov3 signs its request objects and client assertions with; made on first
    use (readable by the owner only) if the deployment has not put one there."""
    path = provider.client_key_path
    if path.exists():
        key = ECKey.import_key(json.loads(path.read_text(encoding="utf-8")))
        if not key.is_private:
            raise ValidationFailedError(f"{path} holds no private key: gov3 needs its own.")
        return key
    key = ECKey.generate_key("P-256", private=True, auto_kid=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(key.as_dict(private=True), file)
    return key


def client_public_jwks(provider: NationalIdProvider) -> dict[str, object]:
    """The public half of the client key, as the provider registers it (a JWK set)."""
    key = client_key(provider)
    public = key.as_dict(private=False)
    return {"keys": [{**public, "use": "sig", "alg": "ES256"}]}

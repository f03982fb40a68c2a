"""Identity: sign-in with the national digital ID (OpenID Connect) and passkeys (WebAuthn)."""

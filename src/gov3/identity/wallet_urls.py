"""Credentials to wallets: the well-known metadata at the site's root and the OID4VCI
endpoints (mounted at the root by gov3.urls)."""

from django.urls import path

from gov3.identity import wallet_views

app_name = "wallets"

urlpatterns = [
    path(
        ".well-known/openid-credential-issuer",
        wallet_views.credential_issuer_metadata,
        name="issuer_metadata",
    ),
    path(
        ".well-known/oauth-authorization-server",
        wallet_views.authorization_server_metadata,
        name="authorization_server_metadata",
    ),
    path("oid4vci/token", wallet_views.token, name="token"),
    path("oid4vci/nonce", wallet_views.nonce, name="nonce"),
    path("oid4vci/credential", wallet_views.credential, name="credential"),
    path("me/documents/<uuid:public_id>/wallet/", wallet_views.offer, name="offer"),
]

"""`gov3 accounts …`: bearer tokens for systems that call the API; officers' enrolment links."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from gov3.accounts.enrolment import DEFAULT_HOURS, do_make_enrolment_link
from gov3.accounts.models import ApiToken, User
from gov3.accounts.services import (
    TOKEN_PREFIX,
    do_create_api_token,
    do_revoke_api_token,
    token_hash,
)
from gov3.core.errors import Gov3Error

ACTOR = "system:accounts-cli"


class Command(BaseCommand):
    help = (
        "API tokens. `token USERNAME --name WHAT [--days N]` makes a bearer token acting as "
        "that account (shown once; only its hash is kept); `revoke PREFIX` stops one; "
        "`tokens USERNAME` lists them. `enrolment-link USERNAME [--hours N]` makes a one-time "
        "link with which an officer enrols their authenticator app."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{token,revoke,tokens,enrolment-link}"
        )
        make = sub.add_parser("token", help="make a bearer token for an account")
        make.add_argument("username")
        make.add_argument("--name", required=True, help="what the token is for")
        make.add_argument("--days", type=int, default=90, help="lifetime in days (1-366)")
        revoke = sub.add_parser(
            "revoke", help="revoke a token: by the token itself, or its prefix (and --id)"
        )
        revoke.add_argument("prefix", help="the token, or the prefix `tokens` shows")
        revoke.add_argument(
            "--id", type=int, help="which token, when live tokens share the prefix (`tokens`)"
        )
        listing = sub.add_parser("tokens", help="list an account's tokens")
        listing.add_argument("username")
        enrol = sub.add_parser(
            "enrolment-link", help="a one-time link to enrol an officer's authenticator app"
        )
        enrol.add_argument("username")
        enrol.add_argument(
            "--hours", type=int, default=DEFAULT_HOURS, help="how long it works (1-336)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action'].replace('-', '_')}")(options)
        except Gov3Error as exc:
            raise CommandError(str(exc)) from exc

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account {username!r}")
        return user

    def _token(self, options: dict[str, Any]) -> None:
        token, secret = do_create_api_token(
            ACTOR, self._user(options["username"]), name=options["name"], days=options["days"]
        )
        self.stdout.write(secret)
        self.stderr.write(
            f"expires {token.expires_at:%Y-%m-%d}; shown only now: keep it in a secret store"
        )

    def _revoke(self, options: dict[str, Any]) -> None:
        given: str = options["prefix"]
        live = ApiToken.objects.filter(revoked_at__isnull=True)
        if len(given) > len(TOKEN_PREFIX) + 3:  # the whole token: its hash finds exactly one
            tokens = list(live.filter(sha256=token_hash(given)))
        else:
            tokens = list(live.filter(prefix=given))
            if options["id"] is not None:
                tokens = [t for t in tokens if t.pk == options["id"]]
        if len(tokens) > 1:
            which = ", ".join(f"--id {t.pk} ({t.name}, user {t.user_id})" for t in tokens)
            raise CommandError(
                f"{len(tokens)} live tokens start with {given!r}; say which: {which}"
            )
        if not tokens:
            raise CommandError(f"no live token matches {given!r}")
        do_revoke_api_token(ACTOR, tokens[0])
        self.stdout.write(f"revoked {tokens[0]}")

    def _tokens(self, options: dict[str, Any]) -> None:
        for token in self._user(options["username"]).api_tokens.order_by("created_at"):
            state = "revoked" if token.revoked_at else f"expires {token.expires_at:%Y-%m-%d}"
            self.stdout.write(f"{token.prefix}…  id {token.pk}  {token.name}  {state}")

    def _enrolment_link(self, options: dict[str, Any]) -> None:
        secret = do_make_enrolment_link(
            ACTOR, self._user(options["username"]), hours=options["hours"]
        )
        path = reverse("identity:officer_enrol", args=[secret])
        self.stdout.write(f"{settings.GOV3_SITE_URL}{path}")
        self.stderr.write(
            f"works once, for {options['hours']} hours; give it to the officer in person"
        )

"""`gov3 demo setup` prepares the demo country; `gov3 demo otp USER` prints a sign-in code."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gov3.core.errors import Gov3Error
from gov3.demo.saemaul import load_demo as load_saemaul_demo
from gov3.demo.setup import current_code, set_up_demo


class Command(BaseCommand):
    help = (
        "The demo country. `gov3 demo setup` (idempotent), `gov3 demo otp officer` and "
        "`gov3 demo saemaul` (the Haenam demo alone, also `gov3 saemaul demo`)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{setup,otp,saemaul}")
        setup = sub.add_parser("setup", help="migrate, load the country, residents, accounts")
        setup.add_argument("--country", default="kr", help="country pack code (default kr)")
        setup.add_argument("--size", type=int, default=20_000, help="residents (default 20000)")
        setup.add_argument("--seed", type=int, default=2014, help="random seed (default 2014)")
        setup.add_argument("--url", default="http://127.0.0.1:8000", help="where it is served")
        otp = sub.add_parser("otp", help="print the current authenticator code of a demo account")
        otp.add_argument("username")
        sub.add_parser("saemaul", help="load the synthetic Haenam county and replay 1970-71")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "otp":
                self.stdout.write(current_code(options["username"]))
                return
            if options["action"] == "saemaul":
                self._saemaul()
                return
            logins = set_up_demo(
                options["country"], options["size"], options["seed"], options["url"].rstrip("/")
            )
        except Gov3Error as exc:
            raise CommandError(str(exc)) from exc
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"gov3 demo is ready at {options['url']}"))
        for login in logins:
            out(f"  {login.role:<14} user {login.username!r:<10} password {login.password!r}")
            out(f"  {'':<14} sign in at {login.url}")
            if login.person:
                out(f"  {'':<14} registered as {login.person}")
            if login.totp_secret:
                out(
                    f"  {'':<14} authenticator secret {login.totp_secret} "
                    f"(or run: .venv/bin/gov3 demo otp {login.username})"
                )
        url = options["url"].rstrip("/")
        out("")
        out(f"  service catalogue  {url}/services/  (check eligibility after signing in)")
        out(
            f"  register a birth   {url}/officer/births/new/  (as the officer, with the citizen's "
            "national id as the mother's: she then finds the birth offers)"
        )
        out(
            "  rules              .venv/bin/gov3 rules explain --service basic_pension "
            "--person <national id>;  .venv/bin/gov3 rules evaluate"
        )
        out(
            f"  paperless passport {url}/me/offers/  (the citizen's passport expires in "
            "4 months: confirm the renewal, upload a portrait photo, pay the sandbox fee)"
        )
        out(
            f"  documents          {url}/me/documents/  (certificates at once);  "
            f"verify anything at {url}/verify/"
        )
        out("")

    def _saemaul(self) -> None:
        summary = load_saemaul_demo()
        self.stdout.write(self.style.SUCCESS(f"Haenam demo: {summary.villages} villages"))
        self.stdout.write(
            f"  1970 seed round: {summary.seed_allocated} villages allocated 335 bags"
        )
        self.stdout.write(f"  1971 merit round: {summary.merit_allocated} villages with results")
        self.stdout.write(f"  classes 1971: {summary.classes_1971}")
        self.stdout.write(f"  classes 1979: {summary.classes_1979}")

"""`gov3 rules check|test|explain|evaluate`: the service catalogue from the command line."""

from __future__ import annotations

import io
import os
import time
import uuid
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gov3.catalogue.installed import country_pack
from gov3.catalogue.packs import pack_path
from gov3.catalogue.sources import unchecked_values
from gov3.core.access import log_access
from gov3.core.audit import record_audit
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.registry.facts import subject_for
from gov3.registry.models import Person
from gov3.rules.errors import EvaluationError, RulesError
from gov3.rules.explain import Explanation, Step, explain_service
from gov3.rules.lint import floor_division_warnings
from gov3.rules.pack import RulePack, load_rules
from gov3.rules.scenarios import run_scenarios

BACKENDS = ("vectorised", "sqlite", "postgres", "duckdb", "spark")
BACKENDS_VENDOR = {"sqlite": "sqlite", "postgres": "postgresql"}

if TYPE_CHECKING:
    from gov3.rules.sql import Dialect

ACTOR = "system:rules-cli"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _pack_dir(value: str | None) -> Path:
    if value and ("/" in value or Path(value).is_dir()):
        return Path(value)
    return pack_path(value or settings.GOV3_COUNTRY, Path(settings.GOV3_COUNTRIES_DIR))


def load(value: str | None) -> RulePack:
    directory = _pack_dir(value)
    if not (directory / "services").is_dir():
        raise CommandError(f"{directory} has no services/ directory")
    try:
        return load_rules(directory)
    except RulesError as error:
        raise CommandError(
            f"{len(error.problems)} problem(s) in {directory}; nothing was loaded:\n{error}"
        ) from None


def find_person(identifier: str) -> Person:
    """A resident by national id (with or without its hyphen) or public id."""
    try:
        return Person.objects.get(public_id=uuid.UUID(identifier))
    except ValueError:
        pass
    except Person.DoesNotExist:
        raise CommandError(f"no resident has the public id {identifier}") from None
    compact = identifier.replace("-", "")
    person = Person.objects.filter(national_id__in=[identifier, compact]).first()
    if person is None:
        raise CommandError(f"no resident has the id {identifier}")
    return person


def render(explanation: Explanation, language: str) -> list[str]:
    """The explanation as indented lines with ✔ / ✘."""
    service = explanation.service
    name = service.name.get(language, service.name["en"])
    verdict = "eligible" if explanation.eligible else "not eligible"
    lines = [f"{name} ({service.id} {service.version}) on {explanation.day}: {verdict}"]

    def walk(step: Step, depth: int) -> None:
        mark = {True: "✔ ", False: "✘ ", None: ""}[step.holds]
        lines.append("  " * depth + mark + step.text)
        for child in step.children:
            walk(child, depth + 1)

    walk(explanation.eligibility, 1)
    if explanation.calculation is not None:
        lines.append(f"Amount: {explanation.amount:,}")
        walk(explanation.calculation, 1)
    if explanation.facts:
        lines.append("Facts used:")
        lines.extend(f"  {f.label}: {f.value} — {f.source}" for f in explanation.facts)
    if explanation.params:
        lines.append("Parameters:")
        lines.extend(
            f"  {p.label}: {p.value} (from {p.valid_from}; {p.source_title} {p.source_url})"
            for p in explanation.params
        )
    basis = "; ".join(
        f"{b.title.get(language, b.title['en'])} {b.url}" for b in service.legal_basis
    )
    lines.append(f"Legal basis: {basis}")
    return lines


class Command(BaseCommand):
    # Django's system checks import every URL configuration, and with it the PDF, signing and
    # text-similarity libraries: seconds before `gov3 rules check` reads a file. The pack's own
    # check is what this command does; `gov3 check` runs the system checks (issue 17, item 6).
    requires_system_checks: list[str] = []
    help = (
        "The rules of a country's services. `check` validates a pack (every problem as "
        "file:line:column), `test` runs every service's scenario tests, `explain` shows why a "
        "resident qualifies or not, `evaluate` counts who qualifies across the population."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{check,test,explain,evaluate}"
        )
        check = sub.add_parser("check", help="validate a pack; exit 1 listing problems")
        check.add_argument("pack", nargs="?", help="country code or pack directory")
        test = sub.add_parser("test", help="run the scenario tests; exit 1 if any fails")
        test.add_argument("pack", nargs="?", help="country code or pack directory")
        test.add_argument("--service", help="only this service")
        explain = sub.add_parser("explain", help="why a resident qualifies for a service or not")
        explain.add_argument("--person", required=True, help="national id or public id")
        explain.add_argument("--service", required=True, help="the service id")
        explain.add_argument("--date", type=_day, default=None, help="YYYY-MM-DD (default today)")
        explain.add_argument("--language", default="en", choices=["en", "ko", "vi"])
        explain.add_argument("--country", default=None, help="default: GOV3_COUNTRY")
        evaluate = sub.add_parser(
            "evaluate", help="count who qualifies and the total amount over the whole population"
        )
        evaluate.add_argument(
            "--service", action="append", help="a service id (repeat; default: every service)"
        )
        evaluate.add_argument("--backend", choices=BACKENDS, default="vectorised")
        evaluate.add_argument(
            "--snapshot",
            type=Path,
            default=None,
            help="the Parquet snapshot for vectorised, duckdb and spark "
            "(default var/facts.parquet; write it with `gov3 registry snapshot`)",
        )
        evaluate.add_argument("--date", type=_day, default=None, help="YYYY-MM-DD (default today)")
        evaluate.add_argument("--country", default=None, help="default: GOV3_COUNTRY")
        evaluate.add_argument("--no-progress", action="store_true", help="no progress bar")
        evaluate.add_argument(
            "--people",
            type=Path,
            default=None,
            help="vectorised only: also write every person's eligibility and amount per service "
            "to this Parquet file, in the same pass (personal data: readable by the owner only)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self.check_pack(options["pack"])
        elif action == "test":
            self.test_pack(options["pack"], options["service"])
        elif action == "explain":
            self.explain(options)
        elif action == "evaluate":
            self.evaluate(options)

    def check_pack(self, value: str | None) -> None:
        pack = load(value)
        tests = sum(len(service.tests) for service in pack.services.values())
        self.stdout.write(
            f"{pack.country}: {len(pack.services)} services, {len(pack.params)} parameters, "
            f"{len(pack.variables)} variables, {tests} scenario tests — all checked"
        )
        for warning in floor_division_warnings(pack):
            self.stderr.write(f"warning: {warning}")
        unchecked = unchecked_values(pack, since=timezone.localdate())
        for entry in unchecked:
            self.stderr.write(f"warning: {entry}")
        if unchecked:
            self.stdout.write(
                f"{len(unchecked)} value(s) in force now or later rest on sources not checked "
                "against the official text (warnings above; `status:` in the parameter files)"
            )

    def test_pack(self, value: str | None, service: str | None) -> None:
        pack = load(value)
        if service is not None and service not in pack.services:
            raise CommandError(f"no service {service!r}; valid: {', '.join(sorted(pack.services))}")
        outcomes = run_scenarios(pack, service)
        failed = [o for o in outcomes if o.problem]
        for outcome in failed:
            self.stderr.write(f"{outcome.where}: {outcome.scenario.name}: {outcome.problem}")
        self.stdout.write(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
        if failed:
            raise CommandError(f"{len(failed)} scenario test(s) failed")

    def explain(self, options: dict[str, Any]) -> None:
        pack = load(options["country"])
        service = pack.services.get(options["service"])
        if service is None:
            valid = ", ".join(sorted(pack.services))
            raise CommandError(f"no service {options['service']!r}; valid: {valid}")
        person = find_person(options["person"])
        day = options["date"] or timezone.localdate()
        log_access(
            subject_ids=[person.pk],
            actor_id=None,
            actor_label=ACTOR,
            agency="",
            purpose=AccessPurpose.SYSTEM_EVALUATION,
            channel=AccessChannel.SYSTEM,
            what=f"eligibility for {service.id}",
        )
        currency = country_pack(person.country).currency.code
        try:
            explanation = explain_service(
                pack,
                service,
                subject_for(person),
                day,
                language=options["language"],
                currency=currency,
            )
        except EvaluationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("\n".join(render(explanation, options["language"])))

    def evaluate(self, options: dict[str, Any]) -> None:
        pack = load(options["country"])
        wanted = options["service"] or sorted(pack.services)
        unknown = [service_id for service_id in wanted if service_id not in pack.services]
        if unknown:
            valid = ", ".join(sorted(pack.services))
            raise CommandError(f"no service {', '.join(unknown)}; valid: {valid}")
        services = {service_id: pack.services[service_id] for service_id in wanted}
        day = options["date"] or timezone.localdate()
        paths = sorted(set().union(*(service.params_used() for service in services.values())))
        try:
            params = pack.params.on(day, paths)
        except EvaluationError as error:
            raise CommandError(str(error)) from None
        backend = options["backend"]
        if options["people"] is not None and backend != "vectorised":
            raise CommandError("--people needs --backend vectorised (results from the snapshot)")
        snapshot = options["snapshot"] or Path(settings.VAR_DIR) / "facts.parquet"
        started = time.perf_counter()
        if backend in ("sqlite", "postgres"):
            totals = self._in_database(backend, services, params, day)
        else:
            if not snapshot.is_file():
                raise CommandError(
                    f"no snapshot at {snapshot}: write one with "
                    f"`gov3 registry snapshot --out {snapshot}` or give --snapshot FILE"
                )
            from gov3.rules.snapshot import SnapshotError  # noqa: PLC0415
            from gov3.rules.snapshot import info as snapshot_info  # noqa: PLC0415

            try:
                described = snapshot_info(snapshot)
            except (SnapshotError, OSError) as error:
                raise CommandError(f"{snapshot} is not a readable snapshot: {error}") from None
            if described.country and described.country != pack.country:
                raise CommandError(
                    f"{snapshot} holds residents of {described.country!r}, not {pack.country!r}"
                )
            options["residents"] = described.rows
            # A file from outside the register must describe households as the register does.
            options["check_households"] = described.source != "registry"
            totals = self._from_snapshot(backend, services, params, day, snapshot, options)
        seconds = time.perf_counter() - started
        currency = country_pack(pack.country).currency.code
        table = Table(title=f"{pack.country} on {day} — {backend}, {seconds:.2f} s")
        table.add_column("service")
        table.add_column("eligible", justify="right")
        table.add_column(f"total ({currency})", justify="right")
        for service_id, (count, total) in totals.items():
            amount = "—" if services[service_id].amount is None else f"{total:,}"
            table.add_row(service_id, f"{count:,}", amount)
        rendered = io.StringIO()
        Console(file=rendered, width=100).print(table)
        self.stdout.write(rendered.getvalue().rstrip())

    def _in_database(
        self, backend: str, services: dict[str, Any], params: dict[str, Any], day: date
    ) -> dict[str, tuple[int, int]]:
        vendor = connection.vendor
        if BACKENDS_VENDOR[backend] != vendor:
            raise CommandError(
                f"this installation's database is {vendor}; use --backend "
                f"{'postgres' if vendor == 'postgresql' else vendor}, or a snapshot backend"
            )
        # The evaluators load when a command evaluates, so `gov3 rules check` starts quickly.
        from gov3.registry.facts_sql import evaluate_registry  # noqa: PLC0415

        with Console(stderr=True).status("evaluating in the database (one query)…"):
            found = evaluate_registry(list(services.values()), params=params, today=day)
        return {service_id: (t.count, t.total) for service_id, t in found.items()}

    def _from_snapshot(  # noqa: PLR0917
        self,
        backend: str,
        services: dict[str, Any],
        params: dict[str, Any],
        day: date,
        snapshot: Path,
        options: dict[str, Any],
    ) -> dict[str, tuple[int, int]]:
        if backend == "vectorised":
            residents = options["residents"]
            bar = Progress(
                TextColumn("[bold]evaluating"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                disable=options["no_progress"],
            )
            if options["people"] is not None:
                with bar:
                    task = bar.add_task("residents", total=residents)
                    return self._people(services, params, day, snapshot, options, bar, task)
            from gov3.rules.vectorised import evaluate_catalogue  # noqa: PLC0415

            with bar:
                task = bar.add_task("residents", total=residents)
                try:
                    found = evaluate_catalogue(
                        services,
                        snapshot,
                        params,
                        day,
                        progress=lambda done: bar.update(task, completed=done),
                        check_households=options["check_households"],
                    )
                except EvaluationError as error:
                    raise CommandError(f"{snapshot}: {error}") from None
            return {service_id: (t.count, t.total) for service_id, t in found.items()}
        from gov3.rules.backends import evaluate as evaluate_sql  # noqa: PLC0415
        from gov3.rules.sql import parquet_relation  # noqa: PLC0415

        engine_name: Dialect = "duckdb" if backend == "duckdb" else "spark"
        with (
            Console(stderr=True).status(f"evaluating with {backend} (one query)…"),
            _snapshot_engine(backend) as engine,
        ):
            found_sql = evaluate_sql(
                list(services.values()),
                engine_name,
                engine,
                params=params,
                today=day,
                relation=parquet_relation(snapshot, engine_name),
            )
        return {service_id: (t.count, t.total) for service_id, t in found_sql.items()}

    def _people(  # noqa: PLR0917
        self,
        services: dict[str, Any],
        params: dict[str, Any],
        day: date,
        snapshot: Path,
        options: dict[str, Any],
        bar: Progress,
        task: Any,
    ) -> dict[str, tuple[int, int]]:
        """Every person's results written to `out` in the catalogue's pass; the export of
        everyone's results is recorded in the audit log, as a snapshot's is."""
        from gov3.rules.people import write_people  # noqa: PLC0415

        out: Path = options["people"]
        if not out.parent.is_dir():
            raise CommandError(f"no directory {out.parent} to write {out.name} in")
        try:
            summary = write_people(
                out,
                services,
                snapshot,
                params,
                day,
                progress=lambda done: bar.update(task, completed=done),
                check_households=options["check_households"],
            )
        except EvaluationError as error:
            raise CommandError(f"{snapshot}: {error}") from None
        with transaction.atomic():
            record_audit(
                actor=ACTOR,
                action="rules.people_results_written",
                target_type="snapshot",
                target_id=str(snapshot),
                data={
                    "path": str(out),
                    "residents": summary.rows,
                    "services": sorted(services),
                    "date": day.isoformat(),
                    "purpose": str(AccessPurpose.SYSTEM_EVALUATION),
                    "channel": str(AccessChannel.EXPORT),
                },
            )
        self.stderr.write(f"wrote {summary.rows:,} people's results to {out}")
        return summary.totals


@contextmanager
def _snapshot_engine(backend: str) -> Iterator[Any]:
    """An in-process DuckDB, or Spark in local mode on this machine (a cluster deployment points
    the session elsewhere), closed afterwards."""
    if backend == "duckdb":
        import duckdb  # noqa: PLC0415 - only this backend needs it

        with duckdb.connect() as database:
            yield database
        return
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415 - optional, heavy
    except ImportError:
        raise CommandError("pyspark is not installed: pip install pyspark") from None
    session = (
        SparkSession.builder.master("local[2]")
        .appName("gov3-rules")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()

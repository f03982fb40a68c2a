"""`generate_population`: checks the register, then draws and bulk-loads the residents chunk by
chunk in one transaction with one audit entry, generating in a child process while this one
writes.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from gov3.catalogue.packs import load_pack, pack_path
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.registry.bulk_load import BulkRows, BulkWriter
from gov3.registry.models import Area, Passport, Person
from gov3.synthetic.population.households import _Chunk, _HouseholdSampler
from gov3.synthetic.population.rows import ACTOR, _RowBuilder

DEFAULT_BATCH = 5000


class PopulationExistsError(ValidationFailedError):
    """The country already has residents; generating would mix synthetic and existing people."""


@dataclass(frozen=True)
class PopulationSummary:
    """What a generation run did (or, with ``skipped``, why it did nothing)."""

    country: str
    size: int
    seed: int
    as_of: date
    households: int = 0
    persons: int = 0
    passports: int = 0
    life_events: int = 0
    deceased: int = 0
    moved: int = 0
    seconds: float = 0.0
    skipped: bool = False
    existing: int = 0


_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _in_background(items: Iterator[BulkRows], depth: int = 2) -> Iterator[BulkRows]:
    """Run ``items`` on a second thread, at most ``depth`` chunks ahead of the consumer.

    Generation is one sequence drawn from one generator on one thread, so it stays
    deterministic; the consumer (the database writer) overlaps with it.
    """
    handoff: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_Failed(exc))

    worker = threading.Thread(target=run, name="population-generate", daemon=True)
    worker.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


def _produce(items: Iterator[BulkRows], sender: Connection) -> None:
    """In the child process: send every chunk, then None; or the error that stopped it."""
    try:
        for item in items:
            sender.send(item)
        sender.send(None)
    except (BrokenPipeError, ConnectionResetError):
        return  # the writer has stopped reading (it failed, or was interrupted)
    except BaseException as exc:  # handed to the writer, which raises it
        try:
            sender.send(_Failed(exc))
        except Exception:  # an exception that does not pickle: keep its words
            sender.send(_Failed(RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        sender.close()


@contextmanager
def _in_child_process(items: Iterator[BulkRows]) -> Iterator[Iterator[BulkRows]]:
    """Run ``items`` in a forked child process that streams each chunk back through a pipe.

    Why a process and not a thread: ``executemany`` releases the GIL around every row it steps
    and had to win it back from a generating thread each time, so on SQLite the two threads
    mostly took turns (bench/RESULTS.md, population load). A child has its own interpreter;
    the pipe's buffer keeps it at most about a chunk ahead, so memory stays flat. It is forked,
    so it starts at once with the generator's state (the seeded NumPy generator included) and
    never touches the database connection: the rows are exactly those a thread would make.
    Where ``fork`` does not exist, or inside a daemonic process (which may not have children),
    the thread is used.
    """
    if (
        "fork" not in multiprocessing.get_all_start_methods()
        or multiprocessing.current_process().daemon
    ):
        yield _in_background(items)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_produce, args=(items, sender), name="population-generate", daemon=False
    )
    child.start()
    sender.close()

    def received() -> Iterator[BulkRows]:
        while True:
            try:
                item = receiver.recv()
            except EOFError:
                raise RuntimeError(
                    f"The population generator process stopped early (exit code {child.exitcode})."
                ) from None
            if item is None:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    try:
        yield received()
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
            child.join()


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]generating residents"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )


def generate_population(
    country: str,
    size: int,
    seed: int,
    *,
    progress: bool = True,
    batch: int = DEFAULT_BATCH,
    as_of: date | None = None,
    if_empty: bool = False,
    countries_dir: Path | None = None,
    actor: str = ACTOR,
) -> PopulationSummary:
    """Generate and load ``size`` synthetic residents of ``country``, reproducibly from ``seed``.

    The country's areas must be loaded (`gov3 country load`). If the country already has
    residents, nothing is written: with ``if_empty`` the summary says ``skipped``, otherwise
    `PopulationExistsError` is raised. All rows are written in one transaction, with one audit
    entry, so a failed run leaves nothing behind.
    """
    if size < 1:
        raise ValidationFailedError("The population size must be at least 1.")
    if batch < 1:
        raise ValidationFailedError("The batch size must be at least 1 household.")
    as_of = as_of or timezone.localdate()
    pack = load_pack(pack_path(country, countries_dir or Path(settings.GOV3_COUNTRIES_DIR)))
    started = time.perf_counter()
    existing = Person.objects.filter(country=country).count()
    if existing:
        if if_empty:
            return PopulationSummary(country, size, seed, as_of, skipped=True, existing=existing)
        raise PopulationExistsError(
            f"Country {country!r} already has {existing} residents; a synthetic population is "
            "only generated into an empty register (use --if-empty to skip in that case)."
        )
    leaf_codes = [a.code for a in pack.leaf_areas]
    area_ids = dict(
        Area.objects.filter(country=country, code__in=leaf_codes).values_list("code", "id")
    )
    missing = [c for c in leaf_codes if c not in area_ids]
    if missing:
        raise ValidationFailedError(
            f"{len(missing)} area(s) of country {country!r} are not loaded (e.g. {missing[0]}); "
            f"run `gov3 country load {country}` first."
        )
    areas = [(area_ids[c], c) for c in leaf_codes]

    rng = np.random.Generator(np.random.PCG64(seed))
    sampler = _HouseholdSampler(pack, rng)
    writer = BulkWriter()
    totals = {"households": 0, "persons": 0, "passports": 0, "events": 0, "dead": 0, "moved": 0}
    writer.tune()
    try:
        with transaction.atomic(durable=True):
            writer.lock()
            # Checked again under the lock: another process may have loaded residents meanwhile.
            if Person.objects.filter(country=country).exists():
                raise PopulationExistsError(f"Country {country!r} got residents while starting.")
            writer.suspend_indexes()
            prefix = pack.passport.number_format.split("#")[0].split("@")[0]
            taken = set(
                Passport.objects.filter(number__startswith=prefix).values_list("number", flat=True)
            )
            builder = _RowBuilder(
                pack,
                rng,
                as_of=as_of,
                area_ids=areas,
                first_ids=writer.first_ids(),
                taken_passports=taken,
                text_dates=writer.vendor != "postgresql",
            )
            chunks = _chunks(sampler, builder, size, batch)
            if writer.vendor == "postgresql":
                # The COPY text is made by the generating process too: the writer then only
                # hands buffers to the server.
                chunks = _with_copy_text(chunks, builder.pack_text_needs_escape)
            # The child is forked before the progress bar starts its refresh thread.
            with _in_child_process(chunks) as generated, _progress(progress) as bar:
                task = bar.add_task("residents", total=size)
                for rows in generated:
                    writer.write(rows)
                    totals["households"] += rows.count("household")
                    totals["persons"] += rows.count("person")
                    totals["passports"] += rows.count("passport")
                    totals["events"] += rows.count("event")
                    totals["dead"] += rows.deceased
                    totals["moved"] += rows.moved
                    bar.update(task, advance=rows.count("person"))
            writer.finish()
            record_audit(
                actor=actor,
                action="registry.population_generated",
                target_type="country",
                target_id=country,
                data={
                    "country": country,
                    "size": size,
                    "seed": seed,
                    "as_of": as_of.isoformat(),
                    "households": totals["households"],
                    "passports": totals["passports"],
                    "life_events": totals["events"],
                },
            )
    finally:
        writer.restore()
    return PopulationSummary(
        country=country,
        size=size,
        seed=seed,
        as_of=as_of,
        households=totals["households"],
        persons=totals["persons"],
        passports=totals["passports"],
        life_events=totals["events"],
        deceased=totals["dead"],
        moved=totals["moved"],
        seconds=time.perf_counter() - started,
    )


def _chunks(
    sampler: _HouseholdSampler, builder: _RowBuilder, size: int, batch: int
) -> Iterator[BulkRows]:
    """Rows for ``size`` residents, ``batch`` households at a time; the last household is cut
    short if needed so that exactly ``size`` residents are made."""
    made = 0
    while made < size:
        remaining = size - made
        kept: list[int] = []
        for drawn in sampler.sizes(batch):
            if remaining <= 0:
                break
            kept.append(min(drawn, remaining))
            remaining -= kept[-1]
        chunk = _Chunk()
        sampler.fill(chunk, kept)
        made += len(chunk.members)
        yield builder.build(chunk)


def _with_copy_text(chunks: Iterator[BulkRows], escape_pack_text: bool) -> Iterator[BulkRows]:
    for rows in chunks:
        rows.copy_text(escape_pack_text)
        yield rows

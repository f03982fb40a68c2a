"""`gov3 offers sweep`: who newly qualifies today, by date conditions the register cannot signal
(a passport expiring in 6 months, turning 65, a child turning 6).

For each swept service one SQL query, compiled from the service's rules and run inside the
database over the live register (`gov3.registry.facts_sql`), selects the residents who qualify
and have no live offer yet (the set difference is in the query), with the recipient and the
facts the rule read. The rows are written in batches, each its own transaction: a sweep that is
killed keeps the batches it committed, and a rerun selects only what is still missing, so it
never writes an offer twice.

At national scale the register can instead be swept from its Parquet snapshot
(`gov3 registry snapshot`; ``--snapshot FILE``): the rules are evaluated per person for every
swept service in one pass a row group at a time (`gov3.rules.people.evaluate_people`), and only
the people who qualify are looked up in the register (who receives the offer, whether one is
live already, whether they died since the snapshot). The offers are the same as the database
sweep's on the same register.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from gov3.catalogue.installed import country_pack, rules_pack
from gov3.core import metrics
from gov3.core.audit import record_audit
from gov3.core.bulk import (
    COPY_NULL,
    copy_field,
    copy_rows,
    next_ids,
    relax_commit,
    time_ordered_uuids,
)
from gov3.core.dates import add_years
from gov3.offers.models import Offer, OfferStatus, OfferTrigger, SweepRun
from gov3.offers.proposals import (
    fact_text,
    facts_encoder,
    facts_read,
    guardian_sql,
    period_of,
    proactive,
    recipient_for,
)
from gov3.offers.services import do_withdraw_offers_of_adults, notify_offers, write_offers
from gov3.registry.facts_sql import BACKENDS, facts_query
from gov3.registry.models import Person
from gov3.rules.backends import database_value
from gov3.rules.facts import FACTS
from gov3.rules.pack import RulePack, Service
from gov3.rules.sql import expression_sql

ACTOR = "system:sweep"
BATCH = 5_000  # offers per transaction (`--batch-size`)

#: (service id, rows written so far, rows selected) after each batch.
Progress = Callable[[str, int, int], None]


@dataclass
class SweepResult:
    """What one sweep did, per service: residents selected (eligible, no live offer) and
    offers written."""

    day: date
    selected: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    #: The offers written, as 8-byte integers (a list of Python ints would take 36 bytes an
    #: offer: 380 MB of a 10 M sweep's memory).
    offer_ids: array[int] = field(default_factory=lambda: array("q"))

    @property
    def total_written(self) -> int:
        return sum(self.written.values())


def swept_services(country: str, frequency: str | None = None) -> list[Service]:
    """The services a sweep evaluates: proactive, with a sweep (of `frequency` if given)."""
    services = rules_pack(country).services.values()
    return sorted(
        (
            s
            for s in services
            if s.sweep != "none" and proactive(s) and (frequency is None or s.sweep == frequency)
        ),
        key=lambda s: s.id,
    )


def candidates_query(
    pack: RulePack,
    service: Service,
    day: date,
    vendor: str,
    majority: int,
    *,
    facts_relation: str | None = None,
) -> str:
    """SQL selecting (subject, recipient, amount, facts…) of everyone who qualifies for
    `service` on `day` and has no live offer of it for the period. The facts come from
    `facts_relation` (a table `_facts_table` filled) or else are worked out in the query."""
    backend = BACKENDS[vendor]
    params = pack.params_on(service, day)
    eligible = expression_sql(service.eligible, backend, params, day)
    amount = (
        expression_sql(service.amount, backend, params, day)
        if service.amount is not None
        else "NULL"
    )
    columns = facts_read(service)
    selected = ", ".join(f'facts."{name}" AS "{name}"' for name in columns)
    person = Person._meta.db_table
    offers = Offer._meta.db_table
    cutoff = add_years(day, -majority).isoformat()
    as_date = f"'{cutoff}'" if vendor == "sqlite" else f"DATE '{cutoff}'"
    if service.recipient == "guardian":
        # `recipient_for`: an adult answers for themselves, a minor's guardian for them.
        recipient = (
            f"CASE WHEN p.birth_date <= {as_date} THEN p.id ELSE {guardian_sql('m', 'f')} END"
        )
    else:
        recipient = "p.id"
    heads = "AND e.sweep_relationship = 'head'" if service.subject == "household" else ""
    if service.once_per is not None:
        period = f'CAST(facts."{service.once_per}" AS TEXT)'
    else:
        period = f"'{period_of(service, day)}'"
    # Every piece comes from the checked rule tree (compiled by SQLGlot), the models' table
    # names, and values checked by the pack loader (service ids, periods): no outside input.
    return f"""
SELECT e.person_id, {recipient} AS recipient_id, e.amount, e.sweep_province, e.sweep_period{
        ", " if columns else ""
    }{", ".join(f'e."{name}"' for name in columns)}
FROM (
    SELECT facts.person_id AS person_id, facts.relationship_to_head AS sweep_relationship,
           facts.province AS sweep_province, {period} AS sweep_period,
           {eligible} AS eligible, {amount} AS amount{", " if columns else ""}{selected}
    FROM {facts_relation or facts_query(vendor)} AS facts
) e
JOIN {person} p ON p.id = e.person_id
LEFT JOIN {person} m ON m.id = p.mother_id
LEFT JOIN {person} f ON f.id = p.father_id
WHERE e.eligible {heads}
  AND NOT EXISTS (
    SELECT 1 FROM {offers} o
    WHERE o.service_id = '{service.id}' AND o.subject_id = e.person_id
      AND o.period = e.sweep_period AND o.status <> '{OfferStatus.SUPERSEDED.value}'
  )
ORDER BY e.person_id"""  # noqa: S608


_FACTS_TABLE = "gov3_sweep_facts"


def _fill_facts_table(using: str) -> str:
    """The register's facts worked out once, into a temporary table (analysed); its name."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_FACTS_TABLE}")
        cursor.execute(
            f"CREATE TEMP TABLE {_FACTS_TABLE} AS SELECT * FROM {facts_query('postgresql')} AS f"  # noqa: S608
        )
        cursor.execute(f"ANALYZE {_FACTS_TABLE}")
    return _FACTS_TABLE


@contextmanager
def _facts_table(using: str) -> Iterator[str | None]:
    """On PostgreSQL, the register's facts worked out once for the whole sweep into a
    temporary table that every service's query reads, instead of each of the ~11 queries
    joining and ranking the whole register again; its name. Elsewhere None (each query works
    them out). The facts are those of the moment the sweep starts, as each service's query
    already saw the register as of its own start."""
    if connections[using].vendor != "postgresql":
        yield None
        return
    try:
        yield _fill_facts_table(using)
    finally:
        with connections[using].cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_FACTS_TABLE}")


def _open_candidates(using: str, sql: str, size: int) -> Any:
    """A cursor over the result of `sql`, executed. On PostgreSQL a server-side cursor that
    outlives the batches' transactions (``WITH HOLD``): the rows stay on the server and come
    `size` at a time, so the sweep's memory does not grow with the register."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        cursor = connection.cursor()
    else:
        connection.ensure_connection()
        cursor = connection.connection.cursor(name="gov3_sweep_candidates", withhold=True)
        cursor.itersize = size
    cursor.execute(sql)
    return cursor


def _rows(cursor: Any, size: int) -> Iterator[list[tuple[Any, ...]]]:
    while True:
        rows = cursor.fetchmany(size)
        if not rows:
            return
        yield rows


def _offer_rows(
    service: Service, day: date, rows: Sequence[tuple[Any, ...]], fixed: dict[str, Any]
) -> list[dict[str, Any]]:
    columns = facts_read(service)
    out = []
    for row in rows:
        subject_id, recipient_id, amount, province, period = row[:5]
        if recipient_id is None:  # a child with no living parent in the register
            continue
        facts = [
            {
                "name": name,
                "value": fact_text(database_value(value, FACTS[name].type)),
                "source": FACTS[name].source,
            }
            for name, value in zip(columns, row[5:], strict=True)
        ]
        out.append(
            {
                **fixed,
                "subject_id": int(subject_id),
                "recipient_id": int(recipient_id),
                "province": str(province),
                "period": str(period),
                "amount": None if service.amount is None else int(amount),
                "facts": facts,
            }
        )
    return out


#: The columns of a batch that differ from offer to offer (PostgreSQL's COPY path); every
#: other column is the same for the whole batch and is sent once.
_BATCH_COLUMNS = ("subject_id", "recipient_id", "province", "period", "amount", "facts")


def _batch_text(service: Service, rows: Sequence[tuple[Any, ...]], ids: Iterator[int]) -> str:
    """The batch's offers as COPY text: each line an id of `ids`, then the varying columns
    (`_BATCH_COLUMNS`) and a new public id, without the rows of no recipient or seen before in
    the batch: the same values `_offer_rows` gives, written straight from the candidate rows
    (no dict, no model; the facts encoded by `offers.proposals.facts_encoder`)."""
    encode = facts_encoder(facts_read(service))
    has_amount = service.amount is not None
    public_ids = iter(time_ordered_uuids(len(rows)))
    seen: set[tuple[int, int, str]] = set()
    lines = []
    for row in rows:
        subject_id, recipient_id, amount, province, period = row[:5]
        if recipient_id is None:  # a child with no living parent in the register
            continue
        key = (int(recipient_id), int(subject_id), str(period))
        if key in seen:
            continue
        seen.add(key)
        lines.append(
            f"{next(ids)}\t{key[1]}\t{key[0]}\t{copy_field(str(province))}\t"
            f"{copy_field(key[2])}\t{int(amount) if has_amount else COPY_NULL}\t"
            f"{copy_field(encode(tuple(row[5:])))}\t{next(public_ids)}\n"
        )
    return "".join(lines)


def _insert(
    using: str,
    service: Service,
    rows: Sequence[tuple[Any, ...]],
    fixed: dict[str, Any],
    *,
    trigger: OfferTrigger,
    detail: dict[str, Any],
) -> list[int]:
    """Write the offers of one batch of candidate rows inside the caller's transaction; their
    ids. PostgreSQL takes them straight into the table through COPY, with ids drawn from the
    sequence and the batch's common values encoded once (`core.bulk.copy_rows`); should
    another writer have made one of them since the candidates were selected, the one-live-offer
    constraint refuses the COPY and the batch goes again through a staging table, skipping
    what is live. Other databases go through the ORM."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        made = write_offers(_offer_rows(service, fixed["evaluated_on"], rows, fixed),
                            trigger=trigger, detail=detail)  # fmt: skip
        return [offer.pk for offer in made]
    ids = next_ids(Offer, len(rows), using=using)
    text = _batch_text(service, rows, iter(ids))
    if not text:
        return []
    ids = ids[: text.count("\n")]
    # A crash of the server may lose the last batches committed; the next sweep makes them
    # again (it selects what is missing).
    relax_commit(using)
    common = {**fixed, "trigger": trigger, "trigger_detail": detail, "created_at": timezone.now()}
    try:
        with transaction.atomic(using=using):
            copy_rows(Offer, ["id", *_BATCH_COLUMNS, "public_id"], text, common=common, using=using)
    except IntegrityError:
        # Through a staging table, without the ids: the constraint skips what is live.
        staged = "".join(
            line.split("\t", 1)[1].rsplit("\t", 1)[0] + "\n" for line in text.splitlines()
        )
        written = copy_rows(
            Offer, _BATCH_COLUMNS, staged, common=common, skip_conflicts=True, returning=("id",),
            using=using,
        )  # fmt: skip
        ids = [int(row[0]) for row in written]
    metrics.count_on_commit(metrics.OFFERS_MADE, len(ids), trigger=str(trigger))
    return ids


def _snapshot_candidates(
    pack: RulePack, chosen: Sequence[Service], day: date, path: Path | str, country: str
) -> Iterator[tuple[Service, list[tuple[Any, ...]]]]:
    """Per row group of the snapshot and per service: (subject, None, amount, province,
    period, facts…) of everyone the rules say yes to (a household service: its heads), in the
    snapshot's order. The recipient is found later, in the register."""
    import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415 - only for this path

    from gov3.rules import snapshot  # noqa: PLC0415
    from gov3.rules.facts import KEY_COLUMNS  # noqa: PLC0415
    from gov3.rules.people import amount_column, eligible_column, evaluate_people  # noqa: PLC0415
    from gov3.rules.vectorised import Population, columns_needed  # noqa: PLC0415

    try:
        described = snapshot.info(path)
    except snapshot.SnapshotError as error:
        raise ValueError(str(error)) from None
    if described.country != country:
        raise ValueError(f"{path} is a snapshot of {described.country!r}, not of {country!r}")
    if not described.households_whole:
        raise ValueError(f"{path} splits households between row groups; write it again")
    by_id = {service.id: service for service in chosen}
    read = {service.id: facts_read(service) for service in chosen}
    wanted = columns_needed(chosen) | {"province"}
    for service in chosen:
        wanted |= set(read[service.id])
        if service.once_per is not None:
            wanted.add(service.once_per)
    used = sorted(set().union(*(service.params_used() for service in chosen)))
    params = pack.params.on(day, used)
    handle = snapshot.open_file(path)
    for group in range(handle.metadata.num_row_groups):
        data = handle.read_row_group(group, columns=[*KEY_COLUMNS, *sorted(wanted)])
        if not data.num_rows:
            continue
        results = pa.Table.from_batches(list(evaluate_people(by_id, Population(data), params, day)))
        for service in chosen:
            mask = results.column(eligible_column(service.id))
            rows = data.filter(mask)
            if not rows.num_rows:
                continue
            amounts = (
                results.column(amount_column(service.id)).filter(mask).to_pylist()
                if service.amount is not None
                else [None] * rows.num_rows
            )
            facts = [rows.column(name).to_pylist() for name in read[service.id]]
            periods = (
                [fact_text(v) for v in rows.column(service.once_per).to_pylist()]
                if service.once_per is not None
                else [period_of(service, day)] * rows.num_rows
            )
            yield (
                service,
                [
                    (subject, None, amount, province, period, *values)
                    for subject, amount, province, period, *values in zip(
                        rows.column("person_id").to_pylist(),
                        amounts,
                        rows.column("province").to_pylist(),
                        periods,
                        *facts,
                        strict=True,
                    )
                ],
            )


def _in_the_register(
    service: Service, day: date, rows: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The snapshot's candidates still to offer, with their recipient: not dead since the
    snapshot, in the register, and with no live offer of the service for the period."""
    subjects = [int(row[0]) for row in rows]
    people = Person.objects.select_related("mother", "father").in_bulk(subjects)
    live = set(
        Offer.objects.filter(service_id=service.id, subject_id__in=subjects)
        .exclude(status=OfferStatus.SUPERSEDED)
        .values_list("subject_id", "period")
    )
    out = []
    for row in rows:
        person = people.get(int(row[0]))
        if person is None or person.date_of_death is not None or (person.pk, row[4]) in live:
            continue
        recipient = recipient_for(service, person, day)
        out.append((row[0], None if recipient is None else recipient.pk, *row[2:]))
    return out


def _batched(
    rows: Iterator[tuple[Any, ...]] | Sequence[tuple[Any, ...]], size: int
) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_sweep(
    country: str,
    day: date | None = None,
    *,
    services: Sequence[str] | None = None,
    frequency: str | None = None,
    notify: bool = True,
    trigger: OfferTrigger = OfferTrigger.SWEEP,
    batch_size: int = BATCH,
    progress: Progress | None = None,
    using: str = "default",
    snapshot: Path | str | None = None,
) -> SweepResult:
    """Write an offer for everyone who qualifies today and has none yet; see the module.
    With ``snapshot`` the rules are evaluated on that Parquet snapshot of the register."""
    day = day or timezone.localdate()
    pack = rules_pack(country)
    chosen = swept_services(country, frequency)
    if services:
        unknown = sorted(set(services) - {s.id for s in chosen})
        if unknown:
            raise ValueError(f"not swept services of {country}: {', '.join(unknown)}")
        chosen = [s for s in chosen if s.id in services]
    # Offers a parent holds for a child who has come of age are withdrawn first; the child,
    # now the recipient, is proposed to below like anyone else.
    do_withdraw_offers_of_adults(ACTOR, country, day)
    vendor = connections[using].vendor
    majority = country_pack(country).age_of_majority
    currency = country_pack(country).currency.code
    result = SweepResult(day)
    fixed_of: dict[str, dict[str, Any]] = {}
    run = SweepRun.objects.create(
        started_at=timezone.now(), day=day, country=country, services=[s.id for s in chosen]
    )
    for service in chosen:
        fixed = {
            "country": country,
            "service_id": service.id,
            "service_version": service.version,
            "service_kind": service.kind,
            "service_name": dict(service.name),
            "evaluated_on": day,
            "currency": currency if service.amount is not None else "",
            # the same for every offer of the service version on the day: added when an offer
            # is first opened (`offers.services.completion`), not written 10^5 times here
            "params": [],
            "legal_basis": [],
            "explanation": {},
            "deadline": day + timedelta(days=service.deadline_days),
        }
        fixed_of[service.id] = fixed
        result.selected[service.id] = result.written[service.id] = 0

    def write(service: Service, rows: list[tuple[Any, ...]]) -> None:
        result.selected[service.id] += len(rows)
        with transaction.atomic(using=using, durable=True):
            made = _insert(
                using, service, rows, fixed_of[service.id], trigger=trigger, detail=detail
            )
            if made:
                record_audit(
                    actor=ACTOR,
                    action="offers.swept",
                    target_type="offer",
                    target_id=f"{min(made)}..{max(made)}",
                    data={"service": service.id, "count": len(made), "sweep": run.pk},
                )
        result.written[service.id] += len(made)
        result.offer_ids.extend(made)
        if progress:
            progress(service.id, result.written[service.id], result.selected[service.id])

    detail: dict[str, Any] = {"sweep": run.pk, "day": day.isoformat()}
    if snapshot is not None:
        detail["snapshot"] = Path(snapshot).name
        for service, found in _snapshot_candidates(pack, chosen, day, snapshot, country):
            for rows in _batched(found, batch_size):
                write(service, _in_the_register(service, day, rows))
    else:
        with _facts_table(using) as relation:
            for service in chosen:
                sql = candidates_query(
                    pack, service, day, vendor, majority, facts_relation=relation
                )
                cursor = _open_candidates(using, sql, batch_size)
                try:
                    for rows in _rows(cursor, batch_size):
                        write(service, rows)
                finally:
                    cursor.close()
    SweepRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        eligible=sum(result.selected.values()),
        created=result.total_written,
    )
    if notify:
        for start in range(0, len(result.offer_ids), batch_size):
            notify_offers(result.offer_ids[start : start + batch_size])
    return result

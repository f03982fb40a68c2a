"""The national batches' writer (`core.bulk`): what COPY writes reads back as the ORM wrote it,
ids and public ids come in order, and the pipeline's writes run in order inside the caller's
transaction, the first failure stopping the rest."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from django.db import connection, transaction

from gov3.core.bulk import EncodedJson, Pipeline, copy_rows, next_ids, time_ordered_uuids
from gov3.offers.models import Offer, OfferStatus
from gov3.registry.models import Person
from tests.conftest import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("areas")]

COMMON = {
    "country": "kr",
    "service_id": "test_service",
    "service_version": "1",
    "service_kind": "benefit",
    "service_name": {"en": "Test", "ko": "시험\t\\탭"},
    "evaluated_on": date(2026, 10, 1),
    "deadline": date(2026, 12, 31),
    "trigger": "sweep",
    "created_at": datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
}


def _people(count: int) -> list[Person]:
    return [make_person() for _ in range(count)]


def test_rows_written_read_back_with_their_values_and_the_shared_ones() -> None:
    a, b = _people(2)
    rows = [
        (a.pk, a.pk, "11", "2026", 1234, EncodedJson('[{"name": "age", "value": "36"}]')),
        (b.pk, a.pk, "line\nbreak", "", None, [{"name": "x", "value": "tab\there"}]),
    ]
    columns = ["subject_id", "recipient_id", "province", "period", "amount", "facts"]
    with transaction.atomic():
        copy_rows(Offer, columns, rows, common=COMMON)
    first, second = Offer.objects.order_by("subject_id")
    assert (first.province, first.amount, first.facts) == (
        "11",
        1234,
        [{"name": "age", "value": "36"}],
    )
    assert (second.province, second.amount) == ("line\nbreak", None)
    assert second.facts == [{"name": "x", "value": "tab\there"}]
    for offer in (first, second):
        assert offer.service_name == {"en": "Test", "ko": "시험\t\\탭"}
        assert offer.deadline == date(2026, 12, 31)
        assert offer.status == OfferStatus.PROPOSED  # the field's default
        assert offer.version == 1
    assert first.public_id != second.public_id


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_text_gets_the_shared_values_and_ids_from_the_sequence() -> None:
    (a,) = _people(1)
    ids = next_ids(Offer, 3)
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    public = time_ordered_uuids(2)
    text = "".join(
        f"{pk}\t{a.pk}\t{a.pk}\t{period}\t{public_id}\n"
        for pk, period, public_id in zip(ids, ["2026", "2027"], public, strict=False)
    )
    with transaction.atomic():
        copy_rows(
            Offer, ["id", "subject_id", "recipient_id", "period", "public_id"], text, common=COMMON
        )
    written = list(Offer.objects.order_by("id"))
    assert [o.id for o in written] == ids[:2]
    assert [str(o.public_id) for o in written] == public
    assert {o.service_id for o in written} == {"test_service"}
    assert written[0].service_name["ko"] == "시험\t\\탭"
    with pytest.raises(ValueError, match="public_id"):
        copy_rows(Offer, ["id", "subject_id", "recipient_id"], f"{ids[2]}\t1\t1\n", common=COMMON)


def test_time_ordered_uuids_are_version_7_distinct_and_in_order() -> None:
    made = time_ordered_uuids(1000)
    assert made == sorted(made)
    assert len(set(made)) == 1000
    assert {uuid.UUID(u).version for u in made} == {7}
    assert {uuid.UUID(u).variant for u in made} == {uuid.RFC_4122}


def test_the_pipeline_writes_in_order_inside_the_transaction_and_stops_at_a_failure() -> None:
    people = _people(3)
    done: list[int] = []

    def rename(person: Person) -> None:
        Person.objects.filter(pk=person.pk).update(name_latin=f"DONE {person.pk}")
        done.append(person.pk)

    def fail() -> None:
        raise RuntimeError("the second write failed")

    def failing_batch() -> None:
        with transaction.atomic(), Pipeline() as pipeline:
            pipeline.put(lambda: rename(people[0]))
            pipeline.put(fail)
            pipeline.put(lambda: rename(people[1]))

    with pytest.raises(RuntimeError, match="second write"):
        failing_batch()
    assert done == [people[0].pk]  # the write after the failure did not run
    # ... and the one before it was rolled back with the caller's transaction.
    assert not Person.objects.filter(name_latin__startswith="DONE").exists()

    with transaction.atomic(), Pipeline() as pipeline:
        for person in people:
            pipeline.put(lambda person=person: rename(person))
    assert done[1:] == [p.pk for p in people]
    assert Person.objects.filter(name_latin__startswith="DONE").count() == 3

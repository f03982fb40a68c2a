"""Rows that bulk writers refer to without a database foreign key (ADR 0041) are never deleted:
the application's delete is refused by the referring fields' PROTECT, and PostgreSQL refuses a
DELETE or TRUNCATE behind its back."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from gov3.core.models import NeverDeleted
from gov3.offers.models import Offer, OfferStatus, OfferTrigger
from gov3.offers.services import insert_offers
from gov3.registry.models import Person
from tests.conftest import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("areas")]


COMMON = {
    "country": "kr",
    "service_id": "test_service",
    "service_version": "1",
    "service_kind": "benefit",
    "service_name": {"en": "Test"},
    "evaluated_on": date(2026, 10, 1),
    "deadline": date(2026, 12, 31),
}
COLUMNS = ("recipient_id", "subject_id", "period")


def _offers(rows: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    with transaction.atomic():
        return insert_offers(COLUMNS, rows, common=COMMON, trigger=OfferTrigger.SWEEP)


def test_an_offer_is_written_once_and_a_live_one_is_not_repeated() -> None:
    mother, child, other = make_person(), make_person(), make_person()
    made = _offers([(mother.pk, child.pk, "2027"), (mother.pk, child.pk, "2027")])
    assert [subject for _, subject in made] == [child.pk]
    offer = Offer.objects.get(pk=made[0][0])
    assert (offer.recipient_id, offer.subject_id, offer.period) == (mother.pk, child.pk, "2027")
    assert offer.status == OfferStatus.PROPOSED
    # PostgreSQL writes through COPY, with time-ordered ids.
    assert offer.public_id.version == (7 if connection.vendor == "postgresql" else 4)

    # Declined is still live for its period (nothing proposed again); another period, or
    # another recipient, is a new offer.
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.DECLINED)
    again = _offers(
        [(mother.pk, child.pk, "2027"), (mother.pk, child.pk, "2028"), (other.pk, child.pk, "2027")]
    )
    assert sorted((Offer.objects.get(pk=pk).period, s) for pk, s in again) == [
        ("2027", child.pk),
        ("2028", child.pk),
    ]
    assert Offer.objects.filter(subject=child).count() == 3


def test_a_person_with_offers_cannot_be_deleted() -> None:
    mother, child = make_person(), make_person()
    _offers([(mother.pk, child.pk, "")])
    with pytest.raises(ProtectedError):
        child.delete()
    with pytest.raises(ProtectedError):
        Person.objects.filter(pk=mother.pk).delete()
    assert Person.objects.filter(pk__in=[mother.pk, child.pk]).count() == 2


def _raw(sql: str) -> None:
    """SQL with the guards as in production (the test database allows maintenance)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL gov3.allow_truncate = off")
        cursor.execute(sql)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("table", ["registry_person", "offers_offer"])
def test_postgresql_refuses_to_delete_rows_referred_to_without_a_constraint(table: str) -> None:
    mother, child = make_person(), make_person()
    _offers([(mother.pk, child.pk, "")])
    with pytest.raises(DatabaseError, match="never removed"):
        _raw(f"DELETE FROM {table}")  # noqa: S608 - the test's own names
    with pytest.raises(DatabaseError, match="TRUNCATE"):
        _raw(f"TRUNCATE {table} CASCADE")
    assert Person.objects.count() == 2
    assert Offer.objects.count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_every_table_referred_to_without_a_constraint_is_guarded() -> None:
    guarded = {m._meta.db_table for m in apps.get_models() if issubclass(m, NeverDeleted)}
    assert {"registry_person", "registry_area", "offers_offer", "schools_school"} <= guarded
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_never_deleted'"
        )
        assert {name for (name,) in cursor.fetchall()} == guarded
    # Every foreign key without a database constraint points at such a table.
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and not field.db_constraint:
                assert field.related_model._meta.db_table in guarded, (model, field.name)

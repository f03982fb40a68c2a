"""`gov3 registry snapshot`: the register's facts in a Parquet file, as each person's own."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gov3.core.models import AuditEntry
from gov3.registry.facts import subject_for
from gov3.registry.facts_sql import evaluate_registry
from gov3.registry.models import Person
from gov3.registry.services import (
    do_record_income_assessment,
    do_record_passport_issued,
    do_register_birth,
    do_register_death,
    do_register_marriage,
)
from gov3.registry.snapshot import write_snapshot
from gov3.rules import snapshot
from gov3.rules.facts import NO_DATE
from gov3.rules.pack import load_rules
from gov3.rules.vectorised import evaluate_catalogue
from tests.conftest import ACTOR, make_person


def _birth(mother: Person, born: date, name: str) -> Person:
    return do_register_birth(
        ACTOR,
        mother=mother,
        father=None,
        name_local=name,
        name_latin=name,
        birth_date=born,
        sex="F",
    )


@pytest.fixture
def register(family: dict[str, Person]) -> dict[str, Person]:
    """The conftest family (a mother, her daughter of 2000 and son of 2020, a stranger), with a
    child of 2010 who died, a marriage, an income, passports, and a dead neighbour."""
    mother, daughter, stranger = family["mother"], family["daughter"], family["stranger"]
    lost = _birth(mother, date(2010, 1, 1), "LOST")
    do_register_death(ACTOR, lost, died_on=date(2012, 1, 1))
    do_register_marriage(ACTOR, mother, stranger, married_on=date(2021, 1, 1))
    do_record_income_assessment(
        ACTOR, mother, monthly_income=3_000_000_000, assessed_on=date(2025, 1, 1)
    )
    do_record_passport_issued(
        ACTOR, daughter, number="M00000011", issued_on=date(2015, 1, 1), expires_on=date(2025, 1, 1)
    )
    do_record_passport_issued(
        ACTOR,
        daughter,
        number="M00000012",
        issued_on=date(2024, 2, 29),
        expires_on=date(2034, 2, 28),
    )
    neighbour = make_person(
        name_local="정우성", name_latin="JUNG WOOSUNG", birth_date=date(1950, 1, 1)
    )
    do_register_death(ACTOR, neighbour, died_on=date(2024, 1, 1))
    return {**family, "lost": lost, "neighbour": neighbour}


def _rows(path: Path) -> dict[int, dict[str, object]]:
    return {row["person_id"]: row for row in snapshot.read(path).to_pylist()}


def test_the_snapshot_holds_each_living_residents_facts(
    register: dict[str, Person], tmp_path: Path
) -> None:
    path = tmp_path / "facts.parquet"
    summary = write_snapshot(path, country="kr")
    assert (summary.residents, summary.households) == (4, 2)
    rows = _rows(path)
    mother, daughter, son, stranger = (
        register[k] for k in ("mother", "daughter", "son", "stranger")
    )
    assert set(rows) == {mother.pk, daughter.pk, son.pk, stranger.pk}  # not the dead
    # Children living with their mother; the dead child still counts in the birth order.
    assert rows[daughter.pk]["lives_with_parent"] is True
    assert rows[son.pk]["lives_with_parent"] is True
    assert rows[mother.pk]["lives_with_parent"] is False
    assert rows[daughter.pk]["birth_order"] == 1
    assert rows[son.pk]["birth_order"] == 3
    assert rows[mother.pk]["birth_order"] == 1  # no mother recorded
    # The valid passport's expiry; the default when there is none.
    assert rows[daughter.pk]["has_passport"] is True
    assert rows[daughter.pk]["passport_expiry"] == date(2034, 2, 28)
    assert rows[son.pk]["has_passport"] is False
    assert rows[son.pk]["passport_expiry"] == NO_DATE
    assert rows[mother.pk]["monthly_income"] == 3_000_000_000
    assert rows[mother.pk]["income_assessed"] is True
    assert rows[son.pk]["income_assessed"] is False
    assert rows[mother.pk]["has_spouse"] is True
    assert rows[stranger.pk]["has_spouse"] is True  # married, living in their own household
    assert (rows[son.pk]["area"], rows[son.pk]["province"]) == ("1111051500", "11")
    assert rows[son.pk]["relationship_to_head"] == "child"
    assert rows[mother.pk]["household_id"] == rows[son.pk]["household_id"] == mother.household_id


def test_the_snapshot_agrees_with_each_persons_facts(
    register: dict[str, Person], tmp_path: Path
) -> None:
    path = tmp_path / "facts.parquet"
    write_snapshot(path, country="kr", batch=1)  # one resident fetched at a time
    rows = _rows(path)
    for person_id, row in rows.items():
        facts = subject_for(Person.objects.get(pk=person_id)).facts
        assert {k: row[k] for k in facts} == dict(facts), person_id
    handle = snapshot.open_file(path)
    assert handle.metadata.num_row_groups == 2  # whole households, however small the batch


def test_a_resident_without_a_household_is_a_household_of_one(
    register: dict[str, Person], tmp_path: Path
) -> None:
    # No register command leaves a living person without a household; older records can.
    drifter = Person.objects.create(
        country="kr",
        national_id="9001011000001",
        name_local="표류자",
        name_latin="DRIFTER",
        birth_date=date(1990, 1, 1),
        sex="M",
        nationality="KOR",
        relationship_to_head="child",
    )
    path = tmp_path / "facts.parquet"
    write_snapshot(path, country="kr")
    row = _rows(path)[drifter.pk]
    assert row["household_id"] == -drifter.pk
    assert (row["relationship_to_head"], row["area"], row["province"]) == ("head", "", "")
    assert snapshot.read(path).column("household_id").to_pylist()[0] == -drifter.pk


def test_the_command_writes_the_file_and_records_the_export(
    register: dict[str, Person], tmp_path: Path
) -> None:
    path = tmp_path / "out" / "facts.parquet"
    out = io.StringIO()
    call_command("registry", "snapshot", "--out", str(path), "--no-progress", stdout=out)
    assert "Wrote 4 residents of kr in 2 households" in out.getvalue()
    assert snapshot.info(path).source == "registry"
    entry = AuditEntry.objects.filter(action="registry.snapshot_written").get()
    assert entry.data["residents"] == 4
    assert entry.target_id == "kr"


def test_the_command_refuses_bad_input_and_writes_nothing(
    register: dict[str, Person], tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="is a directory"):
        call_command("registry", "snapshot", "--out", str(tmp_path), "--no-progress")
    with pytest.raises(CommandError, match="batch size must be at least 1"):
        call_command(
            "registry", "snapshot", "--out", str(tmp_path / "f.parquet"), "--batch", "0",
            "--no-progress",
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []
    assert not AuditEntry.objects.filter(action="registry.snapshot_written").exists()


def test_the_catalogue_over_the_snapshot_counts_what_sql_on_the_register_counts(
    register: dict[str, Person], tmp_path: Path
) -> None:
    pack = load_rules(Path(settings.GOV3_COUNTRIES_DIR) / "kr")
    today = timezone.localdate()  # the son is 6 on the day of the run
    params = pack.params.on(today)
    path = tmp_path / "facts.parquet"
    write_snapshot(path, country="kr")
    vectorised = evaluate_catalogue(pack.services, path, params, today)
    in_sql = evaluate_registry(list(pack.services.values()), params=params, today=today)
    assert {k: (t.count, t.total) for k, t in vectorised.items()} == {
        k: (t.count, t.total) for k, t in in_sql.items()
    }
    assert vectorised["child_allowance"].count == 1  # the son
    assert vectorised["resident_registration_certificate"].count == 4

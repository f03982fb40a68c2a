"""Facts a pack declares (issue 17, item 1): the kr pack's vaccination-register fact is read the
same way by explain (the ORM), the SQL relation and the Parquet snapshot, and the influenza
reminder uses it: no reminder to someone vaccinated this season."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.utils import timezone

from gov3.catalogue.installed import rules_pack
from gov3.registry.facts import subject_for
from gov3.registry.facts_sql import evaluate_registry, registry_facts
from gov3.registry.models import Person, Vaccination
from gov3.registry.services import do_register_death
from gov3.registry.snapshot import write_snapshot
from gov3.rules import snapshot
from gov3.rules.explain import explain_service
from gov3.rules.facts import FACTS, Fact, declared
from gov3.rules.ir import Type
from gov3.rules.vectorised import evaluate_catalogue
from gov3.synthetic.vaccinations import generate_vaccinations, season_start
from tests.conftest import ACTOR, make_person

FACT = "last_influenza_vaccination"
NEVER = date(1900, 1, 1)
# A day inside an influenza season (October to April), relative to the day of the run.
TODAY = season_start(timezone.localdate()) + timedelta(days=40)
SEASON = season_start(TODAY)


@pytest.fixture
def vaccinated(family: dict[str, Person]) -> dict[str, Person]:
    """Older people with different vaccination records (and the conftest family, none)."""
    born = date(SEASON.year - 70, 6, 1)
    this_season = make_person(name_local="가", name_latin="GA", birth_date=born)
    last_season = make_person(name_local="나", name_latin="NA", birth_date=born)
    never = make_person(name_local="다", name_latin="DA", birth_date=born)
    other_vaccine = make_person(name_local="라", name_latin="RA", birth_date=born)
    dead = make_person(name_local="마", name_latin="MA", birth_date=born)
    doses = [
        (this_season, "influenza", SEASON - timedelta(days=400)),
        (this_season, "influenza", SEASON + timedelta(days=3)),  # the latest counts
        (last_season, "influenza", SEASON - timedelta(days=300)),
        (other_vaccine, "pneumococcal", SEASON + timedelta(days=5)),
        (dead, "influenza", SEASON + timedelta(days=1)),
    ]
    for person, vaccine, day in doses:
        Vaccination.objects.create(person=person, vaccine=vaccine, given_on=day)
    do_register_death(ACTOR, dead, died_on=SEASON + timedelta(days=10))
    return {
        **family,
        "this_season": this_season,
        "last_season": last_season,
        "never": never,
        "other_vaccine": other_vaccine,
    }


def test_the_kr_pack_declares_the_vaccination_fact() -> None:
    assert declared()[FACT] == Fact(
        Type.DATE, NEVER, "vaccination", (), "latest_vaccination", (("vaccine", "influenza"),)
    )
    assert FACTS[FACT].type is Type.DATE


@pytest.mark.django_db
def test_explain_sql_and_the_snapshot_read_the_same_vaccination_facts(
    vaccinated: dict[str, Person], tmp_path: Path
) -> None:
    expected = {
        "this_season": SEASON + timedelta(days=3),
        "last_season": SEASON - timedelta(days=300),
        "never": NEVER,
        "other_vaccine": NEVER,
        "mother": NEVER,
    }
    in_sql = registry_facts()
    path = tmp_path / "facts.parquet"
    write_snapshot(path, country="kr")
    in_snapshot = {row["person_id"]: row for row in snapshot.read(path).to_pylist()}
    for key, day in expected.items():
        person = vaccinated[key]
        assert subject_for(person).facts[FACT] == day, key
        assert in_sql[person.pk][FACT] == day, key
        assert in_snapshot[person.pk][FACT] == day, key
    # Every fact of every resident, not only this one, agrees between the three readings.
    for person_id, row in in_snapshot.items():
        facts = subject_for(Person.objects.get(pk=person_id)).facts
        assert {name: in_sql[person_id][name] for name in facts} == dict(facts), person_id
        assert {name: row[name] for name in facts} == dict(facts), person_id


@pytest.mark.django_db
def test_no_influenza_reminder_for_someone_vaccinated_this_season(
    vaccinated: dict[str, Person], tmp_path: Path
) -> None:
    pack = rules_pack("kr")
    service = pack.services["influenza_vaccination"]
    verdicts = {
        key: explain_service(pack, service, subject_for(vaccinated[key]), TODAY).eligible
        for key in ("this_season", "last_season", "never", "other_vaccine")
    }
    assert verdicts == {
        "this_season": False,
        "last_season": True,
        "never": True,
        "other_vaccine": True,
    }
    explanation = explain_service(
        pack, service, subject_for(vaccinated["this_season"]), TODAY, language="ko"
    )
    used = {fact.label: (fact.value, fact.source) for fact in explanation.facts}
    # The fact, its value and its register, by the name the pack gives them.
    assert used["최근 인플루엔자 예방접종일"] == (
        (SEASON + timedelta(days=3)).isoformat(),
        "예방접종 등록 정보(예방접종통합관리시스템)",
    )
    # In SQL on the register and over the snapshot: the same three people (the family's
    # stranger, born 1960, may qualify too, depending on the season of the run).
    stranger = vaccinated["stranger"]
    extra = int(explain_service(pack, service, subject_for(stranger), TODAY).eligible)
    params = pack.params_on(service, TODAY)
    in_sql = evaluate_registry([service], params=params, today=TODAY)
    assert in_sql[service.id].count == 3 + extra
    path = tmp_path / "facts.parquet"
    write_snapshot(path, country="kr")
    over_snapshot = evaluate_catalogue([service], path, pack.params.on(TODAY), TODAY)
    assert over_snapshot[service.id].count == 3 + extra


@pytest.mark.django_db
def test_a_fact_read_by_no_reader_stops_the_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = Fact(Type.BOOL, False, "vaccination", (), "no_such_reader")
    monkeypatch.setitem(FACTS, "broken_fact", broken)
    errors = [m for m in run_checks() if m.id == "gov3.E103"]
    assert len(errors) == 1
    assert "broken_fact" in errors[0].msg
    assert "latest_vaccination" in (errors[0].hint or "")


@pytest.mark.django_db
def test_synthetic_doses_go_to_older_people_only_and_are_seeded(
    vaccinated: dict[str, Person],
) -> None:
    before = Vaccination.objects.count()
    first = generate_vaccinations(country="kr", as_of=TODAY, seed=5, coverage=1.0)
    made = list(Vaccination.objects.order_by("pk")[before:])
    assert first == len(made) == 5  # the five living people of 65 and over, once each
    assert {dose.person.birth_date.year for dose in made} <= {SEASON.year - 70, 1960}
    assert all(dose.given_on <= TODAY for dose in made)
    Vaccination.objects.filter(pk__in=[dose.pk for dose in made]).delete()
    again = generate_vaccinations(country="kr", as_of=TODAY, seed=5, coverage=1.0)
    assert [d.given_on for d in Vaccination.objects.order_by("pk")[before:]] == [
        d.given_on for d in made
    ]
    assert again == first
    with pytest.raises(ValueError, match="coverage"):
        generate_vaccinations(country="kr", as_of=TODAY, seed=5, coverage=1.5)

"""Performance evaluation: the quota (pack rules: rounding in small units, SCS limits, bonus
amounts), enforced when a unit is locked and explained in the calibration view; the order
rate -> lock -> calibrate -> confirm; bad input; raters see their unit only, and another
unit's rating by id is "not found" with nothing logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from gov3.catalogue.packs.evaluation import EvaluationRules
from gov3.core.errors import NotFoundError, PermissionRefusedError, ValidationFailedError
from gov3.core.models import AccessLogEntry, AuditEntry
from gov3.personnel import evaluation
from gov3.personnel.models import PeriodStatus, Rating
from gov3.personnel.pack import PersonnelPackError, load, parse
from tests.personnel.conftest import Evaluation, Organisation, build_evaluation
from tests.personnel.test_pages import _signed_in


def _rules() -> EvaluationRules:
    rules = load(str(settings.GOV3_COUNTRIES_DIR), "kr").evaluation_on(date(2026, 6, 30))
    assert rules is not None
    return rules


def test_rounding_in_small_units_scs_limits_and_bonus_amounts() -> None:
    rules = _rules()
    general, scs = rules.quotas["general"], rules.quotas["scs"]
    assert rules.rounding == "half_up"
    # A unit of 7: 1 S (1.4), 4 S or A (4.2), 6 S, A or B (6.3): so 1 S, 3 A, 2 B, 1 C.
    assert rules.allowed(general, 7) == {"S": 1, "A": 3, "B": 2, "C": 1}
    assert rules.allowed(general, 3) == {"S": 1, "A": 1, "B": 1, "C": 0}  # 0.6 rounds to 1
    assert rules.breaches(general, {"S": 1, "A": 3, "B": 2, "C": 1}) == []
    over = rules.breaches(general, {"S": 2, "A": 2, "B": 2, "C": 1})
    assert [(b.ratings, b.count, b.limit, b.over) for b in over] == [(("S",), 2, 1, 1)]
    no_c = rules.breaches(general, {"S": 1, "A": 3, "B": 3})
    assert [(b.ratings, b.over) for b in no_c] == [(("S", "A", "B"), 1)]
    # SCS: five grades, the top at most 20 %, more than 10 % in the lowest two (of 10: 2).
    assert rules.quota_for("SCS") is scs
    assert rules.quota_for("G4") is general
    assert scs.ratings == ("outstanding", "excellent", "average", "poor", "very_poor")
    assert [scs.label(r, "ko") for r in scs.ratings] == [
        "매우우수",
        "우수",
        "보통",
        "미흡",
        "매우미흡",
    ]
    short = rules.breaches(scs, {"outstanding": 2, "excellent": 7, "average": 1})
    assert [(b.ratings, b.count, b.limit, b.minimum) for b in short] == [
        (("poor", "very_poor"), 0, 2, True)
    ]
    assert rules.breaches(scs, {"outstanding": 2, "excellent": 6, "poor": 1, "very_poor": 1}) == []
    top = rules.breaches(scs, {"outstanding": 3, "excellent": 5, "poor": 2})
    assert [b.ratings for b in top] == [("outstanding",)]
    # Bonus: 172.5 / 125 / 85 / 0 % of the grade's base, exact integers (rounded down).
    base = general.bonus_base["G7"]
    assert rules.bonus("G7", "S") == base * 1725 // 1000 == 5_514_825
    assert rules.bonus("G7", "A") == base * 125 // 100
    assert rules.bonus("G7", "B") == base * 85 // 100
    assert rules.bonus("G7", "C") == 0
    assert rules.bonus("SCS", "outstanding") is None  # no rates in the pack: none made up


@pytest.fixture
def ev(org: Organisation) -> Evaluation:
    return build_evaluation(org)


def _rate_all(ev: Evaluation, ratings: str) -> None:
    head = ev.head[0]
    for record, rating in zip(ev.staff, ratings, strict=True):
        evaluation.do_rate(head, ev.period.pk, record.pk, rating)


def test_over_the_quota_cannot_be_locked_and_the_calibration_view_says_by_how_much(
    org: Organisation, ev: Evaluation
) -> None:
    head = ev.head[0]
    _rate_all(ev, "SSAAABC")
    sheet = _signed_in(ev.head).get(reverse("personnel:rating_sheet", args=[ev.period.pk]))
    page = sheet.content.decode()
    assert "7 of 7 rated." in page
    assert "S: 2 given, at most 1 allowed: 1 over" in page  # live, while rating
    assert "<svg" in page
    assert "<table" in page
    with pytest.raises(evaluation.QuotaExceededError, match=r"S: 2 given, at most 1 allowed"):
        evaluation.do_lock_unit(head, ev.period.pk)
    hr = _signed_in(org.accounts["district-hr"])
    calibration = hr.get(reverse("personnel:calibration", args=[ev.period.pk])).content.decode()
    assert "S: 2 given, at most 1 allowed: 1 over" in calibration
    assert "S+A: 5 given, at most 4 allowed: 1 over" in calibration
    assert "not locked yet" in calibration
    for reader in ("welfare-head", "district-hr"):  # ratings are personal data
        assert AccessLogEntry.objects.filter(
            actor_label=reader,
            subject_id=ev.staff[1].person_id,
            what__startswith="evaluation ratings",
        ).exists()
    # The committee moves one S to A (audited with the reason); the rater can now lock.
    moved = Rating.objects.get(period=ev.period, record=ev.staff[0])
    answer = hr.post(
        reverse("personnel:rating_detail", args=[moved.pk]),
        {"rating": "A", "reason": "Calibrated against the unit's targets"},
    )
    assert answer.status_code == 302
    audit = AuditEntry.objects.get(action="personnel.rating_calibrated")
    assert audit.data == {
        "before": "S",
        "after": "A",
        "reason": "Calibrated against the unit's targets",
    }
    # 1 S and 4 A are still over on S or A (4 allowed): the committee moves it on to B.
    with pytest.raises(evaluation.QuotaExceededError, match=r"S\+A: 5 given, at most 4"):
        evaluation.do_lock_unit(head, ev.period.pk)
    evaluation.do_calibrate(org.accounts["district-hr"][0], moved.pk, "B", "second look")
    evaluation.do_lock_unit(head, ev.period.pk)
    with pytest.raises(ValidationFailedError, match="already locked"):
        evaluation.do_lock_unit(head, ev.period.pk)
    # A locked unit stays within the quota: another S is refused.
    other = Rating.objects.get(period=ev.period, record=ev.staff[2])
    with pytest.raises(evaluation.QuotaExceededError):
        evaluation.do_calibrate(org.accounts["district-hr"][0], other.pk, "S", "no")


def test_confirmation_comes_after_every_unit_is_locked_and_only_from_the_head_of_hr(
    org: Organisation, ev: Evaluation
) -> None:
    hr, hr_head = org.accounts["district-hr"][0], org.accounts["district-head"][0]
    _rate_all(ev, "SAAABBC")
    evaluation.do_lock_unit(ev.head[0], ev.period.pk)
    with pytest.raises(ValidationFailedError, match="Units not locked yet: d-hr"):
        evaluation.do_confirm_period(hr_head, ev.period.pk)
    # The head of HR rates their own unit (its one grade-6 officer) and locks it.
    evaluation.do_rate(hr_head, ev.period.pk, org.records["district-hr"].pk, "B")
    evaluation.do_lock_unit(hr_head, ev.period.pk)
    with pytest.raises(PermissionRefusedError):
        evaluation.do_confirm_period(hr, ev.period.pk)  # a committee member, not its head
    confirmed = evaluation.do_confirm_period(hr_head, ev.period.pk)
    assert confirmed.status == PeriodStatus.CONFIRMED
    with pytest.raises(ValidationFailedError, match="confirmed"):
        evaluation.do_confirm_period(hr_head, ev.period.pk)
    rating = Rating.objects.get(period=ev.period, record=ev.staff[0])
    with pytest.raises(ValidationFailedError, match="confirmed"):
        evaluation.do_calibrate(hr, rating.pk, "A", "too late")


def test_bad_input_changes_nothing(org: Organisation, ev: Evaluation) -> None:
    head = ev.head[0]
    record = ev.staff[1]
    with pytest.raises(ValidationFailedError, match="Unknown rating 'X'"):
        evaluation.do_rate(head, ev.period.pk, record.pk, "X")
    with pytest.raises(NotFoundError):  # the HR officer is not in the welfare unit
        evaluation.do_rate(head, ev.period.pk, org.records["district-hr"].pk, "A")
    with pytest.raises(ValidationFailedError, match="not rated yet"):
        evaluation.do_lock_unit(head, ev.period.pk)
    with pytest.raises(NotFoundError):  # heads no unit
        evaluation.do_rate(org.accounts["welfare"][0], ev.period.pk, record.pk, "A")
    client = _signed_in(ev.head)
    answer = client.post(
        reverse("personnel:rating_sheet", args=[ev.period.pk]), {"record": record.pk, "rating": "Z"}
    )
    assert answer.status_code == 400
    assert "Unknown rating" in answer.content.decode()
    assert not Rating.objects.exists()
    with pytest.raises(ValidationFailedError, match="already open"):
        evaluation.do_open_period(
            org.accounts["district-hr"][0],
            kind="work",
            year=ev.period.year,
            half=2,
            reference_day=ev.period.reference_day,
        )


def test_raters_see_their_unit_only_and_reads_are_logged(org: Organisation, ev: Evaluation) -> None:
    _rate_all(ev, "SAAABBC")
    hr_head = org.accounts["district-head"][0]
    evaluation.do_rate(hr_head, ev.period.pk, org.records["district-hr"].pk, "B")
    others = Rating.objects.get(record=org.records["district-hr"])
    mine = Rating.objects.get(record=ev.staff[0])
    client = _signed_in(ev.head)
    before = AccessLogEntry.objects.count()
    assert client.get(reverse("personnel:rating_detail", args=[others.pk])).status_code == 404
    assert AccessLogEntry.objects.count() == before
    city_hr = _signed_in(org.accounts["city-hr"])
    assert city_hr.get(reverse("personnel:rating_detail", args=[mine.pk])).status_code == 404
    assert city_hr.get(reverse("personnel:calibration", args=[ev.period.pk])).status_code == 404
    assert AccessLogEntry.objects.count() == before
    shown = client.get(reverse("personnel:rating_detail", args=[mine.pk]))
    assert shown.status_code == 200
    assert "5,514,825 KRW" in shown.content.decode()  # grade 7, S: 172.5 % of the base
    assert AccessLogEntry.objects.filter(
        actor_label="welfare-head",
        subject_id=ev.staff[0].person_id,
        what__startswith="evaluation ratings",
    ).exists()


def test_the_pack_refuses_evaluation_rules_it_cannot_apply() -> None:
    path = settings.GOV3_COUNTRIES_DIR / "kr" / "personnel" / "personnel.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new, problem in [
        ("rounding: half_up", "rounding: nearest", "rounding must be one of half_up, down"),
        ("top_max: {S: 20, A: 40, B: 30}", "top_max: {A: 40, S: 20}", "best ratings first"),
        ("{S: 172.5, A: 125,", "{S: 172.55, A: 125,", "at most one decimal"),
    ]:
        assert old in text
        with pytest.raises(PersonnelPackError, match=problem):
            parse(text.replace(old, new), "personnel.yaml")

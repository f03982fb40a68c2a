"""Grades and pay as pack data (exact integers, sourced, validated), and existing officers
given the post they had by the data migration (ADR 0036)."""

from __future__ import annotations

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import timezone

from gov3.accounts.models import Agency, OfficerPost, User
from gov3.accounts.posts import apply_post, forget_posts
from gov3.catalogue.packs import load_pack
from gov3.personnel import pack


def _pack(country: str) -> pack.PersonnelPack:
    return pack.load(str(settings.GOV3_COUNTRIES_DIR), country)


def test_pay_is_exact_in_both_packs_and_dated() -> None:
    kr, vn = _pack("kr"), _pack("vn")
    assert [g.code for g in kr.grades] == ["SCS", "G3", "G4", "G5", "G6", "G7", "G8", "G9"]
    assert kr.monthly_pay("G9", 1, date(2025, 6, 1)) == 2_021_500
    assert kr.monthly_pay("G9", 1, date(2024, 6, 1)) is None  # no table yet that day
    assert kr.monthly_pay("G9", 99, date(2025, 6, 1)) is None
    # Viet Nam: coefficient 2.34 x base salary 2,340,000 VND = 5,475,600 exactly.
    assert vn.monthly_pay("A1", 1, date(2025, 1, 1)) == 5_475_600
    assert all("(verify)" in t.source_title for t in (*kr.pay_tables, *vn.pay_tables))
    assert {r.id for r in kr.tenure} >= {
        "min_time_in_post",
        "min_time_in_post_licensing_petitions",
        "no_transfer_between_ministries_exam_entrants",
        "no_transfer_between_ministries_experienced_hires",
    }


def test_country_check_reads_the_personnel_data() -> None:
    loaded = load_pack(settings.GOV3_COUNTRIES_DIR / "vn").personnel
    assert loaded is not None
    assert loaded.grade("A1") is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grades: []", "grades must be listed"),
        (
            "grades: [{code: G9}]\npay_tables: [{valid_from: 2025-01-01, monthly: {G9: [1]}}]",
            "needs a source",
        ),
        (
            "grades: [{code: G9}]\npay_tables: [{valid_from: 2025-01-01, source: {title: t,"
            " url: u}, monthly: {G10: [1]}}]",
            "unknown grade 'G10'",
        ),
        (
            "grades: [{code: G9}]\npay_tables: [{valid_from: 2025-01-01, source: {title: t,"
            " url: u}, monthly: {G9: [3, 2]}}]",
            "rise with the step",
        ),
        ("grades: [{code: G9}]\ntenure: [{id: x, years: 3}]", "legal_basis"),
        (
            "grades: [{code: G9}]\ntenure: [{id: x, years: 3, legal_basis: l,"
            " applies_to: {work: cooking}}]",
            "unknown cooking",
        ),
    ],
)
def test_a_bad_personnel_file_is_refused_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(pack.PersonnelPackError, match=message) as refused:
        pack.parse(text, "countries/xx/personnel/personnel.yaml")
    assert str(refused.value).startswith("countries/xx/personnel/personnel.yaml: ")


@pytest.mark.django_db
def test_existing_officers_get_the_post_they_had(officer: tuple[User, object]) -> None:
    user = officer[0]
    OfficerPost.objects.all().delete()
    forget_posts(user.pk)
    assert not apply_post(User.objects.get(pk=user.pk)).is_officer  # no post: cannot act
    migration = import_module("gov3.accounts.migrations.0011_posts_of_existing_officers")
    migration.give_posts(django_apps, None)
    migration.give_posts(django_apps, None)  # running again gives nothing twice
    post = OfficerPost.objects.get(user=user)
    assert post.agency == Agency.objects.get(code="kr-jongno")
    assert post.role == "registry_officer"
    assert post.starts_on == timezone.localdate(user.date_joined)
    assert post.ends_on is None
    forget_posts(user.pk)
    acting = apply_post(User.objects.get(pk=user.pk))
    assert acting.is_officer
    assert acting.agency == post.agency

"""`gov3 saemaul demo`: Haenam's documented class path, the replayed rounds, idempotent."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from PIL import ExifTags, Image, ImageStat

from gov3.accounts.models import User
from gov3.demo.saemaul import interpolated_path, load_demo, set_up_demo_accounts
from gov3.saemaul.models import (
    Allocation,
    AllocationLine,
    EvidencePhoto,
    Project,
    ProjectStatus,
    ReferenceFigure,
    Report,
    SaemaulAssignment,
)
from gov3.saemaul.queries import class_counts_by_year
from tests.conftest import make_person


def test_the_class_path_moves_from_the_1971_to_the_1979_counts() -> None:
    path = interpolated_path(1971, 1979)
    assert path[1971] == (319, 146, 20)
    assert path[1979] == (0, 14, 471)
    assert all(sum(counts) == 485 for counts in path.values())
    years = sorted(path)
    for earlier, later in pairwise(years):
        assert path[later][2] >= path[earlier][2]  # self-reliant only grows
        assert path[later][0] <= path[earlier][0]  # basic only shrinks


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_replays_haenam_and_can_run_again(areas: None, settings: Any) -> None:
    settings.DEBUG = True  # the demo's published passwords are refused otherwise
    out = StringIO()
    call_command("saemaul", "demo", stdout=out)
    assert "485 villages" in out.getvalue()
    summary = load_demo()  # the second run adds nothing
    assert summary.villages == 485
    assert summary.classes_1971 == {
        "basic": 319,
        "self_help": 146,
        "self_reliant": 20,
        "welfare": 0,
    }
    assert summary.classes_1979 == {"basic": 0, "self_help": 14, "self_reliant": 471, "welfare": 0}
    assert summary.seed_allocated == 485
    assert summary.merit_allocated == round(485 * 16_600 / 33_267) == 242
    seed_bags = AllocationLine.objects.filter(
        allocation__round__code="kr-1970-seed", material="cement"
    )
    assert sum(seed_bags.values_list("quantity", flat=True)) == 485 * 335
    merit = Allocation.objects.filter(round__code="kr-1971-merit")
    assert all(a.village.evaluations.get(round__code="kr-1970-seed").showed_results for a in merit)
    assert len(class_counts_by_year()) == 9
    assert ReferenceFigure.objects.filter(code="haenam_1971_basic", value=319).exists()
    assert Project.objects.count() == 5 + 14 * 3  # the staged village's and the spread
    assert EvidencePhoto.objects.filter(flag="far_from_site").count() == 1
    assert Report.objects.get().status == "approved"

    make_person(name_local="권우호", name_latin="KWON WOOHO", sex="M")
    logins = set_up_demo_accounts("http://testserver")
    assert [login.username for login in logins] == [
        "saemaul-leader",
        "saemaul-myeon",
        "saemaul-county",
        "saemaul-province",
        "saemaul-central",
    ]
    assert (
        SaemaulAssignment.objects.get(user__username="saemaul-leader").village.code
        == "46820-03-0001"
    )
    assert User.objects.get(username="saemaul-county").role == "saemaul_officer"
    assert set_up_demo_accounts("http://testserver") == logins  # same accounts, same secrets
    assert User.objects.filter(username__startswith="saemaul-").count() == 5


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_spreads_projects_that_obey_the_rules_and_show_evidence(areas: None) -> None:
    """Only one village of 485 had projects, one with a grant four times its cost, and the
    photos were plain green rectangles (issue 14, items 13 to 15)."""
    load_demo()
    projects = list(Project.objects.select_related("village__area"))
    # many villages in every eup/myeon, every step of the workflow several times
    assert len({p.village_id for p in projects}) >= 40
    assert len({p.village.area_id for p in projects}) == 14
    statuses = Counter(p.status for p in projects)
    assert set(statuses) == set(ProjectStatus.values)
    assert min(statuses.values()) >= 3
    # no grant, asked or approved, exceeds the cost less the villagers' cash
    for project in projects:
        ceiling = project.estimated_cost_krw - project.community_cash_krw
        assert project.requested_grant_krw <= ceiling, project.title
        if project.approved_grant_krw is not None:
            assert project.approved_grant_krw <= ceiling, project.title
    # the photos are pictures of works with the camera's position, not flat rectangles
    photos = list(EvidencePhoto.objects.select_related("project"))
    assert len(photos) >= 30
    for photo in photos:
        with photo.file.open("rb") as handle, Image.open(handle) as image:
            image.load()
        assert image.size == (640, 480)
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 20, photo.pk
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo), photo.pk
    completed = next(p for p in projects if p.status == ProjectStatus.COMPLETED)
    with (
        completed.photos.get(stage="before").file.open("rb") as before,
        completed.photos.get(stage="after").file.open("rb") as after,
    ):
        assert before.read() != after.read()
    # a second run draws the same pictures (seeded) and adds nothing
    count = EvidencePhoto.objects.count()
    load_demo()
    assert EvidencePhoto.objects.count() == count

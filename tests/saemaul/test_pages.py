"""Saemaul pages for each role: what each sees and may do, and nothing outside their area.

The programme people (a village leader, eup/myeon, county, province and central officers) are
built with the account and role commands; ``test_api.py`` reuses these fixtures.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from PIL import Image

from gov3.accounts.models import Agency, OfficerRole, User
from gov3.accounts.services import (
    do_create_agency,
    do_create_citizen_account,
    do_create_officer_account,
)
from gov3.registry.models import Area
from gov3.saemaul.models import (
    Allocation,
    Assembly,
    Delivery,
    EvidencePhoto,
    ProgrammePolicy,
    Project,
    ProjectStatus,
    Report,
    ReportStatus,
    SaemaulAssignment,
    SaemaulLevel,
    Village,
)
from gov3.saemaul.services import (
    RoleScope,
    do_allocate_round,
    do_assign_role,
    do_check_project,
    do_create_depot,
    do_prepare_report,
    do_receive_stock,
    do_submit_project,
    do_submit_report,
)
from gov3.saemaul.views import evidence as evidence_views
from tests.conftest import PASSWORD, make_person
from tests.saemaul.conftest import (
    ACTOR,
    SITE,
    adopted_resolution,
    approved_project,
    days_ago,
    draft_project,
    make_village,
    model_round,
)

# --- people and clients ---------------------------------------------------------------------


def _officer(username: str, agency: Agency, level: str, scope: RoleScope) -> tuple[User, Any]:
    user, device = do_create_officer_account(
        ACTOR,
        username=username,
        password=PASSWORD,
        agency=agency,
        role=OfficerRole.SAEMAUL_OFFICER,
    )
    do_assign_role(ACTOR, user, level=level, scope=scope)
    return user, device


@pytest.fixture(name="other_village")
def other_village_fixture(county: dict[str, Area], programme: None) -> Village:
    """A village of Samsan-myeon: outside the Hwasan officer's and the leader's jurisdiction."""
    return make_village(county["46820-02"], "46820-02-0001", name_local="삼산 마을")


@pytest.fixture(name="people")
def people_fixture(
    areas: None, county: dict[str, Area], village: Village, other_village: Village
) -> dict[str, tuple[User, Any]]:
    """A village leader (a citizen) and officers of every level, with their TOTP devices."""
    agency = do_create_agency(
        ACTOR, code="kr-46820", name_local="해남군청", name_en="Haenam-gun Office", country="kr"
    )
    person = make_person(name_local="김새마", name_latin="KIM SAEMA")
    leader = do_create_citizen_account(ACTOR, person=person, username="leader", password=PASSWORD)
    do_assign_role(ACTOR, leader, level=SaemaulLevel.VILLAGE, scope=RoleScope(village=village))
    return {
        "leader": (leader, None),
        "myeon": _officer(
            "myeon", agency, SaemaulLevel.EUP_MYEON, RoleScope(area=county["46820-03"])
        ),
        "samsan": _officer(
            "samsan", agency, SaemaulLevel.EUP_MYEON, RoleScope(area=county["46820-02"])
        ),
        "county": _officer("county", agency, SaemaulLevel.COUNTY, RoleScope(area=county["46820"])),
        "province": _officer(
            "province", agency, SaemaulLevel.PROVINCE, RoleScope(area=county["46"])
        ),
        "central": _officer("central", agency, SaemaulLevel.CENTRAL, RoleScope(country="kr")),
    }


def signed_in(user: User, device: Any) -> Client:
    """A client signed in as ``user``; an officer as if they had entered their TOTP code."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture(name="as_")
def as_fixture(people: dict[str, tuple[User, Any]]) -> Callable[[str], Client]:
    """``as_("county")``: a client signed in as that programme user."""
    return lambda who: signed_in(*people[who])


def jpeg(*, gps: tuple[float, float] | None = None) -> bytes:
    """A small JPEG photo, with the camera's GPS position in its EXIF if given."""
    image = Image.new("RGB", (64, 48), (120, 160, 90))
    exif = Image.Exif()
    if gps is not None:
        lat, lon = gps

        def dms(value: float) -> tuple[float, float, float]:
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
            return (float(degrees), float(minutes), seconds)

        exif[0x8825] = {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- who gets in ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client: Client, village: Village) -> None:
    response = client.get(reverse("saemaul:village", args=[village.code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


@pytest.mark.django_db
def test_an_officer_without_the_second_factor_is_sent_to_the_officer_sign_in(
    people: dict[str, tuple[User, Any]],
) -> None:
    client = signed_in(people["county"][0], None)
    response = client.get(reverse("saemaul:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login"))


@pytest.mark.django_db
def test_a_user_without_a_programme_role_is_told_so(citizen: User) -> None:
    response = signed_in(citizen, None).get(reverse("saemaul:home"))
    assert response.status_code == 403
    assert "You have no role in the Saemaul programme" in response.content.decode()


@pytest.mark.django_db
def test_the_main_menu_offers_the_programme_to_its_users_only(
    as_: Callable[[str], Client], citizen: User
) -> None:
    assert "Saemaul Undong" in page(as_("leader"), reverse("portal:services"))
    assert "Saemaul Undong" not in page(signed_in(citizen, None), reverse("portal:services"))


@pytest.mark.django_db
def test_the_menu_link_follows_the_role_and_is_not_asked_on_every_page(
    citizen: User, village: Village
) -> None:
    client = signed_in(citizen, None)
    assert "Saemaul Undong" not in page(client, reverse("portal:services"))
    do_assign_role(ACTOR, citizen, level=SaemaulLevel.VILLAGE, scope=RoleScope(village=village))
    assert "Saemaul Undong" in page(client, reverse("portal:services"))
    with CaptureQueriesContext(connection) as queries:
        assert "Saemaul Undong" in page(client, reverse("portal:services"))
    assert not [q for q in queries if "saemaul_saemaulassignment" in q["sql"]]
    SaemaulAssignment.objects.get(user=citizen).delete()
    assert "Saemaul Undong" not in page(client, reverse("portal:services"))


# --- the village leader ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_leader_lands_on_their_village_profile(
    as_: Callable[[str], Client], village: Village
) -> None:
    client = as_("leader")
    response = client.get(reverse("saemaul:home"))
    assert response["Location"] == reverse("saemaul:village", args=[village.code])
    html = page(client, response["Location"])
    for text in (
        village.name_local,
        "Infrastructure checklist",
        "Village roads",
        "Record a general assembly",
    ):
        assert text in html


@pytest.mark.django_db
def test_the_leader_records_an_assembly_with_attendance_by_sex(
    as_: Callable[[str], Client], village: Village
) -> None:
    client = as_("leader")
    url = reverse("saemaul:assembly_new", args=[village.code])
    assert "Men attending" in page(client, url)
    response = client.post(
        url,
        {
            "held_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "place": "마을회관",
            "eligible_members": "60",
            "attended_men": "18",
            "attended_women": "22",
            "resolutions-TOTAL_FORMS": "3",
            "resolutions-INITIAL_FORMS": "0",
            "resolutions-0-title": "마을 안길 포장",
            "resolutions-0-votes_for": "35",
            "resolutions-0-votes_against": "3",
            "resolutions-0-abstentions": "2",
        },
        follow=True,
    )
    html = response.content.decode()
    assembly = Assembly.objects.get(village=village)
    assert (assembly.attended_men, assembly.attended_women, assembly.quorum_met) == (18, 22, True)
    assert assembly.resolutions.get().adopted
    assert "The assembly was recorded." in html
    assert "Adopted" in html


@pytest.mark.django_db
def test_an_impossible_attendance_is_refused_and_nothing_is_recorded(
    as_: Callable[[str], Client], village: Village
) -> None:
    response = as_("leader").post(
        reverse("saemaul:assembly_new", args=[village.code]),
        {
            "held_on": timezone.localdate().isoformat(),
            "eligible_members": "10",
            "attended_men": "8",
            "attended_women": "8",
            "resolutions-TOTAL_FORMS": "0",
            "resolutions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "16 attended but only 10 were entitled to" in response.content.decode()
    assert not Assembly.objects.exists()


@pytest.mark.django_db
def test_the_leader_creates_a_project_and_cannot_submit_it_without_a_resolution(
    as_: Callable[[str], Client], village: Village
) -> None:
    client = as_("leader")
    response = client.post(
        reverse("saemaul:project_new", args=[village.code]),
        {
            "title": "마을회관 보수",
            "category": "living_environment",
            "latitude": str(SITE[0]),
            "longitude": str(SITE[1]),
            "requested_grant_krw": "1000000",
            "community_cash_krw": "0",
            "community_labour_days": "30",
            "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "0",
            "lines-0-description": "시멘트",
            "lines-0-material": "cement",
            "lines-0-quantity": "100",
            "lines-0-unit": "포대",
            "lines-0-unit_price_krw": "0",
        },
    )
    project = Project.objects.get(village=village)
    assert response["Location"] == reverse("saemaul:project", args=[project.public_id])
    assert project.status == ProjectStatus.DRAFT
    assert project.lines.get().material == "cement"
    assert "No assembly resolution" in page(client, response["Location"])

    response = client.post(
        reverse("saemaul:project_submit", args=[project.public_id]),
        {"version": project.version},
        follow=True,
    )
    html = response.content.decode()
    assert "cannot be submitted without a resolution of the village&#x27;s general assembly" in html
    assert 'role="alert"' in html
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    assert project.version == 1


@pytest.mark.django_db
def test_the_leader_attaches_the_resolution_and_submits(
    as_: Callable[[str], Client], village: Village
) -> None:
    client = as_("leader")
    project = draft_project(village)
    resolution = adopted_resolution(village)
    edit = reverse("saemaul:project_edit", args=[project.public_id])
    form = page(client, edit)
    assert resolution.title in form
    response = client.post(
        edit,
        {
            "version": project.version,
            "title": project.title,
            "category": project.category,
            "resolution": resolution.pk,
            "latitude": str(project.latitude),
            "longitude": str(project.longitude),
            "starts_on": project.starts_on.isoformat(),
            "ends_on": project.ends_on.isoformat(),
            "requested_grant_krw": project.requested_grant_krw,
            "community_cash_krw": project.community_cash_krw,
            "community_labour_days": project.community_labour_days,
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "2",
            "lines-0-description": "시멘트",
            "lines-0-material": "cement",
            "lines-0-quantity": "150",
            "lines-0-unit": "포대",
            "lines-0-unit_price_krw": "0",
            "lines-1-description": "골재",
            "lines-1-quantity": "12.5",
            "lines-1-unit": "m³",
            "lines-1-unit_price_krw": "25000",
        },
    )
    assert response.status_code == 302, response.content.decode()
    project.refresh_from_db()
    assert project.resolution == resolution
    client.post(
        reverse("saemaul:project_submit", args=[project.public_id]), {"version": project.version}
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


@pytest.mark.django_db
def test_photos_are_shown_with_their_flags(as_: Callable[[str], Client], village: Village) -> None:
    client = as_("leader")
    project = draft_project(village)
    url = reverse("saemaul:photo_new", args=[project.public_id])
    at_site = io.BytesIO(jpeg(gps=SITE))
    at_site.name = "site.jpg"
    client.post(url, {"stage": "before", "progress_percent": "0", "photo": at_site})
    far = io.BytesIO(jpeg(gps=(SITE[0] + 0.045, SITE[1])))  # about 5 km north
    far.name = "far.jpg"
    response = client.post(
        url, {"stage": "during", "progress_percent": "30", "photo": far}, follow=True
    )
    assert "flagged for an officer&#x27;s review" in response.content.decode()
    no_gps = io.BytesIO(jpeg())
    no_gps.name = "nogps.jpg"
    client.post(url, {"stage": "during", "progress_percent": "30", "photo": no_gps})

    flags = dict(EvidencePhoto.objects.values_list("original_name", "flag"))
    assert flags == {"site.jpg": "", "far.jpg": "far_from_site", "nogps.jpg": "no_location"}
    html = page(client, reverse("saemaul:project", args=[project.public_id]))
    assert "At the site" in html
    assert "The photo was taken far from the project site" in html
    assert "The photo has no GPS location" in html
    photo = EvidencePhoto.objects.get(original_name="far.jpg")
    served = client.get(reverse("saemaul:photo_file", args=[photo.public_id]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8")  # type: ignore[attr-defined]
    served.close()


@pytest.mark.django_db
def test_a_file_that_is_not_a_photo_is_refused(
    as_: Callable[[str], Client], village: Village
) -> None:
    project = draft_project(village)
    upload = io.BytesIO(b"%PDF-1.4 not a photo")
    upload.name = "photo.jpg"
    response = as_("leader").post(
        reverse("saemaul:photo_new", args=[project.public_id]),
        {"stage": "before", "progress_percent": "0", "photo": upload},
    )
    assert response.status_code == 400
    assert "The file is not a photo" in response.content.decode()
    assert not EvidencePhoto.objects.exists()


@pytest.mark.django_db
def test_a_huge_upload_is_refused_without_being_read_whole(
    as_: Callable[[str], Client], village: Village, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the file were larger than 64 MiB:
    monkeypatch.setattr(evidence_views, "READ_LIMIT", 1000)
    ProgrammePolicy.objects.filter(country="kr").update(photo_max_bytes=1000)
    read: list[int] = []
    real = evidence_views.do_add_evidence

    def spy(*args: Any, **kwargs: Any) -> Any:
        read.append(len(kwargs["data"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(evidence_views, "do_add_evidence", spy)
    project = draft_project(village)
    upload = io.BytesIO(jpeg(gps=SITE) + b"\0" * 5000)
    upload.name = "huge.jpg"
    response = as_("leader").post(
        reverse("saemaul:photo_new", args=[project.public_id]),
        {"stage": "before", "progress_percent": "0", "photo": upload},
    )
    assert response.status_code == 400
    assert "photos may be at most 0.0 MB" in response.content.decode()
    assert read == [1001]  # only the limit and one byte were read
    assert not EvidencePhoto.objects.exists()


# --- eup/myeon and county -------------------------------------------------------------------


def _submitted(village: Village) -> Project:
    project = draft_project(village, resolution=adopted_resolution(village))
    return do_submit_project(ACTOR, project, expected_version=project.version)


@pytest.mark.django_db
def test_the_eup_myeon_officer_checks_a_project_from_the_queue(
    as_: Callable[[str], Client], village: Village
) -> None:
    project = _submitted(village)
    client = as_("myeon")
    html = page(client, reverse("saemaul:queue"))
    assert project.title in html
    assert "Mark as checked" in page(client, reverse("saemaul:project", args=[project.public_id]))
    client.post(
        reverse("saemaul:project_check", args=[project.public_id]),
        {"version": project.version, "note": "현장 확인"},
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.CHECKED
    assert project.checked_by == "myeon"
    assert project.title not in page(client, reverse("saemaul:queue"))


@pytest.mark.django_db
def test_a_return_needs_a_reason_and_the_leader_sees_it(
    as_: Callable[[str], Client], village: Village
) -> None:
    project = _submitted(village)
    client = as_("myeon")
    url = reverse("saemaul:project_return", args=[project.public_id])
    response = client.post(url, {"version": project.version, "reason": ""}, follow=True)
    assert "This field is required." in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    client.post(url, {"version": project.version, "reason": "골재 단가를 확인하세요"})
    project.refresh_from_db()
    assert project.status == ProjectStatus.RETURNED
    html = page(as_("leader"), reverse("saemaul:project", args=[project.public_id]))
    assert "Returned for correction" in html
    assert "골재 단가를 확인하세요" in html


@pytest.mark.django_db
def test_the_county_approves_and_the_amount_is_locked(
    as_: Callable[[str], Client], village: Village
) -> None:
    project = _submitted(village)
    project = do_check_project(ACTOR, project, expected_version=project.version)
    client = as_("county")
    assert project.title in page(client, reverse("saemaul:queue"))
    client.post(
        reverse("saemaul:project_approve", args=[project.public_id]),
        {"version": project.version, "approved_grant_krw": "1500000", "note": ""},
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED
    assert project.approved_grant_krw == 1_500_000
    assert "Approved grant locked" in page(
        client, reverse("saemaul:project", args=[project.public_id])
    )

    # The leader tries to raise the grant afterwards: refused, nothing changes.
    response = as_("leader").post(
        reverse("saemaul:project_edit", args=[project.public_id]),
        {
            "version": project.version,
            "title": project.title,
            "category": project.category,
            "latitude": str(project.latitude),
            "longitude": str(project.longitude),
            "requested_grant_krw": "9000000",
            "community_cash_krw": "0",
            "community_labour_days": str(project.community_labour_days),
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "is locked since the county approved it" in response.content.decode()
    project.refresh_from_db()
    assert (project.requested_grant_krw, project.approved_grant_krw) == (2_000_000, 1_500_000)


@pytest.mark.django_db
def test_a_level_cannot_take_another_levels_step(
    as_: Callable[[str], Client], village: Village
) -> None:
    project = _submitted(village)
    for who, step in (
        ("leader", "project_check"),
        ("county", "project_check"),
        ("myeon", "project_approve"),
    ):
        response = as_(who).post(
            reverse(f"saemaul:{step}", args=[project.public_id]),
            {"version": project.version, "approved_grant_krw": "1", "note": ""},
        )
        assert response.status_code == 403, (who, step)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


# --- jurisdiction ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_areas_ids_are_not_found_and_nothing_changes(
    as_: Callable[[str], Client], village: Village, other_village: Village
) -> None:
    project = _submitted(village)
    assembly = project.resolution.assembly
    samsan = as_("samsan")
    for url in (
        reverse("saemaul:village", args=[village.code]),
        reverse("saemaul:assembly", args=[village.code, assembly.pk]),
        reverse("saemaul:project", args=[project.public_id]),
        reverse("saemaul:dashboard") + "?area=46820-03",
    ):
        assert samsan.get(url).status_code == 404, url
    response = samsan.post(
        reverse("saemaul:project_check", args=[project.public_id]), {"version": project.version}
    )
    assert response.status_code == 404
    response = samsan.post(
        reverse("saemaul:project_return", args=[project.public_id]),
        {"version": project.version, "reason": "no"},
    )
    assert response.status_code == 404
    project.refresh_from_db()
    assert (project.status, project.version) == (ProjectStatus.SUBMITTED, 2)

    # The leader of Hwasan's village cannot see or write into Samsan's village.
    leader = as_("leader")
    assert leader.get(reverse("saemaul:village", args=[other_village.code])).status_code == 404
    response = leader.post(
        reverse("saemaul:assembly_new", args=[other_village.code]),
        {
            "held_on": timezone.localdate().isoformat(),
            "eligible_members": "10",
            "attended_men": "5",
            "attended_women": "5",
            "resolutions-TOTAL_FORMS": "0",
            "resolutions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 404
    assert not Assembly.objects.filter(village=other_village).exists()
    villages = page(samsan, reverse("saemaul:villages"))
    assert other_village.name_local in villages
    assert village.name_local not in villages


@pytest.mark.django_db
def test_an_unknown_project_is_not_found(as_: Callable[[str], Client]) -> None:
    url = reverse("saemaul:project", args=["00000000-0000-4000-8000-000000000000"])
    assert as_("central").get(url).status_code == 404


# --- the reporting chain --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reporting_chain_approves_and_locks_a_period(
    as_: Callable[[str], Client], village: Village
) -> None:
    leader = as_("leader")
    today = timezone.localdate()
    response = leader.post(
        reverse("saemaul:reports"), {"year": today.year, "month": today.month, "narrative": ""}
    )
    report = Report.objects.get(village=village)
    assert response["Location"] == reverse("saemaul:report", args=[report.pk])
    leader.post(reverse("saemaul:report_submit", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    # Only the eup/myeon of the village reviews it.
    assert (
        as_("county")
        .post(reverse("saemaul:report_approve", args=[report.pk]), {"version": report.version})
        .status_code
        == 403
    )
    assert as_("samsan").get(reverse("saemaul:report", args=[report.pk])).status_code == 404
    myeon = as_("myeon")
    assert village.name_local in page(myeon, reverse("saemaul:reports"))
    myeon.post(reverse("saemaul:report_approve", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert "Approved and locked" in page(leader, reverse("saemaul:report", args=[report.pk]))

    # The locked month refuses a new report and a new assembly, with a clear message.
    response = leader.post(
        reverse("saemaul:reports"), {"year": today.year, "month": today.month, "narrative": "x"}
    )
    assert response.status_code == 400
    assert "is locked; it can no longer be changed" in response.content.decode()
    response = leader.post(
        reverse("saemaul:assembly_new", args=[village.code]),
        {
            "held_on": today.isoformat(),
            "eligible_members": "10",
            "attended_men": "5",
            "attended_women": "5",
            "resolutions-TOTAL_FORMS": "0",
            "resolutions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "so that month is locked" in response.content.decode()
    assert not Assembly.objects.filter(village=village).exists()


@pytest.mark.django_db
def test_province_and_central_review_the_level_below(
    as_: Callable[[str], Client], county: dict[str, Area], village: Village
) -> None:
    today = timezone.localdate()
    report = do_prepare_report(ACTOR, year=today.year, month=today.month, area=county["46820"])
    report = do_submit_report(ACTOR, report, expected_version=report.version)
    province = as_("province")
    assert "해남군" in page(province, reverse("saemaul:reports"))
    assert "Approve and lock" in page(province, reverse("saemaul:report", args=[report.pk]))
    assert "Approve and lock" not in page(
        as_("central"), reverse("saemaul:report", args=[report.pk])
    )
    province.post(reverse("saemaul:report_approve", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED

    # Approving again is refused as locked; nothing changes.
    response = province.post(
        reverse("saemaul:report_approve", args=[report.pk]),
        {"version": report.version},
        follow=True,
    )
    assert "is locked" in response.content.decode()
    report.refresh_from_db()
    assert report.reviewed_by == "province"

    top = do_prepare_report(ACTOR, year=today.year, month=today.month, area=county["46"])
    top = do_submit_report(ACTOR, top, expected_version=top.version)
    central = as_("central")
    central.post(reverse("saemaul:report_approve", args=[top.pk]), {"version": top.version})
    top.refresh_from_db()
    assert top.status == ReportStatus.APPROVED


# --- materials, results, dashboards ---------------------------------------------------------


@pytest.mark.django_db
def test_the_county_sees_materials_and_the_leader_does_not(
    as_: Callable[[str], Client], village: Village
) -> None:
    html = page(as_("county"), reverse("saemaul:materials"))
    assert "Depot stock and reserve" in html
    assert as_("leader").get(reverse("saemaul:materials")).status_code == 403


@pytest.mark.django_db
def test_the_dashboard_draws_its_charts_with_text_alternatives(
    as_: Callable[[str], Client], village: Village
) -> None:
    approved_project(village)
    html = page(as_("county"), reverse("saemaul:dashboard"))
    assert html.count('role="img"') >= 2
    assert '<title id="map-title">' in html
    assert 'id="dash-approved">1<' in html
    assert "Projects in each status" in html
    assert 'data-status="approved">1<' in html


@pytest.mark.django_db
def test_the_reference_figures_are_public(client: Client, programme: None) -> None:
    html = page(client, reverse("saemaul:reference"))
    assert "Historical figures of Saemaul Undong" in html
    assert "<table" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("ko", ["마을총회 기록", "기초시설 점검표", "새 사업"]),
        ("vi", ["Ghi nhận đại hội thôn", "Danh mục hạ tầng", "Dự án mới"]),
    ],
)
def test_the_village_page_speaks_the_users_language(
    people: dict[str, tuple[User, Any]], village: Village, language: str, texts: list[str]
) -> None:
    client = signed_in(*people["leader"])
    response = client.get(
        reverse("saemaul:village", args=[village.code]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response["Content-Language"] == language
    html = response.content.decode()
    for text in texts:
        assert text in html, text
    assert "Record a general assembly" not in html


@pytest.mark.django_db
def test_the_county_records_a_delivery_within_the_reserve_rule(
    as_: Callable[[str], Client], county: dict[str, Area], village: Village
) -> None:
    round_ = model_round()
    do_allocate_round(ACTOR, round_)
    allocation = Allocation.objects.get(village=village)
    depot = do_create_depot(
        ACTOR, code="kr-46820-03", name="화산면 창고", area=county["46820-03"], level="eup_myeon"
    )
    do_receive_stock(ACTOR, depot, material="cement", quantity=400, on=days_ago(5), round_=round_)
    client = as_("county")
    url = reverse("saemaul:delivery_new", args=[village.code])
    form = {
        "allocation": str(allocation.pk),
        "depot": str(depot.pk),
        "material": "cement",
        "delivered_on": days_ago(1).isoformat(),
        "received_by": "이장",
    }
    # 400 received, 30 % (120) kept in reserve: 300 bags would eat into it.
    response = client.post(url, form | {"quantity": "300"})
    assert response.status_code == 400
    assert "reserve" in response.content.decode()
    assert not Delivery.objects.exists()

    response = client.post(url, form | {"quantity": "200"})
    assert response["Location"] == reverse("saemaul:village", args=[village.code])
    assert Delivery.objects.get().quantity == 200
    html = page(client, reverse("saemaul:materials"))
    assert "화산면 창고" in html
    assert as_("myeon").get(url).status_code == 403

"""The personnel demo's open position and self-service leave (issue 18 items 8 and 9): five
senior civil service posts in the district office's top unit, one designated an open position
with a public posting and its selection committee, and a leave request of the HR officer
waiting for the division head (the HR division's head) to approve. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gov3.accounts.models import Agency, User
from gov3.personnel import open_positions as op
from gov3.personnel import self_service
from gov3.personnel.models import Position, PositionType, Unit
from gov3.personnel.open_position_models import OpenPosting
from gov3.personnel.self_service_models import StaffRequest
from gov3.personnel.services import do_create_position

ACTOR = "system:demo"
SCS_POSTS = 5

COMMITTEE = [
    ("이위원장", "서울대학교 행정대학원", True, True),
    ("김위원", "한국행정연구원", True, False),
    ("박위원", "법무법인 한결", True, False),
    ("최위원", "행정안전부 인사기획관실", False, False),
    ("정위원", "인사혁신처", False, False),
]


def _scs_posts(district: Agency) -> list[Position]:
    top = Unit.objects.get(code=f"{district.code}-top")
    posts = []
    for n in range(1, SCS_POSTS + 1):
        code = f"{district.code}-scs-{n}"
        post = Position.objects.filter(code=code).first() or do_create_position(
            ACTOR,
            unit=top,
            code=code,
            title_local=f"국장 {n}",
            title_en=f"Director-General {n}",
            grade_high="SCS",
            grade_low="SCS",
            job_series="information" if n == 1 else "administration",
        )
        posts.append(post)
    return posts


def load_demo(district: Agency) -> None:
    """Add the open posting and the pending leave request once (kr: the pack has the rules)."""
    hr = User.objects.filter(username="hr-officer").first()
    if hr is None or district.country != "kr":
        return
    today = timezone.localdate()
    if not OpenPosting.objects.filter(agency=district).exists():
        first = _scs_posts(district)[0]
        if first.position_type != PositionType.OPEN:
            op.do_designate_open_position(hr, first.pk)
        posting = op.do_publish_posting(
            hr,
            first.pk,
            op.PostingDraft(
                title="디지털정부국장 (개방형 직위)",
                duties="디지털정부 서비스 기획·운영 총괄, 공공데이터 개방 및 정보보호 정책.",
                requirements="관련 분야 10년 이상 경력 또는 이에 준하는 자격 (민간인 지원 가능).",
                opens_on=today - timedelta(days=3),
                closes_on=today + timedelta(days=27),
                contract_years=3,
            ),
        )
        members = [op.MemberDraft(n, a, external=e, chair=c) for n, a, e, c in COMMITTEE]
        op.do_form_committee(hr, posting.pk, members)
    if not StaffRequest.objects.filter(record__account=hr).exists():
        monday = today + timedelta(days=14 - today.weekday())
        if (monday + timedelta(days=2)).year != monday.year:
            monday += timedelta(days=7)  # one request does not span two years
        self_service.do_request_leave(
            hr,
            leave_kind="annual",
            starts_on=monday,
            ends_on=monday + timedelta(days=2),
            reason="가족 여행",
        )

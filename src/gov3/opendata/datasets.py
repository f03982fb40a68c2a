# ruff: noqa: E501, RUF005 - each description is one string per language; the columns read as a list
"""The datasets gov3 publishes, each with its Frictionless Table Schema: take-up of services,
petitions and information-disclosure statistics, and the impact of consultations. No
personal data; counts from 1 to the threshold are suppressed with secondary-disclosure
protection (`opendata.core.suppression`), so the published CSV has empty cells there."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Count

from gov3.cases.takeup import MEASURES, published, take_up
from gov3.core.spreadsheets import neutralise
from gov3.opendata.core.suppression import suppress_counts
from gov3.participation.models import (
    Consultation,
    ConsultationComment,
    DisclosureDecision,
    DisclosureRequest,
    Petition,
    PetitionStatus,
    Stance,
)
from gov3.personnel import analytics as personnel_analytics

Row = dict[str, Any]


@dataclass(frozen=True)
class Dataset:
    """One published dataset: its description, columns and how its rows are made."""

    slug: str
    title: dict[str, str]
    description: dict[str, str]
    keywords: tuple[str, ...]
    frequency: str
    fields: tuple[tuple[str, str, str], ...]  # (name, Table Schema type, description)
    rows: Callable[[str, date], list[Row]]

    def table_schema(self) -> dict[str, Any]:
        """The Frictionless Table Schema of the CSV (suppressed cells are empty)."""
        return {
            "fields": [
                {"name": name, "type": kind, "description": about}
                for name, kind, about in self.fields
            ],
            "missingValues": [""],
        }


def threshold() -> int:
    return int(settings.GOV3_OPEN_DATA_MIN_CELL)


def protect(rows: list[Row], columns: tuple[str, ...]) -> list[Row]:
    """Suppress each count column over all rows (the column's total is implied)."""
    for column in columns:
        published_column = suppress_counts(
            {i: int(row[column]) for i, row in enumerate(rows)}, threshold()
        )
        for i, row in enumerate(rows):
            row[column] = published_column.cells[i]
    return rows


def take_up_rows(country: str, day: date) -> list[Row]:
    return published(take_up(country, day))


def petition_rows(country: str, day: date, *, by_category: bool = True) -> list[Row]:
    """Per agency and category (or per agency): filed, answered, answered on time, overdue,
    median days to answer and mean satisfaction (those two only where enough answers and
    ratings)."""
    groups: dict[tuple[str, str], list[Petition]] = defaultdict(list)
    for petition in (
        Petition.objects.filter(country=country)
        .select_related("agency")
        .only(
            "agency__code",
            "category",
            "status",
            "filed_on",
            "due_on",
            "answered_on",
            "satisfaction",
        )
    ):
        groups[(petition.agency.code, petition.category if by_category else "")].append(petition)
    rows = []
    for (agency, category), items in sorted(groups.items()):
        answered = [p for p in items if p.status == PetitionStatus.ANSWERED and p.answered_on]
        days = [(p.answered_on - p.filed_on).days for p in answered if p.answered_on]
        ratings = [p.satisfaction for p in items if p.satisfaction]
        rows.append(
            {
                "agency": agency,
                "category": category,
                "filed": len(items),
                "answered": len(answered),
                "on_time": sum(1 for p in answered if p.answered_on and p.answered_on <= p.due_on),
                "overdue": sum(
                    1 for p in items if p.status == PetitionStatus.OPEN and p.due_on < day
                ),
                "median_days": statistics.median(days) if len(days) >= threshold() else None,
                "satisfaction": round(statistics.mean(ratings), 2)
                if len(ratings) >= threshold()
                else None,
            }
        )
    return protect(rows, ("filed", "answered", "on_time", "overdue"))


DISCLOSURE_OUTCOMES = ("disclosed", "partial", "refused", "deemed_refused", "pending")


def disclosure_counts(country: str, day: date, *, agency_id: int | None = None) -> list[Row]:
    """Per agency: requests and their outcome on ``day`` (no decision after the period:
    deemed refused), as counted, before any suppression."""
    counts: dict[str, Row] = {}
    requests = DisclosureRequest.objects.filter(country=country).select_related("agency")
    if agency_id is not None:
        requests = requests.filter(agency_id=agency_id)
    for request in requests:
        row = counts.setdefault(
            request.agency.code,
            {
                "agency": request.agency.code,
                "requests": 0,
                "disclosed": 0,
                "partial": 0,
                "refused": 0,
                "deemed_refused": 0,
                "pending": 0,
            },
        )
        row["requests"] += 1
        if request.decision == DisclosureDecision.DISCLOSE:
            row["disclosed"] += 1
        elif request.decision == DisclosureDecision.PARTIAL:
            row["partial"] += 1
        elif request.decision == DisclosureDecision.REFUSE:
            row["refused"] += 1
        elif day > request.due_on:
            row["deemed_refused"] += 1
        else:
            row["pending"] += 1
    return [counts[k] for k in sorted(counts)]


def disclosure_rows(country: str, day: date) -> list[Row]:
    return protect(disclosure_counts(country, day), ("requests", *DISCLOSURE_OUTCOMES))


def impact_rows(country: str, day: date) -> list[Row]:
    """The published (already suppressed) impact tables of every consultation."""
    rows = []
    for consultation in Consultation.objects.filter(country=country).order_by("opens_on", "pk"):
        for dimension, table in (consultation.impact.get("tables") or {}).items():
            for row in table["rows"]:
                rows.append(
                    {
                        "consultation": str(consultation.public_id),
                        "service": consultation.service_id,
                        "draft_version": consultation.draft_version,
                        "dimension": dimension,
                        "group": row["key"],
                        **{
                            k: row[k]
                            for k in ("subjects", "start", "stop", "gain", "lose", "cost_change")
                        },
                    }
                )
    return rows


def consultation_participation_rows(country: str, day: date) -> list[Row]:
    """Per consultation: its service, period and status, how many supported, opposed or only
    commented, and whether the agency responded. A stance is a public act like a signature on
    a public petition, and these counts have no breakdown that could point at anyone, so they
    are published as counted (as the consultation's own page shows them)."""
    stances = {
        (consultation_id, stance): number
        for consultation_id, stance, number in ConsultationComment.objects.filter(
            consultation__country=country
        )
        .values("consultation_id", "stance")
        .annotate(number=Count("pk"))
        .values_list("consultation_id", "stance", "number")
    }
    return [
        {
            "consultation": str(consultation.public_id),
            "service": consultation.service_id,
            "title": consultation.title,
            "status": consultation.status,
            "opens_on": consultation.opens_on,
            "closes_on": consultation.closes_on,
            **{stance: stances.get((consultation.pk, stance), 0) for stance in Stance.values},
            "responded": bool(consultation.response),
        }
        for consultation in Consultation.objects.filter(country=country).order_by("opens_on", "pk")
    ]


def school_district_rows(country: str, day: date) -> list[Row]:
    """Entrants, places and transfers per district for the school year in season on ``day``
    (`schools.dashboards`: small cells suppressed there)."""
    from gov3.schools.dashboards import open_data_rows, open_data_year  # noqa: PLC0415

    return open_data_rows(country, open_data_year(country, day))


_COUNT = "integer"
DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in (
        Dataset(
            "take-up",
            {
                "en": "Take-up of public services",
                "ko": "공공서비스 이용 현황",
                "vi": "Mức sử dụng dịch vụ công",
            },
            {
                "en": "Per service and first-level area: how many are eligible, offered, confirmed, "
                "declined, approved and paid.",
                "ko": "서비스·시도별 자격자, 안내, 확인, 거절, 승인, 지급 건수.",
                "vi": "Theo dịch vụ và tỉnh: số người đủ điều kiện, được đề xuất, xác nhận, từ chối, "
                "được duyệt và được chi trả.",
            },
            ("take-up", "public services", "benefits"),
            "DAILY",
            (("service", "string", "service id"), ("area", "string", "first-level area code"))
            + tuple((m, _COUNT, m) for m in MEASURES),
            take_up_rows,
        ),
        Dataset(
            "petitions",
            {
                "en": "Petitions by agency and category",
                "ko": "기관·분야별 민원 처리 현황",
                "vi": "Kiến nghị theo cơ quan và lĩnh vực",
            },
            {
                "en": "Petitions filed, answered, answered on time and overdue, median days to "
                "answer and mean satisfaction (1-5).",
                "ko": "접수, 처리, 기한 내 처리, 기한 경과 건수, 처리 일수 중앙값, 평균 만족도(1-5).",
                "vi": "Số kiến nghị đã nộp, đã trả lời, đúng hạn, quá hạn, số ngày trả lời trung vị "
                "và mức hài lòng trung bình (1-5).",
            },
            ("petitions", "e-people", "civil complaints"),
            "DAILY",
            (
                ("agency", "string", "agency code"),
                ("category", "string", "petition category"),
                ("filed", _COUNT, "petitions filed"),
                ("answered", _COUNT, "petitions answered"),
                ("on_time", _COUNT, "answered by the legal due date"),
                ("overdue", _COUNT, "open past the due date"),
                ("median_days", "number", "median calendar days from filing to answer"),
                ("satisfaction", "number", "mean rating of the answers, 1-5"),
            ),
            petition_rows,
        ),
        Dataset(
            "disclosure",
            {
                "en": "Information disclosure decisions",
                "ko": "정보공개 결정 현황",
                "vi": "Quyết định công khai thông tin",
            },
            {
                "en": "Requests per agency and their outcome, including deemed refusals.",
                "ko": "기관별 청구 건수와 결정 결과(비공개 간주 포함).",
                "vi": "Số yêu cầu theo cơ quan và kết quả, kể cả trường hợp coi như từ chối.",
            },
            ("information disclosure", "transparency"),
            "DAILY",
            (("agency", "string", "agency code"),)
            + tuple(
                (name, _COUNT, name)
                for name in (
                    "requests",
                    "disclosed",
                    "partial",
                    "refused",
                    "deemed_refused",
                    "pending",
                )
            ),
            disclosure_rows,
        ),
        Dataset(
            "consultation-impacts",
            {
                "en": "Impact of consultation drafts",
                "ko": "입법예고 영향 분석",
                "vi": "Tác động của dự thảo lấy ý kiến",
            },
            {
                "en": "For each consultation draft: people who would start or stop qualifying, gain "
                "or lose, and the change in monthly cost, by area, age band and household type.",
                "ko": "초안별 새로 받게 되거나 못 받게 되는 사람, 금액 증감, 월 비용 변화(지역·연령대·가구 유형별).",
                "vi": "Với mỗi dự thảo: số người bắt đầu hoặc thôi đủ điều kiện, được tăng hoặc giảm, "
                "và thay đổi chi phí hằng tháng, theo vùng, nhóm tuổi và loại hộ.",
            },
            ("consultation", "impact", "rules as code"),
            "IRREG",
            (
                ("consultation", "string", "consultation id"),
                ("service", "string", "service id"),
                ("draft_version", "string", "the draft's version"),
                ("dimension", "string", "area, age_band or household_type"),
                ("group", "string", "the value of the dimension"),
                ("subjects", _COUNT, "people (or households) evaluated"),
                ("start", _COUNT, "would start qualifying"),
                ("stop", _COUNT, "would stop qualifying"),
                ("gain", _COUNT, "would receive more"),
                ("lose", _COUNT, "would receive less"),
                ("cost_change", _COUNT, "change in the monthly total, in the minor unit"),
            ),
            impact_rows,
        ),
        Dataset(
            "consultation-participation",
            {
                "en": "Participation in consultations",
                "ko": "입법예고 의견 제출 현황",
                "vi": "Tham gia lấy ý kiến",
            },
            {
                "en": "For each consultation: its period and status, how many people supported "
                "or opposed the draft or only commented, and whether the agency responded.",
                "ko": "입법예고별 기간과 상태, 찬성·반대·의견 제출 인원, 기관 답변 여부.",
                "vi": "Với mỗi đợt lấy ý kiến: thời gian, trạng thái, số người ủng hộ, phản đối "
                "hoặc chỉ góp ý, và cơ quan đã phản hồi hay chưa.",
            },
            ("consultation", "participation", "open government"),
            "DAILY",
            (
                ("consultation", "string", "consultation id"),
                ("service", "string", "service id"),
                ("title", "string", "the consultation's title"),
                ("status", "string", "open, closed, adopted or withdrawn"),
                ("opens_on", "date", "first day for comments"),
                ("closes_on", "date", "last day for comments"),
                ("support", _COUNT, "people who support the draft"),
                ("oppose", _COUNT, "people who oppose the draft"),
                ("comment", _COUNT, "people who only commented"),
                ("responded", "boolean", "the agency published its response"),
            ),
            consultation_participation_rows,
        ),
        Dataset(
            "school-districts",
            {
                "en": "School entrants and transfers by district",
                "ko": "교육지원청 관할 구역별 입학생·전학생 현황",
                "vi": "Học sinh nhập học và chuyển trường theo quận",
            },
            {
                "en": "Per district and school year: first-grade entrants against first-grade places, "
                "and transfers into, out of and within the district; the share of school days "
                "attended.",
                "ko": "구역·학년도별 1학년 입학생 수와 1학년 정원, 전입·전출·구역 내 전학 건수, 출석률.",
                "vi": "Theo quận và năm học: số học sinh vào lớp 1 so với chỉ tiêu lớp 1, và số "
                "chuyển đến, chuyển đi, chuyển trong quận; tỷ lệ chuyên cần.",
            },
            ("schools", "school entry", "education"),
            "DAILY",
            (
                ("school_year", "integer", "the school year"),
                ("district", "string", "district area code"),
                ("entrants", _COUNT, "learners who entered the first grade"),
                ("first_grade_places", _COUNT, "first-grade places of the district's schools"),
                ("transferred_in", _COUNT, "transfers from another district's school"),
                ("transferred_out", _COUNT, "transfers to another district's school"),
                ("transferred_within", _COUNT, "transfers between schools of the district"),
                (
                    "attendance_rate",
                    "number",
                    "share of learner-days attended (0 to 1); empty for fewer learners than "
                    "the small-cell threshold",
                ),
            ),
            school_district_rows,
        ),
        Dataset(
            "personnel-headcount",
            {
                "en": "Civil servants by agency and grade",
                "ko": "기관·직급별 공무원 현원",
                "vi": "Công chức theo cơ quan và ngạch",
            },
            {
                "en": "People holding a post of each agency today, by grade.",
                "ko": "오늘 기준 기관별·직급별 재직 인원.",
                "vi": "Số người đang giữ vị trí tại mỗi cơ quan hôm nay, theo ngạch.",
            },
            ("civil service", "personnel", "headcount"),
            "DAILY",
            (
                ("agency", "string", "agency code"),
                ("grade", "string", "grade code of the country pack"),
                ("headcount", _COUNT, "people holding a post"),
            ),
            personnel_analytics.headcount_rows,
        ),
        Dataset(
            "personnel-service",
            {
                "en": "Civil servants by years of service",
                "ko": "재직 기간별 공무원 현원",
                "vi": "Công chức theo thâm niên",
            },
            {
                "en": "People holding a post of each agency today, by whole years since entering the service.",
                "ko": "오늘 기준 기관별 재직 인원(임용 후 경과 연수 구간별).",
                "vi": "Số người đang giữ vị trí tại mỗi cơ quan hôm nay, theo số năm công tác.",
            },
            ("civil service", "personnel", "tenure"),
            "DAILY",
            (
                ("agency", "string", "agency code"),
                ("years_of_service", "string", "band of whole years: 0-1, 2-4, 5-9, 10-19, 20+"),
                ("people", _COUNT, "people holding a post"),
            ),
            personnel_analytics.service_rows,
        ),
        Dataset(
            "personnel-ratings",
            {
                "en": "Performance ratings against the quota",
                "ko": "성과평가 등급 분포와 배분 비율",
                "vi": "Xếp loại đánh giá so với tỷ lệ",
            },
            {
                "en": "Each agency's latest evaluation period: people rated S, A, B or C (general grades) and the most the quota allows.",
                "ko": "기관별 최근 평가 기간의 등급별 인원(일반 직급)과 배분 비율상 최대 인원.",
                "vi": "Kỳ đánh giá gần nhất của mỗi cơ quan: số người xếp loại S, A, B, C và số tối đa theo tỷ lệ.",
            },
            ("civil service", "performance evaluation"),
            "DAILY",
            (
                ("agency", "string", "agency code"),
                ("period", "string", "<kind>-<year>-<half>"),
                ("rating", "string", "S, A, B or C"),
                ("people", _COUNT, "people rated"),
                ("quota_max", _COUNT, "the most the quota allows for the people rated"),
            ),
            personnel_analytics.rating_rows,
        ),
        Dataset(
            "personnel-positions",
            {
                "en": "Positions and open positions by agency",
                "ko": "기관별 정원·직위·개방형 직위",
                "vi": "Vị trí và vị trí mở theo cơ quan",
            },
            {
                "en": "Per agency: authorised headcount, positions and open positions (the organisation; no people).",
                "ko": "기관별 정원, 직위 수, 개방형 직위 수(조직 정보, 개인 없음).",
                "vi": "Theo cơ quan: biên chế, số vị trí và số vị trí mở (tổ chức; không có cá nhân).",
            },
            ("civil service", "organisation", "open positions"),
            "DAILY",
            (
                ("agency", "string", "agency code"),
                ("authorised_headcount", _COUNT, "authorised headcount of the open units"),
                ("positions", _COUNT, "positions of the open units"),
                ("open_positions", _COUNT, "positions of type open"),
            ),
            personnel_analytics.position_rows,
        ),
    )
}


def _csv_value(value: Any) -> Any:
    """A cell as Table Schema reads it: empty when suppressed, booleans as true/false; text a
    spreadsheet would run as a formula (a name from a country pack starting with `=`, say) is
    written as text (`gov3.core.spreadsheets.neutralise`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(value)


def as_csv(dataset: Dataset, rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [name for name, _, _ in dataset.fields]
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_value(row.get(name)) for name in names])
    return out.getvalue()


def as_json(dataset: Dataset, rows: list[Row], day: date) -> str:
    names = [name for name, _, _ in dataset.fields]
    return json.dumps(
        {
            "dataset": dataset.slug,
            "date": day.isoformat(),
            "suppressed_below": threshold(),
            "rows": [{name: row.get(name) for name in names} for row in rows],
        },
        ensure_ascii=False,
        default=str,
    )


_ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}


def as_parquet(dataset: Dataset, rows: list[Row]) -> bytes:
    table = pa.table(
        {
            name: pa.array([row.get(name) for row in rows], type=_ARROW[kind])
            for name, kind, _ in dataset.fields
        }
    )
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()

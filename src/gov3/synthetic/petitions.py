"""Synthetic petitions in Korean for the demo, the benchmarks and the classifier's labelled
examples (`countries/kr/participation/petition_examples.csv` was written by `write_examples`).

Each text joins a place, an issue typical of its category, a detail and a request; the
openers, details and requests are shared by every category, so a classifier must learn the
issue words. Pure and deterministic for a seed. Kept above the domain apps (docs/architecture.md).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PLACES = (
    "우리 동네",
    "아파트 단지 앞",
    "초등학교 근처",
    "시장 입구",
    "버스 정류장 옆",
    "공원 주변",
    "주민센터 앞",
    "지하철역 출구",
    "골목길",
    "큰길 사거리",
    "다리 밑",
    "마을 회관 옆",
)
ISSUES: dict[str, tuple[str, ...]] = {
    "roads": (
        "도로에 큰 구멍이 패여 차량 통행이 위험합니다",
        "신호등이 고장 나 보행자가 길을 건너기 어렵습니다",
        "불법 주차 차량 때문에 버스가 지나가지 못합니다",
        "횡단보도 도색이 지워져 잘 보이지 않습니다",
        "가로등이 꺼져 밤에 도로가 너무 어둡습니다",
        "과속 방지턱이 없어 차들이 너무 빨리 달립니다",
        "인도 보도블록이 깨져 넘어질 뻔했습니다",
        "교차로 정체가 심해 출퇴근 시간에 차가 움직이지 않습니다",
    ),
    "waste": (
        "쓰레기가 수거되지 않고 며칠째 쌓여 있습니다",
        "공장에서 매연과 악취가 계속 납니다",
        "하천에 폐기물이 버려져 물이 오염되었습니다",
        "재활용품 분리수거함이 부족합니다",
        "야간 공사 소음 때문에 잠을 잘 수 없습니다",
        "음식물 쓰레기 냄새가 심하게 납니다",
        "무단 투기된 대형 폐기물이 방치되어 있습니다",
        "미세먼지를 줄이기 위한 살수차 운행을 늘려 주십시오",
    ),
    "housing": (
        "옆 건물 공사로 우리 집 벽에 금이 갔습니다",
        "불법 증축된 건물이 골목을 막고 있습니다",
        "전세 보증금을 돌려받지 못하고 있습니다",
        "노후 아파트 재건축 안전진단 일정을 알고 싶습니다",
        "공공임대주택 입주 자격을 문의합니다",
        "건축 허가 없이 가건물이 세워졌습니다",
        "빈집이 오래 방치되어 붕괴 위험이 있습니다",
        "주택 누수 피해에 대한 지원이 필요합니다",
    ),
    "registration": (
        "주민등록등본 발급이 되지 않습니다",
        "전입신고를 했는데 주소가 바뀌지 않았습니다",
        "가족관계증명서에 이름이 잘못 기재되어 있습니다",
        "인감증명서 발급 절차를 알고 싶습니다",
        "주민등록증 재발급 신청이 처리되지 않았습니다",
        "세대주 변경 신고 방법을 문의합니다",
        "외국에 사는 가족의 주민등록 말소를 문의합니다",
        "무인 민원발급기가 고장 나 증명서를 뗄 수 없습니다",
    ),
    "welfare": (
        "기초연금 신청 후 아직 결과를 받지 못했습니다",
        "기초생활수급자 선정 기준을 알고 싶습니다",
        "장애인 연금이 줄어든 이유를 설명해 주십시오",
        "아동수당이 이번 달에 입금되지 않았습니다",
        "독거노인 돌봄 서비스를 신청하고 싶습니다",
        "긴급복지 생계지원을 받을 수 있는지 문의합니다",
        "부모급여 신청 방법이 너무 복잡합니다",
        "노인 일자리 사업 참여 자격을 알고 싶습니다",
    ),
    "health": (
        "보건소 독감 예방접종 예약이 되지 않습니다",
        "응급실 대기 시간이 너무 깁니다",
        "건강검진 결과를 아직 받지 못했습니다",
        "동네 병원이 문을 닫아 진료받을 곳이 없습니다",
        "약국 야간 운영을 늘려 주십시오",
        "치매 안심센터 상담을 받고 싶습니다",
        "감염병 예방 수칙 안내가 부족합니다",
        "건강보험료 산정 방식이 이해되지 않습니다",
    ),
    "education": (
        "초등학교 입학 통지서를 받지 못했습니다",
        "학교 급식의 질이 너무 낮습니다",
        "통학로에 안전 요원을 배치해 주십시오",
        "방과후 돌봄교실 정원이 부족합니다",
        "학교 건물이 낡아 교실에 비가 샙니다",
        "교육비 지원 신청 결과를 알고 싶습니다",
        "학교 폭력 신고 후 조치가 없습니다",
        "특수교육 보조 인력을 늘려 주십시오",
    ),
    "safety": (
        "밤마다 취객이 소란을 피워 불안합니다",
        "골목에 방범 CCTV를 설치해 주십시오",
        "보이스피싱 피해를 신고하고 싶습니다",
        "순찰을 늘려 주십시오, 절도 사건이 잦습니다",
        "오토바이 폭주 소음으로 위협을 느낍니다",
        "실종된 가족을 찾는 데 도움이 필요합니다",
        "스토킹 피해로 신변 보호를 요청합니다",
        "놀이터에 낯선 사람이 자주 나타나 걱정됩니다",
    ),
    "tax": (
        "종합소득세 신고 내용이 잘못 계산되었습니다",
        "근로장려금 지급이 늦어지고 있습니다",
        "부가가치세 환급을 아직 받지 못했습니다",
        "재산세 고지서 금액이 작년보다 크게 올랐습니다",
        "연말정산 부양가족 공제 방법을 알고 싶습니다",
        "세금 체납 고지서가 잘못 발송되었습니다",
        "현금영수증 발급을 거부한 가게를 신고합니다",
        "상속세 납부 기한 연장을 문의합니다",
    ),
    "labour": (
        "회사에서 임금을 석 달째 받지 못했습니다",
        "퇴직금을 지급하지 않는 사업주를 신고합니다",
        "직장 내 괴롭힘으로 일을 할 수 없습니다",
        "실업급여 신청이 거절된 이유를 알고 싶습니다",
        "최저임금보다 적은 시급을 받고 있습니다",
        "산업재해 신청 절차를 문의합니다",
        "야간 근무 수당이 지급되지 않았습니다",
        "근로계약서를 작성해 주지 않습니다",
    ),
}
STREETS = (
    "세종대로",
    "종로",
    "율곡로",
    "자하문로",
    "삼일대로",
    "창경궁로",
    "대학로",
    "동호로",
    "퇴계로",
    "을지로",
    "충무로",
    "남대문로",
    "소공로",
    "서소문로",
    "새문안로",
    "사직로",
    "효자로",
    "북촌로",
    "인사동길",
    "돈화문로",
    "청계천로",
    "평창문화로",
    "성균관로",
    "혜화로",
)
DETAILS = (
    "벌써 한 달이 넘었습니다",
    "여러 번 전화했지만 해결되지 않았습니다",
    "어르신과 아이들이 특히 불편을 겪고 있습니다",
    "이웃 주민들도 같은 문제를 겪고 있습니다",
    "사진을 첨부합니다",
    "지난해에도 같은 일이 있었습니다",
    "주말마다 더 심해집니다",
    "아침 출근길에 특히 문제가 됩니다",
    "구청 홈페이지에도 글을 남겼습니다",
    "주민 서명을 받아 함께 제출합니다",
    "안전사고가 날까 걱정입니다",
    "비가 오면 상황이 더 나빠집니다",
    "관리사무소에서는 권한이 없다고 합니다",
    "아이를 키우는 부모로서 불안합니다",
    "몇 주째 같은 상태입니다",
    "담당자와 통화가 되지 않습니다",
)
REQUESTS = (
    "빠른 조치를 부탁드립니다.",
    "담당 부서에서 확인해 주시기 바랍니다.",
    "개선 방안을 알려 주십시오.",
    "처리 결과를 알려 주시면 감사하겠습니다.",
    "조속히 해결해 주십시오.",
)
OPENERS = ("안녕하십니까.", "수고 많으십니다.", "민원을 드립니다.", "", "")
KINDS = ("complaint", "question", "proposal")


@dataclass(frozen=True)
class SyntheticPetition:
    """A made-up petition: its text, the category it is about, a kind, and — for a duplicate —
    the index of the petition it repeats."""

    text: str
    category: str
    kind: str
    duplicate_of: int | None = None


def petition_text(rng: random.Random, category: str) -> str:
    first, second = rng.sample(DETAILS, 2)
    parts = [
        rng.choice(OPENERS),
        f"{rng.choice(STREETS)} {rng.randint(1, 300)}번길 {rng.choice(PLACES)},",
        f"{rng.choice(ISSUES[category])}.",
        f"{first}." if rng.random() < 0.8 else "",
        f"{second}." if rng.random() < 0.5 else "",
        rng.choice(REQUESTS),
    ]
    return " ".join(part for part in parts if part and part != ".")


def repeat_text(rng: random.Random, text: str) -> str:
    """The same petition filed again by someone else: the text copied, perhaps with another
    opener (as campaigns and repeated petitions mostly are)."""
    body = text
    for opener in OPENERS:
        if opener and body.startswith(opener):
            body = body[len(opener) :].strip()
    return " ".join(p for p in (rng.choice(OPENERS), body) if p)


def petitions(count: int, seed: int, duplicate_share: float = 0.2) -> Iterator[SyntheticPetition]:
    """``count`` petitions; about ``duplicate_share`` of them repeat an earlier one."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
    made: list[SyntheticPetition] = []
    categories = sorted(ISSUES)
    for _ in range(count):
        if made and rng.random() < duplicate_share:
            index = rng.randrange(max(0, len(made) - 500), len(made))
            original = made[index]
            while original.duplicate_of is not None:
                index = original.duplicate_of
                original = made[index]
            item = SyntheticPetition(
                repeat_text(rng, original.text), original.category, original.kind, index
            )
        else:
            category = rng.choice(categories)
            item = SyntheticPetition(petition_text(rng, category), category, rng.choice(KINDS))
        made.append(item)
        yield item


def write_examples(path: Path, per_category: int = 60, seed: int = 20261206) -> None:
    """The labelled examples shipped in the kr pack (distinct texts, shuffled)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
    rows: list[tuple[str, str]] = []
    for category in sorted(ISSUES):
        seen: set[str] = set()
        while len(seen) < per_category:
            seen.add(petition_text(rng, category))
        rows += [(text, category) for text in sorted(seen)]
    rng.shuffle(rows)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "category"])
        writer.writerows(rows)

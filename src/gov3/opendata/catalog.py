"""The catalogue of gov3's open datasets as DCAT-AP (`opendata.core.dcat`), built from
`datasets.DATASETS` and the deployment's address; each day's Turtle and JSON-LD are made once
per process and kept."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.conf import settings

from gov3.opendata.core.dcat import CatalogEntry, DatasetEntry, build_graph, json_ld, turtle
from gov3.opendata.datasets import DATASETS

#: Korea Open Government License type 1 (attribution): what Korean public bodies publish under.
LICENCE_URL = "https://www.kogl.or.kr/info/licenseType1.do"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
ISO3 = {"kr": "KOR", "vn": "VNM"}
LICENCE_TITLE = "Korea Open Government License Type 1 (공공누리 제1유형: 출처표시)"


def catalog_entries(base: str, day: date) -> tuple[CatalogEntry, list[DatasetEntry]]:
    country = str(settings.GOV3_COUNTRY)
    catalog = CatalogEntry(
        uri=f"{base}/open-data/catalog",
        title={"en": "gov3 open data", "ko": "gov3 공공데이터", "vi": "Dữ liệu mở gov3"},
        description={
            "en": "Statistics of public services, petitions, information disclosure and "
            "consultations. No personal data; small counts are suppressed.",
            "ko": "공공서비스, 민원, 정보공개, 입법예고 통계. 개인정보 없음, 작은 수는 비공개.",
            "vi": "Thống kê dịch vụ công, kiến nghị, công khai thông tin và lấy ý kiến. Không có "
            "dữ liệu cá nhân; số nhỏ được ẩn.",
        },
        publisher_name={"en": "gov3", "ko": "gov3", "vi": "gov3"},
        publisher_uri=f"{base}/",
        homepage=f"{base}/open-data/",
        contact_email=str(settings.DEFAULT_FROM_EMAIL),
        licence_url=LICENCE_URL,
        licence_title=LICENCE_TITLE,
        languages=["ko", "en", "vi"],
        spatial=f"{EU_COUNTRY}{ISO3[country]}" if country in ISO3 else "",
    )
    datasets = [
        DatasetEntry(
            slug=d.slug,
            title=d.title,
            description=d.description,
            keywords=d.keywords,
            frequency=d.frequency,
            modified=day,
            download_base=f"{base}/open-data/datasets/{d.slug}",
            schema_url=f"{base}/open-data/datasets/{d.slug}.schema.json",
            page_url=f"{base}/open-data/",
        )
        for d in DATASETS.values()
    ]
    return catalog, datasets


@lru_cache(maxsize=8)
def serialised(base: str, day: date, fmt: str) -> str:
    """The catalogue as ``turtle`` or ``json-ld`` (kept for the day)."""
    graph = build_graph(*catalog_entries(base, day))
    return turtle(graph) if fmt == "turtle" else json_ld(graph)

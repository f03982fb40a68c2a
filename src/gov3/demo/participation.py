"""The participation demo (`gov3 demo setup`): the petition agencies, a few thousand synthetic
petitions across them (repeated ones grouped, some overdue, some answered), a disclosure
request and an open consultation on the basic-pension income limit with its impact computed
on the demo register. Bulk-written, one audit entry; a second run changes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gov3.accounts.models import Agency, User
from gov3.catalogue.packs import pack_path
from gov3.core.audit import record_audit
from gov3.participation import drafts
from gov3.participation.core import similarity
from gov3.participation.core.deadlines import period_end
from gov3.participation.installed import policy, router
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import (
    Consultation,
    DisclosureRequest,
    Petition,
    PetitionBand,
    PetitionGroup,
    PetitionStatus,
)
from gov3.participation.services.consultations import do_open_consultation
from gov3.participation.services.disclosure import do_request_disclosure
from gov3.registry.models import Area, Person
from gov3.synthetic.petitions import KINDS, petitions

ACTOR = "system:demo"


def load_demo_petitions(country: str, count: int, seed: int, today: date) -> int:
    """Write ``count`` synthetic petitions filed over the last 60 days (none if any exist)."""
    if Petition.objects.filter(country=country).exists():
        return 0
    rules = policy(country)
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    people = list(
        Person.objects.filter(country=country, date_of_death__isnull=True).values_list(
            "pk", flat=True
        )[:5000]
    )
    areas = list(
        Person.objects.filter(pk__in=people[:500]).values_list(
            "household__address__area__code", flat=True
        )
    )
    items = list(petitions(count, seed))
    guesses = router(country).guess_many([p.text for p in items])
    agencies = {a.code: a for a in Agency.objects.filter(country=country)}
    rows = []
    for number, (item, guess) in enumerate(zip(items, guesses, strict=True)):
        area = rng.choice(areas) or "1111051500"
        if rng.random() < 0.3:
            area = "1111051500"  # Jongno-gu: the demo officer's district
        filed = today - timedelta(days=rng.randint(0, 60))
        kind = item.kind if item.kind in KINDS else "complaint"
        due = period_end(filed, rules.types[kind].on(filed).period, rules.calendar)
        rows.append((number, item, guess, area, filed, due))
    area_ids = dict(
        Area.objects.filter(country=country, code__in={row[3] for row in rows}).values_list(
            "code", "pk"
        )
    )
    sigs = similarity.signatures([item.text for item in items])
    blocks = [rules.agency_for(guess.category, area) for _, _, guess, area, _, _ in rows]
    leaders = similarity.group(sigs, blocks, rules.duplicate_threshold)
    now = timezone.now()
    with transaction.atomic(durable=True):
        made = []
        for (number, item, guess, area, filed, due), block in zip(rows, blocks, strict=True):
            answered = due < today - timedelta(days=3) and rng.random() < 0.85
            made.append(
                Petition(
                    country=country,
                    kind=item.kind,
                    category=guess.category,
                    area_id=area_ids.get(area),
                    title=item.text.split(",")[-1][:40].strip() or item.text[:40],
                    text=item.text,
                    petitioner_id=people[number % len(people)],
                    agency=agencies[block],
                    routing={
                        "chosen": "",
                        "guessed": guess.category,
                        "confidence": round(guess.confidence, 3),
                        "by": "classifier",
                        "demo": True,
                    },
                    filed_at=now,
                    filed_on=filed,
                    due_on=due,
                    status=PetitionStatus.ANSWERED if answered else PetitionStatus.OPEN,
                    answer="검토 결과를 알려 드립니다. (demo)" if answered else "",
                    answered_at=now if answered else None,
                    answered_on=min(today, due - timedelta(days=rng.randint(0, 3)))
                    if answered
                    else None,
                    satisfaction=rng.randint(1, 5) if answered and rng.random() < 0.5 else None,
                    signature=similarity.to_bytes(sigs[number]),
                )
            )
        Petition.objects.bulk_create(made, batch_size=1000)
        saved = list(Petition.objects.filter(country=country).order_by("pk"))
        members: dict[int, list[int]] = {}
        for number, leader in enumerate(leaders):
            members.setdefault(leader, []).append(number)
        for leader, numbers in members.items():
            if len(numbers) < 2:
                continue
            group = PetitionGroup.objects.create(agency=saved[leader].agency, created_at=now)
            Petition.objects.filter(pk__in=[saved[n].pk for n in numbers]).update(group=group)
        PetitionBand.objects.bulk_create(
            (
                PetitionBand(petition_id=p.pk, agency_id=p.agency_id, key=key)
                for number, p in enumerate(saved)
                for key in similarity.band_keys(sigs[number])
            ),
            batch_size=5000,
        )
        record_audit(
            actor=ACTOR,
            action="participation.demo_loaded",
            target_type="country",
            target_id=country,
            data={"petitions": len(saved)},
        )
    return len(made)


def load_demo(
    country: str, citizen: User, officer: User, *, size: int = 2000, seed: int = 1
) -> None:
    """Everything participation shows in the demo (idempotent)."""
    if country != "kr":
        return
    load_agencies(country)
    today = timezone.localdate()
    load_demo_petitions(country, size, seed, today)
    if not DisclosureRequest.objects.filter(requester=citizen.person).exists():
        do_request_disclosure(
            citizen,
            agency_code="kr-district-office",
            subject="2026년 종로구 가로등 보수 예산 집행 내역",
        )
    if not Consultation.objects.filter(country=country, service_id="basic_pension").exists():
        start = today.replace(day=1) + timedelta(days=32)
        effective = start.replace(day=1)
        files = drafts.parameter_change(
            pack_path(country, settings.GOV3_COUNTRIES_DIR),
            service_file="basic_pension.yaml",
            new_version=f"{effective.year}.draft",
            values={
                "basic_pension.income_limit_single": 2_600_000,
                "basic_pension.income_limit_couple": 4_160_000,
            },
            valid_from=effective,
            source_title="보건복지부 기초연금 선정기준액 상향 (안) — demo draft",
            source_url="https://www.law.go.kr/법령/기초연금법/제3조",
        )
        do_open_consultation(
            officer,
            service_id="basic_pension",
            title="기초연금 선정기준액 상향 (안)",
            summary="단독가구 선정기준액을 260만원, 부부가구를 416만원으로 올리는 초안입니다.",
            files=files,
            effective_on=effective,
            opens_on=today,
            closes_on=today + timedelta(days=40),
        )

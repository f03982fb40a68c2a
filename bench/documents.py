"""Benchmark: paperless documents (issue 5) on one core: issue, verify, signed PDFs, a passport.

The whole process is pinned to CPU 0 (`os.sched_setaffinity(0, {0})`), and so is the child
process of the passport part (affinity is inherited); a PostgreSQL server is a separate
process and is not pinned. Every figure is measured ``--runs`` times (default 5); the tables
give the median and the range. Rates are calls a wall-clock second; "per CPU s" divides by
this process's CPU time instead, which is less disturbed when the machine is shared.

``credentials`` (target ≥ 2,000 issued and ≥ 5,000 verified a second)
    `sdjwt.issue` of a resident registration certificate's claims (document number, Hangul
    and romanised name, birth date, masked id number, address, a household of three as a list,
    every claim selectively disclosable) with a status list reference, signed by
    `PrivateKeySigner.generate()`; `cwt.encode_qr` of its QR claims; both together (the two
    signed forms of one document). Verification: `sdjwt.verify` of the full credential,
    `cwt.decode_qr`, and `verify.Verifier.check` on the QR text and on the credential, with
    the status read from an in-memory `statuslist.StatusList`. Each run calls the operation
    for ``--seconds`` (at least 20 calls), after one warm-up call.

``pdf`` (target ≥ 20 signed certificates a second)
    `pdf.render_certificate` of the same certificate as `documents.content` fills it (Korean
    and English labels, a holder section, the household table, the QR code), then
    `pades.sign_pdf` with a certificate from `keys.self_signed_certificate`: render only, sign
    only, render + sign, and the whole document (credential + QR + render + sign). Then
    `pades.verify_pdf` and `Verifier.check` on the signed PDF (which also checks the
    embedded QR payload). The fonts are warmed up by one call before the runs.

``passport`` (no target; the median and p95 are reported)
    The real application on a real, migrated database: a temporary SQLite file, and a fresh
    PostgreSQL database on 127.0.0.1 with ``--postgres`` (created and dropped here). Setup,
    not timed, per passport: a person registered (`do_register_person`) with an account, a
    passport expiring in four months recorded (`do_record_passport_issued`, whose life event
    makes the renewal offer), the offer confirmed (`do_confirm_offer`: the case opens
    awaiting), the photo provided and the fee paid (`do_provide`); `GOV3_QC_SAMPLE_RATE=1`
    sends every case to an officer of an agency deciding every service. Timed: the
    officer's `do_approve_case`. Issuance runs in the decision's on-commit hook (the
    citizen's notification, then `case_decided` → `issue_passport`: number, MRZ, data page
    PDF + PNG, PAdES, credential, register update), i.e. synchronously in the same call
    after the decision's COMMIT. Reported per passport: approve → decision COMMIT, approve →
    the IssuedDocument's COMMIT (visible to any new query), and approve → the call returned
    and a second database connection sees the document. ``--passports`` a run (default 20)
    after one passport not counted (it makes the issuer key and warms the fonts); the time
    inside the issuance is split by light timers around its steps. The database may start as
    a copy of a ready one instead of being migrated here (`bench/ready_database.py`).

If a target is missed, the operation is profiled (cProfile) and the top functions are
printed and recorded; the full profile goes to var/bench/ (not in git).

    .venv/bin/python bench/documents.py                  # everything, 5 runs, SQLite
    .venv/bin/python bench/documents.py --postgres       # the passport part on both
    .venv/bin/python bench/documents.py --parts pdf --runs 1 --no-record

Results are appended to bench/RESULTS.md under "## Documents (issue 5)" (unless
``--no-record``).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import os
import platform
import pstats
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import ready_database

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
PROFILES = ROOT / "var" / "bench"
PG_SERVER = os.environ.get("GOV3_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
HEADING = "## Documents (issue 5)"
CPU = 0
MIN_CALLS = 20
ISSUE_TARGET, VERIFY_TARGET, PDF_TARGET = 2000.0, 5000.0, 20.0
FILE_SIGN_TARGET = 2000.0  # was a timed test; a wall clock in a test fails under load
SITE = "http://127.0.0.1:8000"
ACTOR = "bench:documents"


@dataclass
class Section:
    """One part's table and notes, as Markdown lines."""

    title: str
    lines: list[str]


@dataclass
class Measured:
    """Runs of one operation: calls a wall second and calls a CPU second."""

    name: str
    rates: list[float]
    cpu_rates: list[float]
    target: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.rates)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.median >= self.target


def measure(name: str, call: Callable[[], object], args: argparse.Namespace) -> Measured:
    """Call `call` for `--seconds` (and at least MIN_CALLS times) in each of `--runs` runs."""
    call()
    rates, cpu_rates = [], []
    for _ in range(args.runs):
        calls = 0
        start, cpu = time.perf_counter(), time.process_time()
        while True:
            call()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= args.seconds and calls >= MIN_CALLS:
                break
        rates.append(calls / elapsed)
        cpu_rates.append(calls / max(time.process_time() - cpu, 1e-9))
    print(f"  {name}: {statistics.median(rates):,.1f}/s", flush=True)
    return Measured(name, rates, cpu_rates)


def rate_table(measured: list[Measured], runs: int) -> list[str]:
    lines = [
        "| operation | runs | median /s | min-max /s | median per CPU s | µs a call | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for m in measured:
        digits = 0 if m.median >= 100 else 1
        if m.target is None:
            target = ""
        else:
            target = f"≥ {m.target:,.0f}: **{'met' if m.met else 'not met'}**"
        lines.append(
            f"| {m.name} | {runs} | {m.median:,.{digits}f} | {min(m.rates):,.{digits}f}-"
            f"{max(m.rates):,.{digits}f} | {statistics.median(m.cpu_rates):,.{digits}f} | "
            f"{1e6 / m.median:,.0f} | {target} |"
        )
    return lines


def profile(name: str, call: Callable[[], object], seconds: float) -> list[str]:
    """cProfile `call` for about `seconds`; save the whole profile, return the top lines."""
    profiler = cProfile.Profile()
    deadline = time.perf_counter() + seconds
    calls = 0
    profiler.enable()
    while time.perf_counter() < deadline or calls < MIN_CALLS:
        call()
        calls += 1
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    PROFILES.mkdir(parents=True, exist_ok=True)
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    path = PROFILES / f"documents-{slug}-profile.txt"
    path.write_text(out.getvalue(), encoding="utf-8")
    print(f"  profile of {name} saved to {path.relative_to(ROOT)}", flush=True)
    rows = sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda item: item[1][2],
        reverse=True,
    )
    lines = [
        f"Profile of {name} ({calls} calls under cProfile, {total / calls * 1000:.1f} ms a "
        f"call profiled; full profile in `{path.relative_to(ROOT)}`), top functions by own "
        "time:",
        "",
        "| function | own ms a call | share | cumulative ms a call |",
        "|---|---:|---:|---:|",
    ]
    for (filename, line, function), (_, _, tottime, cumtime, _) in rows[:12]:
        where = _short(filename)
        lines.append(
            f"| `{where}:{line}({function})` | {tottime / calls * 1000:.2f} | "
            f"{tottime / total:.0%} | {cumtime / calls * 1000:.2f} |"
        )
    packages: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, tottime, _, _) in rows:
        packages[_package(filename)] += tottime
    lines += [
        "",
        "Own time by package:",
        "",
        "| package | ms a call | share |",
        "|---|---:|---:|",
        *(
            f"| {package} | {seconds / calls * 1000:.2f} | {seconds / total:.0%} |"
            for package, seconds in sorted(packages.items(), key=lambda p: -p[1])[:10]
        ),
        "",
    ]
    return lines


def _package(filename: str) -> str:
    """Which library a profiled function belongs to (gov3 by module)."""
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    if "/src/gov3/" in filename:
        return "gov3." + filename.split("/src/gov3/", 1)[1].removesuffix(".py").replace("/", ".")
    if filename == "~":
        return "built-ins and C extensions (cryptography, zlib, json…)"
    if "bench/" in filename:
        return "this benchmark"
    return "standard library"


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/src/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# -- the documents' inputs ---------------------------------------------------------------------


@dataclass
class Inputs:
    """One certificate's claims and the objects that sign and check it."""

    signer: Any
    certificate: bytes
    claims: dict[str, Any]
    qr_claims: dict[str, Any]
    status: Any
    issued_at: int
    expires_at: int
    verifier: Any


NUMBER = "4929-1234-5678-9014"
HOUSEHOLD = [
    ("본인·세대주 / Head", "head", "김영희", "1975-05-01"),
    ("자녀 / Child", "child", "이수진", "2000-03-03"),
    ("자녀 / Child", "child", "이민준", "2020-07-07"),
]
ADDRESS = "서울특별시 종로구 청운효자동 세종대로 1"


def inputs() -> Inputs:
    from gov3.documents.core import keys, sdjwt, statuslist, verify  # noqa: PLC0415
    from gov3.documents.core.signing import PrivateKeySigner  # noqa: PLC0415

    signer = PrivateKeySigner.generate()
    now = datetime.now(UTC)
    certificate = keys.self_signed_certificate(
        signer,
        common_name="gov3 Resident registration certificate issuer",
        organisation="Republic of Korea",
        country="KR",
        not_before=now - timedelta(minutes=5),
        not_after=now + timedelta(days=365 * 12),
    )
    status_list, index = statuslist.StatusList(), 48_311
    status_list.set(12, statuslist.INVALID)  # another document, revoked
    uri = verify.status_uri(SITE, "resident_registration", 1)
    lists = {uri: status_list}

    def status(list_uri: str, idx: int) -> int | None:
        found = lists.get(list_uri)
        return None if found is None else found.get(idx)

    claims = {
        "document_number": NUMBER,
        "name": "김영희",
        "name_latin": "KIM YOUNGHEE",
        "birth_date": "1975-05-01",
        "national_id": "750501-2******",
        "address": ADDRESS,
        "household": [
            {"name": name, "relationship": relation, "birth_date": born}
            for _, relation, name, born in HOUSEHOLD
        ],
        "sex": "F",
        "nationality": "KOR",
        "registered_on": "2004-09-14",
    }
    issued_at = int(now.timestamp())
    trusted = verify.TrustedKey(
        kid=signer.kid,
        public_key=signer.public_key,
        certificate=certificate,
        document_type="resident_registration",
    )
    return Inputs(
        signer=signer,
        certificate=certificate,
        claims=claims,
        qr_claims={"t": "RR", "n": NUMBER, "nm": "김영희", "bd": "1975-05-01", "sl": [1, index]},
        status=sdjwt.StatusReference(idx=index, uri=uri),
        issued_at=issued_at,
        expires_at=issued_at + 90 * 86_400,
        verifier=verify.Verifier(
            issuer=SITE, keys={signer.kid: trusted}, status=status, now=issued_at + 3600
        ),
    )


def issue_credential(given: Inputs) -> Any:
    from gov3.documents.core import sdjwt  # noqa: PLC0415

    return sdjwt.issue(
        given.signer,
        issuer=SITE,
        vct=f"{SITE}/documents/types/resident_registration",
        claims=given.claims,
        issued_at=given.issued_at,
        expires_at=given.expires_at,
        status=given.status,
    )


def encode_qr(given: Inputs) -> str:
    from gov3.documents.core import cwt  # noqa: PLC0415

    return cwt.encode_qr(
        given.signer,
        given.qr_claims,
        issuer=SITE,
        issued_at=given.issued_at,
        expires_at=given.expires_at,
    )


def certificate_content(qr: str) -> Any:
    """The certificate as `documents.content` fills it for a resident registration."""
    from gov3.documents.core.pdf import CertificateContent, CertificateTable  # noqa: PLC0415

    return CertificateContent(
        title="주민등록표 등본",
        subtitle="Resident registration certificate",
        issuer="행정안전부 / Ministry of the Interior and Safety",
        document_number=NUMBER,
        issued_on=date.today(),  # noqa: DTZ011 - the printed date, as the application's local day
        holder=(
            ("성명 / Name", "김영희 (KIM YOUNGHEE)"),
            ("생년월일 / Date of birth", "1975-05-01"),
            ("주민등록번호 / Resident registration no.", "750501-2******"),
            ("주소 / Address", ADDRESS),
        ),
        table=CertificateTable(
            header=("관계 / Relationship", "성명 / Name", "생년월일 / Born"),
            rows=tuple((label, name, born) for label, _, name, born in HOUSEHOLD),
        ),
        footer_note=(
            "이 증명서는 전자서명되었습니다. {url} 에서 문서확인번호 {number}(으)로 확인하거나 "
            "QR 코드를 스캔하십시오. / This certificate is electronically signed. "
            "Verify it at {url} with the document number {number}, or scan the QR code."
        ),
        qr_payload=qr,
        verify_url=f"{SITE}/verify/",
        language="ko",
    )


# -- parts 1 and 2: credentials and QR codes ---------------------------------------------------


def part_credentials(args: argparse.Namespace, given: Inputs) -> tuple[Section, list[Measured]]:
    from gov3.documents.core import cwt, sdjwt, verify  # noqa: PLC0415
    from gov3.documents.core.keys import FileKeyStore  # noqa: PLC0415

    print("credentials and QR codes:", flush=True)
    credential = issue_credential(given).serialized
    qr = encode_qr(given)
    keys = given.verifier.public_keys
    now = given.verifier.now
    for text in (qr, credential):
        verdict = given.verifier.check(text)
        if verdict.outcome != verify.VALID:
            raise SystemExit(f"the benchmark's own document does not verify: {verdict}")

    def both() -> None:
        issue_credential(given)
        encode_qr(given)

    # The file key store's signer (an encrypted PKCS#8 file): it must be opened once, not per
    # signature, or issuance falls to ~20 signatures/s (target >= 2,000; once a test).
    with tempfile.TemporaryDirectory() as key_dir:
        store = FileKeyStore(key_dir, b"benchmark passphrase of 32 bytes")
        reference = store.create("passport")
        signed = measure(
            "`FileKeyStore.signer(...).sign` (encrypted key file)",
            lambda: store.signer(reference).sign(b"document"),
            args,
        )
    signed.target = FILE_SIGN_TARGET
    issued = [
        signed,
        measure("`sdjwt.issue` (credential)", lambda: issue_credential(given), args),
        measure("`cwt.encode_qr` (QR payload)", lambda: encode_qr(given), args),
        measure("credential + QR (one document's two signed forms)", both, args),
    ]
    checked = [
        measure(
            "`sdjwt.verify` (credential)", lambda: sdjwt.verify(credential, keys, now=now), args
        ),
        measure("`cwt.decode_qr` (QR payload)", lambda: cwt.decode_qr(qr, keys, now=now), args),
        measure("`Verifier.check` on the QR payload", lambda: given.verifier.check(qr), args),
        measure(
            "`Verifier.check` on the credential", lambda: given.verifier.check(credential), args
        ),
    ]
    issued[1].target = ISSUE_TARGET
    issued[3].target = ISSUE_TARGET
    for m in checked:
        m.target = VERIFY_TARGET
    lines = [
        f"A resident registration certificate's credential: {len(given.claims)} claims, all "
        f"selectively disclosable ({len(credential):,} characters with every disclosure); its "
        f"QR payload {len(qr)} characters. ES256 with a key in this process. One core; "
        f"{args.seconds:g} s a run.",
        "",
        *rate_table(issued + checked, args.runs),
        "",
    ]
    return Section("Credentials and QR codes: issue and verify", lines), issued + checked


# -- part 3: signed PDF certificates ------------------------------------------------------------


def part_pdf(args: argparse.Namespace, given: Inputs) -> tuple[Section, list[Measured]]:
    from gov3.documents.core import pades, verify  # noqa: PLC0415
    from gov3.documents.core.pdf import render_certificate  # noqa: PLC0415

    print("signed PDF certificates:", flush=True)
    content = certificate_content(encode_qr(given))
    started = time.perf_counter()
    unsigned = render_certificate(content)
    first_ms = (time.perf_counter() - started) * 1000

    def sign(pdf: bytes) -> bytes:
        return pades.sign_pdf(
            pdf,
            given.signer,
            given.certificate,
            reason=f"Resident registration certificate {NUMBER}",
            location=SITE,
        )

    signed = sign(unsigned)
    verdict = given.verifier.check(signed)
    if verdict.outcome != verify.VALID:
        raise SystemExit(f"the benchmark's own PDF does not verify: {verdict}")

    def whole() -> None:
        issue_credential(given)
        sign(render_certificate(certificate_content(encode_qr(given))))

    made = [
        measure("`render_certificate` (render only)", lambda: render_certificate(content), args),
        measure("`sign_pdf` (sign only)", lambda: sign(unsigned), args),
        measure("render + sign", lambda: sign(render_certificate(content)), args),
        measure("whole certificate: credential + QR + render + sign", whole, args),
    ]
    made[2].target = PDF_TARGET
    checked = [
        measure("`pades.verify_pdf`", lambda: pades.verify_pdf(signed, [given.certificate]), args),
        measure("`Verifier.check` on the signed PDF", lambda: given.verifier.check(signed), args),
    ]
    lines = [
        f"The same certificate as a PDF: A4, Korean and English text (fonts subset and "
        f"embedded), the holder section, the household table and the QR code; "
        f"{len(unsigned):,} bytes unsigned, {len(signed):,} signed (PAdES B-B, incremental "
        f"update). The first render in the process took {first_ms:.0f} ms (loading the "
        f"fonts; not counted). One core; {args.seconds:g} s a run.",
        "",
        *rate_table(made + checked, args.runs),
        "",
    ]
    return Section("Signed PDF certificates: render, sign, verify", lines), made + checked


# -- part 4: a passport through the application ----------------------------------------------------

#: Steps of the issuance timed by wrapping the module attribute the application calls.
STEPS = {
    "notify": ("gov3.cases.services", "do_notify"),
    "passport number": ("gov3.documents.services", "allocate_passport_number"),
    "MRZ": ("gov3.documents.services", "make_td3"),
    "issuer key": ("gov3.documents.services", "current_key"),
    "status list entry": ("gov3.documents.services", "allocate"),
    "credential": ("gov3.documents.core.sdjwt", "issue"),
    "QR payload": ("gov3.documents.core.cwt", "encode_qr"),
    "data page PDF + PNG": ("gov3.documents.core.pdf", "render_passport_page"),
    "PAdES signature": ("gov3.documents.core.pades", "sign_pdf"),
    "register update": ("gov3.documents.services", "record_passport_issued"),
}
NAMES = [
    ("김민서", "KIM MINSEO", "F"),
    ("이준호", "LEE JUNHO", "M"),
    ("박지우", "PARK JIWOO", "F"),
    ("최현우", "CHOI HYUNWOO", "M"),
    ("정서연", "JUNG SEOYEON", "F"),
    ("강도윤", "KANG DOYUN", "M"),
]


def portrait_jpeg() -> bytes:
    """A plain portrait-shaped photo: a face-sized oval on a light background."""
    from PIL import Image, ImageDraw  # noqa: PLC0415

    image = Image.new("RGB", (600, 771), (235, 235, 230))
    ImageDraw.Draw(image).ellipse((150, 150, 450, 620), fill=(200, 160, 130))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def child_passports(runs: int, passports: int, ready: int) -> dict[str, Any]:  # noqa: PLR0915
    """In a fresh process with the database's environment: set up (migrate and load kr's
    areas unless the database is `ready`), then approve and time."""
    import django  # noqa: PLC0415 - settings read the environment when first imported

    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415
    from django.db.models.signals import post_save  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from gov3.accounts.models import OfficerRole  # noqa: PLC0415
    from gov3.accounts.services import (  # noqa: PLC0415
        do_create_agency,
        do_create_citizen_account,
        do_create_officer_account,
    )
    from gov3.cases.models import Case, CaseStatus, Decision  # noqa: PLC0415
    from gov3.cases.services import do_approve_case, do_provide  # noqa: PLC0415
    from gov3.documents import photos  # noqa: PLC0415
    from gov3.documents.models import IssuedDocument  # noqa: PLC0415
    from gov3.offers.models import Offer  # noqa: PLC0415
    from gov3.offers.services import do_confirm_offer  # noqa: PLC0415
    from gov3.registry.national_ids import national_id_scheme  # noqa: PLC0415
    from gov3.registry.services import (  # noqa: PLC0415
        do_record_passport_issued,
        do_register_person,
    )

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if not ready:
        call_command("migrate", verbosity=0)
        call_command("country", "load", "kr", verbosity=0)
    agency = do_create_agency(
        ACTOR,
        code="kr-bench",
        name_local="외교부",
        name_en="Ministry of Foreign Affairs",
        country="kr",
        services=["*"],
    )
    officer, _ = do_create_officer_account(
        ACTOR,
        username="bench-officer",
        password=secrets.token_urlsafe(16),
        agency=agency,
        role=OfficerRole.REGISTRY_OFFICER,
    )
    scheme = national_id_scheme("kr")
    jpeg = portrait_jpeg()
    today = timezone.localdate()
    serials = iter(range(1, 97_000))

    def awaiting_case() -> Case:
        serial = next(serials)
        name_local, name_latin, sex = NAMES[serial % len(NAMES)]
        born = date(1960 + serial % 40, 1 + serial % 12, 1 + serial % 28)
        person = do_register_person(
            ACTOR,
            country="kr",
            national_id=scheme.make(born, sex, serial),
            name_local=name_local,
            name_latin=name_latin,
            birth_date=born,
            sex=sex,
            nationality="KOR",
            area_code="11110-01",
            street="세종대로 1",
        )
        citizen = do_create_citizen_account(
            ACTOR, person=person, username=f"bench{serial}", password=secrets.token_urlsafe(16)
        )
        do_record_passport_issued(
            ACTOR,
            person,
            number=f"M{serial // 10_000:03d}B{serial % 10_000:04d}",
            issued_on=today - timedelta(days=3530),
            expires_on=today + timedelta(days=120),
        )
        offer = Offer.objects.get(service_id="passport_renewal", recipient=person)
        do_confirm_offer(citizen, offer, expected_version=offer.version, language="en")
        case = Case.objects.get(offer=offer)
        photo = photos.check(io.BytesIO(jpeg))
        case = do_provide(
            citizen,
            case,
            expected_version=case.version,
            provided={"photo": photo.sha256},
            store=lambda c: photos.store(c, photo),
        )
        case.refresh_from_db()
        if case.status != CaseStatus.IN_REVIEW:
            raise SystemExit(f"a prepared case is {case.status}, not in review")
        return case

    # the second connection: a new one, outside Django, as another process would see the data
    table = IssuedDocument._meta.db_table
    database = settings.DATABASES["default"]
    second: Any
    if connection.vendor == "sqlite":
        second = sqlite3.connect(str(database["NAME"]), isolation_level=None)
        query = f"SELECT count(*) FROM {table} WHERE case_id = ?"  # noqa: S608
    else:
        import psycopg  # noqa: PLC0415

        second = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        query = f"SELECT count(*) FROM {table} WHERE case_id = %s"  # noqa: S608

    def seen(case_id: int) -> bool:
        return bool(second.execute(query, (case_id,)).fetchone()[0])

    marks: dict[str, float] = {}

    def mark_commit(name: str) -> Callable[..., None]:
        def receiver(sender: Any, created: bool, **kwargs: Any) -> None:
            if created:
                transaction.on_commit(lambda: marks.setdefault(name, time.perf_counter()))

        return receiver

    post_save.connect(mark_commit("decision"), sender=Decision, weak=False)
    post_save.connect(mark_commit("document"), sender=IssuedDocument, weak=False)

    spent: dict[str, float] = defaultdict(float)

    def timed(step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[step] += time.perf_counter() - started

        return wrapper

    for step, (module_name, attribute) in STEPS.items():
        module = importlib.import_module(module_name)
        setattr(module, attribute, timed(step, getattr(module, attribute)))

    def approve(case: Case) -> dict[str, float]:
        marks.clear()
        spent.clear()
        started, cpu = time.perf_counter(), time.process_time()
        do_approve_case(officer, case, expected_version=case.version)
        returned = time.perf_counter()
        if not seen(case.pk):
            raise SystemExit("the document is not visible after do_approve_case returned")
        visible = time.perf_counter()
        if marks.get("document", visible) > returned:
            raise SystemExit("the document committed after do_approve_case returned")
        return {
            "decision_ms": (marks["decision"] - started) * 1000,
            "document_ms": (marks["document"] - started) * 1000,
            "returned_ms": (returned - started) * 1000,
            "seen_ms": (visible - started) * 1000,
            "cpu_ms": (time.process_time() - cpu) * 1000,
            "steps": {k: v * 1000 for k, v in spent.items()},  # type: ignore[dict-item]
        }

    first_started = time.perf_counter()
    approve(awaiting_case())  # makes the issuer key, warms the fonts: not counted
    first_ms = (time.perf_counter() - first_started) * 1000
    results = []
    setup_s = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        cases = [awaiting_case() for _ in range(passports)]
        setup_s += time.perf_counter() - started
        results.append([approve(case) for case in cases])
    issued = IssuedDocument.objects.filter(document_type="passport").count()
    second.close()
    return {
        "vendor": connection.vendor,
        "server": server_version(connection),
        "first_ms": first_ms,
        "setup_s": setup_s / (runs * passports),
        "runs": results,
        "issued": issued,
    }


def server_version(connection: Any) -> str:
    """SQLite's library version, or the PostgreSQL server's (e.g. 15.20)."""
    if connection.vendor == "sqlite":
        return str(connection.Database.sqlite_version)
    number = connection.cursor().connection.info.server_version
    return f"{number // 10_000}.{number % 100}"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@contextmanager
def passport_database(backend: str, var_dir: str) -> Iterator[tuple[str, bool]]:
    """A database URL: a file under `var_dir`, or a fresh PostgreSQL database, dropped after;
    and whether it is a copy of a ready one (``GOV3_BENCH_TEMPLATE_*``)."""
    if backend == "sqlite":
        path = f"{var_dir}/bench-documents.sqlite3"
        yield f"sqlite:///{path}", ready_database.copy_sqlite(path)
        return
    import psycopg  # noqa: PLC0415

    name = f"bench_documents_{os.getpid()}"
    create, ready = ready_database.create_postgres(name)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(create)
    try:
        yield f"{PG_SERVER}/{name}", ready
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run_passports(args: argparse.Namespace, backend: str) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="gov3-bench-documents-") as var_dir,
        passport_database(backend, var_dir) as (url, ready),
    ):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gov3.settings",
            "DATABASE_URL": url,
            "GOV3_VAR_DIR": var_dir,
            "GOV3_KEY_DIR": str(Path(var_dir) / "keys"),
            "GOV3_QC_SAMPLE_RATE": "1",
            # Issuance runs in this process when the decision commits, as it did before the
            # task queue (ADR 0033): this times the work itself; bench/task_queue.py the queue.
            "GOV3_TASK_QUEUE": "immediate",
            "GOV3_DEBUG": "0",
            "GOV3_SECRET_KEY": secrets.token_urlsafe(50),
            "GOV3_KEY_PASSPHRASE": secrets.token_urlsafe(24),
            "GOV3_ALLOWED_HOSTS": "127.0.0.1",
        }
        counts = [str(args.runs), str(args.passports), str(int(ready))]
        command = [sys.executable, __file__, "--child", *counts]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"the {backend} passport child failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def part_passport(args: argparse.Namespace) -> Section:
    backends = ["sqlite", *(["postgresql"] if args.postgres else [])]
    measures = {
        "decision_ms": "approve → decision COMMIT",
        "document_ms": "approve → document COMMIT (visible to any new query)",
        "seen_ms": "approve → call returned, seen by a second connection",
        "cpu_ms": "CPU time of this process for the above (noise check)",
    }
    lines = [
        f"`do_approve_case` by an officer for a passport renewal case in review, "
        f"{args.passports} passports a run, {args.runs} runs, after one not counted; "
        "`GOV3_DEBUG=0`, e-mail to Django's locmem backend, the file key store (one scrypt "
        "decryption of the issuer key per process, at the first passport).",
        "",
        "| database | measure | passports | median ms | min-max of the runs' medians | p95 ms "
        "(all) | max ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    details = []
    for backend in backends:
        print(f"passports on {backend}:", flush=True)
        result = run_passports(args, backend)
        every = [p for run in result["runs"] for p in run]
        for key, label in measures.items():
            medians = [statistics.median(p[key] for p in run) for run in result["runs"]]
            values = [p[key] for p in every]
            lines.append(
                f"| {backend} {result['server']} | {label} | {len(values)} | "
                f"{statistics.median(values):.0f} | {min(medians):.0f}-{max(medians):.0f} | "
                f"{percentile(values, 95):.0f} | {max(values):.0f} |"
            )
        print(f"  median {statistics.median(p['seen_ms'] for p in every):.0f} ms", flush=True)
        steps: dict[str, list[float]] = defaultdict(list)
        for p in every:
            for step in STEPS:
                steps[step].append(p["steps"].get(step, 0.0))
            steps["rest until the document's COMMIT (decision, photo, rows, commits)"].append(
                p["document_ms"] - sum(p["steps"].values())
            )
            steps["after the document's COMMIT (life-event hooks: offers), second look"].append(
                p["seen_ms"] - p["document_ms"]
            )
        total = statistics.median(p["seen_ms"] for p in every)
        details += [
            f"Where the time of one approval goes on {backend} (median ms of each step over "
            f"the {len(every)} passports; the first, uncounted passport took "
            f"{result['first_ms']:.0f} ms; setting up a case took {result['setup_s']:.2f} s, "
            "not timed):",
            "",
            "| step | median ms | share of the median total |",
            "|---|---:|---:|",
            *(
                f"| {step} | {statistics.median(v):.1f} | {statistics.median(v) / total:.0%} |"
                for step, v in steps.items()
            ),
            "",
        ]
    lines += [
        "",
        "Issuance runs inside `do_approve_case`: the decision commits, then its on-commit hook "
        "sends the notification and `case_decided`, whose receiver issues the passport in its "
        "own transaction; the call returns only after the document has committed (the "
        'script checks both orders for every passport). So "downloadable" is the document\'s '
        "COMMIT, and the officer's request waits for the whole issuance.",
        "",
        *details,
    ]
    return Section("A passport: approve → document downloadable", lines)


# -- recording ------------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    libraries = ", ".join(
        f"{name} {version(name)}" for name in ("cryptography", "cbor2", "fpdf2", "pyHanko")
    )
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.1f} GiB RAM, Python "
        f"{platform.python_version()}, {libraries}; measured on CPU {CPU} only "
        f"(`os.sched_setaffinity(0, {{{CPU}}})`)"
    )


def summary(measured: list[Measured]) -> list[str]:
    by = {m.name: m for m in measured}
    lines = []

    def verdict(m: Measured) -> str:
        return f"{m.median:,.0f}/s, **{'met' if m.met else 'not met'}**"

    issue = by.get("`sdjwt.issue` (credential)")
    if issue is not None:
        both = by["credential + QR (one document's two signed forms)"]
        checks = [m for m in measured if m.target == VERIFY_TARGET]
        slowest = min(checks, key=lambda m: m.median)
        lines.append(
            f"- Issued ≥ {ISSUE_TARGET:,.0f}/s: credential alone {verdict(issue)}; credential "
            f"and QR together {verdict(both)}. Verified ≥ {VERIFY_TARGET:,.0f}/s: "
            + "; ".join(f"{m.name} {verdict(m)}" for m in checks)
            + f" (slowest: {slowest.name})."
        )
    signed = by.get("render + sign")
    if signed is not None:
        lines.append(
            f"- Signed PDF certificates ≥ {PDF_TARGET:.0f}/s: render + sign "
            f"{signed.median:.1f}/s, **{'met' if signed.met else 'not met'}** (render "
            f"{by['`render_certificate` (render only)'].median:.1f}/s, sign "
            f"{by['`sign_pdf` (sign only)'].median:.1f}/s; PDF verification "
            f"{by['`pades.verify_pdf`'].median:.1f}/s, no target)."
        )
    return lines


def record(
    sections: list[Section],
    measured: list[Measured],
    command: str,
    started: datetime,
    loads: list[float],
) -> None:
    text = RESULTS.read_text(encoding="utf-8")
    lines = []
    if HEADING not in text:
        lines += [
            "",
            f"{HEADING} (`bench/documents.py`)",
            "",
            "Issuing and verifying the three signed forms of a document (SD-JWT VC, the CWT in "
            "the QR code, the PAdES-signed PDF) on one pinned core, and a passport through the "
            "real application from the officer's approval to the stored document; see the "
            "script's docstring for what each figure measures. Targets (ADR 0006, one core): "
            "≥ 2,000 credentials issued and ≥ 5,000 verified a second, ≥ 20 signed PDF "
            "certificates rendered a second. Every run appends a section like those below.",
        ]
    lines += [
        "",
        f"### Run of {started:%Y-%m-%d %H:%M} UTC (recorded by `bench/documents.py`)",
        "",
        f"- Command: `{command}`",
        f"- Machine: {machine()}",
        f"- Load average (1 min) before/after: {loads[0]:.2f} / {loads[1]:.2f} (a shared "
        "machine: other work on CPU 0 lowers the wall-clock rates; the per-CPU-second column "
        "is less affected)",
        "",
    ]
    for section in sections:
        lines += [f"#### {section.title}", "", *section.lines]
    verdicts = summary(measured)
    if verdicts:
        lines += ["#### Against the targets", "", *verdicts, ""]
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n".join(lines).rstrip("\n") + "\n")


# -- main -----------------------------------------------------------------------------------------


def main() -> None:
    """Pin to one core, run the chosen parts, print the tables, append them to RESULTS.md."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", default="credentials,pdf,passport",
                        help="any of credentials,pdf,passport")  # fmt: skip
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each figure")
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds a run (rates)")
    parser.add_argument("--passports", type=int, default=20, help="passports a run")
    parser.add_argument("--postgres", action="store_true", help="the passport part on PG too")
    parser.add_argument("--profile", action="store_true", help="profile even if targets are met")
    parser.add_argument("--no-profile", action="store_true", help="never profile (smoke runs)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.sched_setaffinity(0, {CPU})
    if args.child:
        print(json.dumps(child_passports(*args.child)))
        return
    print(f"pinned to CPU {CPU} (os.sched_setaffinity); {os.cpu_count()} cores", flush=True)
    started = datetime.now(UTC)
    loads = [os.getloadavg()[0]]
    parts = args.parts.split(",")
    sections: list[Section] = []
    measured: list[Measured] = []
    given = inputs() if {"credentials", "pdf"} & set(parts) else None
    if given is not None and "credentials" in parts:
        section, results = part_credentials(args, given)
        sections.append(section)
        measured += results
    if given is not None and "pdf" in parts:
        section, results = part_pdf(args, given)
        sections.append(section)
        measured += results
    if "passport" in parts:
        sections.append(part_passport(args))
    loads.append(os.getloadavg()[0])
    missed = [m for m in measured if m.met is False or (args.profile and m.target)]
    if args.no_profile:
        missed = []
    for m in missed:
        call = profile_call(m.name, given)
        if call is not None:
            sections.append(Section(f"Profile: {m.name}", profile(m.name, call, 3.0)))
    for section in sections:
        print(f"\n#### {section.title}\n\n" + "\n".join(section.lines), flush=True)
    for line in summary(measured):
        print(line)
    if not args.no_record:
        command = ".venv/bin/python bench/documents.py " + " ".join(sys.argv[1:])
        record(sections, measured, command.strip(), started, loads)


def profile_call(name: str, given: Inputs | None) -> Callable[[], object] | None:
    """The call behind a measured figure, for profiling it."""
    if given is None:
        return None
    from gov3.documents.core import cwt, pades, sdjwt  # noqa: PLC0415
    from gov3.documents.core.pdf import render_certificate  # noqa: PLC0415

    qr = encode_qr(given)
    credential = issue_credential(given).serialized
    content = certificate_content(qr)
    keys, now = given.verifier.public_keys, given.verifier.now

    def sign() -> bytes:
        return pades.sign_pdf(
            render_certificate(content),
            given.signer,
            given.certificate,
            reason="bench",
            location=SITE,
        )

    known: dict[str, Callable[[], object]] = {
        "`sdjwt.issue` (credential)": lambda: issue_credential(given),
        "`cwt.encode_qr` (QR payload)": lambda: encode_qr(given),
        "credential + QR (one document's two signed forms)": lambda: (
            issue_credential(given),
            encode_qr(given),
        ),
        "`sdjwt.verify` (credential)": lambda: sdjwt.verify(credential, keys, now=now),
        "`cwt.decode_qr` (QR payload)": lambda: cwt.decode_qr(qr, keys, now=now),
        "`Verifier.check` on the QR payload": lambda: given.verifier.check(qr),
        "`Verifier.check` on the credential": lambda: given.verifier.check(credential),
        "render + sign": sign,
    }
    return known.get(name)


if __name__ == "__main__":
    main()

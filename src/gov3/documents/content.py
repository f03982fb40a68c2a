"""What each document shows, read from the register: the claims of its credential, the compact
claims of its QR code, and how its PDF is drawn. Labels are bilingual (national language and
English), as on Korean certificates and passports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from gov3.catalogue.packs import PassportSpec
from gov3.documents.models import DocumentType
from gov3.registry.models import Area, Person, Relationship, Sex

Render = Callable[[str, str], tuple[bytes, bytes | None]]


@dataclass(frozen=True)
class DraftContent:
    """Everything `services.Draft` needs, minus the signing."""

    document_type: str
    holder: Person
    claims: dict[str, Any]
    qr_claims: dict[str, Any]
    expires_at: datetime | None
    render: Render


#: Bilingual labels (Korean / English): the certificates are Korean documents.
_RELATIONSHIP = {
    Relationship.HEAD: "본인·세대주 / Head",
    Relationship.SPOUSE: "배우자 / Spouse",
    Relationship.CHILD: "자녀 / Child",
    Relationship.PARENT: "부모 / Parent",
    Relationship.SIBLING: "형제자매 / Sibling",
    Relationship.GRANDCHILD: "손자녀 / Grandchild",
    Relationship.OTHER: "기타 / Other",
}
_SEX = {Sex.MALE: "남 / M", Sex.FEMALE: "여 / F", Sex.UNSPECIFIED: "- / X"}
_TITLES = {
    DocumentType.RESIDENT_REGISTRATION: ("주민등록표 등본", "Resident registration certificate"),
    DocumentType.FAMILY_RELATIONS: ("가족관계증명서", "Family relations certificate"),
}
_ISSUERS = {
    DocumentType.RESIDENT_REGISTRATION: "행정안전부 / Ministry of the Interior and Safety",
    DocumentType.FAMILY_RELATIONS: "법원행정처 / National Court Administration",
}


def masked_id(national_id: str) -> str:
    """The national id number as certificates print it by default: the birth-date part and
    the first digit after it, the rest hidden (e.g. 800101-1******)."""
    digits = national_id.replace("-", "")
    if len(digits) == 13:
        return f"{digits[:6]}-{digits[6]}******"
    keep = max(1, len(digits) // 2)
    return digits[:keep] + "*" * (len(digits) - keep)


def full_address(person: Person) -> str:
    household = person.household
    if household is None:
        return ""
    areas = []
    area: Area | None = household.address.area
    while area is not None:
        areas.append(area.name_local)
        area = area.parent
    return " ".join([*reversed(areas), household.address.street])


def _verify_url() -> str:
    return f"{settings.GOV3_SITE_URL}/verify/"


def _certificate_renderer(
    document_type: str, rows: list[tuple[str, str]], table: list[list[str]]
) -> Render:
    title, subtitle = _TITLES[DocumentType(document_type)]

    def render(number: str, qr: str) -> tuple[bytes, bytes | None]:
        # the PDF code (fpdf2, the fonts) loads when a document is first drawn
        from gov3.documents.core.pdf import (  # noqa: PLC0415
            CertificateContent,
            CertificateTable,
            render_certificate,
        )

        pdf = render_certificate(
            CertificateContent(
                title=title,
                subtitle=subtitle,
                issuer=_ISSUERS[DocumentType(document_type)],
                document_number=number,
                issued_on=timezone.localdate(),
                holder=tuple(rows),
                table=CertificateTable(
                    header=tuple(table[0]), rows=tuple(tuple(r) for r in table[1:])
                ),
                footer_note=(
                    "이 증명서는 전자서명되었습니다. {url} 에서 문서확인번호 {number}(으)로 "
                    "확인하거나 QR 코드를 스캔하십시오. / "
                    "This certificate is electronically signed. "
                    "Verify it at {url} with the document number {number}, or scan the QR code."
                ),
                qr_payload=qr,
                verify_url=_verify_url(),
                language="ko",
            )
        )
        return pdf, None

    return render


def certificate_draft(document_type: str, person: Person, *, expires_at: datetime) -> DraftContent:
    """A resident registration certificate (the household at its address) or a family
    relations certificate (parents, spouse, children), from the register as it stands."""
    identity: dict[str, Any] = {
        "name": person.name_local,
        "name_latin": person.name_latin,
        "birth_date": person.birth_date.isoformat(),
        "national_id": masked_id(person.national_id),
    }
    rows = [
        ("성명 / Name", f"{person.name_local} ({person.name_latin})"),
        ("생년월일 / Date of birth", person.birth_date.isoformat()),
        ("주민등록번호 / Resident registration no.", identity["national_id"]),
    ]
    if document_type == DocumentType.RESIDENT_REGISTRATION:
        address = full_address(person)
        members = []
        if person.household_id is not None:
            members = list(
                Person.objects.filter(household_id=person.household_id, date_of_death__isnull=True)
            )
            order = list(Relationship.values)  # head, spouse, children, … as the register lists
            members.sort(key=lambda m: (order.index(m.relationship_to_head), m.birth_date))
        household = [
            {
                "name": member.name_local,
                "relationship": member.relationship_to_head,
                "birth_date": member.birth_date.isoformat(),
            }
            for member in members
        ]
        claims = {**identity, "address": address, "household": household}
        rows.append(("주소 / Address", address))
        table = [
            ["관계 / Relationship", "성명 / Name", "생년월일 / Born"],
            *[
                [
                    _RELATIONSHIP[Relationship(m.relationship_to_head)],
                    m.name_local,
                    m.birth_date.isoformat(),
                ]
                for m in members
            ],
        ]
    else:
        relatives: list[tuple[str, Person]] = []
        for label, relative in (
            ("father", person.father),
            ("mother", person.mother),
            ("spouse", person.spouse),
        ):
            if relative is not None:
                relatives.append((label, relative))
        children = Person.objects.filter(mother=person) | Person.objects.filter(father=person)
        relatives.extend(("child", child) for child in children.order_by("birth_date"))
        family = [
            {
                "relation": relation,
                "name": relative.name_local,
                "birth_date": relative.birth_date.isoformat(),
                "sex": relative.sex,
                "deceased": relative.date_of_death is not None,
            }
            for relation, relative in relatives
        ]
        claims = {**identity, "sex": person.sex, "family": family}
        rows.append(("성별 / Sex", _SEX[Sex(person.sex)]))
        relation_labels = {
            "father": "부 / Father",
            "mother": "모 / Mother",
            "spouse": "배우자 / Spouse",
            "child": "자녀 / Child",
        }
        table = [
            ["구분 / Relation", "성명 / Name", "생년월일 / Born", "성별 / Sex"],
            *[
                [
                    relation_labels[relation] + (" (사망 / deceased)" if r.date_of_death else ""),
                    r.name_local,
                    r.birth_date.isoformat(),
                    _SEX[Sex(r.sex)],
                ]
                for relation, r in relatives
            ],
        ]
    return DraftContent(
        document_type=document_type,
        holder=person,
        claims=claims,
        qr_claims={"nm": person.name_local, "bd": person.birth_date.isoformat()},
        expires_at=expires_at,
        render=_certificate_renderer(document_type, rows, table),
    )


def split_latin_name(name_latin: str) -> tuple[str, str]:
    """The registered romanised name ("HONG GILDONG": surname first) → (surname, given names)."""
    surname, _, given = name_latin.strip().partition(" ")
    return surname, given


def passport_draft(
    person: Person,
    *,
    spec: PassportSpec,
    passport_number: str,
    issued_on: date,
    expires_on: date,
    mrz: tuple[str, str],
    photo: bytes,
) -> DraftContent:
    """The passport's credential claims and its data page (PDF and PNG)."""
    surname, given = split_latin_name(person.name_latin)
    claims = {
        "passport_number": passport_number,
        "document_code": spec.document_code,
        "issuing_state": spec.issuing_state,
        "surname": surname,
        "given_names": given,
        "name_local": person.name_local,
        "nationality": person.nationality,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "issued_on": issued_on.isoformat(),
        "expires_on": expires_on.isoformat(),
        "mrz": list(mrz),
    }
    authority = "외교부 / Ministry of Foreign Affairs"

    def render(number: str, qr: str) -> tuple[bytes, bytes | None]:
        from gov3.documents.core.pdf import PassportDataPage, render_passport_page  # noqa: PLC0415

        return render_passport_page(
            PassportDataPage(
                document_type=spec.document_code,
                issuing_state=spec.issuing_state,
                passport_number=passport_number,
                surname=surname,
                given_names=given,
                korean_name=person.name_local,
                nationality=person.nationality,
                date_of_birth=person.birth_date,
                sex=person.sex,
                date_of_issue=issued_on,
                date_of_expiry=expires_on,
                authority=authority,
                photo_jpeg=photo,
                mrz=mrz,
                payload=qr,
                confirmation_number=number,
                verify_url=_verify_url(),
            )
        )

    expires_at = timezone.make_aware(datetime.combine(expires_on, datetime.max.time()))
    return DraftContent(
        document_type=DocumentType.PASSPORT,
        holder=person,
        claims=claims,
        qr_claims={
            "pn": passport_number,
            "nm": person.name_latin,
            "bd": person.birth_date.isoformat(),
            "ex": expires_on.isoformat(),
        },
        expires_at=expires_at,
        render=render,
    )


@dataclass(frozen=True)
class EnrolmentFacts:
    """What a certificate of enrolment states, from the learner registry (the schools app
    reads it; documents does not know schools)."""

    learner_number: str
    school_name_local: str
    school_name_en: str
    school_code: str
    school_year: int
    grade: int
    class_name: str
    enrolled_since: date
    #: set for a certificate of graduation (졸업증명서): the day the learner graduated
    graduated_on: date | None = None


def enrolment_draft(holder: Person, facts: EnrolmentFacts, *, expires_at: datetime) -> DraftContent:
    """A certificate of enrolment (재학증명서), or of graduation (졸업증명서) when the facts
    carry a graduation date; bilingual like the other certificates."""
    graduated = facts.graduated_on
    claims: dict[str, Any] = {
        "name": holder.name_local,
        "name_latin": holder.name_latin,
        "birth_date": holder.birth_date.isoformat(),
        "national_id": masked_id(holder.national_id),
        "learner_number": facts.learner_number,
        "school": facts.school_name_local,
        "school_code": facts.school_code,
        "school_year": facts.school_year,
        "grade": facts.grade,
        "class_name": facts.class_name,
        "enrolled_since": facts.enrolled_since.isoformat(),
        "issued_on": timezone.localdate().isoformat(),
    }
    if graduated is not None:
        claims["graduated_on"] = graduated.isoformat()
    rows = [
        ("성명 / Name", f"{holder.name_local} ({holder.name_latin})"),
        ("생년월일 / Date of birth", holder.birth_date.isoformat()),
        ("학생 개인번호 / Learner number", facts.learner_number),
        ("학교 / School", f"{facts.school_name_local} ({facts.school_name_en})"),
    ]
    table = [
        ["학년도 / School year", "학년 / Grade", "반 / Class", "재학 시작 / Since"],
        [
            str(facts.school_year),
            str(facts.grade),
            facts.class_name or "-",
            facts.enrolled_since.isoformat(),
        ],
    ]
    if graduated is not None:
        table[0].append("졸업 / Graduated")
        table[1].append(graduated.isoformat())
    title, subtitle, statement = (
        ("졸업증명서", "Certificate of graduation", "위 학생이 본교를 졸업하였음을 증명합니다. ")
        if graduated is not None
        else ("재학증명서", "Certificate of enrolment", "위 학생이 본교에 재학 중임을 증명합니다. ")
    )
    statement_en = (
        "This certifies that the learner above graduated from this school. "
        if graduated is not None
        else "This certifies that the learner above is enrolled at this school. "
    )

    def render(number: str, qr: str) -> tuple[bytes, bytes | None]:
        # the PDF code (fpdf2, the fonts) loads when a document is first drawn
        from gov3.documents.core.pdf import (  # noqa: PLC0415
            CertificateContent,
            CertificateTable,
            render_certificate,
        )

        pdf = render_certificate(
            CertificateContent(
                title=title,
                subtitle=subtitle,
                issuer=f"{facts.school_name_local}장 / Head of {facts.school_name_en}",
                document_number=number,
                issued_on=timezone.localdate(),
                holder=tuple(rows),
                table=CertificateTable(
                    header=tuple(table[0]), rows=tuple(tuple(r) for r in table[1:])
                ),
                footer_note=(
                    statement
                    + "{url} 에서 문서확인번호 {number}(으)로 확인하십시오. / "
                    + statement_en
                    + "Verify it at {url} with the document number {number}."
                ),
                qr_payload=qr,
                verify_url=_verify_url(),
                language="ko",
            )
        )
        return pdf, None

    return DraftContent(
        document_type=(
            DocumentType.SCHOOL_GRADUATION
            if graduated is not None
            else DocumentType.SCHOOL_ENROLMENT
        ),
        holder=holder,
        claims=claims,
        qr_claims={
            "nm": holder.name_local,
            "bd": holder.birth_date.isoformat(),
            "school": facts.school_code,
            "school_year": facts.school_year,
            "grade": facts.grade,
        },
        expires_at=expires_at,
        render=render,
    )


@dataclass(frozen=True)
class TranscriptLine:
    """One enrolment of a transcript."""

    school_name_local: str
    school_name_en: str
    school_code: str
    school_year: int
    grade: int
    class_name: str
    started_on: date
    ended_on: date | None
    #: why it ended: "promoted", "transferred", "graduated", "withdrawn", "held_back" or ""
    end_reason: str


@dataclass(frozen=True)
class TranscriptResult:
    """One term result of a transcript: the subject and term labels as the certificate prints
    them (local / English), the result in the pack's scale."""

    school_year: int
    grade: int
    term: int
    term_label: str
    subject: str
    subject_label: str
    result: str


@dataclass(frozen=True)
class TranscriptFacts:
    """What a school transcript states: the learner number, the enrolment history, oldest
    first, and the term results recorded by the class teachers (by year, term and subject)."""

    learner_number: str
    lines: tuple[TranscriptLine, ...]
    results: tuple[TranscriptResult, ...] = ()


_END_REASONS = {
    "promoted": "진급 / Promoted",
    "transferred": "전학 / Transferred",
    "graduated": "졸업 / Graduated",
    "withdrawn": "자퇴·제적 / Withdrawn",
    "held_back": "유급 / Held back",
    "": "재학 중 / Current",
}


def transcript_draft(
    holder: Person, facts: TranscriptFacts, *, expires_at: datetime
) -> DraftContent:
    """A school transcript (학교생활기록 이력): every enrolment (school, year, grade, class,
    from, until, how it ended), bilingual like the other certificates."""
    claims: dict[str, Any] = {
        "name": holder.name_local,
        "name_latin": holder.name_latin,
        "birth_date": holder.birth_date.isoformat(),
        "national_id": masked_id(holder.national_id),
        "learner_number": facts.learner_number,
        "enrolments": [
            {
                "school": line.school_name_local,
                "school_code": line.school_code,
                "school_year": line.school_year,
                "grade": line.grade,
                "class_name": line.class_name,
                "started_on": line.started_on.isoformat(),
                "ended_on": line.ended_on.isoformat() if line.ended_on else "",
                "end_reason": line.end_reason,
            }
            for line in facts.lines
        ],
        "results": [
            {
                "school_year": r.school_year,
                "grade": r.grade,
                "term": r.term,
                "subject": r.subject,
                "subject_name": r.subject_label,
                "result": r.result,
            }
            for r in facts.results
        ],
        "issued_on": timezone.localdate().isoformat(),
    }
    rows = [
        ("성명 / Name", f"{holder.name_local} ({holder.name_latin})"),
        ("생년월일 / Date of birth", holder.birth_date.isoformat()),
        ("학생 개인번호 / Learner number", facts.learner_number),
    ]
    header = (
        "학교 / School",
        "학년도 / Year",
        "학년 / Grade",
        "반 / Class",
        "기간 / Period",
        "사유 / Outcome",
    )
    table = tuple(
        (
            f"{line.school_name_local} ({line.school_name_en})",
            str(line.school_year),
            str(line.grade),
            line.class_name or "-",
            f"{line.started_on.isoformat()} ~ "
            + (line.ended_on.isoformat() if line.ended_on else ""),
            _END_REASONS.get(line.end_reason, line.end_reason),
        )
        for line in facts.lines
    )
    last = facts.lines[-1]
    results_table = tuple(
        (
            str(r.school_year),
            str(r.grade),
            r.term_label,
            r.subject_label,
            r.result,
        )
        for r in facts.results
    )

    def render(number: str, qr: str) -> tuple[bytes, bytes | None]:
        from gov3.documents.core.pdf import (  # noqa: PLC0415
            CertificateContent,
            CertificateTable,
            render_certificate,
        )

        pdf = render_certificate(
            CertificateContent(
                title="학적 이력 증명서",
                subtitle="School transcript",
                issuer=f"{last.school_name_local}장 / Head of {last.school_name_en}",
                document_number=number,
                issued_on=timezone.localdate(),
                holder=tuple(rows),
                table=CertificateTable(header=header, rows=table),
                more_tables=(
                    (
                        CertificateTable(
                            header=(
                                "학년도 / Year",
                                "학년 / Grade",
                                "학기 / Term",
                                "과목 / Subject",
                                "성취 / Result",
                            ),
                            rows=results_table,
                        ),
                    )
                    if results_table
                    else ()
                ),
                footer_note=(
                    "위 학생의 학적 이력이 학생 등록부와 같음을 증명합니다. "
                    "{url} 에서 문서확인번호 {number}(으)로 확인하십시오. / "
                    "This certifies that the enrolment history above is that of the learner "
                    "register. Verify it at {url} with the document number {number}."
                ),
                qr_payload=qr,
                verify_url=_verify_url(),
                language="ko",
            )
        )
        return pdf, None

    return DraftContent(
        document_type=DocumentType.SCHOOL_TRANSCRIPT,
        holder=holder,
        claims=claims,
        qr_claims={
            "nm": holder.name_local,
            "bd": holder.birth_date.isoformat(),
            "ln": facts.learner_number,
            "school": last.school_code,
            "enrolments": len(facts.lines),
        },
        expires_at=expires_at,
        render=render,
    )


def disclosure_draft(
    holder: Person,
    *,
    agency: str,
    request_number: str,
    subject: str,
    decision: str,
    grounds: list[str],
    files: list[tuple[str, bytes, str]],
) -> DraftContent:
    """A notice of an information disclosure decision that carries the disclosed files
    (name, bytes, SHA-256) inside its signed PDF; the credential lists each file's SHA-256."""
    listed = [{"name": name, "sha256": digest, "size": len(data)} for name, data, digest in files]
    claims: dict[str, Any] = {
        "agency": agency,
        "request": request_number,
        "subject": subject[:500],
        "decision": decision,
        "grounds": grounds,
        "files": listed,
        "issued_on": timezone.localdate().isoformat(),
    }
    rows = [
        ("기관 / Agency", agency),
        ("청구 / Request", request_number),
        ("청구 내용 / Subject", subject[:300]),
        ("결정 / Decision", decision),
    ]
    if grounds:
        rows.append(("비공개 근거 / Grounds", "; ".join(grounds)))

    def render(number: str, qr: str) -> tuple[bytes, bytes | None]:
        # the PDF code (fpdf2, the fonts) loads when a document is first drawn
        from gov3.documents.core.pdf import (  # noqa: PLC0415
            CertificateContent,
            CertificateTable,
            render_certificate,
        )

        pdf = render_certificate(
            CertificateContent(
                title="정보공개 결정 통지서",
                subtitle="Notice of information disclosure",
                issuer=agency,
                document_number=number,
                issued_on=timezone.localdate(),
                holder=tuple(rows),
                table=CertificateTable(
                    header=("파일 / File", "크기 / Bytes", "SHA-256"),
                    rows=tuple((str(f["name"]), str(f["size"]), str(f["sha256"])) for f in listed),
                ),
                footer_note=(
                    "공개 파일은 이 전자서명된 문서에 첨부되어 있습니다. {url} 에서 {number}(으)로 "
                    "확인하십시오. / The disclosed files are attached to this signed document. "
                    "Verify it at {url} with the number {number}."
                ),
                qr_payload=qr,
                verify_url=_verify_url(),
                language="ko",
                attachments=tuple((name, data) for name, data, _ in files),
            )
        )
        return pdf, None

    return DraftContent(
        document_type=DocumentType.DISCLOSURE,
        holder=holder,
        claims=claims,
        qr_claims={"r": request_number[:40], "d": decision},
        expires_at=None,
        render=render,
    )

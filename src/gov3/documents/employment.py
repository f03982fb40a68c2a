"""Certificates of employment (재직증명서) and career certificates (경력증명서) for civil
servants, issued like every other certificate (SD-JWT VC, signed QR, PAdES-signed PDF) from the
facts the personnel app reads (documents does not know personnel; issue 18, item 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from gov3.accounts.models import User
from gov3.documents.content import DraftContent, _verify_url, masked_id
from gov3.documents.models import DocumentType, IssuedDocument
from gov3.documents.services import _issue
from gov3.registry.models import Person


@dataclass(frozen=True)
class Post:
    """One post held: agency, unit, position title and grade (in the agency's language), from
    a day to a day (None: held today)."""

    agency: str
    unit: str
    position: str
    grade: str
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class PriorPost:
    """Career before entering the service, as the staff record holds it: what (a post, a
    job), with whom (the employer), from a day to a day (None: no end recorded)."""

    title: str
    employer: str
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class EmploymentFacts:
    """What the certificates state, from the personnel records: the post held today (the
    certificate of employment) or every post (the career certificate), oldest first, and on
    the career certificate the career before entering the service, oldest first."""

    employee_number: str
    entered_on: date
    issuer: str
    posts: tuple[Post, ...]
    prior_career: tuple[PriorPost, ...] = ()


def _period(starts_on: date, ends_on: date | None) -> str:
    return f"{starts_on.isoformat()} ~ {ends_on.isoformat() if ends_on else ''}"


def _person_claims(holder: Person) -> dict[str, Any]:
    return {
        "name": holder.name_local,
        "name_latin": holder.name_latin,
        "birth_date": holder.birth_date.isoformat(),
        "national_id": masked_id(holder.national_id),
    }


def employment_draft(
    holder: Person, facts: EmploymentFacts, *, career: bool, expires_at: datetime
) -> DraftContent:
    """The certificate of employment (the last post, held today) or the career certificate
    (every post); bilingual like the other certificates."""
    today = timezone.localdate()
    current = facts.posts[-1]
    claims: dict[str, Any] = {
        **_person_claims(holder),
        "employee_number": facts.employee_number,
        "entered_on": facts.entered_on.isoformat(),
    }
    if career:
        claims["career"] = [
            {
                "agency": post.agency,
                "unit": post.unit,
                "position": post.position,
                "grade": post.grade,
                "from": post.starts_on.isoformat(),
                "to": post.ends_on.isoformat() if post.ends_on else "",
            }
            for post in facts.posts
        ]
        claims["prior_career"] = [
            {
                "title": prior.title,
                "employer": prior.employer,
                "from": prior.starts_on.isoformat(),
                "to": prior.ends_on.isoformat() if prior.ends_on else "",
            }
            for prior in facts.prior_career
        ]
        document_type = DocumentType.CAREER
        title, subtitle = "경력증명서", "Career certificate"
        statement = "위 사람의 경력이 위와 같음을 증명합니다. "
        statement_en = "This certifies the career of the person above. "
        shown = facts.posts
    else:
        claims |= {
            "agency": current.agency,
            "unit": current.unit,
            "position": current.position,
            "grade": current.grade,
            "serving_since": current.starts_on.isoformat(),
        }
        document_type = DocumentType.EMPLOYMENT
        title, subtitle = "재직증명서", "Certificate of employment"
        statement = "위 사람이 현재 재직 중임을 증명합니다. "
        statement_en = "This certifies that the person above is in service today. "
        shown = (current,)
    claims["issued_on"] = today.isoformat()
    rows = (
        ("성명 / Name", f"{holder.name_local} ({holder.name_latin})"),
        ("생년월일 / Date of birth", holder.birth_date.isoformat()),
        ("공무원번호 / Employee number", facts.employee_number),
        ("임용일 / Entered the service", facts.entered_on.isoformat()),
    )
    header = (
        "기관 / Agency",
        "부서 / Unit",
        "직위 / Position",
        "직급 / Grade",
        "기간 / Period",
    )
    lines = tuple(
        (post.agency, post.unit, post.position, post.grade, _period(post.starts_on, post.ends_on))
        for post in shown
    )
    # The career certificate: the service, then the career before it as a section of its own.
    captions = (
        "공직 경력 / Career in the service",
        "임용 전 경력 / Career before entering the service",
    )
    prior_header = ("직위·업무 / Post or work", "근무처 / Employer", "기간 / Period")
    prior_lines = tuple(
        (prior.title, prior.employer, _period(prior.starts_on, prior.ends_on))
        for prior in facts.prior_career
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
                issuer=facts.issuer,
                document_number=number,
                issued_on=today,
                holder=rows,
                table=CertificateTable(
                    header=header, rows=lines, caption=captions[0] if career else ""
                ),
                more_tables=(
                    (CertificateTable(header=prior_header, rows=prior_lines, caption=captions[1]),)
                    if career and prior_lines
                    else ()
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
        document_type=document_type,
        holder=holder,
        claims=claims,
        qr_claims={
            "nm": holder.name_local,
            "bd": holder.birth_date.isoformat(),
            "employee_number": facts.employee_number,
            "agency": current.agency,
            "grade": current.grade,
        },
        expires_at=expires_at,
        render=render,
    )


def issue_employment_certificate(
    holder: Person,
    facts: EmploymentFacts,
    *,
    career: bool,
    requested_by: User,
    actor: str,
) -> IssuedDocument:
    """Issue a certificate of employment, or the career certificate, at once (called by the
    personnel app, which checked that the civil servant asks for their own)."""
    if not facts.posts:
        raise ValueError("a certificate of employment needs at least one post")
    days = int(settings.GOV3_CERTIFICATE_VALID_DAYS)
    draft = employment_draft(
        holder, facts, career=career, expires_at=timezone.now() + timedelta(days=days)
    )
    return _issue(draft, requested_by=requested_by, case=None, actor=actor)

"""What every Saemaul command shares: the audit entry, the policy, period locks, versions."""

from __future__ import annotations

from datetime import date
from typing import Any, NoReturn

from django.db.models import F, Model, TextChoices
from django.utils import timezone
from django.utils.translation import gettext

from gov3.core.audit import record_audit
from gov3.core.errors import StaleVersionError, ValidationFailedError
from gov3.saemaul.errors import LockedError
from gov3.saemaul.models import (
    UNITS,
    Material,
    ProgrammePolicy,
    Report,
    ReportLevel,
    ReportStatus,
    Village,
)


def audit(
    actor: str, action: str, target: Model | str, target_id: object = "", **data: Any
) -> None:
    """Write the audit entry of a Saemaul command (inside its transaction)."""
    target_type = target if isinstance(target, str) else f"saemaul.{type(target).__name__.lower()}"
    if not isinstance(target, str) and not target_id:
        target_id = target.pk
    record_audit(
        actor=actor,
        action=f"saemaul.{action}",
        target_type=target_type,
        target_id=target_id,
        data=data,
    )


def refuse(message: str) -> NoReturn:
    """Stop the command: the input is wrong and nothing is changed."""
    raise ValidationFailedError(message)


def policy_for(country: str) -> ProgrammePolicy:
    """The country's programme policy, or the defaults if none was loaded."""
    return ProgrammePolicy.objects.filter(country=country).first() or ProgrammePolicy(
        country=country
    )


def quantity_text(material: str, quantity: int) -> str:
    """'500 bags of cement', in the active language."""
    return gettext("%(quantity)s %(unit)s of %(material)s") % {
        "quantity": f"{quantity:,}",
        "unit": UNITS[Material(material)],
        "material": Material(material).label,
    }


def refuse_future(day: date, what: str) -> None:
    """A record of something that has not happened yet is refused."""
    if day > timezone.localdate():
        refuse(
            gettext("The date of the %(what)s, %(day)s, is in the future.")
            % {"what": what, "day": day}
        )


def refuse_locked_period(village: Village, day: date, what: str) -> None:
    """Data of a month whose village report was approved cannot be added to any more."""
    report = Report.objects.filter(
        level=ReportLevel.VILLAGE,
        village=village,
        year=day.year,
        month=day.month,
        status=ReportStatus.APPROVED,
    ).first()
    if report is not None:
        raise LockedError(
            gettext(
                "The %(period)s report of %(village)s was approved by %(reviewer)s, so that "
                "month is locked: the %(what)s dated %(day)s cannot be recorded. Record it in "
                "a month that is still open, with a note."
            )
            % {
                "period": report.period,
                "village": village.name_local,
                "reviewer": report.reviewed_by,
                "what": what,
                "day": day,
            }
        )


def advance_version(
    model: type[Model],
    *,
    pk: int,
    expected_version: int,
    allowed_statuses: tuple[str, ...],
    statuses: type[TextChoices],
    what: str,
    changes: dict[str, Any],
) -> None:
    """Apply ``changes`` only if the row is still at ``expected_version`` in an allowed status.

    One conditional UPDATE decides, so of two officers deciding at once exactly one succeeds;
    the other gets StaleVersionError and nothing of theirs is written.
    """
    queryset = model._default_manager.all()
    updated = queryset.filter(pk=pk, version=expected_version, status__in=allowed_statuses).update(
        version=F("version") + 1, **changes
    )
    if updated:
        return
    current = queryset.filter(pk=pk).values("version", "status").first()
    if current is None:
        refuse(gettext("The %(what)s no longer exists.") % {"what": what})
    if current["version"] != expected_version:
        raise StaleVersionError(
            gettext(
                "Someone else changed this %(what)s while you were looking at it (it is now "
                "'%(status)s'). Nothing was saved: reload it and decide again."
            )
            % {"what": what, "status": statuses(current["status"]).label}
        )
    refuse(
        gettext("The %(what)s is '%(status)s'; this step is not possible from there.")
        % {"what": what, "status": statuses(current["status"]).label}
    )

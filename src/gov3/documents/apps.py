from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _issue_on_decision(sender: Any, **kwargs: Any) -> None:
    # The PDF and signing code loads when a decision first needs it, not when Django starts
    # (`gov3 rules check` and every other command start without it: issue 17, item 6).
    from gov3.documents.services import on_case_decided  # noqa: PLC0415

    on_case_decided(sender, **kwargs)


def _revoke_cancelled_passport(sender: Any, **kwargs: Any) -> None:
    from gov3.documents.services import on_passport_cancelled  # noqa: PLC0415

    on_passport_cancelled(sender, **kwargs)


def _signing_keys_problem() -> str | None:
    from gov3.documents.issuers import signing_keys_problem  # noqa: PLC0415

    return signing_keys_problem()


class DocumentsConfig(AppConfig):
    name = "gov3.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from gov3.core.events import case_decided, passport_cancelled  # noqa: PLC0415
        from gov3.core.health import register_readiness_check  # noqa: PLC0415

        register_readiness_check("signing_keys", _signing_keys_problem)

        case_decided.connect(_issue_on_decision, dispatch_uid="documents.issue_on_decision")
        passport_cancelled.connect(
            _revoke_cancelled_passport, dispatch_uid="documents.revoke_cancelled_passport"
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "gov3.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from gov3.core.events import case_decided, passport_cancelled  # noqa: PLC0415
        from gov3.documents.services import (  # noqa: PLC0415
            on_case_decided,
            on_passport_cancelled,
        )

        case_decided.connect(on_case_decided, dispatch_uid="documents.issue_on_decision")
        passport_cancelled.connect(
            on_passport_cancelled, dispatch_uid="documents.revoke_cancelled_passport"
        )

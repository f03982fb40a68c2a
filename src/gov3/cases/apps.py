from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "gov3.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        import gov3.cases.scopes  # noqa: F401, PLC0415 - registers the "agency_cases" scope
        from gov3.cases.services import (  # noqa: PLC0415 - apps are ready only now
            on_offer_confirmed,
            on_offer_objected,
        )
        from gov3.core.events import (  # noqa: PLC0415 - apps are ready only now
            offer_confirmed,
            offer_objected,
        )

        offer_confirmed.connect(on_offer_confirmed, dispatch_uid="cases.on_offer_confirmed")
        offer_objected.connect(on_offer_objected, dispatch_uid="cases.on_offer_objected")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "gov3.schools"
    label = "schools"
    verbose_name = _("School services")

    def ready(self) -> None:
        from gov3.core.events import life_event_committed, offer_confirmed  # noqa: PLC0415
        from gov3.offers.proposals import PROPOSED_BY  # noqa: PLC0415
        from gov3.schools.entry import PROPOSED_BY_ROUND, on_offer_confirmed, proposed_for  # noqa: PLC0415
        from gov3.schools.transfers import on_life_event  # noqa: PLC0415

        offer_confirmed.connect(on_offer_confirmed, dispatch_uid="schools.on_offer_confirmed")
        life_event_committed.connect(on_life_event, dispatch_uid="schools.on_life_event")
        PROPOSED_BY[PROPOSED_BY_ROUND] = proposed_for

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "gov3.offers"
    label = "offers"
    verbose_name = _("Offers")

    def ready(self) -> None:
        from gov3.core.events import life_event_committed  # noqa: PLC0415 - apps are ready only now
        from gov3.offers.triggers import on_life_event  # noqa: PLC0415 - apps are ready only now

        life_event_committed.connect(on_life_event, dispatch_uid="offers.on_life_event")

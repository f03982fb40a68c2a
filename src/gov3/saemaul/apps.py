from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SaemaulConfig(AppConfig):
    name = "gov3.saemaul"
    label = "saemaul"
    verbose_name = _("Saemaul Undong")

    def ready(self) -> None:
        from gov3.saemaul.models import SaemaulAssignment  # noqa: PLC0415
        from gov3.saemaul.nav import forget  # noqa: PLC0415

        # The navigation's cached "has a programme role" is asked again after a change.
        post_save.connect(forget, sender=SaemaulAssignment, dispatch_uid="saemaul-nav-save")
        post_delete.connect(forget, sender=SaemaulAssignment, dispatch_uid="saemaul-nav-delete")

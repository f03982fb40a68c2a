from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    """Petitions (e-People), public petitions, information disclosure, consultations."""

    name = "gov3.participation"
    label = "participation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # registers the "agency_petitioners" and "agency_requesters" access-policy scopes
        import gov3.participation.scopes  # noqa: F401, PLC0415

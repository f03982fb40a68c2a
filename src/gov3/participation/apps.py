from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    """Petitions (e-People), public petitions, information disclosure, consultations."""

    name = "gov3.participation"
    label = "participation"
    default_auto_field = "django.db.models.BigAutoField"

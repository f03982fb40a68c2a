from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """Synthetic data (no models): its app registers `gov3 population`."""

    name = "gov3.synthetic"
    label = "synthetic"
    verbose_name = "Synthetic data"

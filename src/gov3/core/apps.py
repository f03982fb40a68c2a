from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gov3.core"
    label = "core"
    verbose_name = "Audit and access logs"

    def ready(self) -> None:
        # Every app's models are loaded by now: name them in the reader's language in the admin.
        from gov3.core.admin_names import translate_model_names  # noqa: PLC0415 - needs apps

        translate_model_names()

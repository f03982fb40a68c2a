from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "gov3.tasks"
    label = "tasks"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Every app declares its jobs in a `jobs` module; the web process needs them too, for
        # the embedded queue runs jobs in the process that enqueues them when so configured.
        autodiscover_modules("jobs")

        from gov3.core.health import register_readiness_check  # noqa: PLC0415
        from gov3.core.metrics import register_scrape_hook  # noqa: PLC0415
        from gov3.tasks import checks  # noqa: F401, PLC0415 - registers the deploy check
        from gov3.tasks.runner import queue_problem, update_metrics  # noqa: PLC0415

        register_readiness_check("queue", queue_problem)
        register_scrape_hook("tasks", update_metrics)

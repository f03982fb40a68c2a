import os
from typing import Any

from django.apps import AppConfig, apps
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _guard_tables(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After `migrate`, protect every append-only table, chain head and table whose rows are
    never deleted on PostgreSQL."""
    from gov3.core.append_only import install_append_only_guards  # noqa: PLC0415
    from gov3.core.models import AppendOnlyModel, ChainHead, NeverDeleted  # noqa: PLC0415

    models = apps.get_models()
    install_append_only_guards(
        connections[using],
        sorted(m._meta.db_table for m in models if issubclass(m, AppendOnlyModel)),
        sorted(m._meta.db_table for m in models if issubclass(m, ChainHead)),
        sorted(m._meta.db_table for m in models if issubclass(m, NeverDeleted)),
    )


def _owner_only(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A SQLite database holds the whole register: readable by gov3's own user only."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    for path in (name, f"{name}-wal", f"{name}-shm"):
        if os.path.isfile(path) and os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)


class CoreConfig(AppConfig):
    name = "gov3.core"
    label = "core"
    verbose_name = "Audit and access logs"

    def ready(self) -> None:
        # Once per migrate (sender: this app), after every app's tables exist.
        post_migrate.connect(_guard_tables, sender=self, dispatch_uid="gov3-append-only-guards")
        connection_created.connect(_owner_only, dispatch_uid="gov3-sqlite-owner-only")

        # Every app's models are loaded by now: name them in the reader's language in the admin.
        from gov3.core.admin_names import translate_model_names  # noqa: PLC0415 - needs apps

        translate_model_names()

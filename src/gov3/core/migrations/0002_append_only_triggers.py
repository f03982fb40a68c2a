"""On PostgreSQL, refuse UPDATE and DELETE on the logs at the database level too."""

from django.db import migrations

from gov3.core.append_only import append_only_trigger_migration


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [append_only_trigger_migration("core_auditentry", "core_accesslogentry")]

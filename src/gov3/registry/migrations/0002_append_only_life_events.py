"""On PostgreSQL, refuse UPDATE and DELETE of life events at the database level."""

from django.db import migrations

from gov3.core.append_only import append_only_trigger_migration


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("core", "0002_append_only_triggers")]
    operations = [append_only_trigger_migration("registry_lifeevent")]

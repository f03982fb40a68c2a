"""On PostgreSQL, refuse UPDATE and DELETE of the Saemaul ledgers at the database level."""

from django.db import migrations

from gov3.core.append_only import append_only_trigger_migration


class Migration(migrations.Migration):
    dependencies = [("saemaul", "0001_initial"), ("core", "0002_append_only_triggers")]
    operations = [
        append_only_trigger_migration(
            "saemaul_projectdecision",
            "saemaul_stockentry",
            "saemaul_delivery",
            "saemaul_materialuse",
            "saemaul_villagefundentry",
            "saemaul_villageclassification",
            "saemaul_referencefigure",
        )
    ]

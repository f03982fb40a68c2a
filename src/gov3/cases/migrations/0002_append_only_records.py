"""Consent receipts, notices, decisions and payment instructions are append-only in PostgreSQL too."""

from django.db import migrations

from gov3.core.append_only import append_only_trigger_migration


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("core", "0002_append_only_triggers")]

    operations = [append_only_trigger_migration("cases_decision", "cases_paymentinstruction")]

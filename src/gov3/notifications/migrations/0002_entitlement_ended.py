"""A notification kind for an entitlement that ends under new rules (ADR 0008); choices only,
no schema change."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_notifications_preferences_deliveries"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("offer", "New offers"),
                    ("amount_changed", "Changes to the amount of a benefit"),
                    ("entitlement_ended", "Entitlements that end under new rules"),
                    ("offer_withdrawn", "Offers withdrawn"),
                    ("decision", "Decisions on my applications"),
                    ("information_requested", "Requests for more information"),
                    ("reminder", "Reminders of deadlines"),
                    ("document_revoked", "Documents revoked"),
                ],
                max_length=24,
            ),
        ),
    ]

"""Room for the 11-character kind `eligibility` in `service_kind` (ADR 0008); widening a
varchar changes no row and is safe under the code already deployed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0002_append_only_records"),
    ]

    operations = [
        migrations.AlterField(
            model_name="offer",
            name="service_kind",
            field=models.CharField(max_length=16),
        ),
    ]

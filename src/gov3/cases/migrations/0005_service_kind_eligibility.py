"""Room for the 11-character kind `eligibility` in `service_kind` (ADR 0008); widening a
varchar changes no row and is safe under the code already deployed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_one_open_objection"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="service_kind",
            field=models.CharField(max_length=16),
        ),
    ]

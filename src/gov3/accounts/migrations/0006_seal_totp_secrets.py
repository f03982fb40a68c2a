"""Seal the authenticator secrets stored in clear before sealing existed (see totp_sealing)."""

from binascii import unhexlify
from typing import Any

from django.db import migrations

from gov3.accounts.totp_sealing import is_sealed, seal


def seal_existing(apps: Any, schema_editor: Any) -> None:
    device_model = apps.get_model("otp_totp", "TOTPDevice")
    for device in device_model.objects.all().only("pk", "key"):
        if device.key and not is_sealed(device.key):
            sealed = seal(unhexlify(device.key.encode()))
            device_model.objects.filter(pk=device.pk).update(key=sealed)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_agency_area"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]

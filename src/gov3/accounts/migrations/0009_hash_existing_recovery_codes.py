"""Recovery codes made before they were hashed (django-otp's static tokens, stored in clear)
become hashed codes of gov3's recovery-code device, and the clear ones are deleted. Each
officer keeps the codes they wrote down. Going back cannot restore them: officers then make a
new set."""

from typing import Any

from django.db import migrations

from gov3.accounts import recovery_code_hashing


def hash_existing(apps: Any, schema_editor: Any) -> None:
    static_device = apps.get_model("otp_static", "StaticDevice")
    recovery_device = apps.get_model("accounts", "RecoveryCodeDevice")
    recovery_code = apps.get_model("accounts", "RecoveryCode")
    for old in static_device.objects.all():
        device = recovery_device.objects.create(
            user_id=old.user_id,
            name=old.name,
            confirmed=old.confirmed,
            last_used_at=old.last_used_at,
        )
        codes = []
        for token in old.token_set.all():
            salt = recovery_code_hashing.new_salt()
            digest = recovery_code_hashing.digest(token.token, salt)
            codes.append(recovery_code(device=device, salt=salt, digest=digest))
        recovery_code.objects.bulk_create(codes)
        old.delete()  # its tokens go with it


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_recovery_codes_hashed"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_existing, migrations.RunPython.noop)]

"""Every existing officer account gets the post it had: its agency and role, open-ended from
the day the account was made (ADR 0036), so nobody loses their rights when posts start to
decide them. Going back deletes only these migrated posts."""

from typing import Any

from django.db import migrations
from django.utils import timezone

REFERENCE = "migrated (issue 18)"


def give_posts(apps: Any, schema_editor: Any) -> None:
    user = apps.get_model("accounts", "User")
    post = apps.get_model("accounts", "OfficerPost")
    now = timezone.now()
    post.objects.bulk_create(
        post(
            user_id=officer.pk,
            agency_id=officer.agency_id,
            role=officer.role,
            starts_on=timezone.localdate(officer.date_joined),
            reference=REFERENCE,
            recorded_at=now,
        )
        for officer in user.objects.filter(kind="officer", agency__isnull=False)
        .exclude(role="")
        .exclude(posts__isnull=False)
    )


def remove_posts(apps: Any, schema_editor: Any) -> None:
    apps.get_model("accounts", "OfficerPost").objects.filter(reference=REFERENCE).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_officer_posts")]

    operations = [migrations.RunPython(give_posts, remove_posts)]

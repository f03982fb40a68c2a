"""The programme's tables in the admin: administrators look, nobody edits there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from gov3.accounts.services import do_create_administrator
from gov3.saemaul import models
from gov3.saemaul.models import Village
from tests.conftest import PASSWORD, current_totp
from tests.saemaul.conftest import ACTOR, draft_project


@pytest.mark.django_db
def test_every_programme_model_is_in_the_admin_read_only(client: Client, village: Village) -> None:
    draft_project(village)
    _, device = do_create_administrator(ACTOR, username="registrar", password=PASSWORD)
    client.post(
        reverse("admin:login"),
        {
            "username": "registrar",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": current_totp(device),
        },
    )
    page = client.get(reverse("admin:saemaul_village_changelist"))
    assert page.status_code == 200
    assert village.code in page.content.decode()
    change = client.get(reverse("admin:saemaul_village_change", args=[village.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:saemaul_project_add")).status_code == 403
    registered = {m for m in admin.site._registry if m._meta.app_label == "saemaul"}
    expected = {
        m
        for m in vars(models).values()
        if isinstance(m, type)
        and issubclass(m, Model)
        and m._meta.app_label == "saemaul"
        and not m._meta.abstract
    }
    assert expected == registered

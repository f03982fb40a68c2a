"""The admin names apps, models and columns in the reader's language (issue 14, item 16): in
Korean it showed "Population register", "Access log entries", "TOTP devices", "OTP Token"."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils import translation
from django.utils.translation import gettext

#: Names that are the same in every language.
SAME = {"ID", "HTTP Accept", "IP Address", "kg"}


def _english(text: object) -> str:
    with translation.override("en"):
        return str(text)


@pytest.mark.parametrize("language", ["ko", "vi"])
def test_every_admin_model_app_and_column_has_a_name_in_the_readers_language(
    language: str,
) -> None:
    untranslated = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        names = [
            meta.verbose_name,
            meta.verbose_name_plural,
            apps.get_app_config(meta.app_label).verbose_name,
        ]
        for column in model_admin.list_display:
            try:
                names.append(meta.get_field(column).verbose_name)
            except Exception:  # noqa: S112 - a method column, named by its function
                continue
        with translation.override(language):
            for name in names:
                shown, english = str(name), _english(name)
                if shown == english and english not in SAME:
                    untranslated.append(f"{meta.label}: {english}")
    assert untranslated == []


@pytest.mark.parametrize(
    ("language", "token", "device", "select"),
    [
        ("ko", "인증 코드:", "인증 앱:", "인증 앱을 선택하세요."),
        ("vi", "Mã xác thực:", "Thiết bị xác thực:", "Hãy chọn thiết bị xác thực."),
    ],
)
def test_the_second_factor_sign_in_speaks_korean_and_vietnamese(
    language: str, token: str, device: str, select: str
) -> None:
    with translation.override(language):
        assert gettext("OTP Token:") == token
        assert gettext("OTP Device:") == device
        assert gettext("Please select a device.") == select

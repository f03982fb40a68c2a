"""Settings refuse insecure defaults outside development."""

from __future__ import annotations

import pytest

from gov3.settings import Gov3Settings, ImproperlyConfiguredError, read_secret


def test_secret_is_required_when_debug_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOV3_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfiguredError, match="GOV3_SECRET_KEY must be set"):
        read_secret("GOV3_SECRET_KEY", development_default="dev", debug=False)
    monkeypatch.setenv("GOV3_SECRET_KEY", "dev")
    with pytest.raises(ImproperlyConfiguredError):
        read_secret("GOV3_SECRET_KEY", development_default="dev", debug=False)
    monkeypatch.setenv("GOV3_SECRET_KEY", "a-real-long-random-value")
    assert read_secret("GOV3_SECRET_KEY", development_default="dev", debug=False) == (
        "a-real-long-random-value"
    )


def test_production_needs_hosts_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOV3_DEBUG", "0")
    monkeypatch.setenv("GOV3_SECRET_KEY", "s" * 50)
    monkeypatch.delenv("GOV3_ALLOWED_HOSTS", raising=False)
    with pytest.raises(ImproperlyConfiguredError, match="GOV3_ALLOWED_HOSTS"):
        Gov3Settings.from_environment()
    monkeypatch.setenv("GOV3_ALLOWED_HOSTS", "gov3.example.go.kr")
    settings = Gov3Settings.from_environment()
    assert settings.allowed_hosts == ("gov3.example.go.kr",)
    assert not settings.debug

"""The officer's password step before their passkey (the second factor)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from gov3.accounts.models import AccountKind
from gov3.core.forms import KrdsFormMixin
from gov3.identity.models import OfficerPasskey


class OfficerPasswordForm(KrdsFormMixin, AuthenticationForm):
    """User name and password of an officer who has a passkey as their second factor."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.kind != AccountKind.OFFICER:
            raise forms.ValidationError(
                _("This sign-in is for officers. Citizens sign in on the main page."),
                code="not_officer",
            )
        if not OfficerPasskey.objects.filter(user=user, confirmed=True).exists():
            raise forms.ValidationError(
                _("You have no passkey yet: sign in with your authenticator code."),
                code="no_passkey",
            )


class EnrolmentForm(KrdsFormMixin, forms.Form):
    """The officer's password and the first code of the authenticator app being enrolled."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label=_("Code from the new authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

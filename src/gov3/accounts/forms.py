"""Sign-in forms. Passwords, lockout and sessions come from Django, django-axes and django-otp."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.models import Device

from gov3.accounts.models import AccountKind
from gov3.core.forms import KrdsFormMixin

#: A recovery code as django-otp's static device makes them: 8 base32 letters and digits.
RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


class CitizenSignInForm(KrdsFormMixin, AuthenticationForm):
    """User name and password, for citizens only.

    An officer's or administrator's correct password gets the same answer as a wrong one and
    counts as a failed sign-in (lockout): this page must not confirm an officer's password to
    someone who lacks their second factor."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.kind != AccountKind.CITIZEN:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise self.get_invalid_login_error()


class OfficerSignInForm(KrdsFormMixin, AuthenticationForm):
    """User name, password and the 6-digit code from the officer's authenticator app."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        help_text=_(
            "The 6-digit code shown in your authenticator app, or one of your recovery codes."
        ),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    device: Device | None = None

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.kind not in (AccountKind.OFFICER, AccountKind.ADMINISTRATOR):
            raise forms.ValidationError(
                _("This sign-in is for officers. Citizens sign in on the main page."),
                code="not_officer",
            )
        token = (self.cleaned_data.get("otp_token") or "").strip().replace("-", "").lower()
        usable = token.isdigit() or RECOVERY_CODE.fullmatch(token) is not None
        self.device = match_token(user, token) if usable else None
        if self.device is None:
            # A wrong code counts as a failed sign-in, so guessing codes locks the account too.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise forms.ValidationError(
                _("The authenticator code is wrong or has expired. Enter the current code."),
                code="bad_otp",
            )
        # django-otp marks the session verified with this device when the sign-in completes.
        user.otp_device = self.device


class AdminSignInForm(OfficerSignInForm):
    """The admin's sign-in in one step: user name, password and the current code (the
    administrator's authenticator is found by itself, no device to choose), in the reader's
    language. Only staff accounts; any other answers like a wrong password."""

    def confirm_login_allowed(self, user: Any) -> None:
        if not user.is_staff:
            raise self.get_invalid_login_error()
        super().confirm_login_allowed(user)

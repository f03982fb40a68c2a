"""Forms of the document pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gov3.core.forms import KrdsFormMixin
from gov3.documents.models import DocumentType


class CertificateForm(KrdsFormMixin, forms.Form):
    """Ask for a certificate now, for yourself or a child you act for."""

    document_type = forms.ChoiceField(
        label=_("Certificate"),
        choices=[
            (DocumentType.RESIDENT_REGISTRATION, DocumentType.RESIDENT_REGISTRATION.label),
            (DocumentType.FAMILY_RELATIONS, DocumentType.FAMILY_RELATIONS.label),
        ],
    )


class PhotoForm(KrdsFormMixin, forms.Form):
    """The passport photo: the only thing the citizen provides."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    photo = forms.FileField(
        label=_("Your photo (JPEG or PNG)"),
        help_text=_(
            "A recent colour photo of your face, 35 × 45 mm portrait format, at least 413 × 531 "  # noqa: RUF001 - the multiplication sign of a size
            "pixels, at most 10 MB. Its location data is removed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    pay_fee = forms.BooleanField(
        label=_("I pay the fee"),
        error_messages={"required": _("Please agree to pay the fee.")},
    )


class VerifyForm(KrdsFormMixin, forms.Form):
    """Anything a verifier may hold: the PDF, the text of the QR code or credential, or the
    confirmation number printed on the document."""

    document = forms.FileField(
        label=_("The document as a PDF file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    text = forms.CharField(
        label=_("Or: the document number, the QR code's text or a digital credential"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("document") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(
                _("Choose a PDF file, or type the document number or the QR code's text.")
            )
        return cleaned


class RevokeForm(KrdsFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The holder reads it."),
    )


class NumberForm(KrdsFormMixin, forms.Form):
    number = forms.CharField(label=_("Document number"), max_length=40)

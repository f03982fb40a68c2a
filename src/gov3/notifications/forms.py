"""The notification preferences form: plain fields, KRDS classes; the rules are in the service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gov3.core.forms import KrdsFormMixin
from gov3.notifications.models import (
    Channel,
    Digest,
    Language,
    NotificationKind,
    Preference,
    is_legal_notice,
)

#: Time zones offered on the page: Korea and the ASEAN countries (any IANA name works by API).
TIME_ZONES = [
    "Asia/Seoul",
    "Asia/Bangkok",
    "Asia/Brunei",
    "Asia/Ho_Chi_Minh",
    "Asia/Jakarta",
    "Asia/Jayapura",
    "Asia/Kuala_Lumpur",
    "Asia/Makassar",
    "Asia/Manila",
    "Asia/Phnom_Penh",
    "Asia/Singapore",
    "Asia/Vientiane",
    "Asia/Yangon",
    "UTC",
]


class TimeInput(forms.TimeInput):
    """A native time picker (hours and minutes; works on phones without JavaScript)."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def channel_field(kind: str, channel: str) -> str:
    """The form field of one kind and channel, e.g. ``offer__email``."""
    return f"{kind}__{channel}"


@dataclass(frozen=True)
class KindRow:
    """One kind of notification on the page with its channel checkboxes."""

    kind: str
    label: str
    legal: bool
    in_app: forms.BoundField | None  # None: legal notices are always shown on the website
    email: forms.BoundField


class PreferenceForm(KrdsFormMixin, forms.Form):
    """Which notifications come where, how often e-mails come, quiet hours, language."""

    digest = forms.ChoiceField(
        label=_("How often e-mails about offers and reminders come"),
        choices=Digest.choices,
        widget=forms.RadioSelect,
        help_text=_("Legal notices always come on their own, straight away."),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"),
        widget=TimeInput,
        help_text=_("No e-mail is sent between these times; it waits until they end."),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"),
        widget=TimeInput,
        help_text=_("The same start and end time means no quiet hours."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone of the quiet hours"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the notifications"),
        choices=[("", _("The language of the website")), *Language.choices],
        required=False,
    )

    def __init__(self, *args: Any, preference: Preference, **kwargs: Any) -> None:
        initial = {
            "digest": preference.digest,
            "quiet_start": preference.quiet_start,
            "quiet_end": preference.quiet_end,
            "time_zone": preference.time_zone,
            "language": preference.language,
        }
        for kind in NotificationKind.values:
            for channel in Channel.values:
                initial[channel_field(kind, channel)] = preference.wants(kind, channel)
        super().__init__(*args, initial=initial, **kwargs)
        zones = list(TIME_ZONES)
        if preference.time_zone and preference.time_zone not in zones:
            zones.append(preference.time_zone)
        time_zone = self.fields["time_zone"]
        assert isinstance(time_zone, forms.ChoiceField)
        time_zone.choices = [
            ("", _("The time zone of this service (%(zone)s)") % {"zone": settings.TIME_ZONE}),
            *((zone, zone) for zone in zones),
        ]
        for kind in NotificationKind.values:
            for channel, channel_label in Channel.choices:
                if channel == Channel.IN_APP and is_legal_notice(kind):
                    continue
                self.fields[channel_field(kind, channel)] = forms.BooleanField(
                    label=channel_label, required=False
                )

    def kind_rows(self) -> list[KindRow]:
        """The kinds, legal notices first, each with its checkboxes."""
        rows = []
        for kind, label in NotificationKind.choices:
            legal = is_legal_notice(kind)
            rows.append(
                KindRow(
                    kind=kind,
                    label=str(label),
                    legal=legal,
                    in_app=None if legal else self[channel_field(kind, Channel.IN_APP)],
                    email=self[channel_field(kind, Channel.EMAIL)],
                )
            )
        return sorted(rows, key=lambda row: not row.legal)

    def settings_fields(self) -> list[forms.BoundField]:
        """The fields other than the channel checkboxes, in page order."""
        return [self[name] for name in ("quiet_start", "quiet_end", "time_zone", "language")]

    def channels(self) -> dict[str, dict[str, bool]]:
        """The checked boxes as the service takes them: kind → channel → wanted."""
        return {
            kind: {
                channel: bool(self.cleaned_data[channel_field(kind, channel)])
                for channel in Channel.values
                if channel_field(kind, channel) in self.cleaned_data
            }
            for kind in NotificationKind.values
        }

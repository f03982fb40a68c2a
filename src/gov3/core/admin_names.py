"""The Django admin in Korean and Vietnamese: app, model and field names, and the sign-in of
django-otp, whose own catalogues have neither language (issue 14, item 16).

Django's admin is translated by Django; what is left in English are names it takes from the
models (`verbose_name`) — gov3's own registry, accounts and log models, and the third-party
models of django-otp and django-axes — and django-otp's sign-in words ("OTP Token", "Please
select a device."). gov3's catalogues translate them (LOCALE_PATHS come before the apps'). The
names are made lazy once at start-up (`translate_model_names`) rather than in each model's Meta:
for third-party models there is no other way, and for gov3's own models it changes no
migration. The texts are listed here with `gettext_noop` so `makemessages` keeps them.
"""

from __future__ import annotations

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

#: The apps whose names are translated here (the others name themselves with gettext).
APPS = {
    "core": gettext_noop("Audit and access logs"),
    "registry": gettext_noop("Population register"),
    "accounts": gettext_noop("Accounts and roles"),
    "otp_totp": gettext_noop("Authenticator apps (TOTP)"),
    "otp_static": gettext_noop("Recovery codes"),
    "django_otp": gettext_noop("Second factor"),
    "axes": gettext_noop("Sign-in attempts"),
    "participation": gettext_noop("Participation"),
}

#: Model and field names as the models spell them, for `makemessages`.
NAMES = [
    # django-otp and django-axes
    gettext_noop("TOTP device"),
    gettext_noop("TOTP devices"),
    gettext_noop("static device"),
    gettext_noop("static devices"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("IP Address"),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    gettext_noop("Path"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access lock out"),
    gettext_noop("Access Failures"),
    gettext_noop("HTTP Accept"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("created at"),
    gettext_noop("last used at"),
    gettext_noop("confirmed"),
    gettext_noop("user"),
    gettext_noop("name"),
    gettext_noop("key"),
    gettext_noop("step"),
    gettext_noop("digits"),
    gettext_noop("drift"),
    gettext_noop("tolerance"),
    # gov3's audit and access logs
    gettext_noop("audit entry"),
    gettext_noop("audit entries"),
    gettext_noop("access log entry"),
    gettext_noop("access log entries"),
    gettext_noop("ID"),
    gettext_noop("at"),
    gettext_noop("actor"),
    gettext_noop("action"),
    gettext_noop("target type"),
    gettext_noop("target id"),
    gettext_noop("actor label"),
    gettext_noop("agency"),
    gettext_noop("subject id"),
    gettext_noop("purpose"),
    gettext_noop("channel"),
    # the population register
    gettext_noop("area"),
    gettext_noop("areas"),
    gettext_noop("person"),
    gettext_noop("people"),
    gettext_noop("household"),
    gettext_noop("households"),
    gettext_noop("address"),
    gettext_noop("addresses"),
    gettext_noop("life event"),
    gettext_noop("life events"),
    gettext_noop("passport"),
    gettext_noop("passports"),
    gettext_noop("code"),
    gettext_noop("name local"),
    gettext_noop("name en"),
    gettext_noop("name latin"),
    gettext_noop("level"),
    gettext_noop("country"),
    gettext_noop("birth date"),
    gettext_noop("sex"),
    gettext_noop("disability"),
    gettext_noop("created on"),
    gettext_noop("street"),
    gettext_noop("postal code"),
    gettext_noop("occurred on"),
    gettext_noop("kind"),
    gettext_noop("recorded by"),
    gettext_noop("number"),
    gettext_noop("issued on"),
    gettext_noop("expires on"),
    gettext_noop("status"),
    # the Saemaul programme's foreign keys (named after the model they point to)
    gettext_noop("round"),
    # accounts and notifications
    gettext_noop("users"),
    gettext_noop("agencies"),
    gettext_noop("role"),
    gettext_noop("notification"),
    gettext_noop("notifications"),
    gettext_noop("email delivery"),
    gettext_noop("email deliveries"),
    gettext_noop("preference"),
    gettext_noop("preferences"),
    gettext_noop("priority"),
    gettext_noop("in app"),
    gettext_noop("read at"),
    gettext_noop("reason"),
    gettext_noop("due at"),
    gettext_noop("attempts"),
    gettext_noop("digest"),
    gettext_noop("quiet start"),
    gettext_noop("quiet end"),
    gettext_noop("language"),
    gettext_noop("updated at"),
    # participation: petitions, public petitions, disclosure requests, consultations
    gettext_noop("closes on"),
    gettext_noop("consultation"),
    gettext_noop("consultations"),
    gettext_noop("decision"),
    gettext_noop("disclosure request"),
    gettext_noop("disclosure requests"),
    gettext_noop("due on"),
    gettext_noop("filed on"),
    gettext_noop("opens on"),
    gettext_noop("petition"),
    gettext_noop("petitions"),
    gettext_noop("public id"),
    gettext_noop("public petition"),
    gettext_noop("public petitions"),
    gettext_noop("received on"),
    gettext_noop("service id"),
    gettext_noop("signature count"),
    gettext_noop("threshold"),
    gettext_noop("category"),
    gettext_noop("title"),
    # schools: schools, school districts, learners, enrolments
    gettext_noop("school"),
    gettext_noop("schools"),
    gettext_noop("capacity"),
    gettext_noop("entry places"),
    gettext_noop("district entry"),
    gettext_noop("district entries"),
    gettext_noop("school year"),
    gettext_noop("learner"),
    gettext_noop("learners"),
    gettext_noop("registered at"),
    gettext_noop("enrolment"),
    gettext_noop("enrolments"),
    gettext_noop("grade"),
    gettext_noop("class name"),
    gettext_noop("ended on"),
    gettext_noop("entry round"),
    gettext_noop("entry rounds"),
    gettext_noop("reference date"),
    gettext_noop("built at"),
    gettext_noop("placement"),
    gettext_noop("placements"),
    gettext_noop("request kind"),
    # personnel: officers' posts, units, positions, staff records, appointments, orders
    gettext_noop("officer post"),
    gettext_noop("officer posts"),
    gettext_noop("starts on"),
    gettext_noop("ends on"),
    gettext_noop("reference"),
    gettext_noop("unit"),
    gettext_noop("units"),
    gettext_noop("position"),
    gettext_noop("positions"),
    gettext_noop("staff record"),
    gettext_noop("staff records"),
    gettext_noop("appointment"),
    gettext_noop("appointments"),
    gettext_noop("personnel order"),
    gettext_noop("personnel orders"),
    gettext_noop("name local"),
    gettext_noop("parent"),
    gettext_noop("authorised headcount"),
    gettext_noop("closed on"),
    gettext_noop("title local"),
    gettext_noop("grade high"),
    gettext_noop("grade low"),
    gettext_noop("position type"),
    gettext_noop("employee number"),
    gettext_noop("entry"),
    gettext_noop("entered on"),
    gettext_noop("record"),
    gettext_noop("grade"),
    gettext_noop("step"),
    gettext_noop("number"),
    gettext_noop("kind"),
    gettext_noop("effective on"),
]

#: django-otp's sign-in (its catalogues have no Korean or Vietnamese).
OTP_MESSAGES = [
    gettext_noop("OTP Device:"),
    gettext_noop("OTP Token:"),
    gettext_noop("Get OTP Challenge"),
    gettext_noop("Please select a device."),
    gettext_noop("Please enter your OTP token."),
    gettext_noop("Invalid token. Please make sure you have entered it correctly."),
    gettext_noop("The selected OTP device is not interactive"),
    gettext_noop("Verification of the token is currently disabled"),
    gettext_noop("Error generating challenge: {0}"),
    gettext_noop("OTP Challenge: {0}"),
    gettext_noop("Token generation is not allowed at this time"),
]

#: The apps whose models and fields are named through gov3's catalogues.
_TRANSLATED_APPS = (
    "core",
    "registry",
    "accounts",
    "notifications",
    "saemaul",
    "otp_totp",
    "otp_static",
    "axes",
    "participation",
    "schools",
    "personnel",
)


def _lazy(text: object) -> object:
    """`text`, translated when shown. A name that is already lazy may be one Django composed
    ("TOTP device" + "s") and cannot translate; so every name is read in English and looked up
    again in the reader's language."""
    if not text:
        return text
    with translation.override("en"):
        english = str(text)
    return gettext_lazy(english)


def translate_model_names() -> None:
    """Make the admin's names of apps, models and fields follow the reader's language."""
    for label, name in APPS.items():
        app = apps.app_configs.get(label)
        if app is not None:
            app.verbose_name = gettext_lazy(name)
    for label in _TRANSLATED_APPS:
        config = apps.app_configs.get(label)
        if config is None:
            continue
        for model in config.get_models():
            meta = model._meta
            meta.verbose_name = _lazy(meta.verbose_name)  # type: ignore[assignment]
            meta.verbose_name_plural = _lazy(meta.verbose_name_plural)  # type: ignore[assignment]
            for field in meta.get_fields():
                if hasattr(field, "verbose_name"):
                    field.verbose_name = _lazy(field.verbose_name)

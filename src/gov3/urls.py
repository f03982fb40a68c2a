"""URL map: citizen portal at /, officers at /officer/, Saemaul programme at /saemaul/, the API
at /api/v1/, registry administration at /admin/."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite

from gov3.accounts.forms import AdminSignInForm
from gov3.api.main import api
from gov3.core.personal_data import no_personal_data
from gov3.core.views import checkpoint_json, healthz, metrics_view, readyz

# Administrators sign in with a second factor too, in one step (user name, password, code).
admin.site.__class__ = OTPAdminSite
admin.site.site_header = _("gov3 administration")
admin.site.site_title = _("gov3 administration")
admin.site.index_title = _("Registers, accounts and logs")
admin.site.login_form = AdminSignInForm
admin.site.login_template = "admin/gov3_login.html"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("audit/checkpoint.json", checkpoint_json, name="audit_checkpoint"),
    # Operations (docs/operations.md): liveness, readiness, Prometheus metrics (restricted).
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    # Django's usual sign-in address (tools and habits try it): the citizens' sign-in page.
    path(
        "accounts/login/",
        no_personal_data(
            RedirectView.as_view(pattern_name="portal:login", query_string=True, permanent=False)
        ),
        name="accounts_login",
    ),
    path("officer/", include("gov3.backoffice.urls")),
    path("saemaul/", include("gov3.saemaul.urls")),
    path("api/v1/", api.urls),
    path("identity/", include("gov3.identity.urls")),
    path("o/", include("gov3.identity.provider_urls")),
    path("", include("gov3.identity.wallet_urls")),
    path("me/notifications/", include("gov3.notifications.urls")),
    path("me/offers/", include("gov3.offers.urls")),
    path("", include("gov3.cases.urls")),
    path("", include("gov3.opendata.urls")),
    path("", include("gov3.participation.urls")),
    path("", include("gov3.schools.urls")),
    path("", include("gov3.documents.urls")),
    path("", include("gov3.personnel.urls")),
    path("", include("gov3.portal.urls")),
]

# A database out of reach answers 503 "try again, nothing was changed"; JSON under /api/.
handler500 = "gov3.core.views.server_error"

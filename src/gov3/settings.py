"""The one settings module of gov3, read from the environment and checked at start-up.

Every value a deployment may change is read here, once, through `read_env`/`read_secret`.
Outside development (`GOV3_DEBUG` off) insecure defaults are refused, so a production server
cannot start with the demo secret key or a wildcard host list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("GOV3_VAR_DIR", PROJECT_DIR / "var"))

_INSECURE_SECRET = "insecure-development-key-never-use-in-production"  # noqa: S105


class ImproperlyConfiguredError(RuntimeError):
    """A setting is missing or unsafe for the way gov3 is being run."""


def read_env(name: str, default: str) -> str:
    """Return an environment variable, or its default."""
    return os.environ.get(name, default)


def read_flag(name: str, *, default: bool) -> bool:
    """Read a yes/no environment variable (1/true/yes/on)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


#: The shortest secret accepted outside development.
MIN_SECRET_LENGTH = 16


def read_secret(name: str, *, development_default: str, debug: bool) -> str:
    """Read a secret; outside development a missing, short or known-insecure value is an
    error."""
    value = os.environ.get(name, "")
    if value and value != development_default and (debug or len(value) >= MIN_SECRET_LENGTH):
        return value
    if debug:
        return development_default
    raise ImproperlyConfiguredError(
        f"{name} must be set to a private random value of at least {MIN_SECRET_LENGTH} "
        "characters when GOV3_DEBUG is off "
        f"(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )


@dataclass(frozen=True)
class Gov3Settings:
    """The deployment-specific settings, typed and validated."""

    debug: bool
    secret_key: str
    database_url: str
    allowed_hosts: tuple[str, ...]
    country: str
    email_host: str
    email_port: int
    default_from_email: str

    @classmethod
    def from_environment(cls) -> Gov3Settings:
        debug = read_flag("GOV3_DEBUG", default=True)
        hosts = tuple(h for h in read_env("GOV3_ALLOWED_HOSTS", "").split(",") if h)
        if not hosts:
            if not debug:
                raise ImproperlyConfiguredError(
                    "GOV3_ALLOWED_HOSTS must list the host names the site is served under "
                    "when GOV3_DEBUG is off."
                )
            hosts = ("127.0.0.1", "localhost", "[::1]", "testserver")
        if not debug and "*" in hosts:
            raise ImproperlyConfiguredError(
                "GOV3_ALLOWED_HOSTS must name the host names (not '*') when GOV3_DEBUG is off: "
                "a wildcard lets any Host header through (password-reset links, caches)."
            )
        return cls(
            debug=debug,
            secret_key=read_secret(
                "GOV3_SECRET_KEY", development_default=_INSECURE_SECRET, debug=debug
            ),
            database_url=read_env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gov3.sqlite3'}"),
            allowed_hosts=hosts,
            country=read_env("GOV3_COUNTRY", "kr"),
            email_host=read_env("GOV3_EMAIL_HOST", "127.0.0.1"),
            email_port=int(read_env("GOV3_EMAIL_PORT", "25")),
            default_from_email=read_env("GOV3_FROM_EMAIL", "no-reply@gov3.example"),
        )


GOV3 = Gov3Settings.from_environment()

DEBUG = GOV3.debug
SECRET_KEY = GOV3.secret_key
ALLOWED_HOSTS = list(GOV3.allowed_hosts)
GOV3_COUNTRY = GOV3.country
GOV3_COUNTRIES_DIR = Path(read_env("GOV3_COUNTRIES_DIR", str(PROJECT_DIR / "countries")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "gov3.core",
    "gov3.registry",
    "gov3.accounts",
    "gov3.catalogue",
    "gov3.portal",
    "gov3.backoffice",
    "gov3.demo",
    "gov3.synthetic",
    "gov3.saemaul",
    "gov3.notifications",
    "gov3.offers",
    "gov3.cases",
    "gov3.documents",
    "gov3.participation",
    "gov3.opendata",
    "gov3.schools",
    "gov3.personnel",
    "oauth2_provider",  # before gov3.identity, whose admin replaces the toolkit's
    "gov3.identity",
    "gov3.backups",
    "gov3.tasks",  # last: its ready() loads every app's `jobs` module
]

MIDDLEWARE = [
    # First: every later log line and audit entry of the request carries its id, and the
    # metrics time the whole request.
    "gov3.core.middleware.RequestIdMiddleware",
    "gov3.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files compressed, with far-future caching for hashed names (ADR 0035).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "gov3.core.middleware.RequestBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gov3.accounts.middleware.OfficerPostMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gov3.urls"
WSGI_APPLICATION = "gov3.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Connections are kept for a minute and checked before a request reuses one, so that after the
# database restarts (or fails over) the next request reconnects instead of failing.
DATABASES = {
    "default": dj_database_url.parse(GOV3.database_url, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        # Only gov3's own user may read the register (the file is made 0600 on connection).
        Path(DATABASES["default"]["NAME"]).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Concurrent readers while the demo server writes; wait instead of failing on a lock.
    # IMMEDIATE: a transaction that will write takes the write lock when it begins, so that two
    # writers wait for each other (busy timeout) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:me"
LOGOUT_REDIRECT_URL = "portal:home"

# Lock an account (per user name and address) after five failures, for one hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "gov3"
# The admin never shows an authenticator's secret (key or QR code) once the device exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English")), ("vi", _("Vietnamese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Vietnamese groups thousands (2.470.000); Django's own vi formats leave that out.
FORMAT_MODULE_PATH = ["gov3.formats"]
TIME_ZONE = read_env("GOV3_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(read_env("GOV3_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves the files `gov3 collectstatic` wrote, compressed (gzip, Brotli when
# installed) under content-hashed names cached for a year (WhiteNoise). The manifest storage
# refuses a page naming a file missing from the manifest, so it is on only where collectstatic
# has run: by default when GOV3_DEBUG is off. Development, the tests and `make demo` read the
# source folders as they are (ADR 0035).
GOV3_STATIC_MANIFEST = read_flag("GOV3_STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if GOV3_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Without the manifest, WhiteNoise looks files up in the source folders on each request (and
# does not warn that STATIC_ROOT is missing).
WHITENOISE_AUTOREFRESH = not GOV3_STATIC_MANIFEST
WHITENOISE_USE_FINDERS = not GOV3_STATIC_MANIFEST

# Uploaded files (Saemaul progress photos), through Django's default storage.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(read_env("GOV3_MEDIA_ROOT", str(VAR_DIR / "media")))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 30
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = read_flag("GOV3_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # The header alone commits to nothing: the domain joins browsers' preload list only when
    # its owner submits it (hstspreload.org); GOV3_HSTS_PRELOAD=0 leaves it out.
    SECURE_HSTS_PRELOAD = read_flag("GOV3_HSTS_PRELOAD", default=True)
    # Plain HTTP is redirected to HTTPS, except the probes a process manager or load balancer
    # sends to the local port (docs/operations.md).
    SECURE_SSL_REDIRECT = read_flag("GOV3_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Behind a reverse proxy (docs/operations.md, deploy/nginx/gov3.conf): only when the proxy is the
# one way in and sets these headers itself, otherwise a client could claim HTTPS, another host or
# a request id. Off by default.
GOV3_TRUSTED_PROXY = read_flag("GOV3_TRUSTED_PROXY", default=False)
if GOV3_TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = read_flag("GOV3_USE_X_FORWARDED_HOST", default=False)
# Origins (scheme://host[:port]) whose forms may POST here, besides the site's own host.
CSRF_TRUSTED_ORIGINS = [o for o in read_env("GOV3_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Request sizes (the reverse proxy's client_max_body_size is GOV3_MAX_REQUEST_BYTES too): a body
# over GOV3_MAX_REQUEST_BYTES is refused with 413 before it is read (RequestBodyMiddleware); form
# fields and JSON bodies (not uploaded files) at most DATA_UPLOAD_MAX_MEMORY_SIZE; uploads over
# FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file instead of memory. The largest
# upload is a 10 MiB photo or PDF (GOV3_PHOTO_MAX_BYTES, GOV3_VERIFY_MAX_BYTES, Saemaul's
# photo_max_bytes): the default leaves room for a few in one form.
GOV3_MAX_REQUEST_BYTES = int(read_env("GOV3_MAX_REQUEST_BYTES", str(32 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(read_env("GOV3_MAX_FORM_BYTES", str(2_621_440)))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(read_env("GOV3_UPLOAD_MEMORY_BYTES", str(2_621_440)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(read_env("GOV3_MAX_FORM_FIELDS", "1000"))

# Content-Security-Policy (django-csp): scripts and styles only from gov3's own static files,
# no inline script, style attribute or eval; no framing; images may be data: URLs (QR codes).
# GOV3_CSP_REPORT_ONLY=1 sends it as Content-Security-Policy-Report-Only instead, to try a
# change on a live site first.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if read_flag("GOV3_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Operations (docs/operations.md): /metrics answers only a request with this bearer token or
# from one of these client addresses (comma-separated; REMOTE_ADDR, i.e. the proxy's when behind
# one), and is 404 to everyone else. Both empty: 404 to all.
GOV3_METRICS_TOKEN = os.environ.get("GOV3_METRICS_TOKEN", "")  # a secret: from the environment
GOV3_METRICS_IPS = tuple(i for i in read_env("GOV3_METRICS_IPS", "").split(",") if i)
# Where `gov3 serve` (and the worker) keep Prometheus' per-process metric files.
GOV3_METRICS_DIR = Path(read_env("GOV3_METRICS_DIR", str(VAR_DIR / "metrics")))

EMAIL_HOST = GOV3.email_host
EMAIL_PORT = GOV3.email_port
DEFAULT_FROM_EMAIL = GOV3.default_from_email
EMAIL_HOST_USER = read_env("GOV3_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = read_env("GOV3_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = read_flag("GOV3_EMAIL_STARTTLS", default=False)
EMAIL_USE_SSL = read_flag("GOV3_EMAIL_SSL", default=False)
# A mail server that does not answer must not hold a page or `gov3 notifications deliver`.
EMAIL_TIMEOUT = int(read_env("GOV3_EMAIL_TIMEOUT", "10"))

# Notifications (docs/notifications.md): links in e-mails are made absolute with the site's
# address; at most this many e-mails a person a day (legal notices always go; the rest waits
# for the daily digest, sent the next morning at this hour, after the person's quiet hours).
GOV3_SITE_URL = read_env("GOV3_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
GOV3_NOTIFICATION_DAILY_BUDGET = int(read_env("GOV3_NOTIFICATION_DAILY_BUDGET", "5"))

# Background work (docs/adr/0033, docs/operations.md): the queue the jobs go through —
# sqlite:///PATH (embedded, the default), redis://HOST:PORT/DB (production), or immediate (a
# job runs in the process that enqueued it, when its transaction commits: the test suite).
GOV3_TASK_QUEUE = read_env("GOV3_TASK_QUEUE", f"sqlite:///{VAR_DIR / 'tasks.sqlite3'}")
# A failed job is tried again after this many seconds, doubling each time (at most an hour).
GOV3_TASK_RETRY_SECONDS = float(read_env("GOV3_TASK_RETRY_SECONDS", "10"))
# A job still waiting this long after it was due (the queue was down) is handed out again.
GOV3_TASK_REQUEUE_AFTER_SECONDS = int(read_env("GOV3_TASK_REQUEUE_AFTER_SECONDS", "120"))
# A job running longer than this is taken to be lost with its worker and handed out again
# (sweeps declare hours of their own).
GOV3_TASK_LEASE_SECONDS = int(read_env("GOV3_TASK_LEASE_SECONDS", "600"))
GOV3_TASK_KEEP_DAYS = int(read_env("GOV3_TASK_KEEP_DAYS", "30"))
# Where the scheduler publishes files for others to fetch (the offline verification bundle).
GOV3_PUBLISHED_DIR = Path(read_env("GOV3_PUBLISHED_DIR", str(VAR_DIR / "published")))
GOV3_NOTIFICATION_DIGEST_HOUR = int(read_env("GOV3_NOTIFICATION_DIGEST_HOUR", "8"))

# Cases: the share of automatically approvable cases sent to an officer for quality control,
# the days an agency has to decide, and the payment provider (gov3.cases.payments).
GOV3_QC_SAMPLE_RATE = float(read_env("GOV3_QC_SAMPLE_RATE", "0.05"))
GOV3_CASE_DUE_DAYS = int(read_env("GOV3_CASE_DUE_DAYS", "14"))
# Open data: counts below this are published as empty (small cells suppressed).
GOV3_OPEN_DATA_MIN_CELL = int(read_env("GOV3_OPEN_DATA_MIN_CELL", "5"))
GOV3_PAYMENT_PROVIDER = read_env(
    "GOV3_PAYMENT_PROVIDER", "gov3.cases.payments.SandboxPaymentProvider"
)

# Documents (docs/keys.md): issuer keys live in a key store, never in the database. The file
# store encrypts each private key with GOV3_KEY_PASSPHRASE (required outside development);
# "pkcs11" keeps them in a hardware security module.
GOV3_KEY_STORE = read_env("GOV3_KEY_STORE", "file")
GOV3_KEY_DIR = Path(read_env("GOV3_KEY_DIR", str(VAR_DIR / "keys")))
GOV3_KEY_PASSPHRASE = read_secret(
    "GOV3_KEY_PASSPHRASE", development_default="gov3-development-key-passphrase", debug=DEBUG
)
GOV3_PKCS11_LIBRARY = read_env("GOV3_PKCS11_LIBRARY", "")
GOV3_PKCS11_TOKEN = read_env("GOV3_PKCS11_TOKEN", "")
GOV3_PKCS11_PIN = os.environ.get("GOV3_PKCS11_PIN", "")  # a secret: from the environment only
# Audit (docs/audit.md): signed checkpoints of the audit and access logs are appended here,
# outside the database; the audit key lives in the key store above (a factory returning it).
GOV3_AUDIT_DIR = Path(read_env("GOV3_AUDIT_DIR", str(VAR_DIR / "audit")))
GOV3_AUDIT_KEY_STORE_FACTORY = read_env(
    "GOV3_AUDIT_KEY_STORE_FACTORY", "gov3.documents.issuers.key_store"
)
# A certificate of registry data shows the register on its day of issue; its credential and QR
# code expire after this many days (agencies in Korea commonly accept certificates ≤ 3 months old).
GOV3_CERTIFICATE_VALID_DAYS = int(read_env("GOV3_CERTIFICATE_VALID_DAYS", "90"))
# Uploads checked by the public verification page and the passport photo step.
GOV3_VERIFY_MAX_BYTES = int(read_env("GOV3_VERIFY_MAX_BYTES", str(10 * 1024 * 1024)))
GOV3_PHOTO_MAX_BYTES = int(read_env("GOV3_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
# Personnel (issue 18): the agency whose HR officers see every agency's analytics (its code;
# empty: none), and the largest import file (100,000 records in CSV are about 8 MB).
GOV3_PERSONNEL_MINISTRY = read_env("GOV3_PERSONNEL_MINISTRY", "")
GOV3_PERSONNEL_IMPORT_MAX_BYTES = int(
    read_env("GOV3_PERSONNEL_IMPORT_MAX_BYTES", str(16 * 1024 * 1024))
)

# Participation (docs/participation.md): attachments to petitions and disclosed files.
GOV3_ATTACHMENT_MAX_BYTES = int(read_env("GOV3_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))

# Identity (docs/identity.md): the national digital ID's issuer and this deployment's client id
# there (they override countries/<cc>/identity.yaml; no issuer, no such sign-in), and the
# client's private key for private_key_jwt and signed requests (made on first use if absent).
GOV3_NATIONAL_ID_ISSUER = read_env("GOV3_NATIONAL_ID_ISSUER", "")
GOV3_NATIONAL_ID_CLIENT_ID = read_env("GOV3_NATIONAL_ID_CLIENT_ID", "")
GOV3_NATIONAL_ID_CLIENT_KEY = Path(
    read_env("GOV3_NATIONAL_ID_CLIENT_KEY", str(GOV3_KEY_DIR / "national-id-client.jwk.json"))
)
# Passkeys (WebAuthn): the relying party id, i.e. the site's host name passkeys are bound to
# (empty: the host of each request, one of ALLOWED_HOSTS).
GOV3_PASSKEY_RP_ID = read_env("GOV3_PASSKEY_RP_ID", "")
# gov3 as an OpenID provider for other government systems (django-oauth-toolkit, ADR 0027):
# its RSA signing key (made on first use), read lazily; clients are registered in the admin.
GOV3_OIDC_PROVIDER_KEY = Path(
    read_env("GOV3_OIDC_PROVIDER_KEY", str(GOV3_KEY_DIR / "oidc-provider-rsa.pem"))
)


def _provider_signing_key() -> str:
    from gov3.identity.provider import signing_key_pem  # noqa: PLC0415 - apps not loaded yet

    return signing_key_pem()


#: The toolkit's (swappable) client model, named so that schools.ClassroomClient can point at it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": SimpleLazyObject(_provider_signing_key),
    "OAUTH2_VALIDATOR_CLASS": "gov3.identity.provider.RegisterClaimsValidator",
    "PKCE_REQUIRED": True,
    "SCOPES": {
        "openid": "OpenID Connect sign-in",
        "profile": "name and date of birth from the register",
        "national_id": "national id number",
        "school": "learner number, school, class and role (classroom sign-in)",
        # OneRoster 1.2 rostering, read only (client-credentials tokens of classroom systems).
        "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly": "class lists",
    },
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "ID_TOKEN_EXPIRE_SECONDS": 600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if DEBUG else ["https"],
    # RFC 9700 (OAuth 2.0 Security BCP), the toolkit's 4.0 defaults now: no implicit or
    # password grant, S256 PKCE only, no tokens in query strings, `iss` in authorisation
    # responses (RFC 9207), tokens stored hashed, a replayed refresh token revokes its family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}

# Logs on stderr: "text" (one readable line) or "json" (one JSON object a line, for a log
# collector); either way every record carries the request id (gov3.core.request_ids).
GOV3_LOG_FORMAT = read_env("GOV3_LOG_FORMAT", "text")
if GOV3_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfiguredError(
        f"GOV3_LOG_FORMAT must be 'text' or 'json', not {GOV3_LOG_FORMAT!r}."
    )
GOV3_LOG_LEVEL = read_env("GOV3_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "gov3.core.log_format.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "gov3.core.log_format.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": GOV3_LOG_FORMAT,
            "filters": ["request_id"],
        },
        # Server errors, structured, on stderr, whether debug is on or off (docs/operations.md).
        "errors": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "level": "ERROR",
            "filters": ["request_id"],
        },
    },
    "loggers": {
        "gov3": {"handlers": ["console"], "level": GOV3_LOG_LEVEL},
        # The worker's own lines: started, each job's task received and done.
        "huey": {"handlers": ["console"], "level": GOV3_LOG_LEVEL},
        "django.request": {"handlers": ["errors"], "level": "ERROR", "propagate": False},
    },
}

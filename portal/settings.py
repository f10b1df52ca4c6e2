"""Settings for the portal, all read from the environment.

With nothing set, the portal runs as a first look: SQLite in ``var/``, tasks in-process, e-mail
to the console, files on local disk. ``DEBUG=false`` switches to production, where
``SECRET_KEY`` and ``ALLOWED_HOSTS`` are required and the secure defaults apply. Any secret can
also come from a file: ``SECRET_KEY_FILE=/run/secrets/key``.
"""

import ipaddress
import re
from datetime import timedelta
from pathlib import Path

import babel.numbers
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal import storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.FileAwareEnv()

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="first-look-only-not-secret")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the host names the portal serves.")

# The address people reach the portal at, used in e-mailed links. Unless set, it follows the
# HOST and PORT the first look is served on (`make start PORT=8101` links to 8101).
SITE_URL = env.str(
    "SITE_URL",
    default=f"http://{env.str('HOST', default='127.0.0.1')}:{env.int('PORT', default=8000)}",
).rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Customer Portal")
VENDOR_NAME = env.str("VENDOR_NAME", default="Northwind Software")
# The vendor's brand colour, on PDFs beside the account's own.
VENDOR_COLOR = env.str("VENDOR_COLOR", default="#2457d6")
if not re.fullmatch(r"#[0-9a-fA-F]{6}", VENDOR_COLOR):
    raise ImproperlyConfigured("VENDOR_COLOR must be # and six hex digits, like #2457d6.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Single sign-on per customer account (accounts.models.AccountSSO): OpenID Connect, SAML 2.0.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_htmx",
    "template_partials",
    "csp",
    "portal",
    "accounts",
    "onboarding",  # before successplans, which builds on it (Side, assignable people)
    "successplans",
    "surveys",
    "sentiment",  # after the apps whose comments it scores; insights reads it
    "insights",
    # After successplans (its objectives become the plan's first ones, through successplans'
    # services) and insights (it mounts its router on insights' API); nothing imports it.
    "handover",
    "value",  # value realized: after insights (the contract value its ROI divides by), before reports (which print it)
    "updates",  # product updates: reads insights' feature usage; playbooks may listen to it
    "reports",
    "academy",  # after onboarding, insights and reports (its certificates): completes course tasks, adds a health part
    "forecast",  # churn forecast: reads insights, surveys and onboarding figures; playbooks may read it
    "renewals",  # reads contracts, health, NPS and usage (insights, surveys) and the forecast; playbooks listens to its signals
    # after surveys (its promoters, the comments quoted) and reports (the case study's PDF);
    # playbooks may ask for advocacy through its services
    "advocacy",
    # Feature adoption: after insights (licences meet its usage roll-ups and product users),
    # academy (a recommendation may be a course) and updates; playbooks may read it.
    "adoption",
    "documents",  # after onboarding and successplans: attaches files to their tasks, items and comments, completes upload tasks
    # After renewals (a churned renewal starts it; the churn reasons are the exit survey's
    # choices), surveys (the exit survey) and documents (the data export is shared there);
    # before playbooks, which listens to its signals.
    "offboarding",
    "playbooks",  # it listens to the apps above, none of them imports it
    "integrations",  # last: embed, webhooks, chat, calendar; listens to the events playbooks records
]

MIDDLEWARE = [
    # First: mounts the portal a second time under /embed/ for the vendor's product to frame
    # (its own cookies, frame-ancestors); everything below sees the unprefixed path.
    "integrations.middleware.EmbedMountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The person's language and time zone (in place of Django's LocaleMiddleware): after
    # log-in, as it reads the person and their account; before allauth and the views.
    "portal.i18n.LocaleMiddleware",
    "accounts.middleware.PrivateCacheMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.RequireStaffMFAMiddleware",
    "accounts.middleware.RefusalMiddleware",
    "accounts.middleware.EngagementMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                # Also the bell's count (accounts.context_processors.inbox, on its own).
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
# A web process keeps its connection between requests (60 s unless set). On SQLite too: a new
# connection reads the schema again and starts with an empty page cache, which cost every
# request 3 to 6 ms of CPU (bench/pages.py), more on the pages that read more tables.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: it compiles the book of business's queries over 10,000 accounts on every request
    # (0.1 to 0.4 s of compiling, and the whole book twice as slow; bench/scale.py). A URL's
    # own ?options=... wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    # WAL lets readers and one writer work at once; a busy timeout rides out short locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_cache_url = env.str("CACHE_URL", default="")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: e-mail is the login; no public sign-up (people join by invitation).
ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Stay logged in (two weeks) without a checkbox: fewer log-ins is the point of a portal.
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, written out so that they are visibly on.
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
    # Self-join (/join/): links e-mailed per address, and requests per IP address.
    "join_request": "20/h/ip,3/h/key",
    # "Sign in with your company's SSO": each attempt may fetch the IdP's discovery document.
    "sso_discovery": "20/m/ip,10/m/key",
}
# Behind the proxy or load balancer in front of the web machines, every request comes from its
# address: per-address rate limits (log-in, join) then count the client address the nearest
# of TRUSTED_PROXY_COUNT proxies appended to X-Forwarded-For. 0: no proxy, REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Off: tracking writes to the database on every request; sessions are listed all the same.
USERSESSIONS_TRACK_ACTIVITY = False
# Vendor staff (CSMs and CS admins) must set up two-factor authentication before they work.
PORTAL_STAFF_MFA_REQUIRED = env.bool("PORTAL_STAFF_MFA_REQUIRED", default=not DEBUG)
# Single sign-on, one identity provider per customer account (accounts.models.AccountSSO, each
# its own allauth SocialApp). No sign-up but through an account's SSO: the adapter admits only
# e-mails at that account's domains, and trusts them as verified only there.
SOCIALACCOUNT_ADAPTER = "accounts.adapters.PortalSocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # a GET of a provider's login URL asks first (no login CSRF)
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUESTS_TIMEOUT_SECONDS", default=10)
SOCIALACCOUNT_PROVIDERS = {
    # allauth's OpenID Connect provider, with the ID token's signature always checked against
    # the identity provider's published keys (accounts/oidc).
    "openid_connect": {
        "provider_class": "accounts.oidc.provider.PortalOpenIDConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
    },
}
# Password and code log-in refuse people whose account requires single sign-on.
ACCOUNT_FORMS = {
    "login": "accounts.forms.PortalLoginForm",
    "request_login_code": "accounts.forms.PortalRequestLoginCodeForm",
}
INVITATION_DAYS_VALID = env.int("INVITATION_DAYS_VALID", default=7)
# The API: requests a key may make per minute (shared across processes with a Redis cache), and
# room for bulk pushes of usage rows; CSV imports up to this size.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=600)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
# Raw usage events older than this many days are removed each night (whole months on
# PostgreSQL); the daily roll-ups and the health history stay. 0 keeps them forever.
USAGE_EVENT_RETENTION_DAYS = env.int("USAGE_EVENT_RETENTION_DAYS", default=400)
# Onboarding reminders: tasks due within this many days are "due soon"; an onboarding with no
# customer activity for this many days is "stalled" in its CSM's digest.
ONBOARDING_DUE_SOON_DAYS = env.int("ONBOARDING_DUE_SOON_DAYS", default=3)
ONBOARDING_STALLED_DAYS = env.int("ONBOARDING_STALLED_DAYS", default=7)
# Surveys: a person is asked at most once per cooldown, an account at most M times a period,
# across all campaigns and channels. An answer can be changed within the grace period; e-mailed
# answer links expire; a reminder goes once, this many days after the e-mail.
SURVEY_PERSON_COOLDOWN_DAYS = env.int("SURVEY_PERSON_COOLDOWN_DAYS", default=30)
SURVEY_ACCOUNT_MAX_PER_PERIOD = env.int("SURVEY_ACCOUNT_MAX_PER_PERIOD", default=4)
SURVEY_ACCOUNT_PERIOD_DAYS = env.int("SURVEY_ACCOUNT_PERIOD_DAYS", default=90)
SURVEY_ANSWER_GRACE_MINUTES = env.int("SURVEY_ANSWER_GRACE_MINUTES", default=30)
# Advocacy: a person is asked again only after the cooldown, after a "no" only after a year;
# an advocate takes at most so many reference calls a quarter.
ADVOCACY_ASK_COOLDOWN_DAYS = env.int("ADVOCACY_ASK_COOLDOWN_DAYS", default=90)
ADVOCACY_DECLINED_COOLDOWN_DAYS = env.int("ADVOCACY_DECLINED_COOLDOWN_DAYS", default=365)
ADVOCACY_REFERENCE_CALLS_PER_QUARTER = env.int("ADVOCACY_REFERENCE_CALLS_PER_QUARTER", default=2)
SURVEY_TOKEN_MAX_AGE_DAYS = env.int("SURVEY_TOKEN_MAX_AGE_DAYS", default=14)
SURVEY_REMINDER_AFTER_DAYS = env.int("SURVEY_REMINDER_AFTER_DAYS", default=3)

# The languages the portal speaks, each named in itself (the language menus show them so).
# A person's comes from their profile, their account's, their browser's, then LANGUAGE_CODE
# (portal.i18n.LocaleMiddleware); the catalogues are in locale/ (locale/README.md).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]

# The currency every amount is in (ISO 4217), printed beside every amount on pages and PDFs.
CURRENCY = env.str("CURRENCY", default="EUR").upper()
if CURRENCY not in babel.numbers.list_currencies():
    raise ImproperlyConfigured(
        f"CURRENCY must be an ISO 4217 code, like EUR or USD, not {CURRENCY}."
    )
# The site's zone: for people and accounts that chose none, and the server's clock.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Absolute, so that pages served under /embed/ load the same files.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Files (PDFs, logos): on the local disk under MEDIA_ROOT, which suits one machine; with
# STORAGE_URL (s3://bucket?endpoint_url=...&region=...) or AWS_STORAGE_BUCKET_NAME, in
# S3-compatible object storage that every web and worker machine shares (portal/storage_settings.py).
# Objects are private; downloads go through a view that checks access first, then streams the
# file (STORAGE_DOWNLOADS=stream) or, with object storage, redirects to a presigned URL valid
# for STORAGE_PRESIGNED_SECONDS (STORAGE_DOWNLOADS=presigned).
STORAGE_URL = env.str("STORAGE_URL", default="")
# Documents (documents/rules.py): the largest file kept, the extensions allowed (each checked
# against the file's first bytes), and a virus scanner run on every upload with the file on
# its standard input (for example "clamdscan --no-summary -"); a non-zero exit refuses it.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=25 * 1024 * 1024)
DOCUMENT_ALLOWED_TYPES = env.list(
    "DOCUMENT_ALLOWED_TYPES",
    default=[
        "pdf",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "docx",
        "xlsx",
        "pptx",
        "csv",
        "txt",
        "md",
        "zip",
    ],
)
DOCUMENT_SCAN_COMMAND = env.str("DOCUMENT_SCAN_COMMAND", default="")
DOCUMENT_SCAN_TIMEOUT = env.int("DOCUMENT_SCAN_TIMEOUT", default=60)
STORAGE_PRESIGNED_SECONDS = env.int("STORAGE_PRESIGNED_SECONDS", default=60)
STORAGE_DOWNLOADS = env.str("STORAGE_DOWNLOADS", default="stream")
if STORAGE_DOWNLOADS not in ("stream", "presigned"):
    raise ImproperlyConfigured("STORAGE_DOWNLOADS must be stream or presigned.")
_AWS_VARIABLES = (
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_LOCATION",
)
STORAGES = {
    "default": storage_settings.default_storage(
        url=STORAGE_URL,
        variables={name: env.str(name, default="") for name in _AWS_VARIABLES},
        access_key=env.str("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env.str("AWS_SECRET_ACCESS_KEY", default=""),
        presigned_seconds=STORAGE_PRESIGNED_SECONDS,
    ),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work. Without a broker the tasks run in-process, so the first look needs no server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 150
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A request never waits long on a broker that is down: the job stays in the database and the
# relay sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 0,
    "visibility_timeout": 3600,
}
CELERY_TIMEZONE = TIME_ZONE
# The daily e-mails (onboarding reminders, task and inbox digests) run every hour: each run
# sends to the people whose clock shows the 07:00 hour in their own zone (portal.daily_mail).
CELERY_BEAT_SCHEDULE = {
    "relay-unsent-jobs": {
        "task": "portal.relay_unsent_jobs",
        "schedule": timedelta(minutes=1),
    },
    "clear-expired-sessions": {
        "task": "portal.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=0),
    },
    "refresh-bound-kpis": {
        "task": "successplans.refresh_bound_kpis",
        "schedule": crontab(hour=3, minute=30),
    },
    "onboarding-reminders": {
        # onboarding.tasks; the name is older than the onboarding app and kept stable.
        "task": "successplans.send_onboarding_reminders",
        "schedule": crontab(minute=0),
    },
    # The CSM's morning e-mail: tasks overdue and due today (playbooks.tasks).
    "task-digests": {
        "task": "playbooks.send_task_digests",
        "schedule": crontab(minute=0),
    },
    "survey-campaigns": {
        "task": "surveys.run_due_campaigns",
        "schedule": crontab(hour=8, minute=0),
    },
    # The last days' usage roll-ups, then every account's health score on top of them: one job
    # per NIGHTLY_CHUNK_SIZE accounts, spread over the workers (insights.services.nightly).
    "nightly": {
        "task": "insights.run_nightly",
        "schedule": crontab(hour=2, minute=0),
    },
    # The CSQL rules (seats nearly all used, a feature limit reached, a promoter with a
    # cross-sell), read from the night's usage roll-ups: an hour after they start.
    "csql-rules": {
        "task": "insights.run_csql_rules",
        "schedule": crontab(hour=3, minute=5),
    },
    # Raw usage: next months' partitions made ahead, months past the retention dropped.
    "usage-events-upkeep": {
        "task": "insights.keep_up_usage_events",
        "schedule": crontab(hour=1, minute=30),
    },
    # The playbooks' scanned signals (renewal due, no log-in, health fell, ...), read from the
    # night's usage roll-ups and health scores above. 75 minutes after they start: 10,000
    # accounts take a few minutes on two workers (bench/nightly.py), and the scan is still
    # made on a night the run failed or was slow, from the data there is.
    "playbooks-scan": {
        "task": "playbooks.scan",
        "schedule": crontab(hour=3, minute=15),
    },
    # The inbox digest: the day's items of the kinds a person chose "daily digest" for.
    "inbox-digests": {
        "task": "accounts.send_inbox_digests",
        "schedule": crontab(minute=15),
    },
    # Playbook steps whose delay is over: each handed to its own job.
    "playbooks-run-due-steps": {
        "task": "playbooks.run_due_steps",
        "schedule": timedelta(minutes=10),
    },
    # Renewals for contracts ending within the horizon, and the reminders playbooks start
    # from (90 and 30 days out), after the night's health scores.
    "renewals-nightly": {
        "task": "renewals.nightly",
        "schedule": crontab(hour=3, minute=0),
    },
    # The churn forecast, trained on the renewal outcomes so far and every account scored, after
    # the night's health scores it reads (forecast.tasks); nothing while history is too short.
    "forecast-retrain": {
        "task": "forecast.retrain",
        "schedule": crontab(hour=4, minute=30),
    },
    # Scheduled product updates whose time has come.
    "updates-publish-due": {
        "task": "updates.publish_due_updates",
        "schedule": timedelta(minutes=1),
    },
    # Webhook retries whose wait is over, each endpoint's to its delivery job.
    "webhooks-queue-due": {
        "task": "integrations.queue_due_webhooks",
        "schedule": timedelta(seconds=10),
    },
}
# The churn forecast trains only from this many renewal outcomes (renewed, churned, contracted).
CHURN_FORECAST_MIN_OUTCOMES = env.int("CHURN_FORECAST_MIN_OUTCOMES", default=30)
if CHURN_FORECAST_MIN_OUTCOMES < 2:
    raise ImproperlyConfigured("CHURN_FORECAST_MIN_OUTCOMES must be 2 or more.")
# Jobs left unsent longer than this are published again by the relay.
JOB_RELAY_AFTER = timedelta(seconds=env.int("JOB_RELAY_AFTER_SECONDS", default=30))
# Jobs queued this long ago that never started are taken as lost by the broker and sent again.
JOB_REQUEUE_AFTER = timedelta(hours=1)
JOB_RETRY_BACKOFF = env.float("JOB_RETRY_BACKOFF_SECONDS", default=10.0)
# The nightly roll-up and health scores: how many accounts one job takes. Smaller chunks spread
# better over many workers; larger ones cost fewer jobs.
NIGHTLY_CHUNK_SIZE = env.int("NIGHTLY_CHUNK_SIZE", default=200)
if NIGHTLY_CHUNK_SIZE < 1:
    raise ImproperlyConfigured("NIGHTLY_CHUNK_SIZE must be 1 or more.")

# Requests the portal makes to URLs its users gave (webhooks, chat): in production only https
# to public addresses (no requests into the vendor's own network); the first look and the tests
# may send to http and loopback receivers.
OUTBOUND_ALLOW_PRIVATE = env.bool("OUTBOUND_ALLOW_PRIVATE", default=DEBUG)
OUTBOUND_TIMEOUT_SECONDS = env.float("OUTBOUND_TIMEOUT_SECONDS", default=10.0)
OUTBOUND_USER_AGENT = f"{SITE_NAME} webhooks (+{SITE_URL})"

# Security. The Content-Security-Policy applies in every mode, so that pages are tested under it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Brand colours are set as CSS custom properties in style attributes; they cannot run code.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Written only when something in it changes, so that reading a page writes nothing.
SESSION_SAVE_EVERY_REQUEST = False
# No script reads the CSRF cookie: htmx sends the token from the body's hx-headers attribute.
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler (on while DEBUG) would print every django.* line a second
        # time beside the root's: its records go to the root handler only.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint's font subsetting reports every table it touches.
        "fontTools": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# PDFs: a render taking longer than this is stopped and marked failed with the reason.
REPORT_RENDER_TIME_LIMIT = env.int("REPORT_RENDER_TIME_LIMIT_SECONDS", default=90)
# A Wrapped batch skips accounts whose first contract started fewer days than this before the
# Wrapped's end (and accounts with no contract): they have nothing to sum up yet.
WRAPPED_MIN_CONTRACT_DAYS = env.int("WRAPPED_MIN_CONTRACT_DAYS", default=60)
# Workers start afresh after this much memory (KiB), so rendering cannot make them grow.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=400_000)

# The hub embedded in the vendor's product (integrations.middleware, integrations.services.embed):
# the audience its tokens must name, how long a rotated-out secret stays valid, and how far
# ahead a token may expire.
EMBED_AUDIENCE = env.str("EMBED_AUDIENCE", default=SITE_URL)
EMBED_SECRET_GRACE_HOURS = env.int("EMBED_SECRET_GRACE_HOURS", default=24)
EMBED_TOKEN_MAX_SECONDS = 300

# Metrics and request logs (portal/metrics.py, portal/views_metrics.py, portal/request_log.py).
# /metrics answers 404 unless METRICS_ENABLED; then it asks for `Authorization: Bearer
# <METRICS_TOKEN>` (required in production) and, when METRICS_ALLOWED_NETWORKS names CIDRs, a
# client address in one of them. Under gunicorn, PROMETHEUS_MULTIPROC_DIR (an empty directory,
# wiped at each start) adds up the counts of all workers.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=False)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
if METRICS_ENABLED and not METRICS_TOKEN and not DEBUG:
    raise ImproperlyConfigured("METRICS_TOKEN must be set when METRICS_ENABLED is on.")
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {_exc}") from None
# One log line per request on the "portal.request" logger; in production every line is JSON.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "portal.request_log.RequestLogMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "portal.metrics.MetricsMiddleware",
)
if not DEBUG:
    # Scraped over plain HTTP inside the network, like the health check.
    SECURE_REDIRECT_EXEMPT.append(r"^metrics$")
    LOGGING["formatters"] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    }
    LOGGING["handlers"]["console"]["formatter"] = "json"  # type: ignore[index]

"""Settings for Pilkades Ops, read from the environment (see README)."""

from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pythonjsonlogger.core import RESERVED_ATTRS as RESERVED_LOG_ATTRS

from pilkades.env import (
    LOCAL_MEMORY_CACHE,
    cache_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_threshold,
    env_time_zone,
    url_origin,
)
from pilkades.safety import refuse_unsafe

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it (50+ random characters) or set DJANGO_DEBUG=1 "
            "for a local development run."
        )
    # A fresh key per start is fine for development; production must set its own.
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "simple_history",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "villages",
    "operations",
    "election_day",
    "jobs",
    "webhooks",
]

MIDDLEWARE = [
    # /healthz and /readyz for load balancers, before the host check and the HTTPS redirect.
    "pilkades.health.HealthMiddleware",
    # One JSON log line per request, with its X-Request-ID.
    "pilkades.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files keep their caching), above everything that answers a user.
    "pilkades.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, except that pages ignore the browser's Accept-Language: Indonesian unless the user
    # picked English in the header. The API still follows Accept-Language.
    "pilkades.middleware.LocaleMiddleware",
    # Django's, with an API path missing its slash answered 308 in JSON (keeps a POST a POST).
    "pilkades.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A write from the offline queue that names another user than the session's: 409 (shared phones).
    "pilkades.middleware.QueueUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pilkades.middleware.AppNotFoundPageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pilkades.urls"

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

WSGI_APPLICATION = "pilkades.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The busiest hand-written statements (pilkades.sqlrows.cursor: election day's writes, the API's
    # token lookup, the session and role reads, the board and ranking stamps) are prepared once they
    # have run this many times on a connection, and planned once. 0 turns it off: behind PgBouncer in
    # transaction mode older than 1.21, which cannot carry a prepared statement from one client to
    # the next.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = env_threshold(
        "DATABASE_PREPARE_THRESHOLD", 5
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (two workers, several officers submitting) wait for the write lock
    # instead of failing with "database is locked"; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# What must be the same for every worker and every server (the cache: ranking pages, map data; the
# API throttle counts) lives in Redis when REDIS_URL is set. Without it: local memory, which holds
# for one process only (the demo, a laptop); the app says so when it starts (pilkades.startup).
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": cache_from_url("REDIS_URL", REDIS_URL),
    # In front of Redis, for entries whose key carries the version of what they hold (ranking pages,
    # the board's parts): a process serves its hot pages without a round trip, and a change elsewhere
    # moves the version read from the database, so a stale entry is never asked for again.
    "process": {
        "BACKEND": LOCAL_MEMORY_CACHE,
        "LOCATION": "pilkades-process",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    # The API throttle's leases (pilkades/throttles.py): one small entry per client seen in the
    # current window, apart from the pages above so that neither pushes the other out.
    "throttle_leases": {
        "BACKEND": LOCAL_MEMORY_CACHE,
        "LOCATION": "pilkades-throttle-leases",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}

# Background jobs (imports; exports and webhook delivery to come): django-tasks with the queue in the
# app's own database (django-tasks-db), so a job is queued in the transaction that asks for it and
# needs no other server. PILKADES_JOBS_RUN says who runs the queue: "worker" (production: the
# `manage.py db_worker` service in deploy/systemd/), or "thread" (the default: a thread of the web
# process, once the request's transaction commits; the demo has no worker).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PILKADES_JOBS_RUN = env_str("PILKADES_JOBS_RUN", "thread")
# A running job beats every quarter of this; a job silent for longer lost its worker (kill -9, out of
# memory, a reboot) and is marked failed by the next reader of its status or the next worker.
PILKADES_JOB_STALE_SECONDS = env_int("PILKADES_JOB_STALE_SECONDS", 120)
# A ranking download of more rows than this is made by a job (the page and the API hand back the job
# at once, its file follows); a smaller one is made in the request.
PILKADES_EXPORT_JOB_THRESHOLD = env_int("PILKADES_EXPORT_JOB_THRESHOLD", 5000)
# An export job's file (kept in its row) is dropped this many days after the job finished.
PILKADES_JOB_FILE_DAYS = env_int("PILKADES_JOB_FILE_DAYS", 7)
# An allocation proposal for an operation of more villages than this is computed by a job (a national
# one takes seconds); the page follows it and leads to the proposal.
PILKADES_PROPOSAL_JOB_THRESHOLD = env_int("PILKADES_PROPOSAL_JOB_THRESHOLD", 5000)
# Webhook deliveries leave the machine: off in the tests, whose fuzzer registers endpoints at
# whatever URLs it makes up (the tests that deliver turn it on, to a receiver on 127.0.0.1).
PILKADES_WEBHOOKS_SEND = env_bool("PILKADES_WEBHOOKS_SEND", default=True)
if PILKADES_JOBS_RUN not in ("thread", "worker"):
    raise ImproperlyConfigured(f"PILKADES_JOBS_RUN={PILKADES_JOBS_RUN!r}: use 'worker' or 'thread'.")

refuse_unsafe(debug=DEBUG, secret_key=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS, database=DATABASES["default"])

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses a locked-out username/address before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's, with the session's user and roles read in one statement (a stored session naming
    # Django's own was renamed by migration operations 0016).
    "operations.authentication.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy every request comes from the proxy's address: trusting the proxies'
# X-Forwarded-For (and only theirs) lets the lockout and the throttles tell clients apart. The number
# of proxies in front of the app that append to the header (nginx alone: 1; a load balancer and
# nginx: 2); 0, the default, when clients reach the app directly and the header is their own word.
PILKADES_TRUSTED_PROXIES = env_int("PILKADES_TRUSTED_PROXIES", 0)
if PILKADES_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("PILKADES_TRUSTED_PROXIES must be 0 or more (proxies in front of the app).")
AXES_CLIENT_IP_CALLABLE = "pilkades.client_ip.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "id"
# Each language named in itself; "English" with a context, as Django's Indonesian catalogue would
# otherwise show it as "Inggris".
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", pgettext_lazy("language name", "English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The Polres's own time: every page, order, Lapsit and API answer is in it.
TIME_ZONE = env_time_zone("DJANGO_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
# Indonesian dates written out ("20 Oktober 2019"), not Django's abbreviated default.
FORMAT_MODULE_PATH = ["pilkades.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Leaflet for the dashboard map, from the django-leaflet package (served as static/leaflet/). Not
    # an installed app: its admin module needs GeoDjango (GDAL), which this project does not use.
    ("leaflet", Path(find_spec("leaflet").origin).parent / "static" / "leaflet"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))

REST_FRAMEWORK = {
    # Token first: DRF answers 401 with the first class's WWW-Authenticate challenge; with
    # session auth first, a missing or revoked token would get 403 instead.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "operations.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "pilkades.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "pilkades.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "pilkades.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "pilkades.api_errors.ApiSchema",
    "EXCEPTION_HANDLER": "pilkades.api_errors.exception_handler",
    # The same rule as the lockout's (pilkades.client_ip). DRF's default (None) would take the whole
    # X-Forwarded-For as the client: a forged header per request would escape every rate.
    "NUM_PROXIES": PILKADES_TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": [
        # Counted with one atomic increment per request (pilkades.throttles): DRF's own lose counts
        # when requests arrive together on several workers.
        "pilkades.throttles.AnonRateThrottle",
        "pilkades.throttles.UserRateThrottle",
    ],
    # Counted in the default cache: shared by every worker and server with REDIS_URL, per process without.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("DJANGO_API_THROTTLE_ANON", "60/min"),
        "user": env_str("DJANGO_API_THROTTLE_USER", "1200/min"),
        # Per address: each attempt at /api/v1/auth/token/ costs a password hash.
        "auth-token": env_str("DJANGO_API_THROTTLE_AUTH_TOKEN", "10/min"),
    },
}

# Importing the roster writes officers; exporting it reads their phone numbers. Without these the
# library lets any staff user do both.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# The largest file the admin's import pages (regions, roster) take. The whole import runs inside one
# web request: a larger file would outlast the worker's timeout and end as a bare 500. Larger files go
# through `manage.py import_regions` / `import_roster`, which have no limit. The national region list
# (about 91,000 lines, 2.5 MB as CSV) fits under the default.
PILKADES_ADMIN_IMPORT_MAX_BYTES = env_int("PILKADES_ADMIN_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
if PILKADES_ADMIN_IMPORT_MAX_BYTES < 1:
    raise ImproperlyConfigured("PILKADES_ADMIN_IMPORT_MAX_BYTES must be at least 1 (bytes).")
# The roster is saved row by row (validation, the posting checks, history), once for the preview and
# once for the confirmation, each in one request: 2,000 rows took 50-70 s per request on a loaded
# 2-core host (about 25 ms a row). 1,000 rows stay inside a 30 s worker timeout; a Polres roster fits,
# a Polda's goes through the command.
PILKADES_ADMIN_ROSTER_MAX_ROWS = env_int("PILKADES_ADMIN_ROSTER_MAX_ROWS", 1000)
if PILKADES_ADMIN_ROSTER_MAX_ROWS < 1:
    raise ImproperlyConfigured("PILKADES_ADMIN_ROSTER_MAX_ROWS must be at least 1.")

# Belt and braces: the roster resource already neutralises formulas (pilkades.spreadsheets) in every
# format; the library's own setting strips a leading "=" from whatever another resource exports.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

SPECTACULAR_SETTINGS = {
    "TITLE": "Pilkades Ops API",
    "DESCRIPTION": "Pengamanan Pilkades serentak: desa, kerawanan, personel, penugasan.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One named enum per choice set, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        "RiskLevelEnum": "operations.models.levels.RiskLevel",
        "RiskReportStatusEnum": "operations.models.risk.RiskReport.Status",
        "ElectionStatusEnum": "villages.models.Election.Status",
        "VillageElectionStatusEnum": "villages.models.VillageElection.Status",
        "CandidateStatusEnum": "villages.models.Candidate.Status",
        "HeadStatusEnum": "villages.models.Candidate.HeadStatus",
        "OperationStatusEnum": "operations.models.operation.Operation.Status",
        "BkoStatusEnum": "operations.models.operation.BkoContingent.Status",
        "ProposalStatusEnum": "operations.models.deployment.AllocationProposal.Status",
        "StageEnum": "operations.models.deployment.Stage",
        "DutyEnum": "operations.models.deployment.Duty",
        "UnitKindEnum": "operations.models.organisation.Unit.Kind",
        "PangkatEnum": "operations.ranks.Pangkat",
        "IndicatorKindEnum": "operations.models.risk.RiskIndicator.Kind",
        "PatternFormEnum": "operations.models.risk.SecurityPattern.Form",
        "ProgressStageEnum": "election_day.models.ProgressStage",
        "CheckInKindEnum": "election_day.models.CheckIn.Kind",
        "IncidentStateEnum": "election_day.models.Incident.State",
        "IncidentSourceEnum": "election_day.models.Incident.Source",
    },
}

# Django's database sessions, read with one hand-written statement (pilkades/sessions.py).
SESSION_ENGINE = "pilkades.sessions"
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_AGE_SECONDS", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# A person's API token (from /api/v1/auth/token/) lasts a working day, like a browser session.
_person_token_hours = env_int("PILKADES_PERSON_TOKEN_HOURS", 8)
if _person_token_hours < 1:
    raise ImproperlyConfigured("PILKADES_PERSON_TOKEN_HOURS must be at least 1 (hours).")
PERSON_TOKEN_LIFETIME = timedelta(hours=_person_token_hours)

# Every script comes from this app; no inline script anywhere. Inline styles are allowed because
# Swagger UI and the admin set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Election day (Hari-H): an officer not checked in this many minutes after his stage starts is listed
# as late on the Posko board; an incident photo larger than this is refused before it is decoded.
CHECKIN_GRACE_MINUTES = env_int("PILKADES_CHECKIN_GRACE_MINUTES", 30)
# An arrival reported (with the phone's position) farther than this from the desa's point is listed
# on the Posko board and the officer is told: a wrong post, or a report sent from elsewhere. A desa
# is a few kilometres across and its point is where the map puts it, so the default is generous.
CHECKIN_FAR_METRES = env_int("PILKADES_CHECKIN_FAR_METRES", 5000)
INCIDENT_PHOTO_MAX_BYTES = env_int("PILKADES_INCIDENT_PHOTO_MAX_MB", 10) * 1024 * 1024
# Side of the longest edge of the stored copy of a photo (the phone already downscales).
INCIDENT_PHOTO_MAX_SIDE = env_int("PILKADES_INCIDENT_PHOTO_MAX_SIDE", 2048)

# Dashboard map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png. Empty (the default): no
# tiles; the map still draws the villages and the kecamatan outlines, so it works without internet.
MAP_TILE_URL = env_str("PILKADES_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("PILKADES_MAP_TILE_ATTRIBUTION", "")
if MAP_TILE_URL:
    # The browser fetches the tiles itself, so the CSP must allow images from the tile host.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(url_origin("PILKADES_MAP_TILE_URL", MAP_TILE_URL))

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One JSON object per line (for journald, Loki, ELK), each with the request's id; DJANGO_LOG_FORMAT=text
# for plain lines while developing.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_error_without_traceback": {"()": "pilkades.log_filters.ClientErrorWithoutTraceback"},
        "request_id": {"()": "pilkades.logs.RequestIdFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # Django's request logger attaches the request object: not something to write out.
            "reserved_attrs": [*RESERVED_LOG_ATTRS, "request"],
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["client_error_without_traceback", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # Django's default config gives "django" a console handler of its own; its records also reach
    # the root's, and every line printed twice. Without handlers here they go through the root only.
    "loggers": {"django": {"handlers": [], "level": env_str("DJANGO_LOG_LEVEL", "INFO")}},
}

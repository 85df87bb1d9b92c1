"""Groundwork settings: one module, read from the environment.

Unset means safe: DEBUG off, no allowed hosts, no secret key. `make run` writes a
local `.env` (see `.env.example`); production sets real environment variables.
`DJANGO_` prefixes only Django's own settings.
"""

from decimal import Decimal
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Real environment variables win over the file; ENV_FILE=/dev/null ignores it.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Request bodies up to 8 MiB: A2I's StartHumanLoop carries up to 3 MiB of InputContent, which
# JSON escaping can grow; larger bodies are answered with 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=8 << 20)

# Absolute URL of this deployment, for links in emails sent by background jobs.
BASE_URL = env("BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Key for secrets we must be able to read back (API secret access keys are needed in
# clear to verify SigV4 signatures, so they are encrypted, not hashed). Set it apart
# from DJANGO_SECRET_KEY in production so rotating one does not lose the other.
ENCRYPTION_KEY = env("ENCRYPTION_KEY", default=SECRET_KEY)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "apps.core",
    "apps.accounts",
    "apps.datasets",
    "apps.workforces",
    "apps.projects",
    "apps.tasks",
    "apps.taskui",
    "apps.reporting",
    "apps.reviews",
    "apps.payouts",
    "apps.awsapi",
    "apps.autolabel",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.accounts.tenancy.OrganizationScopeMiddleware",
    "apps.workforces.access.WorkerAddressRefusedMiddleware",
    "apps.tasks.middleware.WorkerScopeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.organizations",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the job worker writes; the timeout waits
    # for the other process's write lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Sessions are read on every request: from a shared cache when there is one (falling back
# to the database). A per-process cache could keep a signed-out session alive elsewhere.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if env("CACHE_URL", default="")
    else "django.contrib.sessions.backends.db"
)

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

# django-allauth: email is the login; sign-up verifies the address.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# A taken email must get a clear error at sign-up (allauth's rate limits still apply
# to signup and login attempts), so we trade enumeration-hiding for that clarity.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# allauth's rate limits key on apps.core.client_ip (the trusted-proxy rule below).
ACCOUNT_ADAPTER = "apps.core.account_adapter.AccountAdapter"
# Organizations' OIDC providers are built from apps.workforces.OidcConfig by this adapter.
SOCIALACCOUNT_ADAPTER = "apps.workforces.oidc.OrganizationOidcAdapter"
# A tenant's IdP must never sign someone into an existing account by claiming its email.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Groundwork <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security: on unless DEBUG. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = (env("SECURE_PROXY_SSL_HEADER"), "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiCredentialAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # DRF's stock throttles would otherwise trust any X-Forwarded-For; ours
    # (apps.core.api.throttling) follow the trusted-proxy settings instead.
    "NUM_PROXIES": 0,
    # Rate limits keyed by apps.core.client_ip (forwarding headers only from trusted proxies).
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.api.throttling.AnonRateThrottle",
        "apps.core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        "user": env("API_THROTTLE_USER", default="6000/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Groundwork API",
    "DESCRIPTION": "Data labeling marketplace: organizations, datasets, projects, work.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name ("status", "kind", "source") need their own names.
    "ENUM_NAME_OVERRIDES": {
        "InvitationStatusEnum": "apps.accounts.models.Invitation.Status",
        "StorageKindEnum": "apps.datasets.models.Storage.Kind",
        "JobStatusEnum": "apps.datasets.models.JobStatus",
        "ManifestImportSourceEnum": "apps.datasets.models.ManifestImport.Source",
        "WorkerStatusEnum": "apps.workforces.models.WorkerProfile.Status",
        "WorkforceKindEnum": "apps.workforces.models.Workforce.Kind",
        "VendorSubscriptionStatusEnum": "apps.workforces.models.VendorSubscription.Status",
        "QualificationGrantSourceEnum": "apps.workforces.models.QualificationGrant.Source",
        "WorkteamMemberSourceEnum": "apps.workforces.models.WorkteamMember.Source",
        "WebhookDeliveryStatusEnum": "apps.workforces.models.WebhookDelivery.Status",
        "ProjectStatusEnum": "apps.projects.models.Project.Status",
        "AssignmentStatusEnum": "apps.tasks.models.Assignment.Status",
        "AssignmentReviewStatusEnum": "apps.tasks.models.ReviewStatus",
        "HumanTaskUiStatusEnum": "apps.reviews.models.HumanTaskUi.Status",
        "FlowDefinitionStatusEnum": "apps.reviews.models.FlowDefinition.Status",
        "HumanLoopStatusEnum": "apps.reviews.models.HumanLoop.Status",
        "HumanLoopFailureCodeEnum": "apps.reviews.models.HumanLoop.FailureCode",
    },
}

# Celery. No broker: jobs run inline (eager) in the calling process. `make run` uses
# kombu's filesystem transport, so a real worker and beat run with no broker service.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # jobs are idempotent; a crashed worker's job runs again
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_FOLDER = Path(env("CELERY_BROKER_FOLDER", default=str(BASE_DIR / "var" / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER),
        "data_folder_out": str(BROKER_FOLDER),
        "control_folder": str(BROKER_FOLDER / "control"),
    }
CELERY_BEAT_SCHEDULE = {
    # Periodic jobs are declared here once, for production beat and `make run` alike.
    "core.heartbeat": {"task": "core.heartbeat", "schedule": 60.0},
    "workforces.work_digests_send_due": {
        "task": "workforces.work_digests_send_due",
        "schedule": 300.0,
    },
    "tasks.assignments_expire": {"task": "tasks.assignments_expire", "schedule": 60.0},
    "reporting.project_stats_refresh_due": {
        "task": "reporting.project_stats_refresh_due",
        "schedule": 60.0,
    },
    "reviews.assignments_auto_approve": {
        "task": "reviews.assignments_auto_approve",
        "schedule": 300.0,
    },
    "reviews.human_loops_expire": {"task": "reviews.human_loops_expire", "schedule": 60.0},
    "payouts.payout_batch_run": {"task": "payouts.payout_batch_run", "schedule": 24 * 3600.0},
    "awsapi.labeling_jobs_finish": {"task": "awsapi.labeling_jobs_finish", "schedule": 60.0},
    "awsapi.invocations_purge": {"task": "awsapi.invocations_purge", "schedule": 3600.0},
    "autolabel.rounds_due": {"task": "autolabel.rounds_due", "schedule": 60.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)

# Networks tenants' URLs (S3 endpoints, webhooks, hooks) may reach although not public,
# e.g. a MinIO on the LAN: "10.0.5.0/24,fd00::/8". Empty: public addresses only.
OUTBOUND_ALLOWED_NETWORKS = env.list("OUTBOUND_ALLOWED_NETWORKS", default=[])

# Custom tasks' pre/post-annotation hooks (apps/tasks/hooks.py) may also be Python callables
# the operator installs: their dotted paths, e.g. "mycompany.hooks.pre_annotate". Tenants
# can name only these; every other hook is an http(s) URL under the outbound rule above.
ANNOTATION_HOOK_CALLABLES = env.list("ANNOTATION_HOOK_CALLABLES", default=[])

# Client addresses (apps.core.client_ip): the socket peer, unless the operator runs the app
# behind proxies it names here. Then the client is read from X-Forwarded-For (or the header
# in TRUSTED_PROXY_HEADER: "X-Forwarded-For" or "Forwarded"), only as far back as the chain
# of trusted hops goes. TRUSTED_PROXY_NETWORKS (CIDRs of the proxies) wins over
# TRUSTED_PROXY_COUNT (number of proxies in front of the app, which must then be
# unreachable except through them).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_NETWORKS = env.list("TRUSTED_PROXY_NETWORKS", default=[])
TRUSTED_PROXY_HEADER = env("TRUSTED_PROXY_HEADER", default="X-Forwarded-For")

# The organization that owns the one public workforce (the platform crowd); created on use.
PLATFORM_ORGANIZATION_SLUG = env("PLATFORM_ORGANIZATION_SLUG", default="platform")

INVITATION_LIFETIME_DAYS = env.int("INVITATION_LIFETIME_DAYS", default=14)

# Datasets. Local storages are folders under DATASETS_LOCAL_ROOT (nothing outside it is
# reachable); uploads are staged under DATASETS_WORK_ROOT, which the web processes and the
# job workers must share; thumbnails are kept there too.
DATASETS_LOCAL_ROOT = Path(env("DATASETS_LOCAL_ROOT", default=str(BASE_DIR / "var" / "storage")))
DATASETS_WORK_ROOT = Path(env("DATASETS_WORK_ROOT", default=str(BASE_DIR / "var" / "datasets")))
# Lifetime of the signed URLs that give workers read access to one object.
DATASETS_OBJECT_URL_MAX_AGE = env.int("DATASETS_OBJECT_URL_MAX_AGE", default=900)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Money (apps.payouts; rounding rules in apps/payouts/money.py). One currency per deployment.
PAYOUTS_CURRENCY = env("PAYOUTS_CURRENCY", default="USD")
PAYOUTS_CURRENCY_PLACES = env.int("PAYOUTS_CURRENCY_PLACES", default=2)
# The platform fee on each approved assignment's price and on each bonus: percent, minimum.
PAYOUTS_FEE_PERCENT = Decimal(env("PAYOUTS_FEE_PERCENT", default="20"))
PAYOUTS_FEE_MINIMUM = Decimal(env("PAYOUTS_FEE_MINIMUM", default="0.01"))
PAYOUTS_MINIMUM = Decimal(env("PAYOUTS_MINIMUM", default="1.00"))  # smallest payout
PAYOUTS_PROVIDER = env("PAYOUTS_PROVIDER", default="manual")  # apps.payouts.providers

# Automated labeling (apps.autolabel). Models by name -> dotted path of a learner class
# (see apps/autolabel/learners.py); an operator registers a better one here.
AUTOLABEL_MODELS = {
    "text-tfidf-logistic": "apps.autolabel.learners.TextTfidfLogistic",
    "image-pixels-logistic": "apps.autolabel.learners.ImagePixelsLogistic",
    "image-gradients-kernel": "apps.autolabel.learners.ImageGradientsKernel",
}
AUTOLABEL_DEFAULT_MODELS = {
    "text_classification": "text-tfidf-logistic",
    "image_classification": "image-gradients-kernel",
}
# Fewer items leave too few human labels to train and validate on (Ground Truth: 1,250).
AUTOLABEL_MIN_ITEMS = env.int("AUTOLABEL_MIN_ITEMS", default=1250)

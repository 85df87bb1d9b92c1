"""Test settings: the real settings, made fast and hermetic.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so CI runs the same
suite against PostgreSQL and Redis; jobs run eagerly unless a test starts a real worker.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DJANGO_DEBUG", "0")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
BASE_URL = "http://testserver"
WHITENOISE_AUTOREFRESH = True  # serve from the app folders; tests run no collectstatic

"""Test settings: the production settings with a fixed key and fast hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-" + "x" * 40)
# Django's test client calls itself "testserver"; production settings refuse an empty host list.
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

from pilkades.settings import *  # noqa: F403
from pilkades.testing import redis_url_for_worker

if REDIS_URL:  # noqa: F405
    # Each pytest-xdist worker flushes its own Redis database (1, 2, …) between tests, never another's.
    CACHES["default"]["LOCATION"] = redis_url_for_worker(REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER"))  # noqa: F405

# Jobs run inline, in the request that queues them (the test's transaction stays one connection);
# tests of the queue itself switch to the DatabaseBackend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PILKADES_JOBS_RUN = "worker"
# No queued webhook drain: the fuzzer registers endpoints at made-up addresses (tests/webhooks turn
# it on for a receiver on 127.0.0.1).
PILKADES_WEBHOOKS_SEND = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Generous limits so the suite never trips them by accident; the throttling tests set their own.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min", "auth-token": "100000/min"},
}

# Serve static files from the app directories, as runserver does: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

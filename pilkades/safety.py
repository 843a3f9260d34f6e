"""Start-up refuses a production configuration that would run unsafely, naming every problem at once.

Django's ``check --deploy`` only warns, and nothing runs it when gunicorn starts; these are the
mistakes that expose the desk (forgeable sessions, a debug page with settings and SQL, Host-header
attacks), so the settings stop on them.
"""

from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_KEY_LENGTH = 50
# Keys that have been published: Django's startproject prefix and the usual placeholders.
PUBLISHED_KEY_PREFIXES = ("django-insecure", "changeme", "change-me", "secret", "your-secret-key")
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def _secret_key_problem(key: str) -> str | None:
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        return (
            f"DJANGO_SECRET_KEY is too short or too plain: use {MIN_SECRET_KEY_LENGTH}+ random "
            "characters, e.g. from: python3 -c 'import secrets; print(secrets.token_urlsafe(60))'"
        )
    if key.lower().startswith(PUBLISHED_KEY_PREFIXES):
        return "DJANGO_SECRET_KEY is a published default: generate a fresh one for this server."
    return None


def refuse_unsafe(*, debug: bool, secret_key: str, allowed_hosts: list[str], database: dict) -> None:
    problems = []
    if not debug:
        problem = _secret_key_problem(secret_key)
        if problem:
            problems.append(problem)
        if not allowed_hosts:
            problems.append(
                "DJANGO_ALLOWED_HOSTS is empty: name the host(s) the desk is reached at, "
                "e.g. DJANGO_ALLOWED_HOSTS=ops.polres.example"
            )
    elif database["ENGINE"].endswith("postgresql") and database.get("HOST", "") not in LOCAL_HOSTS:
        problems.append(
            f"DJANGO_DEBUG=1 with the PostgreSQL server at {database['HOST']}: debug pages show settings and "
            "SQL to anyone who triggers an error. Debug against a local database only; production runs "
            "with DJANGO_DEBUG=0."
        )
    if problems:
        raise ImproperlyConfigured(
            "Unsafe production configuration, start-up stopped:\n" + "\n".join(f"  - {p}" for p in problems)
        )

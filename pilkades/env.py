"""Small readers for environment settings that fail loudly on bad values."""

import os
import zoneinfo
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of {sorted(_TRUE | _FALSE - {''})}."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_str(name: str, default: str | None = None) -> str | None:
    raw = os.environ.get(name)
    return default if raw is None or raw.strip() == "" else raw.strip()


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from exc


def env_time_zone(name: str, default: str) -> str:
    """An IANA time zone name: Indonesia's are Asia/Jakarta (WIB), Asia/Makassar (WITA) and
    Asia/Jayapura (WIT). Checked at start-up: an abbreviation such as "WITA" is no zone name."""
    value = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a time zone name: use e.g. Asia/Jakarta (WIB), "
            "Asia/Makassar (WITA) or Asia/Jayapura (WIT)."
        ) from exc
    return value


def env_threshold(name: str, default: int) -> int | None:
    """A count of 1 or more, or None when set to 0 (off)."""
    value = env_int(name, default)
    if value < 0:
        raise ImproperlyConfigured(f"{name}={value} must be 0 (off) or a positive count.")
    return value or None


def url_origin(name: str, url: str) -> str:
    """The scheme and host of a URL template, as a CSP source ("{s}" subdomains become a wildcard)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(f"{name}={url!r} is not an http(s) URL.")
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"
REDIS_CACHE = "pilkades.redis_cache.RedisCache"


def cache_from_url(name: str, url: str | None) -> dict:
    """The default cache: Redis at ``url``, shared by every worker and server; local memory without one."""
    if url is None:
        return {"BACKEND": LOCAL_MEMORY_CACHE}
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a Redis URL: use redis://host:6379/0, rediss://… (TLS) or unix://…"
        )
    return {
        "BACKEND": REDIS_CACHE,
        "LOCATION": url,
        "KEY_PREFIX": "pilkades",
        # An unreachable Redis fails a request within seconds (and /readyz says so) instead of hanging
        # a worker until gunicorn kills it.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }

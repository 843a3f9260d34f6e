"""Helpers the test settings use (kept out of settings_test so they can be tested themselves)."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def redis_url_for_worker(url: str, worker: str | None) -> str:
    """The Redis URL with its own database for a pytest-xdist worker: gw0 → 1, gw1 → 2, none → 1.

    The tests empty the cache between tests (FLUSHDB), so two workers must never share a database;
    database 0, the usual one of a development server, is left alone.
    """
    database = 1 + (int(worker.removeprefix("gw")) if worker else 0)
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(database)
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{database}"))

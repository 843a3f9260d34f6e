"""Helpers the test settings use (kept out of settings_test so they can be tested themselves)."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def redis_url_for_worker(url: str, worker: str | None) -> str:
    """The Redis URL with its own database for a pytest-xdist worker, counted from the URL's own
    database (0 when it names none): /0 gives gw0 → 1, gw1 → 2, no worker → 1; /8 gives 9, 10, 9.

    The tests empty the cache between tests (FLUSHDB), so two workers must never share a database;
    the URL's database, the usual one of a development server, is left alone, and a second run given
    a higher database (e.g. CI beside a developer's run) never flushes the first run's.
    """
    parts = urlsplit(url)
    if parts.scheme == "unix":
        base = int(dict(parse_qsl(parts.query)).get("db") or 0)
    else:
        base = int(parts.path.strip("/") or 0)
    database = base + 1 + (int(worker.removeprefix("gw")) if worker else 0)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(database)
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{database}"))

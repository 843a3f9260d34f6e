"""The client's address, as the login lockout sees it: REMOTE_ADDR, or what the trusted proxy wrote.

Same rule as DRF's throttles with ``NUM_PROXIES`` (the settings give both the one value
``PILKADES_TRUSTED_PROXIES``): each trusted proxy appends the peer it saw to X-Forwarded-For, so the
client is the entry that many places from the right; anything to its left is the client's own word.
"""

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.PILKADES_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    chain = [entry.strip() for entry in forwarded.split(",")]
    candidate = chain[-min(proxies, len(chain))]
    try:
        return str(ip_address(candidate))
    except ValueError:
        # Only a misconfigured proxy writes this; the lockout's address column takes addresses only.
        return remote

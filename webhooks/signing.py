"""The signature a receiver checks: HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's secret.

Headers of every delivery:
    X-Pilkades-Event: report.verified
    X-Pilkades-Delivery: 812          (the same id on every retry: a receiver can drop a repeat)
    X-Pilkades-Timestamp: 1764860000  (Unix seconds, when this attempt was sent)
    X-Pilkades-Signature: sha256=<hex HMAC-SHA256 of "1764860000." + raw body>

A receiver recomputes the HMAC over the raw body it received, compares in constant time, and refuses
a timestamp further than REPLAY_WINDOW seconds from its clock (a captured request replayed later).
"""

from __future__ import annotations

import hashlib
import hmac
import time

REPLAY_WINDOW = 300  # seconds
SIGNATURE_PREFIX = "sha256="


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(
    *, secret: str, timestamp: str, body: bytes, signature_header: str, now: float | None = None
) -> bool:
    """What a receiver does (also the documentation's example): True for a fresh, genuine request."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent) > REPLAY_WINDOW:
        return False
    expected = signature(secret=secret, timestamp=sent, body=body)
    return hmac.compare_digest(expected, signature_header or "")

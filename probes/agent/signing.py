"""Request signing shared by the probe and the portal (no Django: it is packed into the probe file).

Every probe request carries its probe id, a timestamp (Unix seconds), a random nonce and
HMAC-SHA256(key, METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n SHA-256(body) hex). The key is SHA-256 of the
probe's secret: the probe keeps the secret, the portal keeps only the key (`signing_key`), never the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

ID_HEADER = "X-Probe-Id"
TIMESTAMP_HEADER = "X-Probe-Timestamp"
NONCE_HEADER = "X-Probe-Nonce"
SIGNATURE_HEADER = "X-Probe-Signature"
VERSION_HEADER = "X-Probe-Version"
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SIGNATURE_RE = re.compile(r"^[0-9a-f]{64}$")


def signing_key(secret: str) -> bytes:
    """The HMAC key both sides use: SHA-256 of the secret (what the portal stores, as hex)."""
    return hashlib.sha256(("mta-probe-v1:" + secret).encode()).digest()


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]).encode()


def signature(key: bytes, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(key, canonical(method, path, timestamp, nonce, body), hashlib.sha256).hexdigest()


def signed_headers(probe_id: int, key: bytes, method: str, path: str, body: bytes, now: float | None = None) -> dict:
    """The headers of one signed request (a fresh nonce each time)."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_urlsafe(24)
    return {
        ID_HEADER: str(probe_id),
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(key, method, path, timestamp, nonce, body),
    }


def verify(key: bytes, given: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bool:
    return hmac.compare_digest(signature(key, method, path, timestamp, nonce, body), given)

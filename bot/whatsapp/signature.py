"""Checks Meta's ``X-Hub-Signature-256`` header and the webhook verification token.

Meta signs the raw request bytes as received (an escaped-unicode form), so the check runs over the
raw body, never over re-serialised JSON
(developers.facebook.com/docs/graph-api/webhooks/getting-started).
Both checks compare in constant time and fail closed.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_PREFIX = "sha256="


def sign(app_secret: bytes, raw_body: bytes) -> str:
    """Compute the header value Meta would send for a body.

    Args:
        app_secret: The app secret from the Meta app dashboard.
        raw_body: The exact request bytes.

    Returns:
        ``"sha256=<hex HMAC-SHA256>"``.
    """
    return SIGNATURE_PREFIX + hmac.new(app_secret, raw_body, hashlib.sha256).hexdigest()


def verify_signature(app_secret: bytes, raw_body: bytes, header: str | None) -> bool:
    """Say whether a webhook POST was signed with our app secret.

    Args:
        app_secret: The app secret; an empty secret never verifies.
        raw_body: The exact request bytes.
        header: The ``X-Hub-Signature-256`` value, or None when absent.

    Returns:
        True only for a well-formed header whose HMAC matches.
    """
    if not app_secret or not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = sign(app_secret, raw_body).encode()
    return hmac.compare_digest(header.strip().lower().encode(), expected)


def verify_subscription(
    expected_token: bytes, mode: str | None, token: str | None, challenge: str | None
) -> str | None:
    """Check the GET verification request Meta sends when the webhook is set up.

    Args:
        expected_token: Our ``WHATSAPP_VERIFY_TOKEN``; empty never verifies.
        mode: ``hub.mode``; must be ``subscribe``.
        token: ``hub.verify_token``.
        challenge: ``hub.challenge``, echoed back on success.

    Returns:
        The challenge to echo, or None when the request must be refused.
    """
    if not expected_token or mode != "subscribe" or token is None or not challenge:
        return None
    if len(challenge) > 256 or not challenge.isascii() or not challenge.isalnum():
        return None
    if not hmac.compare_digest(token.encode(), expected_token):
        return None
    return challenge

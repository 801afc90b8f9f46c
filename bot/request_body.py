"""Reads a webhook request body with a size cap, shared by the Telegram and WhatsApp webhook apps.

Why: a signature can only be checked over the whole raw body, so the body is read before anything else; the
cap stops an oversized request from being read into memory at all.
"""

from __future__ import annotations

from starlette.requests import Request


async def read_limited_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None when the declared or actual size exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)

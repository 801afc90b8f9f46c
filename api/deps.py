"""FastAPI dependencies: the app context, a database session, and API-key scope checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from api.context import AppContext
from api.keys import KeyGrant

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="API key: scope `ingest` for POST /api/v1/events, `read` for statistics.",
)

AUTH_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"description": "Missing, unknown or revoked API key."},
    403: {"description": "The key is valid but lacks the scope this endpoint needs."},
}


async def get_context(request: Request) -> AppContext:
    """Return the context built by create_app() (async: no thread-pool hop for a lookup)."""
    ctx: AppContext = request.app.state.ctx
    return ctx


Context = Annotated[AppContext, Depends(get_context)]


def get_session(ctx: Context) -> Iterator[Session]:
    """Yield a session; the route decides on its transaction."""
    with ctx.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def require_scope(scope: str) -> Callable[..., Awaitable[KeyGrant]]:
    """Build a dependency that admits only keys carrying ``scope`` (401 unknown, 403 wrong)."""

    async def check(ctx: Context, presented: Annotated[str | None, Security(api_key_header)]) -> KeyGrant:
        challenge = {"WWW-Authenticate": "APIKey"}
        if not presented:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "Missing API key: send it in the X-API-Key header.",
                headers=challenge,
            )
        grants = ctx.keyring.grants(presented)
        if not grants:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Unknown or revoked API key.", headers=challenge)
        for grant in grants:
            if grant.scope == scope:
                return grant
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"This API key does not have the '{scope}' scope.")

    return check

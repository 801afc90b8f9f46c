"""The staff page's one login guard: a page for signed-in staff only, whichever set of routes it belongs to.

Why one: the triage pages and the content pages (/inhoud) must send a browser without a valid session
cookie to the same place in the same way; two copies of that check could drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from bot.staff.session import StaffSession

SessionOf = Callable[[Request], StaffSession | None]
SignedInHandler = Callable[[Request, StaffSession], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]
LOGIN_PATH = "/login"


def login_guard(session_of: SessionOf) -> Callable[[SignedInHandler], Endpoint]:
    """A decorator for pages of signed-in staff: without a session the browser goes to the login page.

    Args:
        session_of: reads the request's staff session (the signed cookie), or None when there is none.

    Returns:
        ``signed_in``: turns ``handler(request, session)`` into a route endpoint that takes only the request.
    """

    def signed_in(handler: SignedInHandler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            session = session_of(request)
            if session is None:
                return RedirectResponse(LOGIN_PATH, status_code=303)
            return await handler(request, session)

        # Not functools.wraps: FastAPI would read the handler's signature and take ``session`` for a query.
        endpoint.__name__, endpoint.__doc__ = handler.__name__, handler.__doc__
        return endpoint

    return signed_in

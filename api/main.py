"""Application factory: ``uvicorn --factory api.main:create_app`` or ``python -m api serve``.

Nothing is built at import time; create_app() reads settings, builds the engine and the key ring,
and (for the embedded SQLite database) migrates at start-up so a fresh clone just runs.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from api import db
from api.body_limit import BodyLimitMiddleware
from api.context import AppContext
from api.keys import KeyRing
from api.paths import STATIC_DIR, TEMPLATES_DIR
from api.release_store import ReleaseCache
from api.reports import warm_releases
from api.routes import dashboard, events, health, stats
from api.settings import ApiSettings
from api.vocabulary import current_vocabulary
from knowledge.reach import CHANNELS, KINDS

log = logging.getLogger(__name__)


def _openapi_with_vocabulary(app: FastAPI, content_dir: Path | None) -> dict[str, Any]:
    """Publish kinds, channels, topics, targets and municipalities as enums; the content decides most of them.

    Built once, when first asked for, from the content as it is then; ingest always checks the current content.
    """
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    vocabulary = current_vocabulary(content_dir)
    enums = {
        "kind": list(KINDS),
        "channel": list(CHANNELS),
        "topic": list(vocabulary.topics),
        "target": list(vocabulary.targets),
        "gemeente": list(vocabulary.gemeenten),
    }
    properties = schema["components"]["schemas"]["EventIn"]["properties"]
    for name, values in enums.items():
        options = properties[name].get("anyOf", [properties[name]])
        for option in options:
            if option.get("type") == "string":
                option.pop("pattern", None)
                option["enum"] = values
    app.openapi_schema = schema
    return schema


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the API.

    Args:
        settings: Explicit settings (tests); None reads the environment and ``.env``.

    Returns:
        The FastAPI application.
    """
    settings = settings or ApiSettings()
    log.info(settings.secrets_line())
    engine = db.make_engine(settings.database_url)
    sessions = db.make_sessionmaker(engine)
    content_dir = Path(settings.content_dir) if settings.content_dir else None
    current_vocabulary(content_dir)  # fail at start-up, with the loader's message, when the content is broken
    ctx = AppContext(
        settings=settings,
        engine=engine,
        sessions=sessions,
        keyring=KeyRing(settings.env_key_hashes(), sessions),
        content_dir=content_dir,
        releases=ReleaseCache(),
        templates=Jinja2Templates(directory=str(TEMPLATES_DIR)),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.should_auto_migrate:
            db.upgrade(settings.database_url)
        if settings.warm_releases:
            threading.Thread(target=warm_releases, args=(ctx,), name="warm-releases", daemon=True).start()
        yield
        engine.dispose()

    app = FastAPI(
        title="Wegwijzer reach-measurement API",
        version="1.0.0",
        description=(
            "Counts-only events from the Wegwijzer assistant, and statistics with small-count "
            "protection. See docs/api.md."
        ),
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    session_secret = (
        settings.session_secret.get_secret_value() if settings.session_secret else secrets.token_urlsafe(32)
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret,
        session_cookie="wegwijzer_dashboard",
        max_age=settings.session_max_age,
        same_site="strict",
        https_only=settings.use_secure_cookies,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.include_router(health.router)
    app.include_router(events.router)
    app.include_router(stats.router)
    app.include_router(dashboard.router)
    app.mount("/dashboard/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.openapi = lambda: _openapi_with_vocabulary(app, content_dir)  # type: ignore[method-assign]
    return app

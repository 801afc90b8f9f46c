"""Application factory: ``uvicorn --factory api.main:create_app`` or ``python -m api serve``.

Nothing is built at import time; create_app() reads settings, builds the engine and the key ring,
and (for the embedded SQLite database) migrates at start-up so a fresh clone just runs.
"""

from __future__ import annotations

import logging
import secrets
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
from api.context import AppContext
from api.keys import KeyRing
from api.paths import STATIC_DIR, TEMPLATES_DIR, TOPICS_DIR
from api.routes import dashboard, events, health, stats
from api.settings import ApiSettings
from api.vocabulary import load_topic_ids, load_topic_titles

log = logging.getLogger(__name__)


def _openapi_with_topics(app: FastAPI, topic_ids: tuple[str, ...]) -> dict[str, Any]:
    """Publish the topic ids as an enum, since they are read at start-up, not fixed in code."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    topic = schema["components"]["schemas"]["EventIn"]["properties"]["topic"]
    for option in topic.get("anyOf", []):
        if option.get("type") == "string":
            option.pop("pattern", None)
            option["enum"] = list(topic_ids)
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
    engine = db.make_engine(settings.database_url)
    sessions = db.make_sessionmaker(engine)
    topics_dir = Path(settings.topics_dir) if settings.topics_dir else TOPICS_DIR
    topic_ids = load_topic_ids(topics_dir)
    ctx = AppContext(
        settings=settings,
        engine=engine,
        sessions=sessions,
        keyring=KeyRing(settings.env_key_hashes(), sessions),
        topic_ids=frozenset(topic_ids),
        topic_titles=load_topic_titles(topics_dir, topic_ids),
        templates=Jinja2Templates(directory=str(TEMPLATES_DIR)),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.should_auto_migrate:
            db.upgrade(settings.database_url)
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
    app.include_router(health.router)
    app.include_router(events.router)
    app.include_router(stats.router)
    app.include_router(dashboard.router)
    app.mount("/dashboard/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.openapi = lambda: _openapi_with_topics(app, topic_ids)  # type: ignore[method-assign]
    return app

"""Everything a request needs, built once in create_app() and kept on ``app.state.ctx``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.keys import KeyRing
from api.release_store import ReleaseCache
from api.settings import ApiSettings


@dataclass(frozen=True)
class AppContext:
    """Settings, database handles, key ring, where the content lives, and templates of one app."""

    settings: ApiSettings
    engine: Engine
    sessions: sessionmaker[Session]
    keyring: KeyRing
    content_dir: Path | None
    releases: ReleaseCache
    templates: Jinja2Templates

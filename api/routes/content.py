"""Staff edits of local facts over HTTP: the overlay the action servers poll, the history, and saving.

Reading the overlay takes any valid key (the action servers use the key they already have); the history and
saving take the ``content`` scope, which only the staff page holds (docs/CONTENT.md, "Staff edits").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Security, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.content import EditRefused, history, overlay, save_edit
from api.deps import AUTH_RESPONSES, Context, DbSession, api_key_header, require_scope
from api.keys import KeyGrant

router = APIRouter(prefix="/api/v1/content", tags=["content"])


class EditIn(BaseModel):
    """One edit as the staff page sends it (knowledge/overlay.py describes keys and changes)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=3, max_length=200)
    base: int = Field(ge=0)
    change: dict[str, Any]
    role: str = Field(min_length=1, max_length=64)


async def any_key(ctx: Context, presented: Annotated[str | None, Security(api_key_header)]) -> KeyGrant:
    """Admit any valid key, whatever its scope (401 otherwise)."""
    grants = ctx.keyring.grants(presented) if presented else []
    if not grants:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Missing, unknown or revoked API key.")
    return grants[0]


@router.get("/overlay", responses=AUTH_RESPONSES)
def get_overlay(session: DbSession, _grant: Annotated[KeyGrant, Depends(any_key)]) -> JSONResponse:
    """The latest edit per fact and the version (the newest edit's id)."""
    version, edits = overlay(session)
    body = {"version": version, "edits": [edit.to_dict() for edit in edits.values()]}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/history", responses=AUTH_RESPONSES)
def get_history(
    session: DbSession,
    _grant: Annotated[KeyGrant, Depends(require_scope("content"))],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> JSONResponse:
    """Every edit, newest first: what, when, which role."""
    return JSONResponse({"edits": [edit.to_dict() for edit in history(session, limit)]})


@router.post(
    "/edits",
    status_code=status.HTTP_201_CREATED,
    responses={
        409: {"description": "The fact changed since `base`; `current` is the edit that won."},
        422: {"description": "The content loader refuses the edit; `problems` in Dutch. Nothing stored."},
        **AUTH_RESPONSES,
    },
)
def post_edit(
    ctx: Context, _grant: Annotated[KeyGrant, Depends(require_scope("content"))], edit: EditIn
) -> JSONResponse:
    """Validate and store one edit; it reaches residents when the action servers next poll (about 2 s)."""
    try:
        saved = save_edit(
            ctx.sessions, ctx.content_dir, key=edit.key, base=edit.base, change=edit.change, role=edit.role
        )
    except EditRefused as exc:
        body = {
            "message": exc.message,
            "problems": exc.problems,
            "current": exc.current.to_dict() if exc.current else None,
        }
        return JSONResponse(body, status_code=exc.status)
    return JSONResponse(saved.to_dict(), status_code=status.HTTP_201_CREATED)

"""Writes the staff edits back as knowledge/ YAML for a review in git (``python -m api content export``).

Why blocks and not rewritten files: PyYAML cannot keep the comments that explain each fact, so rewriting
locations.yml would lose them. The export gives, per file, every edited node exactly as it must read after the
edit (a fact mapping, a service's times, a location's closures, new source pages); the reviewer replaces those
nodes in the file, the loader checks the result (``make validate`` or the tests), and git shows the diff.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from knowledge.loader import CONTENT_DIR
from knowledge.overlay import LOCATIONS_FILE, ORGANISATIONS_FILE, Edit, apply_overlay
from knowledge.validation import read_yaml


def _by_id(items: Any, item_id: str) -> Any:
    return next((item for item in items or [] if isinstance(item, dict) and item.get("id") == item_id), None)


def _node(file: str, data: dict[str, Any], key: str) -> tuple[str, Any] | None:
    parts = key.split("/")
    if file == ORGANISATIONS_FILE and parts[0] == "org" and len(parts) == 3:
        org = _by_id(data.get("organisations"), parts[1])
        return (f"organisations[id={parts[1]}].{parts[2]}", org.get(parts[2])) if org else None
    if file != LOCATIONS_FILE:
        return None
    if parts[0] == "service" and len(parts) == 3:
        service = (data.get("services") or {}).get(parts[1])
        return (f"services.{parts[1]}.{parts[2]}", service.get(parts[2])) if isinstance(service, dict) else None
    if parts[0] != "location" or len(parts) < 3:
        return None
    location = _by_id(data.get("locations"), parts[1])
    if location is None:
        return None
    where = f"locations[id={parts[1]}]"
    if len(parts) == 3:
        return f"{where}.{parts[2]}", location.get(parts[2])
    if parts[2] in ("times", "session", "cancel"):
        return f"{where}.services.{parts[3]}", (location.get("services") or {}).get(parts[3])
    if parts[2] == "closure":
        return f"{where}.closures", location.get("closures")
    return None


def export_blocks(overlay: Mapping[str, Edit], content_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """file -> {place in the file: the node as it reads with every edit applied}."""
    root = content_dir or CONTENT_DIR
    out: dict[str, dict[str, Any]] = {}
    for file in (ORGANISATIONS_FILE, LOCATIONS_FILE):
        problems: list[str] = []
        _, original = read_yaml(root / file, file, problems)
        edited = apply_overlay(file, original, overlay, problems)
        if not isinstance(edited, dict) or edited is original:
            continue
        blocks: dict[str, Any] = {}
        for key in sorted(overlay):
            found = _node(file, edited, key)
            if found is not None:
                blocks[found[0]] = found[1]
        before = (original or {}).get("sources") or {}
        for page, value in (edited.get("sources") or {}).items():
            if page not in before:
                blocks[f"sources.{page}"] = value
        if blocks:
            out[f"knowledge/{file}"] = blocks
    return out


def export_text(overlay: Mapping[str, Edit], content_dir: Path | None = None, version: int = 0) -> str:
    """The export as YAML with a short instruction for the reviewer."""
    header = (
        f"# Staff edits up to edit {version}, as knowledge/ YAML (python -m api content export).\n"
        "# Replace each named node in its file with the block below, run the content tests and review the\n"
        "# diff in git. Dates are strings here; write them unquoted (checked_on: 2026-12-02) as the files do.\n"
    )
    return header + yaml.safe_dump(
        export_blocks(overlay, content_dir), sort_keys=False, allow_unicode=True, width=110
    )

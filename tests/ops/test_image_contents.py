"""The images copy every repository module their processes import (static; no Docker needed)."""

from __future__ import annotations

from pathlib import Path

from tests.ops import image_contents as ic

RASA = ic.ROOT / "deploy" / "rasa.Dockerfile"
APP = ic.ROOT / "deploy" / "app.Dockerfile"


def test_rasa_entry_points_are_found() -> None:
    modules = ic.rasa_entry_modules()
    expected = {"bot.connectors.webchat", "bot.connectors.triage", "actions.server", "actions.outbox_relay"}
    assert expected <= modules


def test_rasa_image_copies_every_module_its_processes_import() -> None:
    needed = ic.needed_files(ic.rasa_entry_modules())
    assert ic.ROOT / "shared" / "input_text.py" in needed  # the connectors' import that was once missing
    assert ic.missing(needed | ic.data_files(needed), ic.copied_paths(RASA)) == []


def test_app_image_copies_every_module_its_processes_import() -> None:
    modules = ic.compose_modules("wegwijzer-app")
    assert {"api", "bot.telegram", "bot.whatsapp", "bot.staff"} <= set(modules)
    needed = ic.needed_files(modules)
    assert ic.missing(needed | ic.data_files(needed), ic.copied_paths(APP)) == []


def test_a_deleted_copy_line_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / "rasa.Dockerfile"
    text = RASA.read_text(encoding="utf-8").replace("COPY knowledge knowledge\n", "")
    broken.write_text(text, encoding="utf-8")
    needed = ic.needed_files(ic.rasa_entry_modules())
    assert ic.missing(needed, ic.copied_paths(broken))

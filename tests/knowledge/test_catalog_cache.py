from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from knowledge import ContentError, catalog_cache, get_catalog


def _touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime + 5, stat.st_mtime + 5))


def test_an_edit_is_picked_up_without_a_restart(content_copy, monkeypatch):
    monkeypatch.setattr(catalog_cache, "RELOAD_CHECK_SECONDS", 0.0)
    before = get_catalog(content_copy)
    path = content_copy / "topics" / "email.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title:.*$", "title: E-mail (bewerkt)", text), encoding="utf-8")
    _touch_later(path)
    after = get_catalog(content_copy)
    assert before.topics["email"].title != "E-mail (bewerkt)"
    assert after.topics["email"].title == "E-mail (bewerkt)"


def test_a_broken_edit_keeps_the_last_good_content(content_copy, monkeypatch):
    monkeypatch.setattr(catalog_cache, "RELOAD_CHECK_SECONDS", 0.0)
    good = get_catalog(content_copy)
    path = content_copy / "places.yml"
    path.write_text("gemeenten: [unclosed\n", encoding="utf-8")
    _touch_later(path)
    assert get_catalog(content_copy) is good


def test_no_good_content_at_all_raises(tmp_path):
    with pytest.raises(ContentError):
        get_catalog(tmp_path)


def test_files_are_not_looked_at_on_every_call(content_copy, monkeypatch):
    monkeypatch.setattr(catalog_cache, "RELOAD_CHECK_SECONDS", 60.0)
    first = get_catalog(content_copy)
    path = content_copy / "topics" / "email.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _touch_later(path)
    assert get_catalog(content_copy) is first

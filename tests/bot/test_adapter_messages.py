from pathlib import Path

import pytest

from bot.messages import (
    DEFAULT_TEXTS,
    Button,
    OutgoingMessage,
    load_fixed_texts,
    merge_for_channel,
    truncate,
)


def test_texts_come_from_the_file_and_missing_keys_fall_back(tmp_path: Path) -> None:
    path = tmp_path / "messages.yml"
    path.write_text("rasa_unavailable: Even geduld.\nother_key: x\n", encoding="utf-8")
    texts = load_fixed_texts(path)
    assert texts.get("rasa_unavailable") == "Even geduld."
    assert texts.get("text_only") == DEFAULT_TEXTS["text_only"]
    assert "text_only" in texts.missing and "rasa_unavailable" not in texts.missing


@pytest.mark.parametrize("content", ["- a list\n", "rasa_unavailable: 3\n", "rasa_unavailable: ''\n"])
def test_malformed_file_is_an_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "messages.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"messages\.yml"):
        load_fixed_texts(path)


def test_project_file_has_the_rasa_unavailable_text() -> None:
    assert "rasa_unavailable" not in load_fixed_texts().missing


def test_merge_joins_texts_and_keeps_buttons_on_their_message() -> None:
    yes = (Button("Ja", "/affirm"),)
    merged = merge_for_channel(
        [OutgoingMessage("Een."), OutgoingMessage("Twee.", yes), OutgoingMessage("Drie.")]
    )
    assert merged == [OutgoingMessage("Een.\n\nTwee.", yes), OutgoingMessage("Drie.")]


def test_truncate_marks_the_cut() -> None:
    assert truncate("Praat met een medewerker", 20) == "Praat met een medew…"
    assert truncate("Kort", 20) == "Kort"

from pathlib import Path

import pytest
import yaml

from bot.messages import (
    Button,
    OutgoingMessage,
    load_fixed_texts,
    merge_for_channel,
    truncate,
)
from knowledge import ContentError, load_catalog
from knowledge.loader import CONTENT_DIR


def test_texts_come_from_the_project_file() -> None:
    source = yaml.safe_load((CONTENT_DIR / "messages.yml").read_text(encoding="utf-8"))
    texts = load_fixed_texts()
    for key in ("rasa_unavailable", "button_expired", "text_only", "choose_option", "list_button"):
        assert texts.get(key) == source[key].strip()


@pytest.mark.parametrize(
    ("change", "named"),
    [("drop", "text_only"), ("number", "rasa_unavailable"), ("empty", "button_expired")],
)
def test_a_missing_or_malformed_text_stops_the_start(tmp_path: Path, change: str, named: str) -> None:
    data = yaml.safe_load((CONTENT_DIR / "messages.yml").read_text(encoding="utf-8"))
    if change == "drop":
        del data[named]
    else:
        data[named] = 3 if change == "number" else ""
    path = tmp_path / "messages.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match=rf"messages\.yml: field '{named}'"):
        load_fixed_texts(path)


def test_the_channels_and_the_dialogue_read_one_file_with_one_loader() -> None:
    assert load_fixed_texts().texts == load_catalog().messages


def test_merge_joins_texts_and_keeps_buttons_on_their_message() -> None:
    yes = (Button("Ja", "/affirm"),)
    merged = merge_for_channel(
        [OutgoingMessage("Een."), OutgoingMessage("Twee.", yes), OutgoingMessage("Drie.")]
    )
    assert merged == [OutgoingMessage("Een.\n\nTwee.", yes), OutgoingMessage("Drie.")]


def test_truncate_marks_the_cut() -> None:
    assert truncate("Praat met een medewerker", 20) == "Praat met een medew…"
    assert truncate("Kort", 20) == "Kort"

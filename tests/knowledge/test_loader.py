from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge import ContentError, load_catalog

TOPICS_MD = Path(__file__).resolve().parents[2] / "docs" / "topic-ids.txt"


def _ids_from_taxonomy() -> set[str]:
    return {line.strip() for line in TOPICS_MD.read_text().splitlines() if re.match(r"^[a-z_]+$", line.strip())}


def test_every_topic_id_has_content(catalog):
    assert set(catalog.topics) == _ids_from_taxonomy()


def test_real_content_loads_with_cross_references(catalog):
    assert catalog.topics["buiten_bereik"].also_for_intents == ("nlu_fallback",)
    assert catalog.topic_for_intent("nlu_fallback").id == "buiten_bereik"
    for topic in catalog.topics.values():
        assert len(topic.simple.split()) <= 40, topic.id
        assert topic.sources, topic.id
    assert {loc.gemeente for loc in catalog.locations} == set(catalog.gemeenten)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(root: Path) -> str:
    with pytest.raises(ContentError) as info:
        load_catalog(root)
    return str(info.value)


def test_missing_required_field_names_file_and_field(content_copy):
    path = content_copy / "topics" / "toeslagen.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title:.*$", "", text), encoding="utf-8")
    assert "knowledge/topics/toeslagen.yml: field 'title': is required" in _problems(content_copy)


def test_unknown_field_is_rejected(content_copy):
    path = content_copy / "topics" / "email.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\nanwser: typo\n", encoding="utf-8")
    assert "topics/email.yml: field 'anwser': unknown field" in _problems(content_copy)


def test_id_must_match_file_name(content_copy):
    _edit(content_copy / "topics" / "email.yml", "id: email", "id: e_mail")
    assert "'e_mail' must equal the file name 'email'" in _problems(content_copy)


def test_simple_version_longer_than_40_words_is_rejected(content_copy):
    path = content_copy / "topics" / "privacy.yml"
    text = path.read_text(encoding="utf-8")
    long = "simple: " + " ".join(["woord"] * 41)
    path.write_text(re.sub(r"(?ms)^simple:.*?(?=^\w)", long + "\n", text), encoding="utf-8")
    assert "topics/privacy.yml: field 'simple': has 41 words" in _problems(content_copy)


def test_unknown_referral_target_is_rejected(content_copy):
    _edit(content_copy / "topics" / "e_cafe.yml", "e_cafe]", "e_cafee]")
    assert "unknown target 'e_cafee'" in _problems(content_copy)


def test_invalid_yaml_is_reported_with_file(content_copy):
    (content_copy / "places.yml").write_text("gemeenten: [unclosed\n", encoding="utf-8")
    assert "knowledge/places.yml: not valid YAML" in _problems(content_copy)


def test_bad_time_and_weekday_are_reported(content_copy):
    _edit(
        content_copy / "locations.yml",
        'day: dinsdag, start: "14:00"',
        'day: tuesday, start: "14:00"',
    )
    _edit(content_copy / "locations.yml", 'start: "10:00", end: "12:00"', 'start: "10:00", end: "9"')
    problems = _problems(content_copy)
    assert "'tuesday' must be a Dutch weekday" in problems
    assert "must be a quoted time like \"14:00\", got '9'" in problems


def test_non_https_link_is_rejected(content_copy):
    path = content_copy / "organisations.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("url: https://", "url: http://", 1), encoding="utf-8")
    assert "is not an https:// URL" in _problems(content_copy)


def test_missing_message_key_is_reported(content_copy):
    path = content_copy / "messages.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^ask_place:.*$", "", text), encoding="utf-8")
    assert "knowledge/messages.yml: field 'ask_place': is required by the dialogue" in _problems(content_copy)

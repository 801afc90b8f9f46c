from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge import ContentError, load_catalog

TOPICS_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "topics"


def test_every_topic_file_is_loaded_under_its_own_name(catalog):
    assert set(catalog.topics) == {p.stem for p in TOPICS_DIR.glob("*.yml")}


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
    slot = 'day: vrijdag, start: "10:00", end: "12:00"'
    _edit(content_copy / "locations.yml", slot, 'day: friday, start: "10:00", end: "12:00"')
    _edit(content_copy / "locations.yml", slot, 'day: vrijdag, start: "10:00", end: "9"')
    problems = _problems(content_copy)
    assert "'friday' must be a Dutch weekday" in problems
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


# --- local facts: every fact carries its own state (docs/CONTENT.md, "Local facts") --------------------------

HUB_ADDRESS = """    address:
      value: Martin Buberplein 15, Kerkrade
      state: assumed
      source: parkstad_taal_2021
      checked_on: 2021-09-07
      note: Adres uit een bericht van september 2021. Staf - bevestig het adres.
    phone: null"""
HUB = "knowledge/locations.yml: locations[0] (hub_kerkrade)"


def _hub_address(root: Path, *lines: str) -> None:
    """Replace the HuB's address fact with ``lines`` (each indented under ``address:``)."""
    block = "\n".join(["    address:", *(f"      {line}" for line in lines)])
    _edit(root / "locations.yml", HUB_ADDRESS, block + "\n    phone: null")


def test_real_local_facts_all_carry_a_state(catalog):
    facts = [f for loc in catalog.locations for f in loc.facts().values()]
    facts += [f for org in catalog.organisations.values() for f in org.facts().values()]
    facts += [f for service in catalog.services.values() for f in service.facts().values()]
    assert facts and all(f.check.state in ("confirmed", "assumed") for f in facts)
    assert all(f.check.confirmed_by for f in facts if f.confirmed)
    assert all(f.check.note for f in facts if not f.confirmed)
    schedules = [s for loc in catalog.locations for s in loc.services.values() if s.weekly]
    assert schedules and all(s.check is not None for s in schedules)


def test_the_kerkrade_2021_times_and_the_other_branches_copies_stay_assumed(catalog):
    for loc in catalog.locations:
        for schedule in loc.services.values():
            assert not schedule.confirmed, (
                f"{loc.id}: {schedule.service_id} times are confirmed without a source"
            )


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (
            ["value: Markt 1", "state: maybe", "source: ido_2021", "checked_on: 2026-12-01", "note: x"],
            f"{HUB}: address: field 'state': 'maybe' must be one of: confirmed, assumed",
        ),
        (
            ["value: Markt 1", "source: ido_2021", "checked_on: 2026-12-01", "note: x"],
            f"{HUB}: address: field 'state': is required",
        ),
        (
            ["value: Markt 1", "state: confirmed", "source: ido_2021", "checked_on: 2026-12-01"],
            f"{HUB}: address: field 'confirmed_by': a confirmed fact says which role confirmed it",
        ),
        (
            ["value: Markt 1", "state: confirmed", "source: ido_2021", "checked_on: 2026-12-01",
             "confirmed_by: Jan Jansen"],
            "'Jan Jansen' looks like a name; write a role in lower case",
        ),
        (
            ["value: Markt 1", "state: assumed", "source: ido_2021", "checked_on: 2026-12-01",
             "confirmed_by: medewerker Informatiepunt", "note: x"],
            f"{HUB}: address: field 'confirmed_by': only a confirmed fact names who confirmed it",
        ),
        (
            ["value: Markt 1", "state: assumed", "source: ido_2021", "checked_on: 2026-12-01"],
            f"{HUB}: address: field 'note': say what is assumed and what staff must check",
        ),
        (
            ["value: Markt 1", "state: assumed", "source: krant", "checked_on: 2026-12-01", "note: x"],
            f"{HUB}: address: field 'source': unknown source 'krant'",
        ),
        (
            ["value: Markt 1", "state: assumed", "source: ido_2021", "note: x"],
            f"{HUB}: address: field 'checked_on': is required",
        ),
        (
            ["value: Markt 1", "state: assumed", "source: ido_2021", "checked_on: gisteren", "note: x"],
            f"{HUB}: address: field 'checked_on': must be a date like 2026-11-25",
        ),
        (
            ["value: Markt 1", "state: assumed", "source: ido_2021", "checked_on: 2026-12-01", "note: x",
             "verify: true"],
            f"{HUB}: address: field 'verify': unknown field",
        ),
    ],
)  # fmt: skip
def test_a_local_fact_with_a_bad_state_is_rejected_naming_file_and_field(content_copy, lines, problem):
    _hub_address(content_copy, *lines)
    assert problem in _problems(content_copy)


def test_a_confirmed_fact_with_a_role_loads(content_copy):
    _hub_address(
        content_copy,
        "value: Martin Buberplein 15, Kerkrade",
        "state: confirmed",
        "source: ido_2021",
        "checked_on: 2026-12-01",
        "confirmed_by: medewerker Informatiepunt",
    )
    hub = next(loc for loc in load_catalog(content_copy).locations if loc.id == "hub_kerkrade")
    assert hub.address is not None and hub.address.confirmed
    assert hub.address.check.confirmed_by == "medewerker Informatiepunt"
    assert hub.address.check.source.url.startswith("https://www.bibliotheekkerkrade.nl/")


def test_a_fact_written_as_plain_text_is_rejected(content_copy):
    _edit(content_copy / "locations.yml", HUB_ADDRESS, "    address: Markt 1\n    phone: null")
    assert f"{HUB}: field 'address': a local fact needs value, state, source and checked_on" in _problems(
        content_copy
    )


def test_weekly_times_need_a_state(content_copy):
    _edit(
        content_copy / "locations.yml",
        "        state: assumed\n        source: ido_2021\n",
        "        source: ido_2021\n",
    )
    assert f"{HUB}: services.informatiepunt: field 'state': is required" in _problems(content_copy)


def test_an_organisation_phone_needs_its_state(content_copy):
    _edit(
        content_copy / "organisations.yml",
        "      value: 088 786 73 72\n      state: confirmed\n",
        "      value: 088 786 73 72\n      state: bevestigd\n",
    )
    problems = _problems(content_copy)
    assert (
        "knowledge/organisations.yml: organisations[7] (fraudehelpdesk): phone: field 'state': 'bevestigd'"
        in (problems)
    )


def test_the_old_verify_flag_on_a_location_is_refused(content_copy):
    _edit(content_copy / "locations.yml", "    phone: null\n", "    phone: null\n    verify: true\n")
    assert f"{HUB}: field 'verify': unknown field" in _problems(content_copy)


def test_negative_service_name_must_start_with_geen(content_copy):
    _edit(content_copy / "locations.yml", "negative: geen Taalhuis", "negative: een Taalhuis")
    assert "services.taalhuis: field 'negative': 'een Taalhuis' must start with 'geen '" in _problems(
        content_copy
    )


def _absent(root: Path, gemeente: str) -> None:
    _edit(
        root / "locations.yml",
        "    # Known absence goes here",
        f"    absent_in:\n      {gemeente}: {{state: confirmed, source: ido_2021, checked_on: 2026-12-01, "
        "confirmed_by: medewerker Taalhuis}\n    # Known absence goes here",
    )


def test_a_known_absence_loads_and_only_a_confirmed_one_counts(content_copy):
    _absent(content_copy, "voerendaal")
    taalhuis = load_catalog(content_copy).services["taalhuis"]
    assert taalhuis.known_absent("voerendaal")
    assert not taalhuis.known_absent("brunssum")


def test_an_absence_where_the_service_is_offered_is_rejected(content_copy):
    _absent(content_copy, "kerkrade")
    assert (
        "services.taalhuis: absent_in.kerkrade: says there is none, but location 'hub_kerkrade' offers it"
        in (_problems(content_copy))
    )


def test_an_absence_in_an_unknown_municipality_is_rejected(content_copy):
    _absent(content_copy, "heerlen")
    assert "absent_in.heerlen: unknown gemeente 'heerlen'" in _problems(content_copy)


def test_places_ordinary_word_must_be_a_place_and_sources_must_exist(content_copy):
    places = content_copy / "places.yml"
    _edit(places, "ordinary_words: [Gracht,", "ordinary_words: [Gracht, Fiets,")
    _edit(places, "sources: [plaatsengids_brunssum,", "sources: [plaatsengids_nergens,")
    _edit(places, "source: herzogenrath,", "source: herzogenrath_nergens,")
    problems = _problems(content_copy)
    assert "ordinary_words: 'Fiets' is not a place name in this file" in problems
    assert "gemeenten.brunssum.sources: unknown source 'plaatsengids_nergens'" in problems
    assert "source: unknown source 'herzogenrath_nergens'" in problems

"""No guess is shown as a fact (issue 9): how referrals read for every local service and helpline.

The real content is rendered for every municipality at a moment when the assumed Friday desk would be open, so a
test fails as soon as an assumed schedule says "Nu open" or gives dates, an assumed rule says "gewoon
binnenlopen", a confirmed referral carries the warning, or an unconfirmed field is shown without it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from actions import render
from knowledge import Catalog, load_catalog
from knowledge.models import CONFIRMED, Check, Source
from knowledge.referrals import referrals_for
from tests.actions.action_support import HUB_TIMES_ASSUMED, HUB_TIMES_CONFIRMED, edited_content

CATALOG = load_catalog()
AMS = ZoneInfo("Europe/Amsterdam")
FRIDAY_MORNING = datetime(2025, 11, 28, 10, 30, tzinfo=AMS)  # inside the assumed Friday 10:00-12:00
WEDNESDAY = datetime(2025, 11, 26, 19, 0, tzinfo=AMS)
ALL_TARGETS = tuple(CATALOG.services) + tuple(CATALOG.organisations)
MARK = CATALOG.message("unchecked_mark")
LABELS = {
    "address": CATALOG.message("label_address"),
    "phone": CATALOG.message("label_phone"),
    "opening_hours": CATALOG.message("label_hours"),
    "appointment": CATALOG.message("label_appointment"),
    "cost": CATALOG.message("label_cost"),
}


def _fixed(key: str) -> str:
    """The fixed part of a message before its first placeholder ("Nu open, tot {until}." -> "Nu open, tot")."""
    return CATALOG.messages[key].split("{")[0].strip()


def _all_referrals(catalog: Catalog, now: datetime):
    for gemeente in catalog.gemeenten:
        yield from referrals_for(catalog, ALL_TARGETS, gemeente, now)
    yield from referrals_for(catalog, ALL_TARGETS, None, now)


@pytest.mark.parametrize("now", [FRIDAY_MORNING, WEDNESDAY], ids=["friday-morning", "wednesday"])
def test_a_provisional_schedule_never_says_open_now_or_next_times(now):
    for ref in _all_referrals(CATALOG, now):
        text = render.referral_text(CATALOG, ref)
        assert _fixed("open_now") not in text, ref.name
        assert CATALOG.message("closed_now") not in text, ref.name
        assert _fixed("next_sessions") not in text, ref.name
        assert not re.search(r"\b\d{1,2}:\d{2}\b", text), f"{ref.name} shows an unconfirmed time"
        assert ref.as_contract()["next_open"] is None


def test_an_assumed_rule_never_says_walk_in():
    for ref in _all_referrals(CATALOG, FRIDAY_MORNING):
        text = render.referral_text(CATALOG, ref)
        assert "binnenlopen" not in text, ref.name
        assert LABELS["appointment"] + ":" not in text, ref.name


def test_every_shown_unconfirmed_field_has_its_warning_and_no_confirmed_one_does():
    for ref in _all_referrals(CATALOG, FRIDAY_MORNING):
        lines = render.referral_text(CATALOG, ref).splitlines()
        for name, label in LABELS.items():
            shown = [line for line in lines if line.startswith(f"{label}: ")]
            for line in shown:
                if name in ref.unconfirmed:
                    assert line.endswith(MARK), f"{ref.name}: {line!r} lacks the warning"
                else:
                    assert MARK not in line, f"{ref.name}: {line!r} is confirmed but warned"


@pytest.mark.parametrize("org_id", ["fraudehelpdesk", "juridisch_loket"])
def test_a_confirmed_referral_shows_no_warning(org_id):
    (ref,) = referrals_for(CATALOG, (org_id,), None, WEDNESDAY)
    assert ref.unconfirmed == () and ref.verify is False
    text = render.referral_text(CATALOG, ref)
    assert "gecontroleerd" not in text
    assert (
        f"{LABELS['phone']}: {ref.phone}" in text and f"{LABELS['opening_hours']}: {ref.opening_hours}" in text
    )


def test_an_assumed_helpline_number_is_shown_with_its_warning():
    (ref,) = referrals_for(CATALOG, ("digid_helpdesk",), None, WEDNESDAY)
    assert f"{LABELS['phone']}: 088 123 65 55 {MARK}" in render.referral_text(CATALOG, ref)
    assert ref.unconfirmed == ("phone",)


def test_a_municipality_with_a_confirmed_phone_says_call_before_you_go():
    (ref,) = referrals_for(CATALOG, ("gemeente_loket",), "simpelveld", WEDNESDAY)
    text = render.referral_text(CATALOG, ref)
    assert CATALOG.message("find_out_call", phone="045 544 83 83") in text
    assert "gecontroleerd" not in text


def test_unknown_times_without_a_confirmed_phone_point_to_the_website():
    (ref,) = referrals_for(CATALOG, ("informatiepunt",), "brunssum", WEDNESDAY)
    text = render.referral_text(CATALOG, ref)
    assert f"{CATALOG.message('hours_unchecked')} {CATALOG.message('find_out_website')}" in text
    assert ref.opening_hours == "vrijdag 10:00–12:00"  # staff still see the assumption, flagged
    assert "opening_hours" in ref.unconfirmed


def _confirmed_catalog(tmp_path: Path) -> Catalog:
    return load_catalog(edited_content(tmp_path, ("locations.yml", HUB_TIMES_ASSUMED, HUB_TIMES_CONFIRMED)))


def test_confirmed_times_say_open_now_and_the_next_times(tmp_path):
    catalog = _confirmed_catalog(tmp_path)
    (during,) = referrals_for(catalog, ("informatiepunt",), "kerkrade", FRIDAY_MORNING)
    assert during.open_now is True
    assert catalog.message("open_now", until="12:00") in render.referral_text(catalog, during)
    (later,) = referrals_for(catalog, ("informatiepunt",), "kerkrade", WEDNESDAY)
    text = render.referral_text(catalog, later)
    assert f"{catalog.message('label_hours')}: vrijdag 10:00–12:00" in text
    assert catalog.message("closed_now") in text and "Volgende keren: vrijdag 28 november, 10:00–12:00" in text
    assert later.as_contract()["next_open"] == "vrijdag 28 november, 10:00–12:00"
    # the address is still only assumed: only that field is warned about
    assert later.unconfirmed == ("address", "appointment", "cost")
    assert "De tijden zijn" not in text


def test_a_referral_whose_shown_facts_are_all_confirmed_has_no_warning(tmp_path):
    catalog = _confirmed_catalog(tmp_path)
    check = Check(CONFIRMED, Source("https://www.bibliotheekkerkrade.nl", WEDNESDAY.date(), "x"), "medewerker")
    hub = next(loc for loc in catalog.locations if loc.id == "hub_kerkrade")
    assert hub.address is not None
    hub = replace(hub, address=replace(hub.address, check=check))
    catalog = replace(catalog, locations=(hub, *(loc for loc in catalog.locations if loc.id != hub.id)))
    service = catalog.services["informatiepunt"]
    services = dict(catalog.services)
    services["informatiepunt"] = replace(service, appointment=None, cost=None)
    catalog = replace(catalog, services=services)
    (ref,) = referrals_for(catalog, ("informatiepunt",), "kerkrade", WEDNESDAY)
    assert ref.unconfirmed == ()
    assert "gecontroleerd" not in render.referral_text(catalog, ref)


def test_the_contract_tells_staff_per_field_what_is_unconfirmed():
    (ref,) = referrals_for(CATALOG, ("informatiepunt",), "kerkrade", WEDNESDAY)
    contract = ref.as_contract()
    # the original fields stay
    assert {
        "id",
        "name",
        "kind",
        "gemeente",
        "address",
        "opening_hours",
        "phone",
        "url",
        "next_open",
        "verify",
    } <= (set(contract))
    assert contract["verify"] is True
    assert contract["unconfirmed"] == ["address", "opening_hours", "appointment", "cost"]
    hours = contract["checks"]["opening_hours"]
    assert hours["state"] == "assumed" and hours["checked_on"] == "2021-06-17"
    assert hours["source_url"].startswith("https://www.bibliotheekkerkrade.nl/") and hours["note"]
    assert hours["confirmed_by"] is None
    (fraud,) = referrals_for(CATALOG, ("fraudehelpdesk",), None, WEDNESDAY)
    fraud_contract = fraud.as_contract()
    assert fraud_contract["verify"] is False and fraud_contract["unconfirmed"] == []
    assert fraud_contract["checks"]["phone"]["confirmed_by"] == "redactie Wegwijzer"


# --- "In Voerendaal is geen Taalhuis" only when that is known (issue 9, item 3) ------------------------------

SENTENCES = {
    "informatiepunt": ("een Informatiepunt Digitale Overheid", "geen Informatiepunt Digitale Overheid"),
    "e_cafe": ("een E-café", "geen E-café"),
    "taalhuis": ("een Taalhuis", "geen Taalhuis"),
    "cursussen": ("cursussen van de bibliotheek", "geen cursussen van de bibliotheek"),
    "bibliotheek": ("een bibliotheek", "geen bibliotheek"),
    "geldwijzerwinkel": ("een GeldWijzerWinkel", "geen GeldWijzerWinkel"),
    "gemeente_loket": ("een gemeentehuis", "geen gemeentehuis"),
}


def test_every_service_has_its_sentence_forms():
    assert set(SENTENCES) == set(CATALOG.services)


@pytest.mark.parametrize("service_id", sorted(SENTENCES))
def test_missing_data_is_not_told_as_absence_and_the_grammar_holds(service_id):
    indefinite, _ = SENTENCES[service_id]
    text = render.missing_service_text(CATALOG, service_id, "voerendaal", "kerkrade")
    assert text.startswith(f"Ik weet niet of Voerendaal {indefinite} heeft. ")
    assert text.endswith(" U kunt wel terecht in Kerkrade.")
    assert "heeft geen" not in text and " is geen " not in text


@pytest.mark.parametrize("service_id", sorted(SENTENCES))
def test_a_confirmed_absence_is_said_plainly_for_every_service(service_id):
    _, negative = SENTENCES[service_id]
    check = Check(CONFIRMED, Source("https://www.bibliotheekkerkrade.nl", WEDNESDAY.date(), "x"), "medewerker")
    services = dict(CATALOG.services)
    services[service_id] = replace(services[service_id], absent_in={"voerendaal": check})
    catalog = replace(CATALOG, services=services)
    assert (
        render.missing_service_text(catalog, service_id, "voerendaal", None) == f"Voerendaal heeft {negative}."
    )


def test_an_assumed_absence_still_counts_as_not_knowing():
    check = Check(
        "assumed", Source("https://www.bibliotheekkerkrade.nl", WEDNESDAY.date(), "x"), None, "aanname"
    )
    services = dict(CATALOG.services)
    services["taalhuis"] = replace(services["taalhuis"], absent_in={"voerendaal": check})
    catalog = replace(CATALOG, services=services)
    assert render.missing_service_text(catalog, "taalhuis", "voerendaal", None).startswith("Ik weet niet of")


def test_a_taalhuis_question_in_voerendaal_says_the_bot_does_not_know():
    refs = referrals_for(CATALOG, ("taalhuis", "informatiepunt"), "voerendaal", WEDNESDAY)
    text = render.referrals_text(CATALOG, refs, "voerendaal")
    assert "Ik weet niet of Voerendaal een Taalhuis heeft." in text
    assert "Voerendaal heeft geen" not in text and "In Voerendaal is geen" not in text
    assert text.count("Ik weet niet of") == 1  # the Informatiepunt is in Voerendaal itself


def test_a_taalhuis_question_in_voerendaal_says_there_is_none_when_staff_confirmed_it(tmp_path):
    absent = (
        "    absent_in:\n      voerendaal: {state: confirmed, source: parkstad_taal_2021, "
        "checked_on: 2025-11-20, confirmed_by: medewerker Taalhuis}\n    # Known absence goes here"
    )
    catalog = load_catalog(edited_content(tmp_path, ("locations.yml", "    # Known absence goes here", absent)))
    refs = referrals_for(catalog, ("taalhuis",), "voerendaal", WEDNESDAY)
    text = render.referrals_text(catalog, refs, "voerendaal")
    assert "Voerendaal heeft geen Taalhuis. U kunt wel terecht in Kerkrade." in text

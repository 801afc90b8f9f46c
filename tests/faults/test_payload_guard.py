"""Unit tests for shared/payload_guard.py: what Rasa parses as a payload, and what the guard lets through."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from knowledge.pii import mask_pii
from shared.input_text import clean_text
from shared.payload_guard import OfferedPayloads, guard, looks_like_payload, neutralise
from tests.fake_clock import Clock


def test_neutralise_strips_every_leading_slash_and_keeps_the_words() -> None:
    assert neutralise('/medewerker{"x":1}') == 'medewerker{"x":1}'
    assert neutralise("  // \u3000/digid_aanvragen") == "digid_aanvragen"
    assert neutralise("/") == ""
    assert neutralise("Hoe vraag ik DigiD aan? /nu") == "Hoe vraag ik DigiD aan? /nu"


def test_a_slash_that_masking_would_reveal_counts_as_payload() -> None:
    # Found by the fuzz smoke run: masking folds "\u200b/a@b.nl" to "/[E-MAIL]", a payload after the guard.
    for hidden in ("\u200b/a@b.nl", "\ufeff /medewerker", "\uff0fmedewerker", "\u2060\u200d/x"):
        assert looks_like_payload(hidden), repr(hidden)
        assert not looks_like_payload(neutralise(hidden)), repr(hidden)


@given(st.text())
def test_guarded_then_masked_text_is_never_a_payload(text: str) -> None:
    # The order every channel uses: the guard first, then masking.
    guarded = guard(OfferedPayloads(), "anna", text)
    assert not looks_like_payload(mask_pii(guarded.text).text)


@given(st.text())
def test_neutralised_text_is_never_a_payload(text: str) -> None:
    assert not looks_like_payload(neutralise(text))


def test_only_the_conversation_that_got_the_button_may_press_it() -> None:
    # arrange
    offered = OfferedPayloads()
    offered.record("anna", ['/inform_place{"place":"kerkrade"}', "/simpler", "Ja"])
    # act / assert
    assert guard(offered, "anna", '/inform_place{"place":"kerkrade"}').outcome == "payload"
    assert guard(offered, "anna", " /simpler ").text == "/simpler"
    assert guard(offered, "bert", "/simpler").outcome == "neutralised"
    forged = guard(offered, "anna", '/inform_place{"place":"brunssum"}')
    assert forged.text == 'inform_place{"place":"brunssum"}'
    assert guard(offered, "anna", "gewone vraag").outcome == "text"


def test_offers_expire_and_the_map_stays_bounded() -> None:
    # arrange
    clock = Clock()
    offered = OfferedPayloads(ttl_seconds=60, max_senders=3, max_per_sender=2, clock=clock)
    offered.record("anna", ["/a", "/b", "/c"])
    # assert: only the last two payloads per sender are kept
    assert not offered.was_offered("anna", "/a")
    assert offered.was_offered("anna", "/c")
    # expiry
    clock.now = 61
    assert not offered.was_offered("anna", "/c")
    # the least recently active conversation is dropped first
    for name in ("b", "c", "d", "e"):
        offered.record(name, ["/x"])
    assert len(offered) == 3
    assert not offered.was_offered("b", "/x")
    assert offered.was_offered("e", "/x")


@given(st.text(), st.integers(min_value=0, max_value=50))
def test_clean_text_is_encodable_bounded_and_free_of_control_characters(text: str, limit: int) -> None:
    cleaned = clean_text(text, limit)
    cleaned.encode("utf-8")
    assert len(cleaned) <= limit
    assert not any(ord(c) < 32 and c not in "\t\n" for c in cleaned)

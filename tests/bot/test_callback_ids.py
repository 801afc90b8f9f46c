from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.callback_ids import MAX_CALLBACK_BYTES, CallbackIds
from tests.fake_clock import Clock


@given(st.text(min_size=1, max_size=2000))
def test_any_payload_maps_to_64_bytes_and_back(payload: str) -> None:
    ids = CallbackIds()
    data = ids.id_for(payload)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert ids.payload_for(data) == payload


def test_short_payload_survives_a_restart() -> None:
    data = CallbackIds().id_for("/affirm")
    assert CallbackIds().payload_for(data) == "/affirm"


def test_long_payload_is_unknown_after_a_restart() -> None:
    payload = '/inform_place{"place":"kerkrade_west","topic":"digid_aanvragen_en_activeren"}'
    data = CallbackIds().id_for(payload)
    assert CallbackIds().payload_for(data) is None


def test_long_payload_expires_after_ttl() -> None:
    clock = Clock()
    ids = CallbackIds(ttl_seconds=10, clock=clock)
    data = ids.id_for("/x" + "y" * 100)
    clock.now = 11
    assert ids.payload_for(data) is None


def test_forged_or_malformed_data_is_refused() -> None:
    ids = CallbackIds()
    for data in (None, "", "p:", "k:forged", "anything"):
        assert ids.payload_for(data) is None

"""The web-chat limits (bot/connectors/limits.py) and the masking workers (bot/connectors/masking_pool.py).

The flood against the real Rasa is tests/ops/test_webchat_limits.py; these pin the rules one by one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time

import pytest

from bot.connectors.limits import (
    MAX_REFUSED_IN_A_ROW,
    NOTICE_INTERVAL_SECONDS,
    Buckets,
    Limiter,
    LimitsError,
    Rate,
    WebchatLimits,
    allowed_metadata,
    client_address,
    metadata_too_big,
    text_too_long,
)
from bot.connectors.masking_pool import MaskingBusy, MaskingPool
from bot.connectors.webchat_events import refusal, sanitise_event
from knowledge.pii import mask_pii
from tests.fake_clock import Clock

# --- token buckets ---------------------------------------------------------------------------------------


def test_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    clock = Clock(1000.0)
    buckets = Buckets(Rate(burst=3, per_minute=60), clock=clock)
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5
    assert not buckets.take("a")
    clock.now += 0.5  # one token a second
    assert buckets.take("a")
    assert not buckets.take("a")
    clock.now += 3600
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False], "refill stops at the burst"


def test_buckets_forget_the_least_recently_used_keys_beyond_their_bound() -> None:
    buckets = Buckets(Rate(burst=1, per_minute=1), max_keys=2, clock=Clock(1000.0))
    for key in ("a", "b", "c"):
        buckets.take(key)
    assert len(buckets) == 2
    assert buckets.take("a"), "a was forgotten, so it starts with a full bucket"


def test_the_limiter_counts_each_socket_and_their_shared_address() -> None:
    clock = Clock(1000.0)
    limits = WebchatLimits(per_socket=Rate(2, 1), per_address=Rate(6, 1))
    limiter = Limiter(limits, clock=clock)
    for sid in ("s1", "s2", "s3"):
        assert limiter.connect(sid, "203.0.113.7"), "a new socket takes one token of its address"
    assert limiter.connect("other", "198.51.100.1")

    assert [limiter.admit("s1") for _ in range(3)] == [True, True, False], "the socket's own bucket"
    assert [limiter.admit("s2") for _ in range(2)] == [True, False], "the address has one token left"
    assert not limiter.admit("s3")
    assert not limiter.connect("s4", "203.0.113.7"), "an empty address bucket refuses new sockets"
    assert not limiter.admit("s3", with_address=True)
    limiter.disconnected("s3")
    assert limiter.connect("s3", "198.51.100.1")
    assert limiter.admit("s3", with_address=False), "a session_request counts against its socket alone"
    assert limiter.admit("other"), "another address is not affected"


def test_a_socket_that_keeps_sending_after_refusals_is_to_be_disconnected() -> None:
    clock = Clock(1000.0)
    limiter = Limiter(WebchatLimits(per_socket=Rate(1, 6)), clock=clock)
    limiter.connect("s1", "203.0.113.7")
    assert limiter.admit("s1")
    for _ in range(MAX_REFUSED_IN_A_ROW):
        assert not limiter.admit("s1")
    assert not limiter.should_disconnect("s1")
    clock.now += 10  # one token refilled: an admission resets the count
    assert limiter.admit("s1")
    for _ in range(MAX_REFUSED_IN_A_ROW + 1):
        assert not limiter.admit("s1")
    assert limiter.should_disconnect("s1")


def test_a_refused_socket_is_told_once_per_interval() -> None:
    clock = Clock(1000.0)
    limiter = Limiter(WebchatLimits(), clock=clock)
    assert limiter.should_tell("s1", "limit_too_fast")
    assert not limiter.should_tell("s1", "limit_too_fast")
    assert limiter.should_tell("s1", "limit_too_long"), "each text once"
    assert limiter.should_tell("s2", "limit_too_fast")
    clock.now += NOTICE_INTERVAL_SECONDS
    assert limiter.should_tell("s1", "limit_too_fast")


def test_a_disconnected_socket_is_forgotten_but_its_address_bucket_stays() -> None:
    limiter = Limiter(WebchatLimits(per_socket=Rate(1, 1), per_address=Rate(3, 1)), clock=Clock(1000.0))
    assert limiter.connect("s1", "203.0.113.7")
    assert limiter.admit("s1")
    limiter.disconnected("s1")
    assert limiter.connect("s2", "203.0.113.7")
    assert not limiter.admit("s2"), "reconnecting does not refill the address"


# --- client address --------------------------------------------------------------------------------------

PROXY = (ipaddress.ip_network("10.0.0.0/8"),)


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("10.1.2.3", "203.0.113.7", "203.0.113.7"),
        ("10.1.2.3", "1.1.1.1, 203.0.113.7", "203.0.113.7"),  # left entries are what the client sent
        ("10.1.2.3", "2001:db8::1", "2001:db8::1"),
        ("10.1.2.3", "not-an-address", "10.1.2.3"),
        ("10.1.2.3", None, "10.1.2.3"),
        ("198.51.100.1", "203.0.113.7", "198.51.100.1"),  # not a trusted proxy: the header is ignored
        ("", "203.0.113.7", ""),
    ],
)
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
    peer: str, header: str | None, expected: str
) -> None:
    assert client_address(peer, header, PROXY) == expected


def test_without_trusted_proxies_the_header_is_never_believed() -> None:
    assert client_address("127.0.0.1", "203.0.113.7", ()) == "127.0.0.1"


# --- settings --------------------------------------------------------------------------------------------


def test_settings_default_when_unset_or_empty_and_read_every_variable() -> None:
    assert WebchatLimits.from_environ({}) == WebchatLimits()
    assert WebchatLimits.from_environ({"WEBCHAT_SOCKET_BURST": " "}) == WebchatLimits()
    limits = WebchatLimits.from_environ(
        {
            "WEBCHAT_SOCKET_BURST": "2",
            "WEBCHAT_SOCKET_PER_MINUTE": "7.5",
            "WEBCHAT_ADDRESS_BURST": "9",
            "WEBCHAT_ADDRESS_PER_MINUTE": "90",
            "WEBCHAT_MAX_FRAME_BYTES": "4096",
            "WEBCHAT_MAX_TEXT_CHARS": "1000",
            "WEBCHAT_METADATA_KEYS": "page, lang",
            "WEBCHAT_MAX_METADATA_BYTES": "64",
            "WEBCHAT_MASK_WORKERS": "2",
            "WEBCHAT_MASK_QUEUE": "3",
            "WEBCHAT_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
        }
    )
    assert limits == WebchatLimits(
        per_socket=Rate(2, 7.5),
        per_address=Rate(9, 90.0),
        max_frame_bytes=4096,
        max_text_chars=1000,
        metadata_keys=frozenset({"page", "lang"}),
        max_metadata_bytes=64,
        mask_workers=2,
        mask_queue=3,
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8")),
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBCHAT_SOCKET_BURST", "many"),
        ("WEBCHAT_SOCKET_BURST", "0"),
        ("WEBCHAT_ADDRESS_PER_MINUTE", "-1"),
        ("WEBCHAT_ADDRESS_PER_MINUTE", "nan"),
        ("WEBCHAT_MAX_FRAME_BYTES", "10"),
        ("WEBCHAT_TRUSTED_PROXIES", "proxy.internal"),
    ],
)
def test_an_invalid_setting_stops_start_up_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(LimitsError, match=name):
        WebchatLimits.from_environ({name: value})


# --- text and metadata -----------------------------------------------------------------------------------


def test_text_and_metadata_size_rules() -> None:
    limits = WebchatLimits(max_text_chars=10, max_metadata_bytes=20, metadata_keys=frozenset({"page"}))
    assert not text_too_long("a" * 10, limits)
    assert text_too_long("a" * 11, limits)
    assert not text_too_long(None, limits)
    assert not metadata_too_big(None, limits)
    assert not metadata_too_big({"page": "x"}, limits)
    assert metadata_too_big({"page": "x" * 20}, limits)
    assert metadata_too_big("y" * 21, limits)
    assert metadata_too_big({"é": "é" * 8}, limits), "counted in UTF-8 bytes"
    assert allowed_metadata({"page": "/a", "forwarded": True, "x": 1}, limits) == {"page": "/a"}


def test_the_channel_refuses_oversize_events_and_keeps_only_allowed_metadata() -> None:
    limits = WebchatLimits(max_text_chars=10, max_metadata_bytes=40, metadata_keys=frozenset({"page"}))
    assert refusal({"message": "a" * 11}, "metadata", limits) == "limit_too_long"
    assert refusal({"message": "hoi", "metadata": {"x": "y" * 50}}, "metadata", limits) == "limit_too_long"
    assert refusal({"message": "hoi", "metadata": {"page": "/"}}, "metadata", limits) is None
    clean = sanitise_event(
        {"message": "hoi", "metadata": '{"page": "/", "forwarded": true}'}, "metadata", limits
    )
    assert clean is not None and clean["metadata"] == {"page": "/"}, "forwarded is for the adapters alone"


# --- masking workers -------------------------------------------------------------------------------------

LONG_DIGITS = ("1234567890" * 410)[:4096]


async def test_the_workers_mask_as_mask_pii_does() -> None:
    pool = MaskingPool(workers=1, queue=4)
    await pool.start()
    try:
        for text in ("mijn bsn is 111222333", "bel 06-12345678", LONG_DIGITS, "geen gegevens"):
            assert await pool.mask(text) == mask_pii(text)
    finally:
        await pool.stop()


async def test_masking_a_long_text_does_not_stall_the_event_loop() -> None:
    pool = MaskingPool(workers=1, queue=8)
    await pool.start()
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - started - 0.01)

    try:
        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        await asyncio.gather(*(pool.mask(LONG_DIGITS) for _ in range(6)))
        masking_s = time.perf_counter() - started
        stop.set()
        await ticking
    finally:
        await pool.stop()
    # Each text costs ~0.1 s of regex work that holds the GIL; on the loop (or in a thread) the ticker would
    # lag by about that much. Generous, because two cores are shared with other work.
    assert max(lags) < max(0.05, masking_s / 6 / 2), (max(lags), masking_s)


async def test_a_full_queue_is_refused_at_once() -> None:
    pool = MaskingPool(workers=1, queue=1)
    await pool.start()
    try:
        running = [asyncio.create_task(pool.mask(LONG_DIGITS)) for _ in range(2)]
        await asyncio.sleep(0)
        with pytest.raises(MaskingBusy):
            await pool.mask("hallo")
        await asyncio.gather(*running)
        assert (await pool.mask("hallo")).text == "hallo", "free again once the queue drained"
    finally:
        await pool.stop()


async def test_a_worker_that_is_too_slow_is_replaced() -> None:
    pool = MaskingPool(workers=1, queue=1, timeout=0.000_001)
    await pool.start()
    try:
        with pytest.raises(MaskingBusy):
            await pool.mask(LONG_DIGITS)
        pool.timeout = 10
        answer = await pool.mask("bel 06-12345678")
        assert answer.found == ["TELEFOON"], "the replacement answers its own text"
    finally:
        await pool.stop()

"""Limits the web-chat channel enforces inside Rasa's process, so one client cannot slow down the others.

nginx's ``limit_req`` counts only the websocket handshake: once a socket is open, every frame reaches Rasa. So
the channel (``bot/connectors/webchat.py``) checks each ``user_uttered`` event here before any other work:

- **Rates**: a token bucket per socket (``sid``) and one per client address. A bucket holds ``burst`` tokens
  and refills ``per_minute`` tokens a minute; a message takes one from both, a new socket one from its
  address (an empty address bucket refuses the connection). The address bucket catches a client that opens
  many sockets. A socket that goes on sending after ``MAX_REFUSED_IN_A_ROW`` refusals is disconnected: even a
  refused frame costs the event loop its decoding. Buckets of idle keys are forgotten (at most
  ``MAX_TRACKED_ADDRESSES`` addresses).
- **Frame size**: engine.io's ``max_http_buffer_size`` (default 1 MB) becomes ``max_frame_bytes``; a longer
  websocket frame or polling body closes the connection before it is parsed (engine.io's own check).
- **Text length**: a message longer than ``max_text_chars`` is refused, not cut (the widget sends at most 4096).
- **Metadata**: only keys on the allow-list (``WEBCHAT_METADATA_KEYS``, default none: the widget sends no
  metadata and ``forwarded`` is for the adapters alone) reach Rasa, which stores them with the tracker; metadata
  whose JSON is longer than ``max_metadata_bytes`` makes the message refused.

A refused message gets a short Dutch text (``knowledge/messages.yml``: ``limit_too_fast``, ``limit_too_long``)
straight from the socket (over the rate: at most once per ``NOTICE_INTERVAL_SECONDS`` per socket, not once per
frame; over a size limit: every time, the message was already counted by the rates); it never reaches Rasa,
so nothing of it is stored.

**Client address.** Behind a proxy every socket comes from the proxy's address, so one shared bucket would
throttle all residents together. ``X-Forwarded-For`` is trusted only when the connection's peer address is in
``WEBCHAT_TRUSTED_PROXIES`` (addresses or CIDR networks, comma separated; default none), and then only its
right-most entry: that is the one the trusted proxy wrote itself, every entry left of it is whatever the client
sent. From any other peer the header is ignored, so a client cannot pick its own bucket. The proxy should set
the header to ``$remote_addr`` (nginx) rather than append.

Settings are read from the environment once, when the channel is built; an invalid value stops Rasa at start-up
with the variable's name (``LimitsError``).
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from shared.input_text import MAX_MESSAGE_CHARS

NOTICE_INTERVAL_SECONDS = 10.0
# A socket that sends this many refused messages in a row is disconnected: receiving frames costs the event loop
# too, and no resident sends 20 messages after being asked to wait.
MAX_REFUSED_IN_A_ROW = 20
MAX_TRACKED_ADDRESSES = 50_000

TOO_FAST = "limit_too_fast"
TOO_LONG = "limit_too_long"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_T = TypeVar("_T")


class LimitsError(ValueError):
    """A limit setting in the environment is not valid."""


@dataclass(frozen=True)
class Rate:
    """A token bucket's shape: ``burst`` messages at once, ``per_minute`` messages a minute after that."""

    burst: int
    per_minute: float


@dataclass(frozen=True)
class WebchatLimits:
    """The web-chat channel's limits: the defaults are here, ``from_environ`` names each one's variable."""

    per_socket: Rate = Rate(burst=5, per_minute=20)
    per_address: Rate = Rate(burst=20, per_minute=120)
    # A client whose JSON escapes non-ASCII (python-socketio does; the widget's browser does not) sends an
    # emoji as 12 characters: 4096 of them plus metadata must still fit.
    max_frame_bytes: int = 65_536
    max_text_chars: int = MAX_MESSAGE_CHARS
    metadata_keys: frozenset[str] = frozenset()
    max_metadata_bytes: int = 512
    mask_workers: int = 1
    mask_queue: int = 16
    trusted_proxies: tuple[Network, ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> WebchatLimits:
        """Read the limits; an unset or empty variable keeps the default above.

        Raises:
            LimitsError: A variable is set to something that is not a valid value (the message names it).
        """
        d = cls()
        return cls(
            per_socket=Rate(
                _int(environ, "WEBCHAT_SOCKET_BURST", d.per_socket.burst),
                _number(environ, "WEBCHAT_SOCKET_PER_MINUTE", d.per_socket.per_minute),
            ),
            per_address=Rate(
                _int(environ, "WEBCHAT_ADDRESS_BURST", d.per_address.burst),
                _number(environ, "WEBCHAT_ADDRESS_PER_MINUTE", d.per_address.per_minute),
            ),
            max_frame_bytes=_int(environ, "WEBCHAT_MAX_FRAME_BYTES", d.max_frame_bytes, minimum=1024),
            max_text_chars=_int(environ, "WEBCHAT_MAX_TEXT_CHARS", d.max_text_chars),
            metadata_keys=frozenset(_items(environ.get("WEBCHAT_METADATA_KEYS", ""))),
            max_metadata_bytes=_int(environ, "WEBCHAT_MAX_METADATA_BYTES", d.max_metadata_bytes, minimum=2),
            mask_workers=_int(environ, "WEBCHAT_MASK_WORKERS", d.mask_workers),
            mask_queue=_int(environ, "WEBCHAT_MASK_QUEUE", d.mask_queue),
            trusted_proxies=_networks(environ.get("WEBCHAT_TRUSTED_PROXIES", "")),
        )


def _raw(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _converted(name: str, raw: str, convert: Callable[[str], _T], kind: str) -> _T:
    """``raw`` converted, or a LimitsError that names the variable and the kind of value it needs."""
    try:
        return convert(raw)
    except ValueError:
        raise LimitsError(f"{name} must be {kind}, got {raw!r}") from None


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = _raw(environ, name)
    if raw is None:
        return default
    value = _converted(name, raw, int, "a whole number")
    if value < minimum:
        raise LimitsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = _raw(environ, name)
    if raw is None:
        return default
    value = _converted(name, raw, float, "a number")
    if not math.isfinite(value) or value <= 0:
        raise LimitsError(f"{name} must be a positive number, got {raw!r}")
    return value


def _items(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _networks(raw: str) -> tuple[Network, ...]:
    networks = []
    for item in _items(raw):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise LimitsError(
                f"WEBCHAT_TRUSTED_PROXIES must list IP addresses or networks, got {item!r}"
            ) from None
    return tuple(networks)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The address a socket is counted under (module docstring, "Client address").

    Args:
        peer: The TCP peer of the connection (Sanic's ``request.ip``).
        forwarded_for: The ``X-Forwarded-For`` header, if any.
        trusted: The proxies whose header is believed.

    Returns:
        The right-most forwarded address when ``peer`` is a trusted proxy and that entry is an IP address,
        otherwise ``peer``.
    """
    if not forwarded_for or not _is_in(peer, trusted):
        return peer
    last = forwarded_for.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return peer


def _is_in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class Buckets:
    """Token buckets by key; the least recently used keys are forgotten beyond ``max_keys``."""

    rate: Rate
    max_keys: int = MAX_TRACKED_ADDRESSES
    clock: Callable[[], float] = time.monotonic
    _buckets: OrderedDict[str, _Bucket] = field(default_factory=OrderedDict)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> bool:
        """Take one token from ``key``'s bucket; False (and nothing taken) when it is empty."""
        now = self.clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(float(self.rate.burst), now)
        else:
            refill = (now - bucket.updated) * self.rate.per_minute / 60.0
            bucket.tokens = min(float(self.rate.burst), bucket.tokens + refill)
            bucket.updated = now
        self._buckets[key] = bucket
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def forget(self, key: str) -> None:
        """Drop ``key``'s bucket (its socket disconnected)."""
        self._buckets.pop(key, None)


class Limiter:
    """Per-socket and per-address message rates, and when a refused socket may be told again."""

    def __init__(self, limits: WebchatLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._sockets = Buckets(limits.per_socket, clock=clock)
        self._addresses = Buckets(limits.per_address, clock=clock)
        self._address_of: dict[str, str] = {}
        self._told: dict[tuple[str, str], float] = {}
        self._refused: dict[str, int] = {}

    def connect(self, sid: str, address: str) -> bool:
        """Take a token from the address for a new socket; True (and the socket remembered) if there was one."""
        if not self._addresses.take(address):
            return False
        self._address_of[sid] = address
        return True

    def disconnected(self, sid: str) -> None:
        """Forget a socket (its address bucket stays: the same client may reconnect)."""
        self._address_of.pop(sid, None)
        for told in [told for told in self._told if told[0] == sid]:
            del self._told[told]
        self._refused.pop(sid, None)
        self._sockets.forget(sid)

    def admit(self, sid: str, *, with_address: bool = True) -> bool:
        """True when this socket and its address may send one more message now (a token is taken from both).

        The socket's bucket is checked first, so a socket that floods uses up its own bucket and leaves the
        shared address bucket to the other sockets of the same address. ``with_address=False`` counts against
        the socket alone: a ``session_request`` right after a connection that its address already paid for.
        """
        admitted = self._sockets.take(sid) and (
            not with_address or self._addresses.take(self._address_of.get(sid, "unknown"))
        )
        if admitted:
            self._refused.pop(sid, None)
        else:
            self._refused[sid] = self._refused.get(sid, 0) + 1
        return admitted

    def should_disconnect(self, sid: str) -> bool:
        """True once the socket was refused over ``MAX_REFUSED_IN_A_ROW`` times since its last admission."""
        return self._refused.get(sid, 0) > MAX_REFUSED_IN_A_ROW

    def should_tell(self, sid: str, key: str) -> bool:
        """True at most once per ``NOTICE_INTERVAL_SECONDS`` per socket and text: a flood gets one answer, not
        one per frame."""
        now = self.clock()
        last = self._told.get((sid, key))
        if last is not None and now - last < NOTICE_INTERVAL_SECONDS:
            return False
        self._told[(sid, key)] = now
        return True


def text_too_long(message: Any, limits: WebchatLimits) -> bool:
    """True when the event's text is longer than the limit (before cleaning; a non-text message is not)."""
    return isinstance(message, str) and len(message) > limits.max_text_chars


def metadata_too_big(metadata: Any, limits: WebchatLimits) -> bool:
    """True when the metadata as sent (a string as is, anything else as compact JSON) is over the size cap.

    Judged on everything the client sent, before the allow-list: a huge object is refused, not trimmed.
    """
    if metadata is None:
        return False
    if isinstance(metadata, str):
        return len(metadata) > limits.max_metadata_bytes
    try:
        encoded = json.dumps(metadata, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return True
    return len(encoded.encode()) > limits.max_metadata_bytes


def allowed_metadata(metadata: dict[str, Any], limits: WebchatLimits) -> dict[str, Any]:
    """Only the allow-listed keys of ``metadata``: whatever else a client sends is never stored."""
    return {key: value for key, value in metadata.items() if key in limits.metadata_keys}

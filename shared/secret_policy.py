"""The one rule for every secret of every Wegwijzer process, in both Python environments.

Every process that reads a key, secret or token asks ``check_secret`` (or ``check_environ``) about it, logs
``summary(checks)`` once at start-up, and refuses to use a secret whose check is not ``usable``. Standard
library only: the Rasa process (Python 3.10: triage channel, outbox relay) and the app processes (Python
3.11+: API, staff page, Telegram and WhatsApp adapters) import the same code. docs/operations.md, "Secrets",
explains the rule to operators.

Outside ``APP_ENV=development`` a secret is refused when it is

- a **placeholder**: once lower-cased and stripped of ``-``, ``_``, ``.`` and spaces it contains one of
  ``PLACEHOLDER_MARKERS`` (so ``dev-pseudonym-key-change-me``, ``CHANGE_ME``, ``your-key-here``); or one of its
  words (split on anything but letters and digits) is one of ``PLACEHOLDER_WORDS`` or only ``x``'s; or it uses
  fewer than ``MIN_DISTINCT`` different characters (``aaaaaaaaaaaaaaaa``, ``abababababababab``);
- **too short**: fewer than ``MIN_LENGTH`` characters (or the caller's own minimum);
- outside the caller's **character set** or **maximum length** (Telegram's ``secret_token``).

Markers found anywhere are seven letters or more, so a random value does not contain one by chance; shorter
ones (``todo``, ``dummy``, ``fixme``, ``xxxx``) count only as whole words. Measured: 1 in 3,000,000
``secrets.token_urlsafe(32)`` values is refused (it began ``Xxxx-``; generate another), no ``token_hex`` value
can be. ``test`` and ``secret`` are not markers: test suites use values like ``test-session-secret-0123456789``
with ``APP_ENV=test``, and a bare ``secret`` is too short anyway.

**Development** (``APP_ENV=development``, any case) tolerates placeholders and short values, so ``make run``
works with the Makefile's ``dev-*-change-me`` keys; the start-up line says ``tolerated``. A caller marks a
secret ``strict=True`` when it authenticates calls from the internet (Telegram's webhook secret, WhatsApp's app
secret): a development adapter behind a tunnel faces the same internet, so those are checked in full there too.
A **missing** secret (unset or only whitespace) is reported as ``missing`` in every environment; whether that
stops the process is the caller's decision (the API has other ways to get keys, the pseudonym key has a
throw-away in development, the triage channel answers 503).

The start-up line names secrets only, never a value, a prefix or a length of one::

    secrets: TRIAGE_STAFF_KEY refused (placeholder); API_INGEST_KEY ok

Adding a secret to a process (for example ``WEBCHAT_SESSION_KEY``)::

    from shared.secret_policy import check_environ, summary

    check = check_environ("WEBCHAT_SESSION_KEY")  # reads the variable and APP_ENV from os.environ
    log.info(summary([check]))
    if not check.usable:
        ...  # refuse to start, or disable the feature, naming check.describe()
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_LENGTH = 16
MIN_DISTINCT = 4
# What every refusal tells the operator to do.
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_hex(32))"'

# Found anywhere in the value once case and the separators - _ . and spaces are ignored.
PLACEHOLDER_MARKERS = (
    "changeme",
    "changethis",
    "changeit",
    "replaceme",
    "placeholder",
    "example",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "notsecret",
    "insecure",
)
# Found only as a whole word of the value (words are split on anything but letters and digits).
PLACEHOLDER_WORDS = frozenset({"todo", "dummy", "fixme"})

_SEPARATORS = re.compile(r"[-_.\s]+")
_WORD_SPLIT = re.compile(r"[^0-9a-z]+")
_ONLY_X = re.compile(r"x{4,}")

MISSING = "missing"
PLACEHOLDER = "placeholder"


def is_development(app_env: str | None) -> bool:
    """Whether ``APP_ENV`` names development; anything else, unset included, is treated as production.

    Args:
        app_env: The value of ``APP_ENV`` (or None when unset).

    Returns:
        True only for ``development`` in any case, surrounding spaces ignored.
    """
    return (app_env or "").strip().lower() == "development"


def is_placeholder(value: str) -> bool:
    """Whether a value looks like a placeholder rather than a generated secret (the rule in the module doc).

    Args:
        value: The secret, as given.

    Returns:
        True for a marker, a marker word, or too few different characters.
    """
    return _has_marker(value) or _too_few_characters(value)


def _has_marker(value: str) -> bool:
    lowered = value.strip().lower()
    squashed = _SEPARATORS.sub("", lowered)
    if any(marker in squashed for marker in PLACEHOLDER_MARKERS):
        return True
    words = [word for word in _WORD_SPLIT.split(lowered) if word]
    return any(word in PLACEHOLDER_WORDS or _ONLY_X.fullmatch(word) for word in words)


def _too_few_characters(value: str) -> bool:
    return len(set(value.strip().lower())) < MIN_DISTINCT


@dataclass(frozen=True)
class SecretCheck:
    """What the policy found for one secret. Holds its name, never its value."""

    name: str
    problem: str | None  # None, "missing", "placeholder", or a reason such as "shorter than 16 characters"
    development: bool
    strict: bool = False

    @property
    def missing(self) -> bool:
        """The variable is unset or only whitespace."""
        return self.problem == MISSING

    @property
    def refused(self) -> bool:
        """A value is set but must not be used here."""
        return self.problem not in (None, MISSING) and (self.strict or not self.development)

    @property
    def tolerated(self) -> bool:
        """A placeholder or short value that development accepts."""
        return self.problem not in (None, MISSING) and not self.refused

    @property
    def usable(self) -> bool:
        """A value is set and may be used."""
        return not self.missing and not self.refused

    def describe(self) -> str:
        """One phrase for logs and error messages, e.g. ``TRIAGE_STAFF_KEY refused (placeholder)``."""
        if self.problem is None:
            return f"{self.name} ok"
        if self.missing:
            return f"{self.name} missing"
        verdict = "refused" if self.refused else "tolerated"
        suffix = ", development" if self.tolerated else ""
        return f"{self.name} {verdict} ({self.problem}{suffix})"


def check_secret(
    name: str,
    value: str | None,
    development: bool,
    *,
    min_length: int = MIN_LENGTH,
    max_length: int | None = None,
    charset: str | None = None,
    strict: bool = False,
) -> SecretCheck:
    """Apply the policy to one secret.

    Args:
        name: The environment variable, used in every message (e.g. ``ADAPTER_PSEUDONYM_KEY``).
        value: Its value, or None when unset. Never stored in the result.
        development: Whether ``APP_ENV=development`` (see ``is_development``).
        min_length: Fewest characters; the default ``MIN_LENGTH`` suits every key we generate ourselves.
        max_length: Most characters, when the receiving side has a limit.
        charset: A regular-expression character class body such as ``A-Za-z0-9_-``: every character must be in
            it (Telegram's ``secret_token``).
        strict: Refuse placeholders, short values and wrong characters in development too (for secrets that
            authenticate calls from the internet).

    Returns:
        The check; its ``usable`` says whether the process may use the value.
    """
    return SecretCheck(name, _problem(value, min_length, max_length, charset), development, strict)


def check_environ(
    name: str, environ: Mapping[str, str] | None = None, *, min_length: int = MIN_LENGTH
) -> SecretCheck:
    """``check_secret`` for a variable read from the environment, with ``APP_ENV`` from the same place.

    Args:
        name: The variable to read and check.
        environ: Variables to read (default ``os.environ``).
        min_length: As in ``check_secret``. (The other rules of ``check_secret`` serve secrets that a settings
            object reads and checks itself, such as Telegram's ``secret_token``.)

    Returns:
        The check.
    """
    env = os.environ if environ is None else environ
    return check_secret(name, env.get(name), is_development(env.get("APP_ENV")), min_length=min_length)


def summary(checks: Iterable[SecretCheck]) -> str:
    """The start-up line: ``secrets: A ok; B missing; C refused (placeholder)``.

    Args:
        checks: The process's checks, in the order to report them.

    Returns:
        One line naming every secret and what was found; no values.
    """
    parts = [check.describe() for check in checks]
    return "secrets: " + ("; ".join(parts) if parts else "none")


def _problem(value: str | None, min_length: int, max_length: int | None, charset: str | None) -> str | None:
    if value is None or not value.strip():
        return MISSING
    if _has_marker(value):
        return PLACEHOLDER
    if len(value) < min_length:
        return f"shorter than {min_length} characters"
    if _too_few_characters(value):
        return PLACEHOLDER
    if max_length is not None and len(value) > max_length:
        return f"longer than {max_length} characters"
    if charset is not None and not re.fullmatch(f"[{charset}]+", value):
        return f"characters outside {charset}"
    return None

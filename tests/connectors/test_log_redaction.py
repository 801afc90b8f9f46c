"""The log safety net (bot/log_redaction.py) against the lines Rasa 3.6 and rasa-sdk really write.

Rasa's own structlog set-up is used as configured by ``rasa run``, so the JSON lines are the ones in a
production log. The whole process is checked end to end in tests/faults/test_no_personal_data_in_logs.py.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from bot import log_redaction
from bot.log_redaction import DROPPED, REDACTED, redact

ROOT = Path(__file__).resolve().parents[2]
BSN, PHONE, EMAIL, IBAN = "111222333", "0612345678", "jan.jansen@example.nl", "NL91ABNA0417164300"
PII = (BSN, PHONE, EMAIL, IBAN)
TEXT = f"mijn bsn {BSN}, bel {PHONE}, mail {EMAIL}, rekening {IBAN}"
WORDS = "geheime woorden van een inwoner"


@pytest.fixture()
def captured() -> Iterator[io.StringIO]:
    """Every log line of this test, as a handler would print it, with the redaction installed."""
    factory = logging.getLogRecordFactory()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    log_redaction.install()
    try:
        yield stream
    finally:
        logging.setLogRecordFactory(factory)
        root.removeHandler(handler)
        root.setLevel(level)
        structlog.reset_defaults()


def _assert_clean(output: str) -> None:
    for value in PII:
        assert value not in output, f"{value!r} in {output!r}"


def test_rasa_structlog_line_with_text_is_redacted(
    captured: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.utils.log_utils import configure_structlog

    monkeypatch.setattr("sys.stderr.isatty", lambda: False)  # JSON lines, as in a container or a test stack
    configure_structlog(logging.DEBUG)
    structlog.get_logger().error("rest.message.received.timeout", text=f"{WORDS} {TEXT}")
    structlog.get_logger().debug(
        "processor.actions.log", rasa_events=[{"event": "user", "text": WORDS}], action_name="action_listen"
    )

    output = captured.getvalue()
    _assert_clean(output)
    assert WORDS not in output
    assert "rest.message.received.timeout" in output and "action_listen" in output and REDACTED in output


def test_plain_lines_dict_reprs_and_event_reprs_lose_their_text(captured: io.StringIO) -> None:
    log = logging.getLogger("rasa.core.processor")
    log.debug("Received user message %s", {"text": f"{WORDS} {TEXT}", "intent": {"name": "greet"}})
    log.debug("Logged UserUttered(text: %s, intent: greet, use_text_for_featurization: False)", WORDS)
    log.info("something else: %s", TEXT)

    output = captured.getvalue()
    _assert_clean(output)
    assert WORDS not in output
    assert "intent: greet" in output and "something else" in output


def test_a_traceback_that_quotes_the_text_is_masked(captured: io.StringIO) -> None:
    try:
        raise ValueError(f"could not parse {TEXT}")
    except ValueError:
        logging.getLogger("sanic.error").exception("Exception occurred while handling uri")

    output = captured.getvalue()
    _assert_clean(output)
    assert "ValueError: could not parse" in output and "Traceback" in output


def test_a_line_that_cannot_be_formatted_is_dropped_not_printed(captured: io.StringIO) -> None:
    logging.getLogger("x").warning("%s and %s", TEXT)  # one argument for two placeholders

    assert DROPPED in captured.getvalue()
    _assert_clean(captured.getvalue())


def test_install_twice_redacts_once(captured: io.StringIO) -> None:
    log_redaction.install()
    logging.getLogger("x").info("text=%s", WORDS)

    assert captured.getvalue().strip() == f"INFO x text={REDACTED}"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Predicted next action 'action_listen' with confidence 1.00.", None),
        ("refused a REST message: 'sender' must be 1 to 128 ASCII letters, digits, '-' or '_'", None),
        ("masked personal data in a REST message: BSN,TELEFOON", None),
    ],
)
def test_lines_without_text_are_left_as_they_are(line: str, kept: None) -> None:
    assert redact(line) == line


# Fresh interpreters, started the way Procfile.dev and scripts/stack.py start the two processes: only their
# entry points can have installed the redaction. Rasa's lines are the stock REST channel's failure line and
# a processor line; the action server's is a tracker dump.
_RASA_PROBE = f"""
import logging, structlog
from bot.connectors.rasa_main import main
try:
    main(["--version"])
except SystemExit:
    pass
from rasa.utils.common import configure_logging_and_warnings
from rasa.utils.log_utils import configure_structlog
configure_logging_and_warnings(logging.INFO)
configure_structlog(logging.INFO)
structlog.get_logger().error("rest.message.received.timeout", text={f"{WORDS} {TEXT}"!r})
logging.getLogger("rasa.core.processor").error("could not handle %s", {TEXT!r})
"""
_ACTIONS_PROBE = f"""
import logging
import rasa_sdk.endpoint
from actions import server
def run(*args, **kwargs):
    logging.getLogger("rasa_sdk.executor").info("tracker %s", {{"text": {f"{WORDS} {TEXT}"!r}}})
rasa_sdk.endpoint.run = run
server.main()
"""


@pytest.mark.parametrize("probe", [_RASA_PROBE, _ACTIONS_PROBE], ids=["rasa", "actions"])
def test_both_entry_points_install_the_redaction(probe: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": "INFO"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    output = done.stdout + done.stderr

    assert done.returncode == 0, output
    assert REDACTED in output, output
    _assert_clean(output)
    assert WORDS not in output

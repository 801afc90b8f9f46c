"""A safety net under every log line of Rasa and the action server: no resident text, no personal data.

The channels mask personal data before Rasa sees a message (``bot/connectors/rest.py``, ``webchat.py``) and
never log the text. This filter catches what they cannot: Rasa's and rasa-sdk's own lines (structlog events
with ``text=``, tracker and event dumps at DEBUG, an exception's message quoting a message) and any line of
ours that slips. For every record it

1. replaces the value of each text-bearing field with ``[redacted]``: keys of ``TEXT_FIELDS`` in a JSON line
   (Rasa's structlog renderer), in a Python dict repr (``'text': '...'``) and as ``key=value``;
2. masks what remains with ``knowledge/pii.py`` (a phone number in an exception message, say);
3. does the same to the formatted traceback and stack, and drops a record it cannot redact rather than let it
   through.

Why a log-record factory and not a filter on a handler: Rasa configures logging after our entry point runs,
sanic adds handlers of its own and loggers that do not propagate, and a filter on a logger does not see its
children's records. A factory sees every record of the process, whoever emits it and wherever it goes.
Standard library and ``knowledge`` only, so both Rasa (``bot/connectors/rasa_main.py``) and the action server
(``actions/server.py``) install it.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from typing import Any, Final

from knowledge.pii import mask_pii

REDACTED: Final = "[redacted]"
DROPPED: Final = "[log line dropped: it could not be redacted]"
# Rasa 3.6's own list of structlog fields that hold user text or tracker content (rasa/utils/log_utils.py,
# _anonymizer), plus the fields of the REST body and of a tracker or event dump.
TEXT_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
        "latest_message",
        "events",
        "entities",
        "value",
        "slots",
        "tracker",
    }
)
_KEYS = "|".join(sorted((re.escape(k) for k in TEXT_FIELDS), key=len, reverse=True))
# 'text': '...'  /  "text": "..."  /  'text': "..."  (a dict repr or JSON inside a longer line)
_QUOTED_VALUE = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_DICT_ITEM = re.compile(rf"""(?P<key>['"](?:{_KEYS})['"]\s*:\s*)(?P<value>{_QUOTED_VALUE})""")
# text='...'  /  text="..."  /  text=several words  (structlog's console renderer prints a string unquoted,
# so an unquoted value runs up to the next " key=" or the end of the line)
_ASSIGNMENT = re.compile(
    rf"""(?<![\w.])(?P<key>(?:{_KEYS})=)(?P<value>{_QUOTED_VALUE}|.*?(?=\s+[\w.]+=|$))""", re.MULTILINE
)
# An event repr such as UserUttered(text: ..., intent: ...) puts the text after "text: ", first in the
# parentheses or after a comma; in prose ("a REST message: ...") the key follows a word, so it is left alone.
_COLON_ASSIGNMENT = re.compile(rf"""(?:(?<=\()|(?<=, ))(?P<key>(?:{_KEYS}): )(?P<value>[^,)]*)""")


def _scrub(value: Any) -> Any:
    """A JSON value with every text-bearing field replaced."""
    if isinstance(value, dict):
        return {k: REDACTED if k in TEXT_FIELDS else _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _redact_json(line: str) -> str | None:
    """The line with its text fields redacted when it is one JSON object, else None."""
    stripped = line.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        data = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return json.dumps(_scrub(data), ensure_ascii=False)


def redact(line: str) -> str:
    """``line`` without the values of text-bearing fields and with personal data masked."""
    redacted = _redact_json(line)
    if redacted is None:
        redacted = _DICT_ITEM.sub(lambda m: m["key"] + repr(REDACTED), line)
        redacted = _ASSIGNMENT.sub(lambda m: m["key"] + REDACTED, redacted)
        redacted = _COLON_ASSIGNMENT.sub(lambda m: m["key"] + REDACTED, redacted)
    return mask_pii(redacted).text


class RedactText(logging.Filter):
    """Rewrites a record in place so that no handler can print text or personal data from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message, the traceback and the stack; always keeps the (redacted) record."""
        try:
            record.msg = redact(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            record.exc_info = None  # a handler that formats exc_info itself would print it unredacted
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
        except Exception:
            record.msg, record.args, record.exc_info, record.exc_text, record.stack_info = (
                DROPPED,
                None,
                None,
                None,
                None,
            )
        return True


def install() -> None:
    """Run ``RedactText`` on every log record this process creates from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "wegwijzer_redacting", False):
        return
    redactor = RedactText()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redactor.filter(record)
        return record

    factory.wegwijzer_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)

"""Makes resident text safe to hand to Rasa: well-formed Unicode, no control characters, bounded length.

Browsers and chat clients can deliver lone UTF-16 surrogates (JSON ``"\\ud800"``) and control
characters. Neither carries meaning for a question; a lone surrogate cannot even be encoded as UTF-8,
so the HTTP client or a store further on would fail on it. Standard library only: used by the web-chat
connector (Rasa environment) and the adapters' Rasa client (app environment).
"""

from __future__ import annotations

import re

# The longest message a resident can send: Telegram, WhatsApp and the widget all cap a message at 4096
# characters, so anything longer is not a real message (every entry point cuts or refuses at this length).
MAX_MESSAGE_CHARS = 4096
# Controls that separate text become a space; every other C0/C1 control and DEL is dropped.
_SEPARATOR = re.compile("[\x0b\x0c\r\x1c-\x1f\x85]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def clean_text(text: str, max_chars: int) -> str:
    """Replace lone surrogates with U+FFFD, drop control characters, cut to ``max_chars``.

    Separating controls (vertical tab, form feed, carriage return, NEL, information separators) become
    a space so the words on both sides stay apart; the others are removed so a word stays whole.

    Args:
        text: What arrived from the resident.
        max_chars: Longest text kept; the rest is cut off.

    Returns:
        The cleaned text (may be empty).
    """
    fixed = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROL.sub("", _SEPARATOR.sub(" ", fixed))[:max_chars]

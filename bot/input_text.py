"""Makes resident text safe to hand to Rasa: well-formed Unicode, no control characters, bounded length.

Browsers and chat clients can deliver lone UTF-16 surrogates (JSON ``"\\ud800"``) and control
characters. Neither carries meaning for a question; a lone surrogate cannot even be encoded as UTF-8,
so the HTTP client or a store further on would fail on it. Standard library only: used by the web-chat
connector (Rasa environment) and the adapters' Rasa client (app environment).
"""

from __future__ import annotations

import re

# C0 controls and DEL, except tab and newline; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str, max_chars: int) -> str:
    """Replace lone surrogates with U+FFFD, turn control characters into spaces, cut to ``max_chars``.

    Args:
        text: What arrived from the resident.
        max_chars: Longest text kept; the rest is cut off.

    Returns:
        The cleaned text (may be empty).
    """
    fixed = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROL.sub(" ", fixed)[:max_chars]

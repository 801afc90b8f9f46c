"""Server-side masking of a staff member's question before it leaves the staff page process.

The browser already masks (static/staff.js); this is the second, authoritative pass with the
project's masker (knowledge.pii), so a disabled script or a pasted text cannot leak data.
"""

from __future__ import annotations

from knowledge.pii import MaskResult, mask_pii


def mask_text(text: str) -> MaskResult:
    """Mask Dutch personal data in ``text``.

    Args:
        text: the question as the browser sent it.

    Returns:
        The masked text and the kinds of personal data found.
    """
    return mask_pii(text)

"""What a resident's text becomes before Rasa stores it: a guarded payload or masked words.

Rasa reads a message that starts with ``/`` as an intent with entities, so a typed ``/intent{...}`` could
steer the dialogue or the counts; it passes only as the exact payload of a button this conversation was
offered recently (``shared/payload_guard.py``), otherwise the slash is removed and NLU reads the words.
Everything else is masked (``knowledge/pii.py``) in a worker process (``masking_pool.py``) before Rasa's
tracker, logs or event broker see it: the regular expressions hold the GIL, so masking in Rasa's own thread
would stall every other conversation on a long text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.connectors.masking_pool import MaskingBusy, MaskingPool
from shared.payload_guard import OfferedPayloads, guard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """The text to hand to Rasa, or ``busy`` when no masking worker was free (the message is refused)."""

    text: str
    busy: bool = False


class InboundText:
    """Turns one resident's raw text into the text Rasa may store."""

    def __init__(self, offered: OfferedPayloads, masking: MaskingPool) -> None:
        self.offered = offered
        self.masking = masking

    async def prepare(self, sender: str, text: str) -> Inbound:
        """The offered payload unchanged, or the text with payload syntax removed and personal data masked."""
        guarded = guard(self.offered, sender, text)
        if guarded.outcome == "payload":
            return Inbound(guarded.text)
        if guarded.outcome == "neutralised":
            log.info("removed payload syntax from a webchat message that offered no such button")
        try:
            result = await self.masking.mask(guarded.text)
        except MaskingBusy:
            log.warning("refused a webchat message: no masking worker was free")
            return Inbound("", busy=True)
        if result.found:
            log.info("masked personal data in a webchat message: %s", ",".join(result.found))
        return Inbound(result.text)

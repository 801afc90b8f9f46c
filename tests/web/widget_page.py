"""Page helpers for the widget tests: open the demo page, open the chat, ask, wait for answers."""

from __future__ import annotations

from functools import cache
from typing import Any

from bot.messages import load_fixed_texts
from tests.web.web_support import DemoServer

FALLBACK_START = "Het lukt nu niet om te antwoorden"
# Questions the real bot answers; the last ones are nonsense, which the bot answers with
# suggestion buttons ("not understood"), so at least one of them yields buttons.
QUESTIONS = ("Hoe vraag ik een DigiD aan?", "Ik wil hulp met toeslagen", "plof wazig kwispel")
ANSWER_TIMEOUT_MS = 15_000


@cache
def _apology() -> str:
    """The connector's text for a turn without a bot message (read once, not per answer)."""
    return load_fixed_texts().get("rasa_unavailable").strip()


def open_demo(ctx: Any, demo: DemoServer) -> Any:
    """Open the demo page in a new tab of ``ctx``."""
    page = ctx.new_page()
    page.goto(demo.origin + "/")
    page.wait_for_selector(".ww-launcher", state="attached")
    return page


def open_chat(page: Any) -> None:
    """Click the launcher and wait for the greeting."""
    page.get_by_role("button", name="Stel uw vraag").click()
    page.wait_for_selector(".ww-panel:not([hidden]) .ww-bot")


def bot_count(page: Any) -> int:
    """How many bot messages the log holds."""
    return int(page.locator(".ww-log .ww-bot").count())


def wait_for_bot(page: Any, after: int) -> str:
    """Wait until the log holds more than ``after`` bot messages; return the first new one's text.

    Fails when the widget showed its timeout fallback, or the connector its apology for a turn that produced no
    bot message (the action server down), instead of a real answer: both are bubbles in the log.
    """
    page.wait_for_function(
        "n => document.querySelectorAll('.ww-log .ww-bot').length > n",
        arg=after,
        timeout=ANSWER_TIMEOUT_MS,
    )
    text = str(page.locator(".ww-log .ww-bot").nth(after).locator(".ww-text").inner_text())
    assert not text.startswith(FALLBACK_START), "the widget timed out instead of showing an answer"
    assert text.strip() != _apology(), "the connector apologised instead of answering"
    return text


def ask(page: Any, question: str) -> str:
    """Type a question, send it with the button, and return the first answer's text."""
    before = bot_count(page)
    page.get_by_label("Uw vraag").fill(question)
    page.get_by_role("button", name="Verstuur").click()
    return wait_for_bot(page, before)


def settle(page: Any, quiet_ms: int = 700) -> None:
    """Wait until no new bot message arrived for ``quiet_ms`` (Rasa may send several)."""
    page.wait_for_function(
        """quiet => new Promise(resolve => {
            const log = document.querySelector('.ww-log');
            let timer = setTimeout(() => { obs.disconnect(); resolve(true); }, quiet);
            const obs = new MutationObserver(() => {
                clearTimeout(timer);
                timer = setTimeout(() => { obs.disconnect(); resolve(true); }, quiet);
            });
            obs.observe(log, {childList: true});
        })""",
        arg=quiet_ms,
        timeout=ANSWER_TIMEOUT_MS,
    )


def ask_until_buttons(page: Any) -> Any:
    """Ask the QUESTIONS in turn until an answer offers quick-reply buttons; return them."""
    for question in QUESTIONS:
        ask(page, question)
        settle(page)
        buttons = page.locator(".ww-log .ww-replies button")
        if buttons.count() > 0:
            return buttons
    raise AssertionError("no answer offered buttons; the bot's not-understood answer should")

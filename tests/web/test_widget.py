"""The web chat widget in headless Chromium against the real Rasa socket.io channel."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.web.web_support import DemoServer, enable_axe, run_axe
from tests.web.widget_page import (
    ask,
    ask_until_buttons,
    bot_count,
    open_chat,
    open_demo,
    settle,
    wait_for_bot,
)

pytestmark = pytest.mark.a11y


def test_widget_answers_a_question_and_shows_user_text_literally(context: Any, demo_server: DemoServer) -> None:
    # arrange
    page = open_demo(context, demo_server)
    open_chat(page)
    # act
    answer = ask(page, "Hoe vraag ik een DigiD aan? <b>vet</b>")
    # assert
    assert answer.strip()
    user_text = page.locator(".ww-log .ww-user .ww-text").last.inner_text()
    assert user_text == "Hoe vraag ik een DigiD aan? <b>vet</b>"
    assert page.locator(".ww-log b").count() == 0
    log = page.locator(".ww-log")
    assert log.get_attribute("role") == "log"
    assert log.get_attribute("aria-live") == "polite"
    assert page.locator(".ww-root").get_attribute("lang") == "nl"
    assert page.locator(".ww-root [aria-live]").count() == 1, "exactly one live region, not nested"


def test_widget_quick_reply_is_a_button_that_sends_its_payload(context: Any, demo_server: DemoServer) -> None:
    # arrange: record what the widget sends over the socket
    page = open_demo(context, demo_server)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: frames.append(str(f))))
    open_chat(page)
    buttons = ask_until_buttons(page)
    first = buttons.first
    title = first.inner_text()
    assert first.evaluate("b => b.tagName + ':' + b.type") == "BUTTON:button"
    label = page.locator(".ww-log .ww-replies").last.get_attribute("aria-labelledby")
    assert page.locator(f"#{label}").inner_text() == "Kies een optie:"
    before = bot_count(page)
    # act
    first.click()
    # assert: the title is shown as the user's message, the bot answers, focus is in the input
    assert page.locator(".ww-log .ww-user .ww-text").last.inner_text() == title
    wait_for_bot(page, before)
    assert page.evaluate("document.activeElement.classList.contains('ww-input')")
    transcript = json.loads(page.evaluate("sessionStorage.getItem('wegwijzer:transcript')"))
    (payload,) = {r["payload"] for e in transcript for r in e.get("replies", []) if r["title"] == title}
    sent = [f for f in frames if '"user_uttered"' in f]
    assert json.dumps(payload)[1:-1] in sent[-1], "the button's payload, not its title, is sent"
    assert '"session_id"' in sent[-1]


def test_widget_reload_keeps_the_conversation(context: Any, demo_server: DemoServer) -> None:
    # arrange
    page = open_demo(context, demo_server)
    open_chat(page)
    ask(page, "Hoe vraag ik een DigiD aan?")
    settle(page)
    session_id = page.evaluate("sessionStorage.getItem('wegwijzer:session')")
    texts = page.locator(".ww-log .ww-msg .ww-text").all_inner_texts()
    # act
    page.reload()
    page.wait_for_selector(".ww-panel:not([hidden]) .ww-bot")
    # assert: same transcript, same Rasa session, and the conversation goes on
    assert page.locator(".ww-log .ww-msg .ww-text").all_inner_texts() == texts
    assert session_id and len(session_id.strip('"')) >= 16
    answer = ask(page, "Ik wil hulp met toeslagen")
    assert answer.strip()
    assert page.evaluate("sessionStorage.getItem('wegwijzer:session')") == session_id


def test_widget_duplicated_tab_takes_the_conversation_and_gives_it_back(
    context: Any, demo_server: DemoServer
) -> None:
    # arrange: a conversation in the first tab
    first = open_demo(context, demo_server)
    open_chat(first)
    ask(first, "Hoe vraag ik een DigiD aan?")
    settle(first)
    stored = first.evaluate("JSON.stringify(Object.assign({}, sessionStorage))")
    # act: a duplicated tab (browsers copy sessionStorage into it) opens the same session
    second = context.new_page()
    second.add_init_script(
        f"if (!sessionStorage.getItem('wegwijzer:session')) {{ const s = {stored}; "
        "for (const k in s) sessionStorage.setItem(k, s[k]); }"
    )
    second.goto(demo_server.origin + "/")
    second.wait_for_selector(".ww-panel:not([hidden]) .ww-bot")
    # assert: one live socket per session; the first tab says where the conversation went
    first.wait_for_function(
        "() => document.querySelector('.ww-status').textContent.includes('in een ander venster')"
    )
    before_first = bot_count(first)
    assert ask(second, "Ik wil hulp met toeslagen").strip()
    settle(second)
    assert bot_count(first) == before_first, "the first tab still received answers"
    # act: typing in the first tab takes the conversation back
    assert ask(first, "Ik wil hulp met e-mail").strip()
    second.wait_for_function(
        "() => document.querySelector('.ww-status').textContent.includes('in een ander venster')"
    )
    session = "sessionStorage.getItem('wegwijzer:session')"
    assert first.evaluate(session) == second.evaluate(session)


def _press_until_focused(page: Any, key: str, css_class: str, *, presses: int, failure: str) -> None:
    """Press ``key`` until an element with ``css_class`` has the focus, at most ``presses`` times."""
    for _ in range(presses):
        page.keyboard.press(key)
        if page.evaluate("c => document.activeElement.classList.contains(c)", css_class):
            return
    raise AssertionError(failure)


def test_widget_keyboard_only(context: Any, demo_server: DemoServer) -> None:
    # arrange
    page = open_demo(context, demo_server)
    keyboard = page.keyboard
    # act: tab to the launcher
    _press_until_focused(
        page, "Tab", "ww-launcher", presses=30, failure="the launcher is not reachable with Tab"
    )
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus must be visible"
    keyboard.press("Enter")
    # assert: the panel opens with focus in the input
    page.wait_for_selector(".ww-panel:not([hidden])")
    assert page.evaluate("document.activeElement.classList.contains('ww-input')")
    assert page.locator(".ww-launcher").get_attribute("aria-expanded") == "true"
    # act: ask with the keyboard only
    before = bot_count(page)
    keyboard.type("plof wazig kwispel")
    keyboard.press("Enter")
    wait_for_bot(page, before)
    settle(page)
    # act: reach a quick reply (or the read-aloud button) with Shift+Tab and use it
    if page.locator(".ww-log .ww-replies button").count():
        _press_until_focused(
            page,
            "Shift+Tab",
            "ww-reply",
            presses=40,
            failure="quick-reply buttons are not reachable with the keyboard",
        )
        title = page.evaluate("document.activeElement.textContent")
        before = bot_count(page)
        keyboard.press("Enter")
        assert page.locator(".ww-log .ww-user .ww-text").last.inner_text() == title
        wait_for_bot(page, before)
    # act: Escape closes and returns focus to the launcher
    page.locator(".ww-input").focus()
    keyboard.press("Escape")
    # assert
    page.wait_for_selector(".ww-panel", state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('ww-launcher')")
    assert page.locator(".ww-launcher").get_attribute("aria-expanded") == "false"


def test_widget_live_region_only_gets_additions(context: Any, demo_server: DemoServer) -> None:
    # arrange
    page = open_demo(context, demo_server)
    open_chat(page)
    ask(page, "Hoe vraag ik een DigiD aan?")
    settle(page)
    page.evaluate(
        """() => {
            const log = document.querySelector('.ww-log');
            window.__firstNode = log.firstElementChild;
            window.__removed = 0; window.__textChanges = 0;
            new MutationObserver(records => records.forEach(r => {
                if (r.type === 'characterData') window.__textChanges += 1;
                r.removedNodes.forEach(n => {
                    // a used quick-reply group is removed inside an old message; that is not
                    // a message leaving the log
                    if (n.parentNode === null && r.target === log) window.__removed += 1;
                });
            })).observe(log, {childList: true, subtree: false, characterData: true});
        }"""
    )
    # act
    ask(page, "Ik wil hulp met toeslagen")
    settle(page)
    # assert
    assert page.evaluate("window.__removed") == 0
    assert page.evaluate("window.__textChanges") == 0
    assert page.evaluate("document.querySelector('.ww-log').firstElementChild === window.__firstNode")


def test_widget_axe_finds_no_violations(context: Any, demo_server: DemoServer) -> None:
    # arrange
    enable_axe(context)
    page = open_demo(context, demo_server)
    # act / assert: closed, open with a conversation, and with larger text
    assert run_axe(page) == []
    open_chat(page)
    ask_until_buttons(page)
    assert run_axe(page) == []
    page.get_by_role("button", name="Grotere letters").click()
    assert run_axe(page) == []


@pytest.mark.parametrize(
    ("width", "height"),
    [(320, 640), (640, 400)],  # 320 CSS px (WCAG 1.4.10); 1280x800 at 200 % zoom
    ids=["320px", "200pct-zoom"],
)
def test_widget_reflows_without_horizontal_scrolling(
    browser: Any, demo_server: DemoServer, width: int, height: int
) -> None:
    # arrange
    ctx = browser.new_context(locale="nl-NL", viewport={"width": width, "height": height})
    try:
        page = open_demo(ctx, demo_server)
        open_chat(page)
        # act
        ask(page, "Hoe vraag ik een DigiD aan?")
        settle(page)
        # assert
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"horizontal scrolling of {overflow}px at {width}px"
        for selector in (".ww-panel", ".ww-input", ".ww-send", ".ww-close"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, selector
        page.locator(".ww-send").scroll_into_view_if_needed()
        assert page.locator(".ww-send").is_visible()
    finally:
        ctx.close()


SPEECH_RECORDER = """
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = function (u) {
    window.__spoken.push({text: u.text, lang: u.lang});
  };
}
"""


def test_widget_reads_aloud_in_dutch(context: Any, demo_server: DemoServer) -> None:
    # arrange: record what the widget hands to the browser's speech synthesis
    context.add_init_script(SPEECH_RECORDER)
    page = open_demo(context, demo_server)
    open_chat(page)
    greeting = page.locator(".ww-log .ww-bot .ww-text").first.inner_text()
    # act: the read-aloud button on a message
    page.locator(".ww-log .ww-bot").first.get_by_role("button", name="Lees voor").click()
    # assert
    spoken = page.evaluate("window.__spoken")
    assert spoken == [{"text": greeting, "lang": "nl-NL"}]
    # act: the setting that reads every answer
    read_all = page.get_by_role("button", name="Alles voorlezen")
    read_all.click()
    assert read_all.get_attribute("aria-pressed") == "true"
    before = bot_count(page)
    ask(page, "Hoe vraag ik een DigiD aan?")
    # assert: what is spoken is the message as shown, without the screen-reader-only hints
    page.wait_for_function("window.__spoken.length >= 2")
    shown = (
        page.locator(".ww-log .ww-bot .ww-text")
        .nth(before)
        .evaluate(
            "p => { const c = p.cloneNode(true); c.querySelectorAll('.ww-sr').forEach(s => s.remove());"
            " return c.textContent; }"
        )
    )
    second = page.evaluate("window.__spoken[1]")
    assert second["lang"] == "nl-NL"
    assert re.sub(r"\s+", "", second["text"]) == re.sub(r"\s+", "", shown)
    page.reload()
    assert page.get_by_role("button", name="Alles voorlezen").get_attribute("aria-pressed") == "true"


def test_widget_larger_text_toggle_persists(context: Any, demo_server: DemoServer) -> None:
    # arrange
    page = open_demo(context, demo_server)
    open_chat(page)

    def size() -> float:
        return float(
            page.evaluate("parseFloat(getComputedStyle(document.querySelector('.ww-log .ww-text')).fontSize)")
        )

    normal = size()
    # act
    toggle = page.get_by_role("button", name="Grotere letters")
    toggle.click()
    # assert
    assert toggle.get_attribute("aria-pressed") == "true"
    assert size() >= normal * 1.25
    page.reload()
    page.wait_for_selector(".ww-panel:not([hidden]) .ww-bot")
    assert size() >= normal * 1.25


def test_widget_never_renders_bot_html(context: Any, hostile_demo_server: DemoServer) -> None:
    # arrange: the fake bot answers "hostile" with HTML and a javascript: link
    page = open_demo(context, hostile_demo_server)
    open_chat(page)
    # act
    text = ask(page, "hostile")
    page.wait_for_timeout(300)
    # assert
    assert "<img src=x" in text
    log = page.locator(".ww-log")
    assert log.locator("img, b").count() == 0
    assert page.evaluate("window.__pwned") is None
    hrefs = log.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://www.digid.nl/"]
    assert "[klik hier](javascript:window.__pwned=2)" in text


def test_widget_pasted_multi_line_message_is_checked_with_its_lines(
    context: Any, demo_server: DemoServer
) -> None:
    # arrange: ask for the check, then put a message of several lines in the box
    page = open_demo(context, demo_server)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: frames.append(str(f))))
    open_chat(page)
    ask(page, "Is dit bericht echt?")
    settle(page)
    pasted = "Beste klant,\nUw pas wordt vandaag nog geblokkeerd.\nBevestig uw gegevens via https://ing-pasbeheer.info/nu"
    box = page.get_by_label("Uw vraag")
    # fill() sets the value as a paste would; an <input> would drop the line breaks (HTML value sanitising)
    box.fill(pasted)
    assert box.evaluate("b => b.tagName") == "TEXTAREA" and box.input_value() == pasted
    # act: Shift+Enter adds a line, Enter sends
    box.press("End")
    box.press("Shift+Enter")
    assert box.input_value().endswith("\n")
    before = bot_count(page)
    box.press("Enter")
    answer = wait_for_bot(page, before)
    # assert: the lines reached Rasa intact, and the check quotes the third line's link
    sent = [f for f in frames if "user_uttered" in f][-1]
    assert "Beste klant,\\nUw pas wordt vandaag nog geblokkeerd.\\nBevestig" in sent
    assert page.locator(".ww-log .ww-user .ww-text").last.inner_text().count("\n") >= 2
    assert "https://ing-pasbeheer.info/nu" in answer
    assert "vandaag nog" in answer

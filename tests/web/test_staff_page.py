"""The staff triage page in headless Chromium against the real triage endpoint."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tests.web.web_support import StaffServer, enable_axe, run_axe

pytestmark = pytest.mark.a11y

QUESTION = "Hoe vraag ik een DigiD aan? Mijn BSN is 123456789, mail jan@example.nl"


def log_in(page: Any, staff: StaffServer) -> None:
    page.goto(staff.url + "/login")
    page.get_by_label("Sleutel voor medewerkers").fill(staff.page_key)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(staff.url + "/")


def ask(page: Any, question: str, gemeente: str) -> dict[str, list[str]]:
    """Fill in and send the form; return the form fields as the browser sent them."""
    page.get_by_label("Vraag van de bezoeker").fill(question)
    page.get_by_label("Gemeente van de bezoeker").select_option(gemeente)
    with page.expect_request(lambda r: r.method == "POST" and r.url == page.url) as sent:
        page.get_by_role("button", name="Zoek antwoord").click()
    page.wait_for_selector("#resultaat", timeout=30_000)
    return parse_qs(sent.value.post_data or "")


def test_staff_page_masks_in_the_browser_and_shows_the_answer(context: Any, staff_server: StaffServer) -> None:
    # arrange
    page = context.new_page()
    log_in(page, staff_server)
    assert "typ of plak geen persoonsgegevens" in page.locator("#privacy-banner").inner_text()
    # act
    fields = ask(page, QUESTION, "kerkrade")
    # assert: nothing personal left the page
    (sent_text,) = fields["text"]
    assert "123456789" not in sent_text and "jan@example.nl" not in sent_text
    assert "[BSN]" in sent_text and "[E-MAIL]" in sent_text
    assert fields["gemeente"] == ["kerkrade"]
    # assert: topic, answer, simpler answer, referrals with hours
    assert page.locator("#topic").inner_text().strip()
    assert page.locator("#answer-text").inner_text().strip()
    assert page.locator(".referral").count() >= 1
    page.wait_for_function("document.activeElement && document.activeElement.id === 'resultaat'")


def test_staff_referral_click_records_a_staff_event(context: Any, staff_server: StaffServer) -> None:
    # arrange
    page = context.new_page()
    log_in(page, staff_server)
    ask(page, "Hoe vraag ik een DigiD aan?", "kerkrade")
    first = page.locator(".referral").first
    name = first.locator("h4").inner_text()
    # act
    first.get_by_role("button", name=f"Verwezen naar {name}").click()
    # assert
    status = page.locator("#referral-status")
    status.get_by_text(f"Vastgelegd: verwezen naar {name}.").wait_for()
    if staff_server.recording_api_url:
        events = httpx.get(staff_server.recording_api_url + "/_recorded").json()
        assert events[-1]["channel"] == "staff"
        assert events[-1]["kind"] == "referred"
        assert events[-1]["gemeente"] == "kerkrade"


def test_staff_print_view_is_a4_large_type_with_links_as_text(context: Any, staff_server: StaffServer) -> None:
    # arrange
    page = context.new_page()
    log_in(page, staff_server)
    ask(page, "Hoe vraag ik een DigiD aan?", "kerkrade")
    print_button = page.get_by_role("button", name="Afdrukken voor de bezoeker")
    print_button.wait_for(state="visible", timeout=10_000)  # the page's script unhides it after load
    assert print_button.is_visible()
    # act
    page.emulate_media(media="print")
    # assert
    sheet = page.locator(".print-sheet")
    assert sheet.is_visible()
    assert not page.locator("#triage-form").is_visible()
    assert not page.locator("#privacy-banner").is_visible()
    size_px = float(sheet.locator(".answer").evaluate("p => parseFloat(getComputedStyle(p).fontSize)"))
    assert size_px >= 18.6, "print text should be at least 14 pt"
    text = sheet.inner_text()
    assert "Waar kunt u terecht?" in text
    assert "Verwezen naar" not in text
    for url in page.locator("#resultaat a").evaluate_all("links => links.map(a => a.href)"):
        assert url.rstrip("/") in text, f"link {url} is not printed as text"
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [0 0 594.95996 841.91998]" in pdf or b"/MediaBox [0 0 595" in pdf


def test_staff_pages_have_no_axe_violations(context: Any, staff_server: StaffServer) -> None:
    # arrange
    enable_axe(context)
    page = context.new_page()
    # act / assert
    page.goto(staff_server.url + "/login")
    assert run_axe(page) == []
    page.get_by_label("Sleutel voor medewerkers").fill("fout")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector("#fout")
    assert run_axe(page) == []
    log_in(page, staff_server)
    assert run_axe(page) == []
    ask(page, "Hoe vraag ik een DigiD aan?", "brunssum")
    assert run_axe(page) == []


def test_staff_page_reflows_at_320_px(browser: Any, staff_server: StaffServer) -> None:
    ctx = browser.new_context(locale="nl-NL", viewport={"width": 320, "height": 640})
    try:
        page = ctx.new_page()
        log_in(page, staff_server)
        ask(page, "Hoe vraag ik een DigiD aan?", "voerendaal")
        # The result page is a new document: measure once its stylesheet has been applied, not mid-load.
        page.wait_for_load_state("load")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
            "document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        assert overflow <= 0, f"{overflow}px too wide at 320 px; widest elements: {wide}"
    finally:
        ctx.close()


SCAM_MESSAGE = (
    "Beste klant,\nUw Rabobank-pas wordt vandaag nog geblokkeerd.\n"
    "Bevestig uw gegevens via https://rab0bank-pasbeheer.info/nu of maak €25 over naar NL91ABNA0417164300."
)


def check_message_with_keyboard(page: Any, staff: StaffServer, message: str) -> dict[str, list[str]]:
    """Reach the tab, the box and the button with the keyboard only; return the posted fields."""
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim() === 'Bericht controleren'"):
            break
    else:
        raise AssertionError("the tab 'Bericht controleren' is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(staff.url + "/bericht")
    assert page.get_by_role("link", name="Bericht controleren").get_attribute("aria-current") == "page"
    page.get_by_label("Het bericht").focus()
    page.get_by_label("Het bericht").fill(message)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/bericht")) as sent:
        page.keyboard.press("Tab")  # to the municipality
        page.keyboard.press("Tab")  # to the button
        page.keyboard.press("Enter")
    page.wait_for_selector("#resultaat", timeout=30_000)
    return parse_qs(sent.value.post_data or "")


def test_staff_message_check_tab_shows_verdict_signals_and_prints(
    context: Any, staff_server: StaffServer
) -> None:
    # arrange
    enable_axe(context)
    page = context.new_page()
    log_in(page, staff_server)
    # act
    fields = check_message_with_keyboard(page, staff_server, SCAM_MESSAGE)
    # assert: masked before it left the page, the lines kept
    (sent,) = fields["text"]
    assert "NL91ABNA0417164300" not in sent and "[IBAN]" in sent and "\n" in sent
    assert page.locator("#verdict").get_attribute("data-verdict") == "likely_scam"
    signals = page.locator("#signals li").evaluate_all("items => items.map(i => i.dataset.signal)")
    assert "link_lijkt_op" in signals and "dreiging_haast" in signals
    assert "rab0bank-pasbeheer.info" in page.locator("#signals").inner_text()
    assert page.locator(".referral h4").first.inner_text() == "Fraudehelpdesk"
    assert "veilig" not in page.locator("#verdict").inner_text().lower()
    assert run_axe(page) == []
    # act: print view for the resident
    page.emulate_media(media="print")
    sheet = page.locator(".print-sheet")
    assert sheet.is_visible() and not page.locator("#triage-form").is_visible()
    text = sheet.inner_text()
    assert "Lijkt op oplichting" in text and "Heeft u al iets gedaan?" in text and "Fraudehelpdesk" in text
    assert "Verwezen naar" not in text


def test_staff_message_check_refuses_an_empty_message(context: Any, staff_server: StaffServer) -> None:
    page = context.new_page()
    log_in(page, staff_server)
    page.goto(staff_server.url + "/bericht")
    page.locator("#text").evaluate("t => t.removeAttribute('required')")
    page.get_by_role("button", name="Controleer bericht").click()
    assert "Plak eerst het bericht" in page.locator("#fout").inner_text()

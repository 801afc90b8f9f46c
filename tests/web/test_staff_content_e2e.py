"""A staff edit reaches the next chat answer: real API (SQLite file), real action server, real Rasa with the
trained model, the real staff page in headless Chromium (keyboard only for the first edit, axe-core on every
screen). Then a restart of the API and the action server keeps every edit, and an action server that starts
while the API is down still applies them (from its overlay cache)."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from knowledge.loader import load_catalog
from knowledge.local_facts import local_facts
from scripts.stack import APP_BIN, ROOT, Stack, free_port, make_stack
from tests.web.web_support import enable_axe, run_axe

pytestmark = pytest.mark.a11y

EDITOR_KEY = "test-editor-key-0123456789abcdef"
PAGE_KEY = "test-staff-page-key-0123456789"
CONTENT_KEY = "test-content-key-0123456789abcdef"
QUESTION = "Waar is het informatiepunt in Kerkrade?"
NEW_ADDRESS = "Martin Buberplein 17, Kerkrade"
FRIDAY = "2026-12-04T08:00:00+01:00"  # the Informatiepunt's weekly day; the clock of every process
REACH_WITHIN_S = 15.0


@pytest.fixture(scope="module")
def content_stack() -> Iterator[tuple[Stack, str]]:
    stack = make_stack(extra_env={"WEGWIJZER_NOW": FRIDAY})
    staff_port = free_port()
    stack.env.update(
        {
            "API_CONTENT_KEY": CONTENT_KEY,
            "CONTENT_OVERLAY_URL": stack.env["API_URL"] + "/api/v1/content/overlay",
            "CONTENT_OVERLAY_KEY": stack.env["API_INGEST_KEY"],
            "CONTENT_OVERLAY_CACHE": str(stack.workdir / "content-overlay.json"),
            "STAFF_HOST": "127.0.0.1",
            "STAFF_PORT": str(staff_port),
            "STAFF_PAGE_KEY": PAGE_KEY,
            "STAFF_EDITOR_KEY": EDITOR_KEY,
        }
    )
    staff_url = f"http://127.0.0.1:{staff_port}"
    try:
        stack.start_api()
        stack.start_actions()
        stack.start_rasa()
        stack.start_process("staff", [str(APP_BIN / "python"), "-m", "bot.staff"], staff_url + "/health", 60)
    except Exception:
        logs = "\n".join(f"--- {n}\n{stack.log(n)}" for n in ("api", "actions", "rasa", "staff"))
        stack.stop_all()
        raise RuntimeError(f"the stack did not start:\n{logs}") from None
    yield stack, staff_url
    stack.stop_all()


def chat(stack: Stack, text: str = QUESTION) -> str:
    reply = httpx.post(
        stack.rasa_url + "/webhooks/rest/webhook",
        json={"sender": uuid.uuid4().hex, "message": text},
        timeout=60,
    )
    reply.raise_for_status()
    return "\n".join(str(m.get("text", "")) for m in reply.json())


def wait_for_answer(stack: Stack, wanted: str, absent: str | None = None) -> tuple[str, float]:
    started = time.monotonic()
    answer = ""
    while time.monotonic() - started < REACH_WITHIN_S:
        answer = chat(stack)
        if wanted in answer and (absent is None or absent not in answer):
            return answer, time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(
        f"within {REACH_WITHIN_S} s the answer never had {wanted!r} (without {absent!r}):\n{answer}"
    )


def overlay(stack: Stack) -> dict[str, Any]:
    response = httpx.get(
        stack.env["API_URL"] + "/api/v1/content/overlay", headers={"X-API-Key": stack.env["API_INGEST_KEY"]}
    )
    return dict(response.json())


def reported_unconfirmed(stack: Stack) -> set[str]:
    """The local facts content-report lists as unverified, as overlay keys."""
    out = stack.workdir / "content-report.json"
    subprocess.run(
        [str(APP_BIN / "python"), "scripts/content_report.py", "--json", str(out)],
        cwd=ROOT, env=stack.env, check=True, capture_output=True,
    )  # fmt: skip
    keys = {fact.item: fact.key for fact in local_facts(load_catalog())}
    report = json.loads(out.read_text(encoding="utf-8"))
    return {keys[a["item"]] for a in report["attention"] if a["reason"] == "unverified" and a["item"] in keys}


def tab_to(page: Any, selector: str, limit: int = 300) -> None:
    """Press Tab until ``selector`` has the focus (keyboard only, as a staff member without a mouse)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def assert_no_axe_violations(page: Any, where: str) -> None:
    violations = run_axe(page)
    assert violations == [], f"{where}: {json.dumps(violations, ensure_ascii=False, indent=1)}"


def test_a_staff_edit_reaches_the_next_chat_answer_and_survives_restarts(
    content_stack: tuple[Stack, str], browser: Any
) -> None:
    stack, staff_url = content_stack
    before = chat(stack)
    assert "Martin Buberplein 15, Kerkrade (nog niet gecontroleerd)" in before, before
    assert "De tijden zijn nog niet gecontroleerd" in before

    ctx = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(30_000)
    enable_axe(ctx)
    page = ctx.new_page()
    try:
        # Log in as editor, by keyboard only.
        page.goto(staff_url + "/login")
        tab_to(page, "#key")
        page.keyboard.type(EDITOR_KEY)
        page.keyboard.press("Enter")
        page.wait_for_url(staff_url + "/inhoud")
        assert_no_axe_violations(page, "/inhoud")

        # Correct the address of HuB. Bibliotheek Kerkrade and mark it checked, by keyboard only.
        tab_to(page, 'a[href="/inhoud/feit?sleutel=location/hub_kerkrade/address"]')
        page.keyboard.press("Enter")
        page.wait_for_selector("#feit-form")
        assert_no_axe_violations(page, "fact form")
        tab_to(page, "#value")
        page.keyboard.press("Control+A")
        page.keyboard.type(NEW_ADDRESS)
        tab_to(page, "#state-assumed")
        page.keyboard.press("ArrowUp")  # the radio group: "Ja, ik heb het vandaag gecontroleerd"
        assert page.is_checked("#state-confirmed")
        tab_to(page, "#confirmed_by")
        page.keyboard.type("medewerker informatiepunt")
        tab_to(page, "#opslaan")
        page.keyboard.press("Enter")
        page.wait_for_selector("#opgeslagen")
        assert_no_axe_violations(page, "/inhoud after saving")
        answer, seconds = wait_for_answer(stack, NEW_ADDRESS, absent="Martin Buberplein 15")
        assert f"{NEW_ADDRESS} (nog niet gecontroleerd)" not in answer
        print(f"address edit reached the chat answer after {seconds:.1f} s")

        # Bad input: a clear Dutch error, nothing saved, nothing else changed.
        version = overlay(stack)["version"]
        page.goto(staff_url + "/inhoud/feit?sleutel=location/hub_kerkrade/times/informatiepunt")
        page.fill("#value", "vrijdag 10:00-25:00")
        page.fill("#confirmed_by", "medewerker informatiepunt")
        page.check("#state-confirmed")
        page.click("#opslaan")
        alert = page.locator("#fout")
        alert.wait_for()
        assert "Deze tijd klopt niet" in alert.inner_text()
        assert_no_axe_violations(page, "fact form with an error")
        assert overlay(stack)["version"] == version

        # Confirm the weekly times as they are: "Volgende keren" appears, today first.
        page.goto(staff_url + "/inhoud/feit?sleutel=location/hub_kerkrade/times/informatiepunt")
        page.fill("#confirmed_by", "medewerker informatiepunt")
        page.click("#bevestigen")
        page.wait_for_selector("#opgeslagen")
        answer, _ = wait_for_answer(stack, "Volgende keren: vrijdag 4 december, 10:00–12:00")

        # Closed today: today's session is no longer offered.
        page.select_option("#closure-location", "hub_kerkrade")
        page.fill("#closure-reason", "Informatiepunt vandaag gesloten")
        page.get_by_role("button", name="Vandaag gesloten").click()
        page.wait_for_selector("#opgeslagen")
        assert "Informatiepunt vandaag gesloten" in page.locator("#geschiedenis-tabel").inner_text()
        answer, _ = wait_for_answer(stack, "Volgende keren: vrijdag 11 december", absent="4 december")
        assert_no_axe_violations(page, "/inhoud with a closure and history")

        # `make content-report` (the script, with the stack's overlay settings) and the page agree.
        page.goto(staff_url + "/inhoud")
        keys_of = "rows => rows.map(r => r.dataset.key)"
        on_page = set(page.eval_on_selector_all('tr[data-state="assumed"]', keys_of))
        assert "location/hub_kerkrade/address" not in on_page
        assert on_page == reported_unconfirmed(stack)
    finally:
        ctx.close()

    edits = overlay(stack)
    assert len(edits["edits"]) == 3

    # A restart of the API and the action server keeps every edit.
    stack.stop("api")
    stack.stop("actions")
    stack.start_api()
    stack.start_actions()
    assert overlay(stack) == edits
    wait_for_answer(stack, "Volgende keren: vrijdag 11 december", absent="Martin Buberplein 15")

    # An action server that starts while the API is down applies the edits it saw last (its cache).
    stack.stop("api")
    stack.stop("actions")
    stack.start_actions()
    answer = chat(stack)
    assert NEW_ADDRESS in answer and "Volgende keren: vrijdag 11 december" in answer, answer

"""'Is dit bericht echt?' over Rasa's REST webhook with the real trained model and the real action server."""

from __future__ import annotations

import httpx

from knowledge import load_catalog
from tests.http.chat_support import Chat, buttons, joined

CATALOG = load_catalog()
CHECK = CATALOG.message_check
SCAM = (
    "Beste klant, uw DigiD wordt vandaag nog gedeactiveerd.\n"
    "Activeer uw account via https://digid-verlenging.info/start om dit te voorkomen."
)


def test_the_bot_asks_for_the_message_checks_it_and_says_it_simpler(chat: Chat) -> None:
    asked = joined(chat.say("Is dit bericht echt?"))
    assert CATALOG.topics["bericht_controleren"].answer in asked
    reply = chat.say(SCAM)
    text = joined(reply)
    assert text.startswith(CHECK.verdicts["likely_scam"].text)
    assert '"https://digid-verlenging.info/start"' in text
    assert "DigiD stuurt nooit een e-mail of sms met een link" in text
    assert "Fraudehelpdesk" in text and "veilig" not in text.split("Fraudehelpdesk")[0].lower()
    assert [b["payload"] for b in buttons(reply)] == ["/simpler", "/medewerker"]
    simple = joined(chat.say("/simpler"))
    assert simple.startswith(CHECK.verdicts["likely_scam"].simple)
    # one check only: the next question is answered as a question again
    after = joined(chat.say("hoe vraag ik een digid aan"))
    assert not after.startswith(CHECK.verdicts["likely_scam"].text)


def test_a_forwarded_message_is_checked_at_once(client: httpx.Client) -> None:
    body = {"sender": "fwd-1", "message": SCAM, "metadata": {"forwarded": True}}
    reply = client.post("/webhooks/rest/webhook", json=body)
    assert reply.status_code == 200
    assert joined(reply.json()).startswith(CHECK.verdicts["likely_scam"].text)


def test_the_same_text_without_forward_or_request_is_not_checked(client: httpx.Client) -> None:
    reply = client.post("/webhooks/rest/webhook", json={"sender": "fwd-2", "message": SCAM})
    assert not joined(reply.json()).startswith(CHECK.verdicts["likely_scam"].text)


def test_a_genuine_message_gets_no_known_signals_and_no_safe_wording(chat: Chat) -> None:
    chat.say("ik kreeg deze sms, klopt dat?")
    text = joined(chat.say("Hoi oma! Zondag komen we om 3 uur op bezoek. Neem jij de taart mee? Liefs, Sanne"))
    assert text.startswith(CHECK.verdicts["no_signals"].text)
    assert "veilig" not in text.lower()

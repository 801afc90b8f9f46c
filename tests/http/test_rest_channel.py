"""The REST channel's contract (bot/connectors/rest.py, bot/rest_contract.py) against the real Rasa process.

What is refused gets 400 (413 for an oversized body) with an English error that never repeats what was sent;
what is accepted is masked before Rasa parses it, and Rasa's log names the kinds of data masked, never the
text. The tracker and the log under outages: tests/faults/test_no_personal_data_in_logs.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.rest_contract import MAX_BODY_BYTES, REST_CHANNELS

URL = "/webhooks/rest/webhook"
SECRET = "0612345678"  # also what a refused field holds: the error must not echo it
OK_BODY: dict[str, Any] = {"sender": "rest-contract", "message": "Hoe vraag ik een DigiD aan?"}


def rasa_log(stack: Any) -> str:
    return str((stack.workdir / "rasa.log").read_text(errors="replace"))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"message": "hallo"}, "'sender' is required"),
        ({"sender": SECRET, "message": "hallo"}, "'sender' must not be digits only"),
        ({"sender": f"jan{SECRET}@example.nl", "message": "hallo"}, "'sender' must be 1 to 128 ASCII letters"),
        ({"sender": "a" * 129, "message": "hallo"}, "'sender' must be 1 to 128 ASCII letters"),
        ({"sender": 12345, "message": "hallo"}, "'sender' is required and must be a string"),
        ({"sender": "ok-1"}, "'message' is required and must be a string"),
        ({"sender": "ok-1", "message": ["hallo"]}, "'message' is required and must be a string"),
        ({"sender": "ok-1", "message": "hallo", "input_channel": "webchat"}, "'input_channel' must be one of"),
        ({"sender": "ok-1", "message": "hallo", "input_channel": SECRET}, "'input_channel' must be one of"),
        ({"sender": "ok-1", "message": "hallo", "metadata": {"phone": SECRET}}, "'metadata' may only be"),
        ({"sender": "ok-1", "message": "hallo", "metadata": [SECRET]}, "'metadata' may only be"),
        (
            {"sender": "ok-1", "message": "hallo", "metadata": {"forwarded": SECRET}},
            "'metadata.forwarded' must",
        ),
        ([{"sender": "ok-1", "message": "hallo"}], "the body must be a JSON object"),
    ],
)
def test_a_malformed_body_is_refused_without_echoing_it(client: httpx.Client, body: Any, error: str) -> None:
    reply = client.post(URL, json=body)

    assert reply.status_code == 400
    assert reply.json()["error"].startswith(error)
    assert SECRET not in reply.text and "example.nl" not in reply.text


def test_not_json_streaming_and_oversized_bodies_are_refused(client: httpx.Client) -> None:
    not_json = client.post(URL, content=f"sender=x&message={SECRET}", headers={"Content-Type": "text/plain"})
    stream = client.post(URL, params={"stream": "true"}, json=OK_BODY)
    huge = client.post(URL, json={**OK_BODY, "message": "a" * (MAX_BODY_BYTES + 1)})

    assert (not_json.status_code, not_json.json()["error"]) == (400, "the body must be a JSON object")
    assert SECRET not in not_json.text
    assert stream.status_code == 400 and "does not stream" in stream.json()["error"]
    assert huge.status_code == 413 and str(MAX_BODY_BYTES) in huge.json()["error"]


@pytest.mark.parametrize("channel", [None, *REST_CHANNELS])
def test_every_allowed_channel_and_forwarded_metadata_get_an_answer(
    client: httpx.Client, channel: str | None
) -> None:
    body = {**OK_BODY, "sender": f"rest-channel-{channel}", "metadata": {"forwarded": False}}
    if channel is not None:
        body["input_channel"] = channel

    reply = client.post(URL, json=body)

    assert reply.status_code == 200
    assert "DigiD" in " ".join(m.get("text") or "" for m in reply.json())


def test_personal_data_is_masked_before_rasa_logs_anything(client: httpx.Client, stack: Any) -> None:
    before = len(rasa_log(stack))
    message = f"Mijn telefoonnummer is {SECRET}, hoe vraag ik een DigiD aan?"

    reply = client.post(URL, json={**OK_BODY, "sender": "rest-masked", "message": message})

    assert reply.status_code == 200 and reply.json()
    logged = rasa_log(stack)[before:]
    assert "masked personal data in a REST message: TELEFOON" in logged
    assert SECRET not in rasa_log(stack)

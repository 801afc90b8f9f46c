from typing import Any

import pytest

from bot.whatsapp.payloads import InboundKind, PayloadError, parse_webhook


@pytest.mark.parametrize(
    ("fixture", "kind", "content", "message_type"),
    [
        ("whatsapp_text_message.json", InboundKind.TEXT, "Hoe vraag ik een DigiD aan?", "text"),
        ("whatsapp_button_reply.json", InboundKind.PAYLOAD, "p:/affirm", "interactive"),
        ("whatsapp_list_reply.json", InboundKind.PAYLOAD, "p:/digid_aanvragen", "interactive"),
        ("whatsapp_image_message.json", InboundKind.UNSUPPORTED, "", "image"),
        ("whatsapp_voice_message.json", InboundKind.UNSUPPORTED, "", "audio"),
        ("whatsapp_reaction.json", InboundKind.IGNORED, "", "reaction"),
    ],
)
def test_fixtures_parse_to_one_message(
    fixture_json: Any, fixture: str, kind: InboundKind, content: str, message_type: str
) -> None:
    batch = parse_webhook(fixture_json(fixture))
    [message] = batch.messages
    assert (message.kind, message.content, message.message_type) == (kind, content, message_type)
    assert message.wa_id == "31600000001"
    assert message.phone_number_id == "1098765432"
    assert message.wamid.startswith("wamid.")


def test_status_receipts_are_counted_not_answered(fixture_json: Any) -> None:
    batch = parse_webhook(fixture_json("whatsapp_status_delivered.json"))
    assert batch.messages == [] and batch.statuses == 1


@pytest.mark.parametrize(
    "data", [None, [], {"object": "page", "entry": []}, {"object": "whatsapp_business_account"}]
)
def test_foreign_bodies_raise(data: Any) -> None:
    with pytest.raises(PayloadError):
        parse_webhook(data)


def test_malformed_message_entries_are_skipped(fixture_json: Any) -> None:
    data = fixture_json("whatsapp_text_message.json")
    value = data["entry"][0]["changes"][0]["value"]
    value["messages"].append({"id": "wamid.x", "type": "text"})  # no sender
    value["messages"].append({"id": "wamid.y", "from": "1", "timestamp": "soon", "type": "text"})
    assert len(parse_webhook(data).messages) == 1

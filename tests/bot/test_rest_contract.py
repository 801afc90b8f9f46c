"""The adapters send what Rasa's REST channel accepts (bot/rest_contract.py); statistics know each channel."""

from __future__ import annotations

import secrets

from bot.pseudonym import pseudonymise
from bot.rest_contract import REST_CHANNELS, channel_problem, metadata_problem, sender_problem
from bot.telegram.handlers import CHANNEL as TELEGRAM_CHANNEL
from bot.whatsapp.app import CHANNEL as WHATSAPP_CHANNEL
from knowledge.reach import INPUT_CHANNELS


def test_every_pseudonym_is_an_accepted_sender_id() -> None:
    key = secrets.token_bytes(32)
    for user_id in (123456789, -1001234567890, "31612345678", 0):
        for platform in (TELEGRAM_CHANNEL, WHATSAPP_CHANNEL):
            assert sender_problem(pseudonymise(platform, user_id, key)) is None


def test_the_adapters_channels_are_accepted_and_counted_as_themselves() -> None:
    for channel in (TELEGRAM_CHANNEL, WHATSAPP_CHANNEL):
        assert channel in REST_CHANNELS and channel_problem(channel) is None
        assert INPUT_CHANNELS[channel] == channel
    assert all(channel in INPUT_CHANNELS for channel in REST_CHANNELS)


def test_the_web_chat_and_staff_cannot_be_claimed_over_rest() -> None:
    for channel in ("webchat", "socketio", "staff", "triage", "", "TELEGRAM"):
        assert channel_problem(channel) is not None


def test_only_the_forwarded_flag_may_ride_along() -> None:
    assert metadata_problem({"forwarded": True}) is None
    assert metadata_problem({}) is None
    assert metadata_problem({"forwarded": "yes"}) is not None
    assert metadata_problem({"forwarded": True, "name": "Jan"}) is not None

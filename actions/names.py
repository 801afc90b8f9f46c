"""Slot, action, intent and entity names shared by the actions and the domain (a test checks they match)."""

SLOT_TOPIC = "topic"
SLOT_GEMEENTE = "gemeente"
SLOT_AWAITING_PLACE = "awaiting_place"
SLOT_COUNTED = "conversation_counted"
SLOT_FEEDBACK = "feedback_topic"
SLOT_HANDOFF = "handoff_topic"
SLOT_AWAITING_CHECK = "awaiting_message_check"
SLOT_CHECK_RESULT = "message_check_result"
# Set by the Telegram and WhatsApp adapters in the REST channel's metadata for a forwarded message.
METADATA_FORWARDED = "forwarded"
ENTITY_PLACE = "place"

INTENT_INFORM_PLACE = "inform_place"
INTENT_SIMPLER = "simpler"
INTENT_AFFIRM = "affirm"
INTENT_DENY = "deny"
INTENT_FALLBACK = "nlu_fallback"
MECHANICS_INTENTS = (INTENT_INFORM_PLACE, INTENT_SIMPLER, INTENT_AFFIRM, INTENT_DENY)

# The topic the bot uses for "a person, please" and for "I do not understand"; content, not code, decides
# what they say. Only their roles are named here.
# The ids live in knowledge/topic_roles.py (one source for actions, triage and the quality tools); re-exported
# here so the actions keep importing their names from one module.
from knowledge.topic_roles import HANDOFF_TOPIC as HANDOFF_TOPIC  # noqa: E402
from knowledge.topic_roles import MESSAGE_CHECK_TOPIC as MESSAGE_CHECK_TOPIC  # noqa: E402
from knowledge.topic_roles import NOT_UNDERSTOOD_TOPIC as NOT_UNDERSTOOD_TOPIC  # noqa: E402

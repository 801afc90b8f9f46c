"""The topics with a role in the dialogue, named once for every process (actions, triage, quality tools).

Content (knowledge/topics/) decides what these topics say; code only needs to know which topic plays which role.
The ids must exist as knowledge/topics/<id>.yml; knowledge/validation.py and the content tests check it.
"""

from __future__ import annotations

HANDOFF_TOPIC = "medewerker"  # "a person, please"
NOT_UNDERSTOOD_TOPIC = "buiten_bereik"  # "I do not understand"
MESSAGE_CHECK_TOPIC = "bericht_controleren"  # "Is dit bericht echt?": the check's answers belong to it

"""The closed value lists events are checked against, and the topic ids read from knowledge/.

Topic ids come from the file names in ``knowledge/topics/*.yml`` when that directory has files, so
adding a topic there is enough; otherwise from the fixed list in the shared topic taxonomy.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final, Literal, get_args

import yaml

log = logging.getLogger(__name__)

Kind = Literal[
    "conversation_started",
    "answered",
    "referred",
    "handoff_requested",
    "feedback",
    "not_understood",
    # Issue #13, the message check: 'target' holds the verdict, resp. one signal id (docs/api.md).
    "message_checked",
    "message_signal",
]
Channel = Literal["web", "telegram", "whatsapp", "staff", "rest"]
Gemeente = Literal["kerkrade", "brunssum", "voerendaal", "simpelveld"]

KINDS: Final[tuple[str, ...]] = get_args(Kind)
CHANNELS: Final[tuple[str, ...]] = get_args(Channel)
GEMEENTEN: Final[tuple[str, ...]] = get_args(Gemeente)

GEMEENTE_NAMES: Final[dict[str, str]] = {
    "kerkrade": "Kerkrade",
    "brunssum": "Brunssum",
    "voerendaal": "Voerendaal",
    "simpelveld": "Simpelveld",
}

# Source: /work/shared/docs/topics.md (the project's topic taxonomy). Used only when
# knowledge/topics/ holds no files yet.
FALLBACK_TOPIC_IDS: Final[tuple[str, ...]] = (
    "digid_aanvragen",
    "digid_problemen",
    "digid_machtigen",
    "mijnoverheid",
    "belastingaangifte",
    "toeslagen",
    "pensioen_aow",
    "werk_uitkering",
    "zorg_online",
    "rijbewijs_paspoort",
    "computer_basis",
    "smartphone_apps",
    "email",
    "internetbankieren",
    "online_veiligheid",
    "privacy",
    "nepnieuws",
    "kunstmatige_intelligentie",
    "sociale_media",
    "lezen_schrijven",
    "geldzaken",
    "cursussen",
    "informatiepunt",
    "e_cafe",
    "bibliotheek",
    "begroeting",
    "afscheid",
    "bedankt",
    "medewerker",
    "bot_vraag",
    "buiten_bereik",
)

# The verdicts a 'message_checked' event may carry in 'target' (knowledge/message_check_content.py VERDICTS).
MESSAGE_CHECK_VERDICTS: Final[tuple[str, ...]] = ("likely_scam", "suspicious", "no_signals")

SNAKE_ID_PATTERN: Final[str] = r"^[a-z][a-z0-9_]{0,63}$"


def load_topic_ids(topics_dir: Path) -> tuple[str, ...]:
    """Return the sorted topic ids: file stems in ``topics_dir``, else the fixed list.

    Args:
        topics_dir: Directory holding ``<id>.yml`` content files.

    Returns:
        Topic ids, sorted.
    """
    stems = sorted(p.stem for p in topics_dir.glob("*.yml")) if topics_dir.is_dir() else []
    if stems:
        return tuple(stems)
    return tuple(sorted(FALLBACK_TOPIC_IDS))


def load_topic_titles(topics_dir: Path, topic_ids: tuple[str, ...]) -> dict[str, str]:
    """Return a Dutch display title per topic id, falling back to the id itself.

    Args:
        topics_dir: Directory holding ``<id>.yml`` content files.
        topic_ids: The ids to label.

    Returns:
        Mapping of topic id to title.
    """
    titles = {topic_id: topic_id.replace("_", " ") for topic_id in topic_ids}
    for topic_id in topic_ids:
        path = topics_dir / f"{topic_id}.yml"
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            log.warning("topic file unreadable, using its id as label: %s", path.name)
            continue
        if isinstance(data, dict) and isinstance(data.get("title"), str):
            titles[topic_id] = data["title"]
    return titles

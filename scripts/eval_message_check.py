"""Measure the message check on the scam corpus: recall on scams and how genuine messages are judged.

Usage: python -m scripts.eval_message_check [--parts dev,blind] [--out docs/results/message-check.json]

Each corpus file (tests/message_check/corpus/<part>.yml) holds messages labelled ``scam`` or ``genuine``. Every
text is masked with knowledge.pii first, exactly as the channels do, then checked. Printed and written per part:
recall on scams (verdict likely_scam or suspicious), the share of genuine messages called likely_scam, and the
share of genuine messages with no known signals. Only message ids are printed, never texts.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from knowledge import load_catalog
from knowledge.message_check import check_message
from knowledge.message_check_content import MessageCheckContent
from knowledge.pii import mask_pii
from scripts.results import write_result

ROOT = Path(__file__).resolve().parent.parent


CORPUS_DIR = ROOT / "tests" / "message_check" / "corpus"
GOALS = {"scam_recall": 0.95, "genuine_likely_scam": 0, "genuine_no_signals_share": 0.80}


@dataclass(frozen=True)
class Judged:
    """One corpus message with the checker's verdict (no text kept)."""

    id: str
    label: str
    style: str
    verdict: str
    signals: tuple[str, ...]


def load_corpus(part: str, corpus_dir: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    """The messages of one corpus part, checked for the fields the measurement needs."""
    data = yaml.safe_load((corpus_dir / f"{part}.yml").read_text(encoding="utf-8"))
    messages = data["messages"]
    for item in messages:
        if item.get("label") not in ("scam", "genuine") or not str(item.get("text", "")).strip():
            raise SystemExit(f"{part}.yml: message {item.get('id')!r} lacks a label or a text")
    return messages


def judge(messages: list[dict[str, Any]], content: MessageCheckContent) -> list[Judged]:
    """Mask and check every message."""
    out = []
    for item in messages:
        result = check_message(mask_pii(str(item["text"])).text, content)
        out.append(
            Judged(
                id=str(item["id"]),
                label=str(item["label"]),
                style=str(item.get("style", "")),
                verdict=result.verdict,
                signals=result.signal_ids,
            )
        )
    return out


def summarise(judged: list[Judged]) -> dict[str, Any]:
    """The figures of one part: counts, recall, genuine outcomes, misses by id, signals by frequency."""
    scams = [j for j in judged if j.label == "scam"]
    genuine = [j for j in judged if j.label == "genuine"]
    caught = [j for j in scams if j.verdict in ("likely_scam", "suspicious")]
    genuine_likely = [j for j in genuine if j.verdict == "likely_scam"]
    genuine_clear = [j for j in genuine if j.verdict == "no_signals"]
    return {
        "scams": len(scams),
        "genuine": len(genuine),
        "scam_recall": round(len(caught) / len(scams), 4) if scams else None,
        "scam_likely_scam": sum(1 for j in scams if j.verdict == "likely_scam"),
        "scam_suspicious": sum(1 for j in scams if j.verdict == "suspicious"),
        "genuine_likely_scam": len(genuine_likely),
        "genuine_suspicious": sum(1 for j in genuine if j.verdict == "suspicious"),
        "genuine_no_signals_share": round(len(genuine_clear) / len(genuine), 4) if genuine else None,
        "missed_scam_ids": sorted(j.id for j in scams if j not in caught),
        "genuine_likely_scam_ids": sorted(j.id for j in genuine_likely),
        "genuine_suspicious_ids": sorted(j.id for j in genuine if j.verdict == "suspicious"),
        "signals_on_genuine": dict(Counter(s for j in genuine for s in j.signals).most_common()),
        "signals_on_scams": dict(Counter(s for j in scams for s in j.signals).most_common()),
        "recall_by_style": {
            style: round(
                sum(1 for j in scams if j.style == style and j in caught)
                / sum(1 for j in scams if j.style == style),
                3,
            )
            for style in sorted({j.style for j in scams})
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures per part and write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", default="dev", help="comma-separated parts (dev, team, blind…)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    content = load_catalog().message_check
    assert content is not None
    report: dict[str, Any] = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "goals": GOALS,
        "parts": {},
    }
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    corpora = {part: load_corpus(part) for part in parts}
    if "dev" in corpora and "blind" in corpora:
        # The corpus writer's two files share some messages; the truly unseen part is reported on its own.
        seen = {str(m["text"]) for m in corpora["dev"]}
        corpora["blind_not_in_dev"] = [m for m in corpora["blind"] if str(m["text"]) not in seen]
        report["blind_messages_also_in_dev"] = len(corpora["blind"]) - len(corpora["blind_not_in_dev"])
    later_parts = [p for p in corpora if p.startswith("blind") and p not in ("blind", "blind_not_in_dev")]
    for later in later_parts:
        # Later writers saw neither the rules nor any corpus file; a text that happens to equal a message of
        # another part is counted here, so an overlap cannot hide.
        others = {str(m["text"]) for part, ms in corpora.items() if part != later for m in ms}
        shared = sum(1 for m in corpora[later] if str(m["text"]) in others)
        report[f"{later}_messages_also_elsewhere"] = shared
    for part, messages in corpora.items():
        figures = summarise(judge(messages, content))
        report["parts"][part] = figures
        print(
            f"{part}: {figures['scams']} scams, {figures['genuine']} genuine | "
            f"scam recall {figures['scam_recall']} (goal >= {GOALS['scam_recall']}) | "
            f"genuine called likely scam: {figures['genuine_likely_scam']} (goal 0) | "
            f"genuine no known signals: {figures['genuine_no_signals_share']} (goal >= 0.80)"
        )
        print(f"  missed scams: {', '.join(figures['missed_scam_ids']) or '-'}")
        print(f"  genuine called likely scam: {', '.join(figures['genuine_likely_scam_ids']) or '-'}")
        print(f"  genuine suspicious: {', '.join(figures['genuine_suspicious_ids']) or '-'}")
    if args.out:
        write_result(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

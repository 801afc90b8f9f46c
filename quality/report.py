"""Builds the staff content report: what to verify, what is out of date, and how readable each topic is.

Why a separate module: ``scripts/content_report.py`` only parses arguments and prints, so the report's
content can be tested without a subprocess, and the same rows feed the text and the JSON output.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from knowledge.models import Catalog
from quality.freshness import STALE_AFTER_MONTHS, Attention, needs_attention, stale_before
from quality.readability import Finding, TextScore, findings, score_topic
from quality.vocabulary import AllowedTerm


@dataclass(frozen=True)
class ContentReport:
    """Everything the report shows, computed once."""

    today: date
    attention: tuple[Attention, ...]
    scores: tuple[tuple[TextScore, TextScore], ...]  # (answer, simple) per topic, sorted by id
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form (dates as ISO strings)."""
        return {
            "today": self.today.isoformat(),
            "stale_before": stale_before(self.today).isoformat(),
            "attention": [asdict(a) for a in self.attention],
            "readability": [
                {
                    "topic": answer.topic,
                    **{
                        f"{score.part}_{key}": value
                        for score in (answer, simple)
                        for key, value in _score_fields(score).items()
                    },
                }
                for answer, simple in self.scores
            ],
            "findings": [asdict(f) for f in self.findings],
        }


def _score_fields(score: TextScore) -> dict[str, object]:
    return {
        "douma": round(score.douma, 1),
        "sentences": len(score.sentences),
        "words": score.word_count,
        "avg_sentence_words": round(score.average_sentence_words, 1),
        "max_sentence_words": score.longest_sentence_words,
        "rare_share": round(score.rare_share, 3),
        "rare_words": list(score.rare),
        "allowed_terms": list(score.allowed),
    }


def build_report(catalog: Catalog, allowed: tuple[AllowedTerm, ...], today: date) -> ContentReport:
    """Compute the report for ``catalog`` as of ``today``."""
    scores = tuple(score_topic(catalog.topics[tid], allowed) for tid in sorted(catalog.topics))
    found = tuple(f for pair in scores for score in pair for f in findings(score))
    return ContentReport(today, tuple(needs_attention(catalog, today)), scores, found)


def render_text(report: ContentReport) -> str:
    """The report as plain text for a terminal or an e-mail to staff."""
    lines: list[str] = [f"Wegwijzer content report, {report.today.isoformat()}", ""]
    unverified = [a for a in report.attention if a.reason == "unverified"]
    unknown = [a for a in report.attention if a.reason == "unknown"]
    stale = [a for a in report.attention if a.reason == "stale"]
    lines.append(
        f"1. Unverified facts (topics with verify: true, local facts not confirmed): {len(unverified)}"
    )
    lines.extend(f"   - {a}" for a in unverified)
    lines.append("")
    lines.append(f"1b. Local facts not known yet (the bot shows the website instead): {len(unknown)}")
    lines.extend(f"   - {a}" for a in unknown)
    lines.append("")
    lines.append(
        f"2. Reviewed or checked more than {STALE_AFTER_MONTHS} months ago "
        f"(before {stale_before(report.today).isoformat()}): {len(stale)}"
    )
    lines.extend(f"   - {a}" for a in stale)
    lines.append("")
    lines.append("3. Readability per topic (answer = answer + steps; simple = 'Zeg het simpeler')")
    header = (
        f"   {'topic':<26} {'douma':>6} {'simple':>6} {'w/zin':>6} {'max':>4} "
        f"{'s w/zin':>7} {'s max':>5} {'rare%':>6}  rare words"
    )
    lines.append(header)
    for answer, simple in report.scores:
        rare = sorted({w.lower() for w in (*answer.rare, *simple.rare)})
        share = max(answer.rare_share, simple.rare_share)
        lines.append(
            f"   {answer.topic:<26} {answer.douma:6.1f} {simple.douma:6.1f} "
            f"{answer.average_sentence_words:6.1f} {answer.longest_sentence_words:4d} "
            f"{simple.average_sentence_words:7.1f} {simple.longest_sentence_words:5d} {share:6.1%}  "
            f"{', '.join(rare)}"
        )
    lines.append("")
    if report.findings:
        lines.append(f"4. Readability problems: {len(report.findings)}")
        lines.extend(f"   - {finding}" for finding in report.findings)
    else:
        lines.append("4. Readability problems: none")
    return "\n".join(lines)

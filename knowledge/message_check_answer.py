"""Turns a check result into the words residents read: the verdict, each signal with its quote, the rules that
apply and what to do after clicking, paying or typing a code.

Why here and not in actions/: the chat action (Rasa SDK, Python 3.10) and the staff triage endpoint both show
the same answer, so the wording is composed once, from content only. No Dutch text lives in this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from knowledge.message_check import CheckResult, Finding, explain
from knowledge.message_check_content import MessageCheckContent

MAX_SHOWN_SIGNALS = 4


@dataclass(frozen=True)
class CheckAnswer:
    """The composed answer: the main text, its simpler version, the rules, and the after-advice steps."""

    verdict: str
    text: str
    simple: str
    rules: tuple[str, ...]
    after_intro: str
    after: tuple[str, ...]


def _rules(content: MessageCheckContent, findings: tuple[Finding, ...]) -> tuple[str, ...]:
    ids: list[str] = []
    for finding in findings:
        signal = content.signal(finding.signal_id)
        org_rules = [o.rule for o in content.organisations if o.name == finding.organisation and o.rule]
        for rule_id in [*org_rules, signal.rule]:
            if rule_id and rule_id not in ids:
                ids.append(rule_id)
    return tuple(content.rules[rule_id].text for rule_id in ids[:2])


def compose(content: MessageCheckContent, result: CheckResult) -> CheckAnswer:
    """The answer for ``result``: at most MAX_SHOWN_SIGNALS signals, strongest first, each with its quote."""
    verdict = content.verdicts[result.verdict]
    shown = result.findings[:MAX_SHOWN_SIGNALS]
    lines = [verdict.text]
    lines += [
        content.texts["signal_line"].format(quote=f.quote, explanation=explain(content, f)) for f in shown
    ]
    if len(result.findings) > len(shown):
        lines.append(content.texts["more_signals"])
    simple_lines = [verdict.simple]
    simple_lines += [
        content.texts["signal_line_simple"].format(explanation=explain(content, f, simple=True)) for f in shown
    ]
    found = bool(result.findings)
    return CheckAnswer(
        verdict=result.verdict,
        text="\n".join(lines),
        simple="\n".join(simple_lines + ([content.after.simple] if found else [])),
        rules=_rules(content, shown),
        after_intro=content.after.intro if found else "",
        after=content.after.items if found else (),
    )


def rules_text(content: MessageCheckContent, answer: CheckAnswer) -> str:
    """The rules block ("Goed om te weten: …"), or an empty string when no rule applies."""
    if not answer.rules:
        return ""
    return "\n".join([content.texts["rule_intro"], *answer.rules])


def remember(result: CheckResult) -> str:
    """A compact record of a check for a slot: the verdict and, per signal, its id and organisation. No quotes
    and no message text, so the slot never holds what the resident pasted."""
    return json.dumps(
        {
            "verdict": result.verdict,
            "signals": [[f.signal_id, f.organisation, f.official] for f in result.findings],
        },
        separators=(",", ":"),
    )


def recall(content: MessageCheckContent, record: str | None) -> CheckResult | None:
    """Rebuild a result from ``remember()`` (quotes empty), or None when the record is missing or stale."""
    if not record:
        return None
    try:
        data = json.loads(record)
        known = {s.id for s in content.signals}
        findings = tuple(
            Finding(str(sid), "", org, official) for sid, org, official in data["signals"] if sid in known
        )
        verdict = str(data["verdict"])
    except (ValueError, KeyError, TypeError):
        return None
    if verdict not in content.verdicts:
        return None
    return CheckResult(verdict=verdict, findings=findings)

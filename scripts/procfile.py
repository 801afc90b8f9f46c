"""Writes the Procfile that `make run` starts and prints what runs where.

Reads Procfile.dev; a process whose ``#requires VAR ...`` comment names an unset variable is left out, with one
line saying so (adapters start only when their secrets are set).
Usage: python -m scripts.procfile Procfile.dev var/Procfile
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENDPOINTS = [
    ("Web chat demo (widget)", "http://127.0.0.1:{WEBCHAT_PORT}/"),
    ("Staff triage page", "http://127.0.0.1:{STAFF_PORT}/"),
    ("Reach dashboard", "http://127.0.0.1:{API_PORT}/dashboard"),
    ("Rasa REST webhook", "{RASA_URL}/webhooks/rest/webhook"),
    ("Staff triage API", "{RASA_URL}/webhooks/triage/webhook"),
]


def select(lines: list[str]) -> tuple[list[str], list[str]]:
    """Return (process lines to run, messages about skipped processes)."""
    keep, skipped = [], []
    for raw in lines:
        line, _, comment = raw.partition("#requires")
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        missing = [var for var in comment.split() if not os.environ.get(var)]
        name = line.split(":", 1)[0]
        if missing:
            skipped.append(f"  skipped {name}: set {', '.join(missing)} to start it")
        else:
            keep.append(line)
    return keep, skipped


def main() -> None:
    """Entry point."""
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    keep, skipped = select(source.read_text(encoding="utf-8").splitlines())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(keep) + "\n", encoding="utf-8")
    names = {line.split(":", 1)[0] for line in keep}
    print("Wegwijzer is starting these processes: " + ", ".join(sorted(names)))
    print("\n".join(skipped))
    for label, template in ENDPOINTS:
        try:
            print(f"  {label:26} {template.format(**os.environ)}")
        except KeyError:
            continue
    rasa_url = os.environ.get("RASA_URL", "http://127.0.0.1:5005")
    body = '{"sender": "demo", "message": "Waar is het informatiepunt?"}'
    print(
        f"Try: curl -s -X POST {rasa_url}/webhooks/rest/webhook -H 'Content-Type: application/json' -d '{body}'"
    )
    print("Stop everything with Ctrl+C.")


if __name__ == "__main__":
    main()

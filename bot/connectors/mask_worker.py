"""A masking worker process: ``python -m bot.connectors.mask_worker`` (started by ``masking_pool``).

Reads one JSON string a line from stdin and writes ``{"text": ..., "found": [...]}`` a line to stdout, until
stdin closes. It imports only ``knowledge.pii`` (not Rasa), so it starts in well under a second.
"""

from __future__ import annotations

import json
import sys

from knowledge.pii import mask_pii


def main() -> None:
    """Mask every line until stdin closes."""
    for line in sys.stdin.buffer:
        result = mask_pii(str(json.loads(line)))
        sys.stdout.write(json.dumps({"text": result.text, "found": result.found}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

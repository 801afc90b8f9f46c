"""Builds the local Dutch spaCy pipeline: spacy.blank("nl") plus the lookup lemmatizer.

Why: trained Dutch models are GitHub release assets that a locked-down build cannot fetch, and Rasa's SpacyNLP
refuses an in-memory pipeline, so we build one from spacy-lookups-data and save it to disk.
Usage: python -m scripts.build_spacy_nl build/spacy_nl
"""

from __future__ import annotations

import sys
from pathlib import Path


def build(target: Path) -> None:
    """Create the pipeline and write it to ``target``."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "wegwijzer_nl"
    nlp.meta["description"] = "Blank Dutch pipeline with the lookup lemmatizer (spacy-lookups-data)"
    target.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    check = spacy.load(target)
    lemmas = [t.lemma_ for t in check("ik ben mijn wachtwoorden vergeten")]
    print(f"spaCy pipeline written to {target}: lemmas {lemmas}")


def main() -> None:
    """Entry point."""
    if len(sys.argv) != 2:
        sys.exit("usage: build_spacy_nl.py TARGET_DIR")
    build(Path(sys.argv[1]))


if __name__ == "__main__":
    main()

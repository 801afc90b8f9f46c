"""The held-out NLU messages are never trained on: no held-out message may also be a training example.

Texts are compared after normalising case, spaces and punctuation (``scripts/check_nlu_overlap.py``,
reused here so the command-line check and the build gate cannot disagree). The same check also reports
an example that sits in two intents, which would teach the classifier a contradiction.
Runs in both Python environments (PyYAML only).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from scripts import check_nlu_overlap

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def overlap() -> ModuleType:
    return check_nlu_overlap


def test_no_heldout_message_occurs_in_the_training_data(overlap: ModuleType) -> None:
    # arrange
    training = overlap.load_training(sorted((ROOT / "data" / "nlu").rglob("*.yml")))
    heldout = overlap.load_heldout(sorted((ROOT / "tests" / "nlu" / "heldout").glob("*.yml")))
    # act
    problems = overlap.find_problems(training, heldout, ROOT)
    # assert
    assert len(heldout) >= 10 * len({m.label for m in heldout})
    assert not problems, "\n".join(problems)


def test_no_blind_message_occurs_in_the_training_data_or_the_old_heldout_set(overlap: ModuleType) -> None:
    # The blind set (tests/nlu/blind/README.md) was written without seeing data/nlu; it must stay unseen.
    training = overlap.load_training(sorted((ROOT / "data" / "nlu").rglob("*.yml")))
    blind = overlap.load_heldout(sorted((ROOT / "tests" / "nlu" / "blind").glob("*.yml")))
    heldout = overlap.load_heldout(sorted((ROOT / "tests" / "nlu" / "heldout").glob("*.yml")))
    problems = overlap.find_problems(training, [*heldout, *blind], ROOT)
    assert len(blind) >= 600
    assert sum(1 for m in blind if m.label == "buiten_bereik") >= 120
    # written for the 31 topics of the day; topics added later (bericht_controleren) still need blind messages
    assert {m.label for m in blind} <= {m.label for m in heldout} and len({m.label for m in blind}) >= 31
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("later", "earlier_sets", "min_messages", "min_topics"),
    [
        # The second and third blind sets (their README.md) were written from the topic texts alone.
        ("blind2", ("heldout", "blind"), 600, 32),  # every topic id of its day, bericht_controleren included
        ("blind3", ("heldout", "blind", "blind2"), 540, 36),  # the first with today's 36 topic ids
        ("blind4", ("heldout", "blind", "blind2", "blind3"), 700, 36),
        ("blind5", ("heldout", "blind", "blind2", "blind3", "blind4"), 660, 36),
        ("blind6", ("heldout", "blind", "blind2", "blind3", "blind4", "blind5"), 660, 36),
    ],
)
def test_no_later_blind_message_occurs_in_training_or_an_earlier_evaluation_set(
    overlap: ModuleType, later: str, earlier_sets: tuple[str, ...], min_messages: int, min_topics: int
) -> None:
    training = overlap.load_training(sorted((ROOT / "data" / "nlu").rglob("*.yml")))
    earlier = [
        m
        for name in earlier_sets
        for m in overlap.load_heldout(sorted((ROOT / "tests" / "nlu" / name).glob("*.yml")))
    ]
    blind = overlap.load_heldout(sorted((ROOT / "tests" / "nlu" / later).glob("*.yml")))
    assert len(blind) >= min_messages
    assert sum(1 for m in blind if m.label == "buiten_bereik") >= 120
    assert len({m.label for m in blind}) >= min_topics
    problems = overlap.find_problems(training, blind, ROOT)
    earlier_texts = {overlap.normalise(m.text) for m in earlier}
    problems += [
        f"{m.text!r} is also in an earlier evaluation set"
        for m in blind
        if overlap.normalise(m.text) in earlier_texts
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "variant",
    ["Mijn DigiD is kwijt!", "mijn   digid is kwijt", "mijn digi d is kwijt", "MIJN DIGID, IS KWIJT?"],
)
def test_leak_is_found_despite_case_spaces_and_punctuation(
    overlap: ModuleType, tmp_path: Path, variant: str
) -> None:
    # arrange
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "heldout").mkdir()
    (tmp_path / "data" / "nlu" / "t.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: digid_problemen\n  examples: |\n    - mijn digid is kwijt\n',
        encoding="utf-8",
    )
    (tmp_path / "heldout" / "digid_problemen.yml").write_text(
        f"topic: digid_problemen\nmessages:\n  - {variant!r}\n  - hoe vraag ik een digid aan\n",
        encoding="utf-8",
    )
    training = overlap.load_training([tmp_path / "data" / "nlu" / "t.yml"])
    heldout = overlap.load_heldout([tmp_path / "heldout" / "digid_problemen.yml"])
    # act
    problems = overlap.find_problems(training, heldout, tmp_path)
    # assert
    leaks = [p for p in problems if p.startswith("held-out leak")]
    assert len(leaks) == 1, problems
    assert leaks[0].endswith("(heldout/digid_problemen.yml) is a training example of digid_problemen")


def test_unreadable_heldout_file_is_a_clear_error(overlap: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("topic: email\nmessages: [1, 2]\n", encoding="utf-8")
    with pytest.raises(overlap.InputError, match="every message must be text"):
        overlap.load_heldout([bad])

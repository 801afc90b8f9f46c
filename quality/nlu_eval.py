"""Runs the held-out NLU evaluation against a real trained Rasa model (Rasa environment, Python 3.10).

Why this shape: training costs minutes on the 2-core build machine, so the production model
``models/wegwijzer.tar.gz`` is reused whenever it is newer than ``data/`` and ``config.yml`` (data/nlu
is the only NLU training data, so that model is already trained on it). Only when it is missing or stale
is an NLU-only model trained into a temporary folder. Messages are parsed in-process with
``Agent.parse_message``, exactly the NLU path the running bot uses. Rasa is imported inside the functions,
so this module can be imported (and type-checked) where Rasa is not installed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from knowledge.two_questions import part_rankings_of
from quality.nlu_metrics import Evaluation, Prediction, evaluate, to_topic

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_MODEL = Path("models/wegwijzer.tar.gz")
HELDOUT_DIR = Path("tests/nlu/heldout")
# Written blind from the topic descriptions, by a writer who never saw data/nlu (tests/nlu/blind/README.md).
BLIND_DIR = Path("tests/nlu/blind")
# A second blind writer, 2026-12-02, from the topic texts alone (tests/nlu/blind2/README.md); C and the
# fallback threshold were chosen before it existed, so it is the unbiased figure of the current model.
BLIND2_DIR = Path("tests/nlu/blind2")
# A third blind writer, 2026-12-02, the first with today's 36 topic ids (tests/nlu/blind3/README.md).
BLIND3_DIR = Path("tests/nlu/blind3")
# A fourth blind writer, 2026-12-03, with the registers' proportions and very short messages named in the brief
# (tests/nlu/blind4/README.md).
BLIND4_DIR = Path("tests/nlu/blind4")
# A fifth blind writer, 2026-12-03, the same way (tests/nlu/blind5/README.md).
BLIND5_DIR = Path("tests/nlu/blind5")
# A sixth blind writer, 2026-12-03, the same way (tests/nlu/blind6/README.md); first measured on the model with
# the second-part classifier and the fourth phrasings round.
BLIND6_DIR = Path("tests/nlu/blind6")
# Every blind set by name, in the order they were written: the one list the report and the gate use.
BLIND_SETS = {
    "blind": BLIND_DIR,
    "blind2": BLIND2_DIR,
    "blind3": BLIND3_DIR,
    "blind4": BLIND4_DIR,
    "blind5": BLIND5_DIR,
    "blind6": BLIND6_DIR,
}
SWEEP_THRESHOLDS = tuple(round(0.1 + 0.05 * step, 2) for step in range(15))  # 0.10 .. 0.80


class EvaluationError(RuntimeError):
    """The evaluation cannot run: no held-out data, a broken file, or training failed."""


def load_messages(directory: Path) -> list[tuple[str, str, str]]:
    """(topic, message, register) triples from ``<directory>/<id>.yml`` files of the form {topic, messages}.

    A message is a string (register "-") or a mapping with ``text`` and ``register`` (the blind set).
    """
    triples: list[tuple[str, str, str]] = []
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise EvaluationError(f"{directory}: no held-out files (*.yml)")
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("topic"), str):
            raise EvaluationError(f"{path}: expected a mapping with 'topic' and 'messages'")
        messages = data.get("messages")
        if not isinstance(messages, list):
            raise EvaluationError(f"{path}: 'messages' must be a list")
        for item in messages:
            text, register = (item, "-") if isinstance(item, str) else (None, None)
            if isinstance(item, dict):
                text, register = item.get("text"), str(item.get("register", "-"))
            if not isinstance(text, str) or not text.strip():
                raise EvaluationError(f"{path}: every message must be non-empty text")
            triples.append((data["topic"], text, register or "-"))
    return triples


def second_labels(directory: Path) -> list[str | None]:
    """The ``second`` topic of each message of ``load_messages(directory)``, in its order (None: one topic).

    A blind writer labels a two-question message with the first question's topic and ``second`` for the other.
    """
    labels: list[str | None] = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("messages") or []:
            second = item.get("second") if isinstance(item, dict) else None
            labels.append(second if isinstance(second, str) else None)
    return labels


def load_heldout(directory: Path) -> list[tuple[str, str]]:
    """(topic, message) pairs from a held-out directory."""
    return [(topic, text) for topic, text, _ in load_messages(directory)]


def training_inputs(root: Path) -> list[Path]:
    """The files whose change makes a trained model stale for NLU purposes."""
    return [root / "config.yml", *sorted((root / "data").rglob("*.yml"))]


def model_is_current(model: Path, root: Path) -> bool:
    """True when ``model`` exists and is newer than every training input."""
    if not model.is_file():
        return False
    newest = max((p.stat().st_mtime for p in training_inputs(root) if p.is_file()), default=0.0)
    return model.stat().st_mtime >= newest


def fallback_settings(config: Path) -> tuple[float, float]:
    """(threshold, ambiguity_threshold) of the FallbackClassifier in ``config.yml``."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    for component in data.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(component.get("ambiguity_threshold", 0.1))
    raise EvaluationError(f"{config}: no FallbackClassifier in the pipeline")


def train_nlu_model(root: Path, out_dir: Path) -> Path:
    """Train an NLU-only model on data/nlu into ``out_dir``; return the model file."""
    rasa = Path(sys.executable).parent / "rasa"
    command = [
        str(rasa), "train", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
        "--out", str(out_dir), "--fixed-model-name", "eval", "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    model = out_dir / "eval.tar.gz"
    if result.returncode != 0 or not model.is_file():
        tail = "\n".join((result.stderr or result.stdout).splitlines()[-20:])
        raise EvaluationError(f"rasa train nlu failed (exit {result.returncode}):\n{tail}")
    return model


def _prediction(expected: str, text: str, parsed: dict[str, Any]) -> Prediction:
    intent = (parsed.get("intent") or {}).get("name")
    ranking = _pairs(parsed.get("intent_ranking") or [])
    parts = tuple(_pairs(part) for part in part_rankings_of(parsed))
    return Prediction(
        text=text, expected=expected, ranking=ranking, predicted=to_topic(intent), part_rankings=parts
    )


def _pairs(ranking: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, float], ...]:
    """Rasa's ``[{"name", "confidence"}]`` as (intent, confidence) pairs."""
    return tuple((str(item.get("name")), float(item.get("confidence") or 0.0)) for item in ranking)


async def predict(model: Path, heldout: Sequence[tuple[str, str]], root: Path = ROOT) -> list[Prediction]:
    """Parse every held-out message with the model, in-process."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # Heavy: imported only when a model is evaluated. Rasa's structlog logs every parsed text at debug
    # level until it is configured, so set both loggers to WARNING first.
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    cwd = Path.cwd()
    os.chdir(root)  # config.yml names the spaCy pipeline relative to the repository root
    try:
        agent = Agent.load(str(model.resolve()))
        return [_prediction(topic, text, await agent.parse_message(text)) for topic, text in heldout]
    finally:
        os.chdir(cwd)


def run_evaluation(model: Path, root: Path = ROOT, directory: Path = HELDOUT_DIR) -> Evaluation:
    """Evaluate ``model`` on one held-out set, with a what-if table for the fallback threshold."""
    return evaluate_predictions(predict_set(model, root, directory), root)


def predict_set(model: Path, root: Path, directory: Path) -> list[Prediction]:
    """Parse every message of one held-out set with ``model``."""
    return asyncio.run(predict(model, load_heldout(root / directory), root))


def evaluate_predictions(predictions: Sequence[Prediction], root: Path = ROOT) -> Evaluation:
    """Score predictions with the configured ambiguity threshold and the threshold sweep."""
    _, ambiguity = fallback_settings(root / "config.yml")
    return evaluate(predictions, SWEEP_THRESHOLDS, ambiguity)

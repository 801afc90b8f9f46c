"""The topic of each later question in a two-question message, classified on its own (issue 10, item 5).

Why: "mijn digid doet het niet en ik moet ook toeslag aanvragen" is answered with its first topic and the second
is offered as a button (knowledge/two_questions.py). The intent ranking is about the whole message, so the
second question's topic came second in only about half of such messages, and then weakly: the button was
offered for about one in five (docs/quality.md). This component classifies the text after each joining marker
(``knowledge.two_questions.later_parts``) with a classifier of its own, trained on the same examples, and puts
one ranking per part in the parse data (``PART_RANKINGS_KEY``), where the chat and staff triage read it. It
leaves the intent and the intent ranking alone.

The classifier is a multinomial logistic regression on lemmas and their character n-grams (the features of
``bot/nlu/lemma_bags.py``), because a part is a short stretch of a message, and the main classifier's features
belong to the whole message. Its weights are stored as plain arrays, not a pickle, and the probabilities are
computed from them (a softmax), so loading a model runs no stored code. The two-question rules are stored with
the model, like the first-part featurizer's, so a running bot splits messages exactly as it was trained.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import lemma_bags as bags
from knowledge.two_questions import FILE_NAME, PART_RANKINGS_KEY, TwoQuestionRules, later_parts, load

STORED_FILE = "second_part.json"
WEIGHTS_FILE = "second_part.npz"
NAME = "SecondPartClassifier"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SecondPartClassifier(GraphComponent):
    """One intent ranking per later part of a two-question message, in the parse data's ``part_rankings``."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Needs tokens with lemmas and character offsets."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``knowledge_dir``: where two_questions.yml is read at training; ``char_ngrams`` and ``char_min_df``:
        the character n-grams counted and how many training examples must have one; ``C``: the regression's
        inverse regularisation strength; ``ranking_length``: intents kept per part."""
        return {
            "knowledge_dir": "knowledge",
            "char_ngrams": [2, 4],
            "char_min_df": 5,
            "C": 5.0,
            "max_iter": 1000,
            "random_state": 42,
            "ranking_length": 5,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Settings of the right kinds, so a typo fails at training and not at the first message."""
        strength = config.get("C")
        if isinstance(strength, bool) or not isinstance(strength, (int, float)) or strength <= 0:
            raise InvalidConfigException(f"{NAME}: C must be a positive number, got {strength!r}")
        if not isinstance(config.get("knowledge_dir"), str):
            raise InvalidConfigException(f"{NAME}: knowledge_dir must be a folder name")
        if not bags.is_size_range(config.get("char_ngrams")):
            sizes = config.get("char_ngrams")
            raise InvalidConfigException(f"{NAME}: char_ngrams must be [min, max], got {sizes!r}")
        for field in ("char_min_df", "max_iter", "ranking_length"):
            value = config.get(field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidConfigException(f"{NAME}: {field} must be a whole number of at least 1")

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The markers file's content: editing it must retrain this component, not reuse Rasa's cache."""
        return bags.markers_fingerprint(config)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        trained: _Trained | None = None,
    ) -> None:
        self.validate_config(config)
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._trained = trained
        self._char_sizes = bags.char_sizes(config["char_ngrams"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SecondPartClassifier:
        """An untrained classifier: it ranks nothing until ``train``."""
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SecondPartClassifier:
        """The classifier with the rules, vocabulary and weights stored at training."""
        with model_storage.read_from(resource) as folder:
            stored = json.loads((folder / STORED_FILE).read_text(encoding="utf-8"))
            with np.load(folder / WEIGHTS_FILE) as arrays:
                coefficients, intercepts = arrays["coefficients"], arrays["intercepts"]
        trained = _Trained(
            rules=bags.rules_from_stored(stored),
            index={name: column for column, name in enumerate(stored["vocabulary"])},
            intents=tuple(stored["intents"]),
            coefficients=coefficients,
            intercepts=intercepts,
        )
        return cls({**cls.get_default_config(), **config}, model_storage, resource, trained)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the regression on every example with an intent, as a whole message, and store it."""
        from sklearn.linear_model import LogisticRegression  # heavy; only needed when training

        problems: list[str] = []
        rules = load(Path(self._config["knowledge_dir"]), problems)
        if rules is None:
            raise InvalidConfigException(f"{NAME}: {'; '.join(problems) or FILE_NAME + ' could not be read'}")
        examples = [
            (self._names(_tokens(example), 0), str(example.get(INTENT)))
            for example in training_data.intent_examples
            if _tokens(example)
        ]
        intents = sorted({intent for _, intent in examples})
        if len(intents) < 2:
            raise InvalidConfigException(f"{NAME}: needs examples of at least two intents to train")
        names = bags.vocabulary(
            (example_names for example_names, _ in examples), int(self._config["char_min_df"])
        )
        index = {name: column for column, name in enumerate(names)}
        regression = LogisticRegression(
            C=float(self._config["C"]),
            max_iter=int(self._config["max_iter"]),
            random_state=int(self._config["random_state"]),
            solver="lbfgs",
        )
        regression.fit(bags.counts([n for n, _ in examples], index), [intent for _, intent in examples])
        self._trained = _Trained(
            rules=rules,
            index=index,
            intents=tuple(str(intent) for intent in regression.classes_),
            coefficients=regression.coef_.astype(np.float32),
            intercepts=regression.intercept_.astype(np.float32),
        )
        with self._model_storage.write_to(self._resource) as folder:
            stored = {**bags.stored_rules(rules), "vocabulary": names, "intents": list(self._trained.intents)}
            (folder / STORED_FILE).write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
            np.savez_compressed(
                folder / WEIGHTS_FILE,
                coefficients=self._trained.coefficients,
                intercepts=self._trained.intercepts,
            )
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Add ``part_rankings`` to each message that has later parts (nothing to the others)."""
        trained = self._trained
        if trained is None:
            return messages
        for message in messages:
            text, found = message.get(TEXT), _tokens(message)
            if not isinstance(text, str) or not found:
                continue
            rankings = [
                ranking
                for start in later_parts(text, trained.rules)
                if (ranking := self._rank(self._names(found, start), trained))
            ]
            if rankings:
                message.set(PART_RANKINGS_KEY, rankings, add_to_output=True)
        return messages

    def _names(self, found: Sequence[Token], start: int) -> list[str]:
        return bags.feature_names(bags.lemmas_between(found, start), self._char_sizes)

    def _rank(self, names: list[str], trained: _Trained) -> list[dict[str, Any]]:
        """The part's best intents, ``[{"name", "confidence"}]``; empty when none of its features is known."""
        row = bags.counts([names], trained.index)
        if row.nnz == 0:
            return []
        scores = np.asarray(row @ trained.coefficients.T).ravel() + trained.intercepts
        if len(trained.intents) == 2:  # scikit-learn's binary regression keeps one row of weights
            scores = np.array([0.0, scores[0]])
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        best = np.argsort(-probabilities)[: int(self._config["ranking_length"])]
        return [{"name": trained.intents[i], "confidence": float(probabilities[i])} for i in best]


@dataclass(frozen=True)
class _Trained:
    """What training produced: the rules, the feature index, the intents and the regression's weights."""

    rules: TwoQuestionRules
    index: dict[str, int]
    intents: tuple[str, ...]
    coefficients: np.ndarray
    intercepts: np.ndarray


def _tokens(message: Message) -> list[Token]:
    return list(message.get(TOKENS_NAMES[TEXT]) or [])

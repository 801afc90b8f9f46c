"""Sentence features of the first question only, for messages that ask two (issue 10, item 5).

Why: "mijn digid doet het niet en ik moet ook toeslag aanvragen" is answered with its first topic and the
second is offered as a button (knowledge/two_questions.py), but the word and character n-gram features are a
bag: they cannot say which topic came first, so the classifier's top intent was the first question's topic
only about half the time on the calibration slice. This featurizer adds a second bag, of the lemmas (and,
with ``char_ngrams``, their character n-grams) before the first two-question marker (the whole message when
there is none), so the first question's words count twice. Measured: BENCHMARKS.md, "First question first".

The markers and ``min_words`` are content (knowledge/two_questions.yml): they are read when the model is
trained and stored with it, so a running bot featurises exactly as it was trained, and a change of the file
changes the component's fingerprint, so Rasa retrains it instead of reusing a cached one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.lemma_bags import (
    char_sizes,
    counts,
    feature_names,
    is_size_range,
    lemmas_between,
    markers_fingerprint,
    rules_from_stored,
    stored_rules,
    vocabulary,
)
from knowledge.two_questions import FILE_NAME, TwoQuestionRules, first_part, load

STORED_FILE = "first_part.json"
NAME = "FirstPartFeaturizer"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class FirstPartFeaturizer(SparseFeaturizer, GraphComponent):
    """Counts of the lemmas in the text before the first two-question marker, as sentence features."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Needs tokens with lemmas and character offsets."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``knowledge_dir``: where two_questions.yml is read at training; ``weight``: value of one count;
        ``char_ngrams``: also count character n-grams of the first part's lemmas, ``[min, max]`` (None: off),
        kept when seen in at least ``char_min_df`` training examples."""
        return {
            **SparseFeaturizer.get_default_config(),
            "knowledge_dir": "knowledge",
            "weight": 1.0,
            "char_ngrams": None,
            "char_min_df": 2,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """A positive ``weight``; ``knowledge_dir`` a path."""
        weight = config.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            raise InvalidConfigException(f"{NAME}: weight must be a positive number, got {weight!r}")
        if not isinstance(config.get("knowledge_dir"), str):
            raise InvalidConfigException(f"{NAME}: knowledge_dir must be a folder name")
        sizes = config.get("char_ngrams")
        if sizes is not None and not is_size_range(sizes):
            raise InvalidConfigException(f"{NAME}: char_ngrams must be [min, max] or null, got {sizes!r}")

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The markers file's content: editing it must retrain this component, not reuse Rasa's cache."""
        return markers_fingerprint(config)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        rules: TwoQuestionRules | None = None,
        vocabulary: dict[str, int] | None = None,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._rules = rules
        self._vocabulary = vocabulary or {}
        self._weight = float(config["weight"])
        self._char_sizes = char_sizes(config.get("char_ngrams"))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FirstPartFeaturizer:
        """An untrained featurizer: no rules and no vocabulary until ``train``."""
        return cls(config, model_storage, resource, execution_context)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FirstPartFeaturizer:
        """The featurizer with the markers and vocabulary stored at training."""
        with model_storage.read_from(resource) as folder:
            stored = json.loads((folder / STORED_FILE).read_text(encoding="utf-8"))
        index = {name: column for column, name in enumerate(stored["vocabulary"])}
        return cls(config, model_storage, resource, execution_context, rules_from_stored(stored), index)

    def train(self, training_data: TrainingData) -> Resource:
        """Read the markers, collect the lemmas of every training example's first part, store both."""
        problems: list[str] = []
        rules = load(Path(self._config["knowledge_dir"]), problems)
        if rules is None:
            raise InvalidConfigException(f"{NAME}: {'; '.join(problems) or FILE_NAME + ' could not be read'}")
        self._rules = rules
        names = vocabulary(
            (self._feature_names(example) for example in training_data.training_examples),
            int(self._config["char_min_df"]),
        )
        self._vocabulary = {name: index for index, name in enumerate(names)}
        stored = {**stored_rules(rules), "vocabulary": names}
        with self._model_storage.write_to(self._resource) as folder:
            (folder / STORED_FILE).write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurise every training example, as ``process`` does at inference."""
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the first part's sentence features to each message that has tokens."""
        self._featurize(messages)
        return messages

    def _featurize(self, messages: list[Message]) -> None:
        for message in messages:
            if not message.get(TOKENS_NAMES[TEXT]):
                continue  # like the count featurizers: no tokens, no features (the classifier skips it)
            row = counts([self._feature_names(message)], self._vocabulary, self._weight)
            self.add_features_to_message(None, row.tocoo(), TEXT, message)

    def _feature_names(self, message: Message) -> list[str]:
        """The first part's lemmas (``w:``) and, when configured, their character n-grams (``c:``)."""
        return feature_names(self._first_lemmas(message), self._char_sizes)

    def _first_lemmas(self, message: Message) -> list[str]:
        """Lower-case lemmas of the tokens that start inside the first part of the message's text."""
        text = message.get(TEXT)
        found: list[Token] = message.get(TOKENS_NAMES[TEXT]) or []
        if not isinstance(text, str) or not found or self._rules is None:
            return []
        return lemmas_between(found, 0, len(first_part(text, self._rules)))

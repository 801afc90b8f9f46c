"""The first-part featurizer of config.yml (bot/nlu/first_part.py), trained here on a tiny data set.

Rasa environment, no Rasa training run: a whitespace tokenizer and the component alone. Checks that only the
words before the first two-question marker are counted (the whole message without one), that the markers are
read from the content at training and stored with the model, that editing the markers file changes the
component's fingerprint, and that bad settings are refused. The effect on the real model is measured in
BENCHMARKS.md ("First question first").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci_support import require_module

require_module("rasa", "RASA ENVIRONMENT NEEDED: run with .venv-rasa/bin/python")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.exceptions import InvalidConfigException  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.nlu.first_part import FirstPartFeaturizer  # noqa: E402

RULES = "threshold: 0.2\nmin_words: 2\nmarkers: [en, ook, '?']\npart_threshold: 0.7\npart_min_words: 4\n"
EXAMPLES = ["mijn digid is kwijt", "huurtoeslag aanvragen", "hoe werkt mijn email"]


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=name)


class Trained:
    """The featurizer trained on EXAMPLES with the markers of RULES, in its own model storage."""

    def __init__(self, folder: Path, **settings: object) -> None:
        knowledge = folder / "knowledge"
        knowledge.mkdir(parents=True)
        (knowledge / "two_questions.yml").write_text(RULES, encoding="utf-8")
        self.knowledge = knowledge
        self.config = {**FirstPartFeaturizer.get_default_config(), "knowledge_dir": str(knowledge), **settings}
        (folder / "model").mkdir()
        self.storage = LocalModelStorage(folder / "model")
        self.resource = Resource("first_part")
        self.tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
        self.featurizer = FirstPartFeaturizer.create(self.config, self.storage, self.resource, _context("fp"))
        data = TrainingData([Message.build(text=text, intent="x") for text in EXAMPLES])
        self.tokenizer.process_training_data(data)
        self.featurizer.train(data)
        self.featurizer.process_training_data(data)
        self.data = data

    def loaded(self) -> FirstPartFeaturizer:
        return FirstPartFeaturizer.load(self.config, self.storage, self.resource, _context("fp"))

    def counts(self, featurizer: FirstPartFeaturizer, text: str) -> dict[str, float]:
        """The message's first-part features as {feature name: value}."""
        message = Message.build(text=text)
        self.tokenizer.process([message])
        featurizer.process([message])
        sentence = message.get_sparse_features(TEXT)[1]
        assert sentence is not None
        names = {index: name for name, index in featurizer._vocabulary.items()}
        row = sentence.features.tocoo()
        return {names[int(col)]: float(value) for col, value in zip(row.col, row.data, strict=True)}


def test_only_the_words_before_the_first_marker_are_counted(tmp_path: Path) -> None:
    trained = Trained(tmp_path)
    counts = trained.counts(trained.featurizer, "mijn digid is kwijt en ook huurtoeslag aanvragen")
    assert counts == {"w:mijn": 1.0, "w:digid": 1.0, "w:is": 1.0, "w:kwijt": 1.0}


def test_without_a_marker_the_whole_message_is_the_first_part(tmp_path: Path) -> None:
    trained = Trained(tmp_path)
    assert trained.counts(trained.featurizer, "huurtoeslag aanvragen") == {
        "w:huurtoeslag": 1.0,
        "w:aanvragen": 1.0,
    }
    # a marker with too few words on one side does not split
    assert set(trained.counts(trained.featurizer, "digid en")) == {"w:digid"}


def test_training_examples_get_the_same_features_as_messages_at_inference(tmp_path: Path) -> None:
    trained = Trained(tmp_path)
    example = trained.data.training_examples[0]
    stored = example.get_sparse_features(TEXT)[1]
    assert stored is not None
    assert stored.features.shape == (1, len(trained.featurizer._vocabulary))
    assert stored.features.nnz == 4


def test_markers_are_stored_with_the_model_not_read_again_when_it_loads(tmp_path: Path) -> None:
    trained = Trained(tmp_path)
    (trained.knowledge / "two_questions.yml").write_text(
        "threshold: 0.2\nmin_words: 2\nmarkers: [digid]\n", encoding="utf-8"
    )
    loaded = trained.loaded()
    text = "mijn digid is kwijt en huurtoeslag aanvragen"
    assert trained.counts(loaded, text) == trained.counts(trained.featurizer, text)
    assert "w:huurtoeslag" not in trained.counts(loaded, text)


def test_editing_the_markers_file_changes_the_fingerprint(tmp_path: Path) -> None:
    trained = Trained(tmp_path)
    before = FirstPartFeaturizer.fingerprint_addon(trained.config)
    (trained.knowledge / "two_questions.yml").write_text(RULES + "  - daarnaast\n", encoding="utf-8")
    assert before is not None
    assert FirstPartFeaturizer.fingerprint_addon(trained.config) not in (None, before)


def test_weight_and_character_n_grams(tmp_path: Path) -> None:
    trained = Trained(tmp_path, weight=2.0, char_ngrams=[3, 3], char_min_df=1)
    counts = trained.counts(trained.featurizer, "mijn email? en huurtoeslag")
    assert counts["w:mijn"] == counts["w:email"] == 2.0
    assert counts["c: em"] == counts["c:ail"] == 2.0
    assert not any("toe" in name for name in counts)


def test_a_message_without_known_words_gets_only_zeros_and_one_without_tokens_nothing(tmp_path: Path) -> None:
    # Like the count featurizers; either way the classifier gives no intent (bot/nlu/logistic_regression.py).
    trained = Trained(tmp_path)
    blank, untokenised = Message.build(text=" "), Message.build(text="digid kwijt")
    trained.tokenizer.process([blank])
    trained.featurizer.process([blank, untokenised])
    sentence = blank.get_sparse_features(TEXT)[1]
    assert sentence is not None and sentence.features.nnz == 0
    assert untokenised.features == []


def test_an_unreadable_markers_file_fails_training_with_the_problem_named(tmp_path: Path) -> None:
    config = {**FirstPartFeaturizer.get_default_config(), "knowledge_dir": str(tmp_path)}
    featurizer = FirstPartFeaturizer.create(config, LocalModelStorage(tmp_path), Resource("r"), _context("f"))
    with pytest.raises(InvalidConfigException, match=r"two_questions\.yml"):
        featurizer.train(TrainingData([Message.build(text="digid kwijt", intent="x")]))


@pytest.mark.parametrize(
    "settings",
    [{"weight": 0}, {"weight": "2"}, {"weight": True}, {"char_ngrams": [4, 2]}, {"char_ngrams": 3}],
)
def test_bad_settings_are_refused(tmp_path: Path, settings: dict[str, object]) -> None:
    config = {**FirstPartFeaturizer.get_default_config(), **settings}
    with pytest.raises(InvalidConfigException, match="FirstPartFeaturizer"):
        FirstPartFeaturizer.create(config, LocalModelStorage(tmp_path), Resource("r"), _context("f"))

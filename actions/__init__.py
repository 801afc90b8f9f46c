"""Wegwijzer's custom actions (rasa-sdk, Python 3.10). Importing the package registers every action."""

from actions.answer_topic import ActionAnswerTopic
from actions.record_feedback import ActionRecordFeedback
from actions.resolve_place import ActionResolvePlace
from actions.simplify import ActionSimplify

__all__ = ["ActionAnswerTopic", "ActionRecordFeedback", "ActionResolvePlace", "ActionSimplify"]

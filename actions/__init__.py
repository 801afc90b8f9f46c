"""Wegwijzer's custom actions (rasa-sdk, Python 3.10). Importing the package registers every action."""

from actions.rasa_actions import ActionAnswerTopic, ActionRecordFeedback, ActionResolvePlace, ActionSimplify

__all__ = ["ActionAnswerTopic", "ActionRecordFeedback", "ActionResolvePlace", "ActionSimplify"]

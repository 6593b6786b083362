"""The buttons under an estimate (and under each follow-up answer in its thread)."""

from __future__ import annotations

from bot.slack.blockkit import actions, button
from bot.slack.button_value import SCENARIO_SEPARATOR, scenario_value
from bot.slack.ids import FEEDBACK_ACTION, Action, Verdict
from bot.slack.message import Message
from estimator import Scenario

_BUTTONS = (
    (Action.edit_in_form, "Edit in form", "edit"),
    (Action.what_if_10x, "What if 10x users", "10x"),
    (Action.apply_caching, "Apply caching", "caching"),
    (Action.cheaper_model, "Try a cheaper model", "cheaper_model"),
    (Action.chart, "Chart", "chart"),
    (Action.export, "Export", "export"),
)
# The same under every estimate.
_BUTTON_BLOCKS = tuple(
    button(action.value, label, value, primary=action is Action.edit_in_form)
    for action, label, value in _BUTTONS
)
_OURS = frozenset(action.value for action in Action)  # the estimate buttons' action IDs


def estimate_buttons(scenario: Scenario | None = None) -> dict:
    """The actions block closing an estimate. Its buttons carry the estimate's own scenario, so
    a click acts on the message it is on, not on whatever the thread said since."""
    carried = scenario_value(scenario) if scenario is not None else None
    # Copies, down to the text objects, so no message shares a dict with another.
    return actions(
        *(
            {**element, "text": {**element["text"]}, **({"value": carried} if carried else {})}
            for element in _BUTTON_BLOCKS
        )
    )


def feedback_buttons() -> dict:
    """Slack's feedback buttons (a context_actions block): was this estimate useful?"""
    return {
        "type": "context_actions",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": FEEDBACK_ACTION,
                "positive_button": {
                    "text": {"type": "plain_text", "text": "Useful"},
                    "accessibility_label": "This estimate was useful",
                    "value": Verdict.useful.value,
                },
                "negative_button": {
                    "text": {"type": "plain_text", "text": "Not useful"},
                    "accessibility_label": "This estimate was not useful",
                    "value": Verdict.not_useful.value,
                },
            }
        ],
    }


def with_button_value(message: Message, value: str) -> Message:
    """The message with each of its estimate buttons carrying `value`: whose estimate it is,
    and for a private one the key its scenario was remembered under (the action ID still
    says what the button does). The scenario a button carries is kept after the owner."""
    if not message.has_buttons():
        return message  # a tip: no buttons (this runs for every post, on the event loop)
    rewritten = []
    for block in message.blocks:
        if block.get("type") == "actions":
            elements = [
                {**element, "value": _owned(value, str(element.get("value") or ""))}
                if element.get("action_id") in _OURS
                else element
                for element in block.get("elements", [])
            ]
            block = {**block, "elements": elements}
        rewritten.append(block)
    return Message(message.text, rewritten)


def _owned(owner: str, worded: str) -> str:
    """The owner, then the scenario the wording put on the button (if it put one)."""
    if worded.startswith("{"):
        return owner + SCENARIO_SEPARATOR + worded
    return owner

"""The buttons under an estimate (and under each follow-up answer in its thread)."""

from __future__ import annotations

from bot.slack.blockkit import actions, button
from bot.slack.ids import Action
from bot.slack.message import Message

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


def estimate_buttons() -> dict:
    """The actions block closing an estimate."""
    # Copies, down to the text objects, so no message shares a dict with another.
    return actions(*({**element, "text": {**element["text"]}} for element in _BUTTON_BLOCKS))


def with_button_value(message: Message, value: str) -> Message:
    """The message with each of its estimate buttons carrying `value`: whose estimate it is,
    and for a private one the key its scenario was remembered under (the action ID still
    says what the button does)."""
    if not message.has_buttons():
        return message  # a tip: no buttons (this runs for every post, on the event loop)
    rewritten = []
    for block in message.blocks:
        if block.get("type") == "actions":
            elements = [
                {**element, "value": value} if element.get("action_id") in _OURS else element
                for element in block.get("elements", [])
            ]
            block = {**block, "elements": elements}
        rewritten.append(block)
    return Message(message.text, rewritten)

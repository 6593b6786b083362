"""Short replies with no estimate in them: help, hints, errors, notices."""

from __future__ import annotations

from bot.parsing import COMPARE_EXAMPLE, EXAMPLES, FOLLOW_UP_EXAMPLES
from bot.slack.blockkit import actions, button, context, header, section
from bot.slack.fitting import fit_block, message
from bot.slack.ids import SLASH_COMMAND, HomeAction
from bot.slack.message import Message
from bot.slack.messages.arithmetic import DATA_FILE

# The installation database (distributed mode) is down: a command asked now, and a queued job
# that waited for it past its last delivery (bot/slack/dispatch.py).
DATABASE_DOWN = (
    "I can't reach my installation records just now, so I can't answer this. "
    "Please try again in a minute."
)
# The bot could not even record a command before Slack's 3 s ran out (listeners/commands.py).
BUSY = "I'm busy right now and couldn't take that in time. Please try again in a moment."


def help_message(in_dm: bool = False) -> Message:
    """What to ask: as /aicost in a channel, or (`in_dm`) as words written in the app's DM."""
    command = SLASH_COMMAND
    usage = "\n".join(
        _DM_USAGE
        if in_dm
        else [
            "*Ask for an estimate*",
            f"`{command} 10000 users startup`  an itemised estimate in this channel",
            f"`{command}`  open the form",
            f"`{command} help`  this message · `{command} forget`  forget the conversation",
            f"`{command} settings`  the workspace's own prices (admins change them)",
            f"`{command} {COMPARE_EXAMPLE}`  options side by side, with a chart",
            f"`{command} when does self-hosting pay off for 100k users?`  the break-even",
            f"`{command} chart` · `{command} export`  the channel's latest estimate as a chart, "
            "or as CSV and JSON files in its thread",
        ]
    )
    examples = "*Describe the scenario in words*\n" + "\n".join(f"• `{x}`" for x in EXAMPLES)
    follow = "*Then reply in the estimate's thread to change it*\n" + " · ".join(
        f"`{x}`" for x in (*FOLLOW_UP_EXAMPLES, "reset", "chart", "export")
    )
    return message(
        f"aicost: try {EXAMPLES[0]}" if in_dm else f"aicost: try {command} {EXAMPLES[0]}",
        [
            header("aicost: what your AI prototype will really cost in production"),
            section(usage),
            section(examples),
            section(follow),
            context(
                "Token prices: genai-prices bundled data. Every other figure: "
                f"`{DATA_FILE}`, each with its source and date."
            ),
        ],
    )


# In the app's DM the words of /aicost are written without it (bot/slack/agent_messages.py).
_DM_USAGE = [
    "*Ask here, in words*",
    "`10000 users startup`  an itemised estimate, in a thread under your message",
    "`form`  a button that opens the form · `help`  this message",
    "`forget`  forget this conversation",
    f"`{COMPARE_EXAMPLE}`  options side by side, with a chart",
    "`when does self-hosting pay off for 100k users?`  the break-even",
    "`chart` · `export`  the latest estimate here as a chart, or as CSV and JSON files",
    f"In a channel, the same with `{SLASH_COMMAND}` in front.",
]


def greeting_message(in_dm: bool = False) -> Message:
    """A hello (an @mention with nothing asked, or a hello in the app's DM): hello back, then
    what to ask."""
    hello = "Hi! :wave: I estimate what an AI prototype costs in production. " + (
        f"Write a scenario here, e.g. `{EXAMPLES[0]}`, and I'll answer in its thread."
        if in_dm
        else f"Try `{SLASH_COMMAND} {EXAMPLES[0]}`, or mention me with a question."
    )
    help_ = help_message(in_dm)
    return message(hello, [section(hello), *help_.blocks])


def hint_message(text: str) -> Message:
    """Text not understood: `text` names the words (escaped: they are the user's own)."""
    return message(text, [section(f":thinking_face: {text}")])


def error_message(text: str) -> Message:
    """Understood but not allowed: `text` says what is allowed."""
    return message(text, [section(f":warning: {text}")])


def info_message(text: str) -> Message:
    return message(text, [section(text)])


FORM_HERE = (
    "The form asks for the scenario field by field; its estimate comes back here, in this "
    "conversation."
)


def form_button_message() -> Message:
    """ "form" where no modal can open at once (a message carries no trigger): a button that
    opens it (the Home tab's New estimate, which answers in the app's DM)."""
    return message(
        FORM_HERE,
        [section(FORM_HERE), actions(button(HomeAction.new_estimate.value, "Open the form", "dm"))],
    )


def store_unavailable_note() -> dict:
    """A context block for under an estimate when the conversation store cannot be reached."""
    return fit_block(
        context(
            ":hourglass: Follow-ups are unavailable for a moment: I can't reach my memory of this "
            "conversation. The estimate above is complete; ask again in a minute to change it."
        )
    )


def step_section(step: str) -> dict:
    """How a thread got back to the question it shows ("Undone: back to the previous
    comparison."), its label bold like an estimate thread's "What changed:"."""
    label, _, rest = step.partition(": ")
    return section(f"*{label}:* {rest}" if rest else step)

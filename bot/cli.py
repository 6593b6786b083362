"""The `aicost` terminal command: an estimate from words, as text or JSON, and `aicost chat`.

Works with no Slack and no Redis. Bad input exits 2 with one line saying what to type instead.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence

from bot import advisor
from bot.advisor import ConversationState, ReplyKind
from bot.parsing import Command, InputError, parse
from bot.terminal import (
    render_curve,
    render_diff,
    render_estimate,
    render_help,
    render_summary,
)
from estimator.curve import scaling_curve

EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `aicost ... | head`
        return 0


def _run(args: list[str]) -> int:
    flags = {a for a in args if a.startswith("--")}
    words = [a for a in args if not a.startswith("--")]
    unknown_flags = flags - {"--json", "--curve", "--brief", "--help"}
    if unknown_flags:
        return _fail(f"Unknown option {sorted(unknown_flags)[0]}: use --json, --curve or --brief.")
    if "--help" in flags or words in (["help"], ["-h"]):
        print(render_help())
        return 0
    if words and words[0] == "chat":
        return chat(input_line=input, write=print)
    text = " ".join(words)
    if not text.strip():
        print(render_help())
        return 0
    if parse(text).command is not None:
        return _fail("Commands like undo or reset work in `aicost chat`. Try: aicost 10k users")
    turn = advisor.request(text, ConversationState())
    reply = turn.reply
    if reply.kind is not ReplyKind.estimate or reply.estimate is None:
        return _fail(reply.text or "Describe a scenario, e.g.: aicost 10000 users startup")
    e = reply.estimate
    if "--json" in flags:
        data = e.to_dict()
        if "--curve" in flags:
            data["scaling_curve"] = [p.to_dict() for p in scaling_curve(e.scenario)]
        print(json.dumps(data, indent=2))
        return 0
    print(render_estimate(e, show_basis="--brief" not in flags))
    if "--curve" in flags:
        print()
        print(render_curve(scaling_curve(e.scenario)))
    return 0


def _fail(message: str) -> int:
    print(f"aicost: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def chat(input_line: Callable[[str], str], write: Callable[[str], None]) -> int:
    """An estimate, then follow-ups that change it, remembered in memory until you quit."""
    write("aicost chat: describe your scenario (e.g. 10000 users startup); 'quit' to leave.")
    state = ConversationState()
    while True:
        try:
            line = input_line("> " if state.scenario is None else "what if> ")
        except EOFError:
            write("")
            return 0
        if line.strip().lower() in ("quit", "exit", "q", "bye"):
            return 0
        if not line.strip():
            continue
        turn = advisor.follow_up_text(line, state)
        state = turn.state
        write(_chat_reply(turn.reply))


def _chat_reply(reply: advisor.Reply) -> str:
    if reply.kind is ReplyKind.estimate and reply.estimate is not None:
        if reply.diff is None:  # a new scenario: the whole picture, without the arithmetic
            return render_estimate(reply.estimate, show_basis=False)
        return render_diff(reply.diff) + "\n\n" + render_summary(reply.estimate)
    if reply.kind is ReplyKind.help:
        return render_help()
    if reply.kind is ReplyKind.form:
        return "The form is a Slack feature; here, type the scenario, e.g. 10000 users startup."
    if reply.kind is ReplyKind.forget:
        return "Forgotten. Describe a new scenario to start again."
    return reply.text


__all__ = ["Command", "InputError", "chat", "main"]


if __name__ == "__main__":
    sys.exit(main())

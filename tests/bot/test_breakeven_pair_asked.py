"""One intent, one answer: a break-even question weighs the pair the estimate of the same
scenario shows under it (like with like, estimator/comparable.py), and says which and why."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout

import pytest

from bot import advisor, cli
from bot.advisor import ConversationState, ReplyKind
from bot.mcp.answers import Answers
from estimator import break_even

LLAMA_WHY = (
    "Like with like: Llama 3.1 8B Instruct is a small-class open model; gpt-4o-mini is the API "
    "model that class is compared with by default"
)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def _asked(text: str, state: ConversationState | None = None):
    reply = advisor.request(text, state or ConversationState()).reply
    assert reply.kind is ReplyKind.breakeven, reply.text
    return reply


def _unwrapped(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    "question",
    [
        "when does self-hosting llama 3.1 8b pay off",
        "when does self hosting llama 3.1 8b break even?",
        "at what scale does self-hosting llama 3.1 8b pay off",
    ],
)
def test_asking_when_self_hosting_llama_pays_off_weighs_it_against_its_class_api_model(question):
    reply = _asked(question)
    b = reply.breakeven
    assert (b.self_hosted.model, b.api.model) == ("llama3.1-8b", "gpt-4o-mini")
    assert b.scenario.hosting.value == "self-hosted"
    assert LLAMA_WHY in reply.text


def test_the_question_and_the_estimate_of_self_hosted_llama_give_the_same_answer():
    reply = _asked("when does self-hosting llama 3.1 8b pay off for 20k users")
    e = advisor.request("llama 3.1 8b self-hosted 20k users", ConversationState()).reply.estimate
    tip = break_even(e.scenario, e.prices)
    assert reply.breakeven.scenario.model_dump() == e.scenario.model_dump()
    assert reply.breakeven.to_dict() == tip.to_dict()

    # What the user reads: the question's answer is the estimate's break-even section.
    code, asked, err = run_cli("when does self-hosting llama 3.1 8b pay off for 20k users")
    assert code == 0, err
    code, shown, err = run_cli("llama 3.1 8b self-hosted 20k users")
    assert code == 0, err
    section = shown.split("Self-hosting break-even", 1)[1].split("\n\n", 1)[0]
    assert _unwrapped(asked) == _unwrapped(section.split("\n", 2)[2])
    assert _unwrapped(LLAMA_WHY) in _unwrapped(asked)


def test_the_break_even_tool_gives_the_same_pair_for_the_question_and_the_scenario():
    tool = Answers()
    asked = tool.break_even("when does self-hosting llama 3.1 8b pay off for 20k users", None)
    described = tool.break_even("llama 3.1 8b self-hosted 20k users", None)
    assert asked.data == described.data
    assert (asked.data["self_hosted_model"], asked.data["api_model"]) == (
        "llama3.1-8b",
        "gpt-4o-mini",
    )


def test_in_a_conversation_the_question_self_hosts_the_model_it_names():
    state = advisor.request("20k users claude-sonnet-4-5", ConversationState()).state
    reply = advisor.follow_up_text("when does self-hosting llama 3.1 8b pay off?", state).reply
    assert reply.kind is ReplyKind.breakeven
    b = reply.breakeven
    assert (b.self_hosted.model, b.api.model, b.scenario.users) == (
        "llama3.1-8b",
        "gpt-4o-mini",
        20_000,
    )


def test_a_question_about_an_open_model_on_its_api_still_weighs_self_hosting_that_model():
    # The scenario is the API one ("20k users llama 3.1 8b"): its estimate's tip and the
    # question both weigh self-hosting the same model.
    reply = _asked("when does self-hosting pay off for 20k users llama 3.1 8b")
    e = advisor.request("20k users llama 3.1 8b", ConversationState()).reply.estimate
    tip = break_even(e.scenario, e.prices)
    assert reply.breakeven.scenario.hosting.value == "api"
    assert reply.breakeven.to_dict() == tip.to_dict()
    assert reply.breakeven.self_hosted.model == reply.breakeven.scenario.model


def test_self_hosting_a_closed_model_asked_stays_its_api_side():
    b = _asked("self-hosting on a100 pay off for 100k users gpt-4o").breakeven
    assert b.api.model == "gpt-4o" and b.self_hosted.gpu.value == "a100"

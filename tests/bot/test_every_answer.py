"""Property: whatever scenario a person describes, every kind of answer (estimate, what-if,
compare, break-even, export, chart) comes back as an answer or one sentence, in the terminal and
through the bot's answer path; never a traceback, never silence. Models no default GPU holds
(deepseek-r1, kimi-k2) are among those drawn, in USD and in a workspace's euros."""

from __future__ import annotations

import io
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import cli
from bot.advisor import ConversationState, ReplyKind
from bot.slack import answers, chart_worker
from bot.slack.ids import Action
from estimator import load_price_file
from tests.estimator.strategies import users

# API and open models, small to too big for any node offered (kimi-k2), plus a name we do not know.
MODELS = [
    "gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5", "claude-haiku-4-5", "gemini-2.5-flash",
    "deepseek-r1", "deepseek-chat", "deepseek-v3.2", "kimi-k2", "llama-3.3-70b",
    "llama-3.1-405b", "gpt-oss-120b", "mixtral-8x7b", "gpt-9-ultra",
]  # fmt: skip
HOSTING = ["", "self-hosted", "self-hosted h100", "self-hosted l4", "self-hosted a100 fp8",
           "self-hosted h200"]  # fmt: skip
EXTRAS = ["hipaa", "soc2", "3 regions", "99.99", "cache 40%", "enterprise", "midsize",
          "$80k prototype", "blorp"]  # fmt: skip
FOLLOW_UPS = ["what if 10x users", "with caching", "add hipaa", "self-hosted on h100",
              "switch to kimi-k2", "use deepseek-r1", "what if 5 regions", "undo", "reset",
              "chart", "export", "help", "frobnicate the widgets"]  # fmt: skip
BUTTONS = [Action.what_if_10x, Action.apply_caching, Action.cheaper_model]
EUR = """salary_region = "UK"
loaded_factor = 1.3

[currency]
code = "EUR"
per_usd = 0.92
set_on = 2026-11-29
"""
_EUR_FILE = Path(tempfile.mkdtemp(prefix="aicost-eur-")) / "my-prices.toml"
_EUR_FILE.write_text(EUR)
EUR_PRICES = load_price_file(_EUR_FILE)


@st.composite
def user_counts(draw: st.DrawFn) -> str:
    n = draw(users)
    return draw(st.sampled_from([f"{n} users", f"{n:,} users", f"{n} mau", f"{n} user"]))


@st.composite
def descriptions(draw: st.DrawFn) -> str:
    words = [draw(user_counts()), draw(st.sampled_from(MODELS)), draw(st.sampled_from(HOSTING))]
    words += draw(st.lists(st.sampled_from(EXTRAS), max_size=3, unique=True))
    return " ".join(w for w in draw(st.permutations(words)) if w)


@st.composite
def questions(draw: st.DrawFn) -> str:
    """Any answer kind's words: an estimate, a break-even, a comparison."""
    text = draw(descriptions())
    first, second = draw(st.lists(st.sampled_from(MODELS), min_size=2, max_size=2, unique=True))
    return draw(
        st.sampled_from([
            text,
            f"when does self-hosting pay off for {text}",
            f"compare {first}, {second} for {draw(user_counts())}",
        ])
    )  # fmt: skip


def terminal(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def assert_answer_or_one_sentence(code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    if code == 0:
        assert out.strip(), err  # an answer
        assert all(line.startswith("aicost: ") for line in err.splitlines()), err
    else:
        assert code in (cli.EXIT_BAD_INPUT, cli.EXIT_FAILED) and out == ""
        assert err.startswith("aicost: ") and err.count("\n") == 1, err  # one sentence


SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(text=questions(), output=st.sampled_from([[], ["--json"], ["--csv"], ["--brief"]]),
       euros=st.booleans())  # fmt: skip
def test_terminal_answers_every_question_or_says_why_in_one_sentence(text, output, euros):
    prices = ["--prices", str(_EUR_FILE)] if euros else []
    assert_answer_or_one_sentence(*terminal(*prices, *output, text))


@SLOW
@given(text=descriptions(), follow_ups=st.lists(st.sampled_from(FOLLOW_UPS), max_size=3))
def test_terminal_chat_answers_every_what_if(text, follow_ups):
    lines = iter([text, *follow_ups, "quit"])
    said: list[str] = []
    assert cli.chat(lambda _: next(lines), said.append) == 0
    assert len(said) == 2 + len(follow_ups)  # the greeting, then one reply a line
    assert all(reply.strip() and "Traceback" not in reply for reply in said)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=questions(), euros=st.booleans())
def test_terminal_chart_is_drawn_or_said_in_one_sentence(text, euros):
    with tempfile.TemporaryDirectory() as folder:
        chart = Path(folder) / "chart.png"
        prices = ["--prices", str(_EUR_FILE)] if euros else []
        code, out, err = terminal(*prices, "--chart", str(chart), text)
        assert_answer_or_one_sentence(code, out, err)
        if code == 0 and "Chart written" in out:
            assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def assert_slack_answer(a: answers.Answer) -> None:
    """An answer the bot can post, or a sentence it posts; the commands it carries out."""
    if a.kind in (ReplyKind.estimate, ReplyKind.comparison, ReplyKind.breakeven):
        assert a.messages and all(m.text.strip() for m in a.messages)
    elif a.kind in (ReplyKind.hint, ReplyKind.error, ReplyKind.info):
        assert a.text.strip() and "Traceback" not in a.text
    else:  # help, the form, forget, a chart or an export: the conversation carries them out
        assert a.kind in (ReplyKind.help, ReplyKind.form, ReplyKind.forget, ReplyKind.chart,
                          ReplyKind.export)  # fmt: skip


@SLOW
@given(text=questions(), euros=st.booleans())
def test_slack_answers_every_request_or_says_why(text, euros):
    a = answers.request(text, EUR_PRICES if euros else None)
    assert_slack_answer(a)
    if a.kind is ReplyKind.estimate:
        assert a.state.scenario is not None
        csv_text, json_text = answers.export(a.state.scenario, EUR_PRICES if euros else None)
        assert csv_text.strip() and json_text.strip()


@SLOW
@given(
    text=descriptions(),
    follow_ups=st.lists(st.sampled_from(FOLLOW_UPS), min_size=1, max_size=3),
    buttons=st.lists(st.sampled_from(BUTTONS), max_size=2),
)
def test_slack_answers_every_follow_up_and_button_or_says_why(text, follow_ups, buttons):
    state = answers.request(text).state
    for words in follow_ups:
        a = answers.follow_up(words, state)
        assert_slack_answer(a)
        assert len(a.messages) == 1  # one message in the thread
        state = a.state
    for action in buttons if state.scenario is not None else []:
        a = answers.button(action, state)
        assert_slack_answer(a)
        state = a.state


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=descriptions(), euros=st.booleans())
def test_slack_chart_of_any_estimate_is_a_png(text, euros):
    scenario = answers.request(text).state.scenario
    if scenario is None:
        return  # said in one sentence above: no estimate, no chart
    png = chart_worker.estimate_chart(scenario, EUR_PRICES if euros else None)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_slack_answers_for_models_no_default_gpu_holds():
    for model in ("deepseek-r1", "deepseek-chat", "kimi-k2"):
        for text in (f"10k users {model}", f"when does self-hosting pay off for 10k users {model}"):
            a = answers.request(text)
            assert_slack_answer(a)
            assert a.kind is not ReplyKind.error or model == "kimi-k2", a.text
        state = answers.request(f"10k users {model}").state
        for words in ("self-hosted", "when does self-hosting pay off?", "self-hosted on h200"):
            assert_slack_answer(answers.follow_up(words, state))
    assert isinstance(state, ConversationState)

"""Every answer reaches the user: models no default GPU holds, and a part that fails, leave the
rest of the answer standing with a sentence saying what is missing and why."""

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest

from bot import cli
from bot.advisor import ConversationState, ReplyKind
from bot.parsing import first_scenario
from bot.slack import answers
from estimator.breakeven import break_even
from estimator.open_models import SelfHostingError
from estimator.scenario import GPU


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_break_even_self_hosts_a_model_too_big_for_h100s_on_a_gpu_that_holds_it():
    b = break_even(first_scenario("10k users deepseek-r1"))
    assert b.self_hosted.model == "deepseek-r1" and b.self_hosted.gpu is GPU.h200


def test_break_even_on_a_gpu_the_user_chose_keeps_it():
    b = break_even(first_scenario("10k users llama-3.3-70b self-hosted a100"))
    assert b.self_hosted.gpu is GPU.a100


def test_break_even_of_a_model_no_node_holds_says_so_in_a_sentence():
    with pytest.raises(SelfHostingError, match=r"kimi-k2 .*is too big to self-host here"):
        break_even(first_scenario("10k users kimi-k2"))


@pytest.mark.parametrize("model", ["deepseek-r1", "deepseek-chat", "kimi-k2"])
def test_terminal_estimate_of_a_model_too_big_for_h100s_answers_with_its_break_even_section(
    model,
):
    code, out, err = run_cli("10k", "users", model)
    assert code == 0, err
    assert "Traceback" not in out + err
    section = out.split("Self-hosting break-even", 1)[1]
    said = f"Break-even, self-hosting {model} on H200"
    assert said in section or "is left out: kimi-k2" in section


def test_terminal_break_even_question_for_deepseek_r1_is_answered():
    code, out, err = run_cli("when does self-hosting pay off for 10k users deepseek-r1")
    assert code == 0, err
    assert out.startswith(
        "Break-even, self-hosting deepseek-r1 on H200 GPUs vs deepseek-r1 on its API"
    )


def test_terminal_break_even_question_no_gpu_can_answer_is_one_sentence():
    code, out, err = run_cli("when does self-hosting pay off for 10k users kimi-k2")
    assert code == 2 and out == ""
    assert err.startswith("aicost: kimi-k2") and err.count("\n") == 1


def test_slack_estimate_of_a_model_too_big_for_h100s_posts_every_tip():
    a = answers.request("10k users deepseek-r1")
    assert a.kind is ReplyKind.estimate
    hosting = [m for m in a.messages if "When self-hosting pays off" in str(m.blocks)]
    assert len(hosting) == 1 and "H200" in str(hosting[0].blocks)


def test_slack_estimate_whose_break_even_cannot_be_worked_out_says_why_in_the_hosting_tip():
    a = answers.request("10k users kimi-k2")
    assert a.kind is ReplyKind.estimate and len(a.messages) >= 4
    assert "break-even with self-hosting is left out: kimi-k2" in str(a.messages)


def _break_even_fails(*args, **kwargs):
    raise RuntimeError("internal detail nobody should read")


def test_a_failing_break_even_leaves_the_terminal_estimate_with_a_sentence(monkeypatch):
    from bot import breakeven_tip

    monkeypatch.setattr(breakeven_tip, "break_even", _break_even_fails)
    code, out, err = run_cli("10k", "users")
    assert code == 0 and "Monthly run-rate" in out
    assert "break-even with self-hosting is left out: it failed on our side" in out
    assert "internal detail" not in out + err and "Traceback" not in out + err
    code, out, err = run_cli("--json", "10k", "users")  # the JSON says it too
    assert code == 0 and "internal detail" not in out + err
    assert json.loads(out)["break_even_left_out"].startswith(
        "The break-even with self-hosting is left out: it failed on our side"
    )


def test_a_failing_tip_leaves_the_slack_estimate_and_the_other_tips(monkeypatch):
    from bot.slack.messages import tips

    monkeypatch.setattr(tips, "_strategies", _break_even_fails)
    a = answers.request("10k users")
    assert a.kind is ReplyKind.estimate
    texts = [m.text for m in a.messages]
    assert any(t.startswith("The five scaling strategies is left out") for t in texts)
    assert any("Managed services" in t for t in texts)  # the tips before and after still come
    assert "internal detail" not in str(a.messages)


def test_an_answer_that_fails_whole_is_one_sentence_in_slack(monkeypatch):
    monkeypatch.setattr(answers, "estimate_message", _break_even_fails)
    a = answers.request("10k users")
    assert a.kind is ReplyKind.error
    assert a.text.startswith("That could not be answered: it failed on our side (RuntimeError)")
    assert len(a.messages) == 1 and a.text in a.messages[0].text


def test_an_answer_that_fails_whole_is_one_line_in_the_terminal(monkeypatch):
    monkeypatch.setattr(cli, "render_estimate", _break_even_fails)
    code, out, err = run_cli("10k", "users")
    assert code == cli.EXIT_FAILED and "Traceback" not in out + err
    assert err.startswith("aicost: That could not be answered") and err.count("\n") == 1


def test_chat_goes_on_after_a_turn_that_fails(monkeypatch):
    monkeypatch.setattr(cli, "render_estimate", _break_even_fails)
    lines = iter(["10k users", "quit"])
    said: list[str] = []
    assert cli.chat(lambda _: next(lines), said.append) == 0
    assert said[1].startswith("That could not be answered")


def test_follow_up_that_fails_keeps_the_conversation(monkeypatch):
    state = answers.request("10k users").state
    monkeypatch.setattr(answers, "follow_up_message", _break_even_fails)
    a = answers.follow_up("what if 20k users", state)
    assert a.kind is ReplyKind.error and a.state == state and not a.changed
    assert isinstance(a.state, ConversationState)

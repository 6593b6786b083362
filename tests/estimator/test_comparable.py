"""Like-with-like break-even: an API model is weighed against an open model of its capability
class (and back), from the sourced mapping in estimator/data/open_models.toml, and the answer
says which pair was compared and why."""

import io
import json
from contextlib import redirect_stdout

from bot import cli
from bot.parsing import first_scenario
from bot.slack import answers
from bot.slack.messages.tips import thread_tips
from estimator.breakeven import break_even, pair
from estimator.comparable import _data, _members, for_api, for_open, open_capability
from estimator.estimate import estimate
from estimator.open_models import catalogue, weights
from estimator.savings import capability_class


def test_every_open_model_has_one_capability_class_with_dated_evidence():
    keys = [m.key for m in catalogue()]
    placed = [key for row in _data()["capability"] for key in row["models"]]
    assert sorted(placed) == sorted(keys)  # each once, none unknown
    for row in _data()["capability"]:
        assert row["evidence"] and row["source"] and row["checked"]
    for name, ref in _data()["comparable"].items():
        assert ref["open_model"] in _members(name)
        assert capability_class(ref["api_model"]) == name  # the API reference is of the class
        assert ref["why"] and ref["source"] and ref["checked"]


def test_the_sonnet_question_weighs_a_large_open_model_not_an_8b_one():
    self_hosted, api = pair(first_scenario("100k users claude-sonnet-4-5"))
    assert api.model == "claude-sonnet-4-5"
    assert weights(self_hosted.model).params_b >= 70
    assert open_capability(self_hosted.model) == "frontier"


def test_gpt_4o_mini_is_weighed_against_a_small_open_model():
    self_hosted, api = pair(first_scenario("100k users gpt-4o-mini"))
    assert api.model == "gpt-4o-mini"
    assert weights(self_hosted.model).params_b <= 32
    assert open_capability(self_hosted.model) == "small"


def test_a_mid_tier_api_model_is_weighed_against_a_mid_class_open_model():
    (first, *_) = for_api("claude-haiku-4-5")
    assert open_capability(first.open_model) == "mid"


def test_a_self_hosted_70b_model_is_weighed_against_an_api_model_of_its_class():
    self_hosted, api = pair(first_scenario("10k users self-hosted llama 3.3 70b"))
    assert capability_class(api.model) == open_capability(self_hosted.model) == "mid"
    assert for_open("llama3.1-8b").api_model == "gpt-4o-mini"


def test_a_self_hosted_model_other_than_its_class_reference_is_told_whose_benchmark_is_quoted():
    # The small class's evidence is Mistral's table: said as the reference's, not Llama's.
    llama = for_open("llama3.1-8b").why
    assert llama.startswith("Llama 3.1 8B Instruct is a small-class open model")
    assert "its reference open model, Mistral Small 3.2" in llama and "Mistral's own" in llama
    own = for_open("own-34b").why
    assert "reference open model, gpt-oss-120b" in own
    # The reference itself is paired as its own evidence says, without the aside.
    mistral = for_open("mistral-small-3.2-24b-instruct").why
    assert "reference open model" not in mistral and "compared by default" in mistral


def test_a_model_the_user_names_is_compared_as_named():
    (chosen,) = for_api("claude-sonnet-4-5", named="llama-3.3-70b-versatile")
    assert chosen.open_model == "llama-3.3-70b-versatile" and "you named" in chosen.why


def test_the_answer_says_which_pair_was_compared_and_why():
    b = break_even(first_scenario("100k users claude-sonnet-4-5"))
    assert b.pairing is not None
    assert "frontier-class" in b.pairing.why and "DeepSeek-V3" in b.pairing.why
    assert "2024-12-27" in b.pairing.why  # the evidence's date


def terminal(*args: str) -> str:
    """What `aicost ARGS` prints (the CLI's own main, in this process: tests/e2e runs the
    command itself)."""
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return out.getvalue()


def test_the_terminal_and_json_name_the_pair():
    question = "when does self-hosting pay off for 100k users claude-sonnet-4-5?"
    said = " ".join(terminal(question).split())
    assert "self-hosting deepseek-chat" in said
    assert "Like with like: claude-sonnet-4-5 is a frontier-class model" in said
    data = json.loads(terminal("--json", question))
    assert data["self_hosted_model"] == "deepseek-chat"
    assert data["pair"]["capability"] == "frontier"
    assert "DeepSeek-V3" in data["pair"]["why"]


def test_the_slack_hosting_tip_names_the_pair():
    e = estimate(first_scenario("100k users claude-sonnet-4-5"))
    b = answers._breakeven(e)
    assert b.pairing is not None and b.self_hosted.model == "deepseek-chat"
    text = " ".join(json.dumps(m.blocks) for m in thread_tips(e, b))
    assert "Like with like: claude-sonnet-4-5 is a frontier-class model" in text

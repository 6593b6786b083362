"""A model of the team's own, known by its size ("our 34b model"), is sized from that size:
parameters -> memory -> GPUs, self-hosted, instead of refused."""

import json

from bot import advisor
from bot.advisor import ConversationState, ReplyKind
from bot.parsing import first_scenario, parse
from bot.slack.messages.estimate import estimate_message
from bot.slack.messages.tips import thread_tips
from estimator import estimate
from estimator.costs.self_hosting import fleet
from estimator.price_book import BUNDLED_BOOK
from estimator.traffic import traffic


def _replica(text):
    s = first_scenario(text)
    return s, fleet(s, traffic(s, BUNDLED_BOOK), BUNDLED_BOOK).replica


def test_our_34b_model_is_self_hosted_and_sized_from_its_size():
    s, r = _replica("our 34b model for 10k users")
    assert s.hosting.value == "self-hosted" and s.model == "own-34b"
    assert r.weights.params_b == 34 and r.weights_gb == 68  # BF16: 2 bytes a parameter
    assert r.gpus == 2  # 68 GB at most 65% of memory: two 80 GB H100s


def test_our_own_13b_model_fits_one_gpu_and_a_70b_needs_four():
    assert _replica("10k users our own 13b model self-hosted")[1].gpus == 1
    assert _replica("10k users our 70b model")[1].gpus == 4


def test_the_reading_says_how_the_model_was_sized():
    reading = parse("our 34b model for 10k users")
    assert any("sized as a dense model" in note for note in reading.notes)


def test_an_own_model_on_the_api_is_a_sentence_not_a_price():
    reply = advisor.request("10k users our 34b model on the api", ConversationState()).reply
    assert reply.kind is ReplyKind.error
    assert "can only be self-hosted" in reply.text


def test_an_own_model_too_large_for_any_node_says_so():
    reply = advisor.request("our 900b model 10k users", ConversationState()).reply
    assert reply.kind is ReplyKind.error and "too big to self-host" in reply.text


def test_the_slack_answer_for_an_own_model_is_posted_whole():
    e = estimate(first_scenario("our 34b model for 10k users"))
    text = json.dumps(estimate_message(e).blocks)
    assert "own-34b" in text and "FP8" not in text.split("Hosting")[-1][:40]
    tips = " ".join(json.dumps(m.blocks) for m in thread_tips(e))
    assert "own-34b 34B params in BF16" in tips

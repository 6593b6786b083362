"""The Hosting assumption words the precision the replica is actually served in."""

from bot.parsing import first_scenario
from estimator import DOLLARS


def _hosting(text: str) -> str:
    described = first_scenario(text).describe(DOLLARS)
    return dict((label, value) for label, value, _ in described)["Hosting"]


def test_weights_released_in_mxfp4_are_said_so():
    assert _hosting("10k users self-hosted gpt-oss-120b") == "self-hosted (H100, MXFP4 weights)"


def test_a_model_too_big_for_bf16_on_one_node_is_said_to_run_in_fp8():
    assert _hosting("10k users self-hosted llama 405b h100") == "self-hosted (H100, FP8 weights)"
    assert _hosting("10k users self-hosted deepseek v3 h200") == "self-hosted (H200, FP8 weights)"


def test_a_model_that_fits_in_bf16_is_said_to_run_in_bf16():
    assert _hosting("10k users self-hosted llama 70b") == "self-hosted (H100, BF16 weights)"
    assert _hosting("10k users") == "api"

"""The open-weight model catalogue (estimator/data/open_models.toml): sourced, dated, priced."""

import datetime

import pytest

from estimator.open_models import (
    catalogue,
    find_open_model,
    open_model_for_family,
    weights,
)
from estimator.token_prices import token_prices


def test_every_open_model_is_sourced_dated_and_sane():
    assert len(catalogue()) >= 20
    for m in catalogue():
        assert m.source == f"https://huggingface.co/{m.hugging_face}", m.key
        assert datetime.date.fromisoformat(m.checked) <= datetime.date(2026, 12, 31)
        assert 0 < m.active_b <= m.params_b, m.key
        assert m.context_window >= 8_192, m.key
        assert m.precision in ("bf16", "fp8", "mxfp4"), m.key
        assert m.licence and m.spellings, m.key


def test_every_open_model_has_an_api_price_to_compare_with():
    for m in catalogue():
        assert token_prices(m.model).input >= 0, m.key


def test_each_family_has_exactly_one_self_hosting_default():
    families = {m.family for m in catalogue()}
    for family in families:
        defaults = [m for m in catalogue() if m.family == family and m.family_default]
        assert len(defaults) == 1, family


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("llama 3.1 8b", "llama-3.1-8b"),
        ("Llama-3.1-8B-Instruct", "llama-3.1-8b"),
        ("meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b"),
        ("qwen 2.5 72b", "qwen-2.5-72b"),
        ("qwen3 32b", "qwen3-32b"),
        ("deepseek r1", "deepseek-r1"),
        ("mistral small", "mistral-small-3.2"),
        ("gemma 3 27b", "gemma-3-27b"),
        ("mixtral 8x7b", "mixtral-8x7b"),
        ("phi-4", "phi-4"),
        ("GPT OSS 120B", "gpt-oss-120b"),
    ],
)
def test_open_models_are_found_by_the_names_people_use(typed, key):
    assert find_open_model(typed).key == key


def test_a_family_name_means_an_open_model_of_that_family():
    assert open_model_for_family("mistral").key == "mistral-small-3.2"
    assert open_model_for_family("deepseek").key == "deepseek-v3"
    assert open_model_for_family("claude") is None


def test_catalogue_figures_size_the_weights():
    w = weights("qwen/qwen3-235b-a22b")
    assert (w.params_b, w.active_b) == (235, 22)
    assert weights("gpt-oss-120b").released == "mxfp4"
    assert weights("deepseek-reasoner").fp8

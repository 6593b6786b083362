"""One request's price read off a model's units once per day is genai-prices' own total, to the
bit, for every model it prices (the request's tokens billed per unit, summed its way)."""

import datetime as dt
import importlib

from genai_prices import Usage
from hypothesis import given, settings
from hypothesis import strategies as st

# The module, not the function `estimator.token_prices` re-exported by the package.
token_prices = importlib.import_module("estimator.token_prices")

MODELS = [
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1-nano",
    "claude-haiku-4-5",
    "claude-sonnet-4-5",
    "gemini-2.5-flash",
    "gemini-2.5-pro",  # a dearer tier past 200K input tokens
    "llama3.1-8b",
    "deepseek-v3.2",
]
DAYS = [dt.date(2025, 3, 1), dt.date(2026, 12, 1), dt.date(2027, 6, 1)]


@st.composite
def requests(draw):
    input_tokens = draw(st.integers(min_value=0, max_value=2_000_000))
    cached = draw(st.integers(min_value=0, max_value=input_tokens))
    written = draw(st.integers(min_value=0, max_value=input_tokens - cached))
    output = draw(st.integers(min_value=0, max_value=200_000))
    return input_tokens, cached, written, output


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(MODELS), st.sampled_from(DAYS), requests())
def test_a_requests_price_is_genai_prices_total_to_the_bit(model, day, request):
    input_tokens, cached, written, output = request
    usage = Usage(
        input_tokens=input_tokens,
        cache_read_tokens=cached,
        cache_write_tokens=written,
        output_tokens=output,
    )
    expected = float(token_prices._calc(usage, model, day).total_price)
    assert token_prices.list_request_price(model, *request[:2], output, day, written) == expected


def test_every_model_genai_prices_knows_is_priced_its_way():
    day = dt.date(2026, 12, 1)
    request = (250_000, 40_000, 10_000, 3_000)  # past the 200K tiers, cache reads and writes
    usage = Usage(
        input_tokens=request[0],
        cache_read_tokens=request[1],
        cache_write_tokens=request[2],
        output_tokens=request[3],
    )
    read_off = 0
    for model in token_prices.known_models():
        rates = token_prices._rates(model, day)
        if rates is None:  # priced by calc_price, request by request
            continue
        read_off += 1
        assert rates.total(request) == token_prices._calc(usage, model, day).total_price, model
    assert read_off > 1000

"""The bounded, expiring cache of who each installation's bot is (bot/slack/authorize_cache.py)."""

from __future__ import annotations

from bot.slack.authorize_cache import ExpiringCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_kept_until_it_expires() -> None:
    clock = Clock()
    cache = ExpiringCache(600, 10, clock)
    cache["xoxb-1"] = "bot one"
    clock.now = 599
    assert "xoxb-1" in cache and cache["xoxb-1"] == "bot one"
    clock.now = 600
    assert "xoxb-1" not in cache and len(cache) == 0


def test_the_least_recently_used_token_goes_first_past_the_size() -> None:
    cache = ExpiringCache(600, 2, Clock())
    cache["a"], cache["b"] = 1, 2
    assert cache["a"] == 1  # used: "b" is now the oldest
    cache["c"] = 3
    assert set(cache) == {"a", "c"}

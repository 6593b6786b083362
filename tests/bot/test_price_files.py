"""Fresh token prices through genai-prices' own updater, in process, with the bundled snapshot
when the network is unreachable (price files at the terminal: e2e/test_price_files.py).
No test here reaches the network: the updater is pointed at a closed loopback port."""

from __future__ import annotations

import socket

import pytest

from bot.parsing import first_scenario
from estimator import token_snapshot
from estimator.estimate import estimate


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/data.json"  # nothing listens there once closed


def test_a_refresh_with_the_network_unreachable_keeps_the_bundled_snapshot(monkeypatch):
    s = first_scenario("10000 users startup")
    before = estimate(s)
    monkeypatch.setattr(token_snapshot, "_state", {})
    assert token_snapshot.refresh(closed_port_url(), seconds=2) is False
    note = token_snapshot.snapshot_note()
    assert note.startswith(token_snapshot.bundled_note()) and "refresh failed: ConnectError" in note
    after = estimate(s)
    assert after.totals == before.totals
    assert after.to_dict()["token_prices"]["source"] == note
    assert token_snapshot.snapshot_status()["source"] == "bundled"


def test_a_fetched_snapshot_is_used_and_named(monkeypatch):
    """The updater's own fetch, made to return a snapshot with one price changed (no network)."""
    from genai_prices import data_snapshot
    from genai_prices.update_prices import UpdatePrices

    s = first_scenario("10000 users startup")
    before = estimate(s)
    bundled = data_snapshot.get_snapshot()

    def fetch(self):
        import copy

        providers = copy.deepcopy(bundled.providers)
        for provider in providers:
            for model in provider.models:
                if provider.id == "openai" and model.id == s.model:
                    model.prices.output_mtok *= 2  # type: ignore[union-attr]
        return data_snapshot.DataSnapshot(providers, from_auto_update=False)

    monkeypatch.setattr(token_snapshot, "_state", {})
    monkeypatch.setattr(UpdatePrices, "fetch", fetch)
    try:
        assert token_snapshot.refresh("http://127.0.0.1:9/unused") is True
        assert token_snapshot.snapshot_note().startswith("genai-prices data fetched ")
        assert estimate(s).totals.monthly.high > before.totals.monthly.high
    finally:
        data_snapshot.set_custom_snapshot(None)
        token_snapshot._clear_caches()
    assert estimate(s).totals == before.totals


def test_an_unreadable_auto_update_setting_is_refused():
    with pytest.raises(token_snapshot.AutoUpdateError, match="PRICES_AUTO_UPDATE must be 1 or 0"):
        token_snapshot.wanted({"PRICES_AUTO_UPDATE": "maybe"})
    assert token_snapshot.wanted({"PRICES_AUTO_UPDATE": "1"}) is True
    assert token_snapshot.wanted({}) is False


def test_a_model_new_in_a_fetched_snapshot_is_understood_by_name(monkeypatch):
    """Someone types a model the fresh price list added since the bundled one: the parser's
    tables of model names are rebuilt with the prices, not kept from the old list."""
    import copy

    from genai_prices import data_snapshot, types
    from genai_prices.update_prices import UpdatePrices

    text = "10000 users startup acme-frontier-9"
    with pytest.raises(ValueError):  # unknown today: the bundled list does not have it
        first_scenario(text)
    bundled = data_snapshot.get_snapshot()

    def fetch(self):
        providers = copy.deepcopy(bundled.providers)
        openai = next(p for p in providers if p.id == "openai")
        model = copy.deepcopy(next(m for m in openai.models if m.id == "gpt-4o-mini"))
        model.id, model.match = "acme-frontier-9", types.ClauseEquals(equals="acme-frontier-9")
        openai.models.append(model)
        return data_snapshot.DataSnapshot(providers, from_auto_update=False)

    monkeypatch.setattr(token_snapshot, "_state", {})
    monkeypatch.setattr(UpdatePrices, "fetch", fetch)
    try:
        assert token_snapshot.refresh("http://127.0.0.1:9/unused") is True
        assert first_scenario(text).model == "acme-frontier-9"
    finally:
        data_snapshot.set_custom_snapshot(None)
        token_snapshot._clear_caches()
    with pytest.raises(ValueError):
        first_scenario(text)

"""A comparison in a workspace that shows euros shows every row in euros, cost per user too."""

from __future__ import annotations

from bot.parsing import compare_options
from bot.slack.messages.comparison import comparison_message
from estimator import PriceOverrides, compare, price_book

TEXT = "compare gpt-4o-mini, claude-haiku-4-5 for 100k users"


def test_cost_per_user_is_shown_in_the_workspaces_currency_at_its_rate():
    c = compare(
        compare_options(TEXT), price_book(PriceOverrides(currency={"code": "EUR", "per_usd": 0.5}))
    )
    (table,) = [b for b in comparison_message(c).blocks if b["type"] == "data_table"]
    header, *rows = [[cell["text"] for cell in row] for row in table["rows"]]
    per_user_cells = [row[header.index("Cost per user / month")] for row in rows]
    for option, cell in zip(c.options, per_user_cells, strict=True):
        per_user = option.cost_per_user  # USD
        assert cell.startswith(f"€{per_user.low * 0.5:,.2f}"), cell  # cents at 0.5 EUR per USD
        assert "$" not in cell
    assert all(row[header.index("First year")].startswith("€") for row in rows)

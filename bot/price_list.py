"""`aicost prices`: the effective prices, each with where it came from (bundled, file, setting)."""

from __future__ import annotations

from typing import Any

from estimator import (
    BUNDLED,
    GPU,
    PriceBook,
    PriceOverrides,
    Range,
    data_file,
    roles,
    snapshot_note,
    token_prices,
)

# Models listed by default: the ones the help text and form suggest, plus any the file prices.
_MODELS = ("gpt-4o-mini", "gpt-4o", "claude-haiku-4-5", "claude-sonnet-4-5", "gemini-2.5-flash")


def _figure_names() -> list[str]:
    """Every [low, high] figure of costs.toml by dotted name, in file order."""
    names: list[str] = []

    def walk(prefix: str, node: object) -> None:
        if not isinstance(node, dict):
            return
        if "low" in node and "high" in node and "source" in node:
            names.append(prefix)
            return
        for key, inner in node.items():
            walk(f"{prefix}.{key}" if prefix else key, inner)

    walk("", data_file())
    return names


def _amount(low: float, high: float) -> str:
    # Smaller first, as each line's basis writes a range: a figure whose low estimate takes the
    # larger number (requests one server takes: more is cheaper) still reads "25-50", not "50-25".
    low, high = min(low, high), max(low, high)
    return f"{low:,.6g}" if low == high else f"{low:,.6g}-{high:,.6g}"


def price_sheet(overrides: PriceOverrides | None) -> dict[str, Any]:
    """Every price in use with where it came from, as data (`aicost prices --json`, MCP)."""
    o = overrides or PriceOverrides(origin=BUNDLED)
    book = PriceBook(o)
    tokens: list[dict[str, Any]] = []
    for model in sorted({*_MODELS, *o.model_prices}):
        try:
            bundled = token_prices(model)
        except ValueError:
            tokens.append({"model": model, "prices": None, "where": "unknown to genai-prices"})
            continue
        prices, where = o.token_prices_for(bundled)
        per_mtok = {
            "input": prices.input,
            "cached_input": prices.cached_input,
            "output": prices.output,
        }
        where = "genai-prices" if where == BUNDLED else where
        tokens.append({"model": model, "prices": per_mtok, "where": where})
    gpus = []
    for gpu in GPU:
        table = book.entry(f"gpu.{gpu.value}")
        own = o.gpu_hourly(gpu)
        where = BUNDLED
        if own:
            where = f"on demand, {own[2]}; reserved {own[1]:g} (Reserved GPUs lever)"
        if own is None and f"gpu.{gpu.value}" in o.entries:
            where = o.origin
        gpus.append(
            {"gpu": gpu.value, "low": table["hourly_low"], "high": table["hourly_high"],
             "where": where}
        )  # fmt: skip
    figures = []
    for role in roles():
        figure, where = o.salary_range(role)
        figures.append(_figure(f"salary.{role}", figure, where))
    for name in _figure_names():
        if not name.startswith("salary."):
            figures.append(_figure(name, book.figure(name), book.origin(name)))
    listed = set(_figure_names())
    other = [
        {"name": name, "fields": dict(fields), "where": o.origin}
        for name, fields in sorted(o.entries.items())  # entries without a low-high figure
        if name not in listed and not name.startswith("gpu.")
    ]
    return {
        "currency": o.currency.describe(),
        "amounts_are": "USD",
        "token_prices_from": snapshot_note(),
        "token_prices_per_mtok": tokens,
        "gpu_hourly": gpus,
        "figures": figures,
        "other_entries": other,
    }


def _figure(name: str, figure: Range, where: str) -> dict[str, Any]:
    return {"name": name, "low": figure.low, "high": figure.high, "unit": figure.unit,
            "where": where}  # fmt: skip


def render_prices(overrides: PriceOverrides | None, width: int) -> list[str]:
    """One line per price: name, amount, unit, where it came from; sections by kind."""
    sheet = price_sheet(overrides)
    out: list[str | tuple[str, str, str]] = [
        f"Prices in use (amounts in USD; currency {sheet['currency']})",
        "=" * width,
    ]
    out.append(f"Token prices: {sheet['token_prices_from']}")
    out.append("")
    out.append("LLM token prices (USD per million tokens, in / cached in / out)")
    for row in sheet["token_prices_per_mtok"]:
        p = row["prices"]
        amount = f"${p['input']:g}/${p['cached_input']:g}/${p['output']:g}" if p else ""
        out.append((row["model"], amount, row["where"]) if p else (row["model"], row["where"], ""))
    out.append("")
    out.append("GPU hours (USD an hour)")
    for row in sheet["gpu_hourly"]:
        out.append((row["gpu"].upper(), _amount(row["low"], row["high"]), row["where"]))
    out.append("")
    out.append("Salaries (base, USD a year) and other figures of the data file")
    for row in sheet["figures"]:
        out.append((row["name"], _amount(row["low"], row["high"]), row["where"]))
    for row in sheet["other_entries"]:
        shown = ", ".join(f"{k} {v:g}" for k, v in row["fields"].items())
        out.append((row["name"], shown, row["where"]))
    return _columns(out, width)


def _columns(out: list[str | tuple[str, str, str]], width: int) -> list[str]:
    """Rows as aligned columns (name, amount, where), headings as they are. A row too wide for
    the terminal puts where it came from on the next line, under the amount."""
    rows = [row for row in out if isinstance(row, tuple)]
    amount_width = max(len(row[1]) for row in rows) + 2
    name_width = max(12, min(max(len(row[0]) for row in rows), 34, width - amount_width - 26)) + 2
    lines: list[str] = []
    for row in out:
        if isinstance(row, str):
            lines.append(row)
            continue
        name, amount, where = row
        head = f"  {name:<{name_width}}" if len(name) < name_width else f"  {name}  "
        line = f"{head}{amount:<{amount_width}}{where}".rstrip()
        if len(line) <= width:
            lines.append(line)
        else:
            lines.append(f"{head}{amount}")
            lines.append(" " * min(len(head), width // 2) + where)
    return lines

"""`aicost prices`: the effective prices, each with where it came from (bundled, file, setting)."""

from __future__ import annotations

from estimator import facts
from estimator.overrides import BUNDLED, PriceOverrides, roles
from estimator.price_book import PriceBook
from estimator.scenario import GPU
from estimator.token_prices import token_prices
from estimator.token_snapshot import snapshot_note

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

    walk("", facts.raw())
    return names


def _amount(low: float, high: float) -> str:
    return f"{low:,.6g}" if low == high else f"{low:,.6g}-{high:,.6g}"


def render_prices(overrides: PriceOverrides | None, width: int) -> list[str]:
    """One line per price: name, amount, unit, where it came from; sections by kind."""
    o = overrides or PriceOverrides(origin=BUNDLED)
    book = PriceBook(o)
    out: list[str | tuple[str, str, str]] = [
        f"Prices in use (amounts in USD; currency {o.currency.describe()})",
        "=" * width,
    ]
    out.append(f"Token prices: {snapshot_note()}")
    out.append("")
    out.append("LLM token prices (USD per million tokens, in / cached in / out)")
    for model in sorted({*_MODELS, *o.model_prices}):
        try:
            bundled = token_prices(model)
        except ValueError:
            out.append((model, "unknown to genai-prices", ""))
            continue
        prices, where = o.token_prices_for(bundled)
        where = "genai-prices" if where == BUNDLED else where
        out.append((model, prices.per_mtok().removesuffix(" per Mtok"), where))
    out.append("")
    out.append("GPU hours (USD an hour)")
    for gpu in GPU:
        table = book.entry(f"gpu.{gpu.value}")
        own = o.gpu_hourly(gpu)
        where = BUNDLED
        if own:
            where = f"on demand, {own[2]}; reserved {own[1]:g} (Reserved GPUs lever)"
        if own is None and f"gpu.{gpu.value}" in o.entries:
            where = o.origin
        amount = _amount(table["hourly_low"], table["hourly_high"])
        out.append((gpu.value.upper(), amount, where))
    out.append("")
    out.append("Salaries (base, USD a year) and other figures of the data file")
    for role in roles():
        figure, where = o.salary_range(role)
        out.append((f"salary.{role}", _amount(figure.low, figure.high), where))
    for name in _figure_names():
        if name.startswith("salary."):
            continue
        figure = book.figure(name)
        where = book.origin(name)
        out.append((name, _amount(figure.low, figure.high), where))
    listed = set(_figure_names())
    for name, fields in sorted(o.entries.items()):  # entries without a low-high figure
        if name not in listed and not name.startswith("gpu."):
            shown = ", ".join(f"{k} {v:g}" for k, v in fields.items())
            out.append((name, shown, o.origin))
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

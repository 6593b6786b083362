"""How amounts and counts are written, so every rendering (terminal, Slack, basis lines) agrees."""

from __future__ import annotations

from dataclasses import dataclass

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$"}


@dataclass(frozen=True, slots=True)
class ShownCurrency:
    """The currency amounts are shown in: its symbol and units of it per USD. Amounts are computed
    in USD; every money formatter below takes the currency to write them in as an argument (an
    estimate's is `Estimate.shown`, from its price book). Basis lines are worded in `DOLLARS` (the
    data file's prices), so their arithmetic checks by hand."""

    symbol: str
    per_usd: float


DOLLARS = ShownCurrency("$", 1.0)


def shown_currency(code: str | None, per_usd: float = 1.0) -> ShownCurrency:
    """The currency `code` at `per_usd` units per USD (None or USD: `DOLLARS`)."""
    return DOLLARS if code in (None, "USD") else ShownCurrency(SYMBOLS[str(code)], per_usd)


# Each public formatter converts once and hands the amount in the shown currency to these: an answer
# formats about 250 amounts, a range two at a time. Thousands separators ("," in a format) are
# dear, so figures that round to three digits at most are formatted without (docs/architecture.md,
# "Performance idioms").


def _digits(amount: float) -> str:
    """A whole amount without its symbol: 1,234, 850, or 2.50 (cents below 10)."""
    if 10 <= amount < 999.5:  # most amounts: 10 to 999, no cents and no separator
        return f"{amount:.0f}"
    if -10 < amount < 10 and amount != int(amount):
        return f"{amount:,.2f}"
    return f"{amount:,.0f}"


def _short(symbol: str, amount: float) -> str:
    sign = "-" if amount < 0 and round(amount) != 0 else ""
    a = abs(amount)
    # Each figure written in one f-string with its sign and symbol: no concatenation after.
    if a < 999.5:  # three digits at most
        return f"{sign}{symbol}{a:.0f}"
    if a < 1_000:
        return f"{sign}{symbol}1,000"
    if a < 9_950:
        return f"{sign}{symbol}{a / 1_000:.1f}k".replace(".0k", "k")
    if a < 999_500:  # under 999.5 thousands: three digits at most
        return f"{sign}{symbol}{a / 1_000:.0f}k"
    if a < 999_500_000:
        return f"{sign}{symbol}{a / 1_000_000:,.1f}M".replace(".0M", "M")
    return f"{sign}{symbol}{a / 1_000_000_000:,.1f}B".replace(".0B", "B")


def usd(amount: float, shown: ShownCurrency) -> str:
    """$1,234 (whole dollars; cents below $10), or €1,135 shown in EUR at 0.92."""
    if shown is DOLLARS:
        return "$" + _digits(amount)
    return shown.symbol + _digits(amount * shown.per_usd)


def usd_short(amount: float, shown: ShownCurrency) -> str:
    """$900, $2.5k, $285k, $1.2M, $4.1B: for headlines where width matters. One decimal under
    $10k, since "$3k" for $2,528 would be a fifth off at the ends of a range."""
    if shown is DOLLARS:
        return _short("$", amount)
    return _short(shown.symbol, amount * shown.per_usd)


def usd_range(low: float, high: float, shown: ShownCurrency, short: bool = False) -> str:
    """$1,000-2,000 or $1k-2k; a single figure when low and high round to the same."""
    symbol = shown.symbol
    if shown is not DOLLARS:
        per_usd = shown.per_usd
        low, high = low * per_usd, high * per_usd
    if short:
        lo, hi = _short(symbol, low), _short(symbol, high)  # a sign goes before the symbol
        return lo if lo == hi else f"{lo}–{hi.removeprefix(symbol)}"
    # A whole amount's sign follows its symbol ("$-5"): the symbol is written once, in front.
    lo, hi = _digits(low), _digits(high)
    return symbol + lo if lo == hi else f"{symbol}{lo}–{hi}"


def signed_usd_short(amount: float, shown: ShownCurrency) -> str:
    """+$12k / -$3k / $0, for diffs."""
    if round(amount) == 0:
        return f"{shown.symbol}0"
    return ("+" if amount > 0 else "") + usd_short(amount, shown)


def _as_written(amount: float) -> float:
    """`amount` rounded as `_digits` writes it: to the cent below $10, else to the dollar."""
    if -10 < amount < 10 and amount != int(amount):
        return round(amount, 2)
    return round(amount)


def signed_usd_change(before: float, after: float, shown: ShownCurrency) -> str:
    """+$12k, +$0.46 or $0: `after` minus `before` as `usd` writes the two, so a change agrees
    with the figures beside it ("$34 -> $34" is "$0", never "+$1"; "$2.30 -> $2.76" is
    "+$0.46")."""
    per_usd = 1.0 if shown is DOLLARS else shown.per_usd
    change = round(_as_written(after * per_usd) - _as_written(before * per_usd), 2)
    if change == 0:
        return f"{shown.symbol}0"
    sign = "+" if change > 0 else "-"
    if change != round(change):  # cents written beside: the change in cents too
        return f"{sign}{shown.symbol}{abs(change):.2f}"
    return ("+" if change > 0 else "") + _short(shown.symbol, change)


def count(n: float) -> str:
    """10,000 or 1.5 (people); whole numbers without decimals."""
    if type(n) is not int:  # most counts (users, requests, records) are ints already
        whole = int(n)
        if n != whole:
            return f"{n:,.2f}".rstrip("0").rstrip(".")
        n = whole
    return str(n) if -1_000 < n < 1_000 else f"{n:,}"


def user_count(n: float) -> str:
    """'1 user', '10,000 users': a user count with its noun agreeing."""
    return f"{count(n)} {'user' if n == 1 else 'users'}"


def times_span(low: float, high: float) -> str:
    """'5.7-9.2x', '78,622-249,352x', '1.3x': tenths matter at 5.7x, not at 19,988x; one figure
    when both ends agree."""
    if high < 100:
        lo, hi = f"{low:,.1f}", f"{high:,.1f}"
    else:
        lo, hi = f"{low:,.0f}", f"{high:,.0f}"
    return f"{lo}x" if lo == hi else f"{lo}-{hi}x"


def figure_span(low: float, high: float, spec: str = "g") -> str:
    """'1.25-1.4' or '1.3' (each end formatted with `spec`, e.g. ",.1f"): a range of figures
    other than money, one figure when both ends agree."""
    lo, hi = format(low, spec), format(high, spec)
    return lo if lo == hi else f"{lo}-{hi}"


def size(value: float) -> str:
    """A data size's figure (GB, KB): '2,250', '8.6', '0.3', '0.04': one decimal only below
    10 (none when it is .0), whole figures with thousands separators above; a size under 0.05
    keeps its first significant digit rather than reading as nothing."""
    if abs(value) >= 9.95:
        return f"{value:,.0f}"
    if value and abs(value) < 0.05:
        return format(value, ".1g")
    return f"{value:.1f}".removesuffix(".0")


def size_span(low: float, high: float) -> str:
    """'8,640-49,680' or '2,250': a range of data sizes, one figure when both ends agree."""
    lo, hi = size(low), size(high)
    return lo if lo == hi else f"{lo}-{hi}"


def percent(share: float) -> str:
    """0.3 -> 30%, 0.005 -> 0.5%."""
    value = share * 100
    whole = int(value)
    if value == whole:
        return f"{whole}%"
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def span(low: float, high: float) -> str:
    """2 or 2-3: a count range, one figure when both ends agree."""
    lo, hi = count(low), count(high)
    return lo if lo == hi else f"{lo}-{hi}"


def percent_span(low: float, high: float) -> str:
    """30-50% or 40%."""
    lo, hi = percent(low), percent(high)
    return lo if lo == hi else f"{lo[:-1]}-{hi}"


def quantity(low: float, high: float, noun: str, plural: str | None = None) -> str:
    """'1 agent', '2-3 agents': a count range with its noun agreeing."""
    many = plural or noun + "s"
    return f"{span(low, high)} {noun if low == high == 1 else many}"

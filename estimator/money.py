"""How amounts and counts are written, so every rendering (terminal, Slack, basis lines) agrees."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The currency amounts are shown in: (symbol, units per USD). Amounts are computed in USD; a front
# end showing an estimate in the workspace's currency wraps its rendering in `shown_in`. Basis
# lines are worded in USD (the data file's prices), so their arithmetic checks by hand.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$"}
_SHOWN: ContextVar[tuple[str, float] | None] = ContextVar("aicost_shown_currency", default=None)


@contextmanager
def shown_in(code: str | None, per_usd: float = 1.0) -> Iterator[None]:
    """Amounts formatted inside are converted to `code` at `per_usd` (None or USD: dollars)."""
    token = _SHOWN.set(None if code in (None, "USD") else (SYMBOLS[str(code)], per_usd))
    try:
        yield
    finally:
        _SHOWN.reset(token)


def shown() -> tuple[str, float] | None:
    """(symbol, units per USD) of the currency amounts are shown in, None for dollars: what a text
    worded with these formatters depends on besides its figures."""
    return _SHOWN.get()


def symbol() -> str:
    """The currency symbol amounts are shown with: "$", or "€" inside `shown_in("EUR", ...)`."""
    shown = _SHOWN.get()
    return "$" if shown is None else shown[0]


# Each public formatter reads the currency once and hands the converted amount to these: an answer
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


def usd(amount: float) -> str:
    """$1,234 (whole dollars; cents below $10), or €1,135 inside `shown_in("EUR", 0.92)`."""
    shown = _SHOWN.get()
    return "$" + _digits(amount) if shown is None else shown[0] + _digits(amount * shown[1])


def usd_short(amount: float) -> str:
    """$900, $2.5k, $285k, $1.2M, $4.1B: for headlines where width matters. One decimal under
    $10k, since "$3k" for $2,528 would be a fifth off at the ends of a range."""
    shown = _SHOWN.get()
    return _short("$", amount) if shown is None else _short(shown[0], amount * shown[1])


def usd_range(low: float, high: float, short: bool = False) -> str:
    """$1,000-2,000 or $1k-2k; a single figure when low and high round to the same."""
    shown = _SHOWN.get()
    if shown is None:
        symbol = "$"
    else:
        symbol, per_usd = shown
        low, high = low * per_usd, high * per_usd
    if short:
        lo, hi = _short(symbol, low), _short(symbol, high)  # a sign goes before the symbol
        return lo if lo == hi else f"{lo}–{hi.removeprefix(symbol)}"
    # A whole amount's sign follows its symbol ("$-5"): the symbol is written once, in front.
    lo, hi = _digits(low), _digits(high)
    return symbol + lo if lo == hi else f"{symbol}{lo}–{hi}"


def signed_usd_short(amount: float) -> str:
    """+$12k / -$3k / $0, for diffs."""
    if round(amount) == 0:
        return f"{symbol()}0"
    return ("+" if amount > 0 else "") + usd_short(amount)


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

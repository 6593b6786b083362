"""The estimate message: headline figures, breakdown, phases, sensitivity, assumptions, buttons.

The line items are not here: the breakdown by category sums them, and the thread's arithmetic
(arithmetic.py) lists them as a sortable table above each line's working, so no line reads twice
in the estimate."""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack import limits
from bot.slack.blockkit import context, escape, header, plain_table, section, table_block
from bot.slack.fitting import clip, fit, message
from bot.slack.message import Message
from bot.slack.messages.amounts import multiple, short_range, signed
from bot.slack.messages.buttons import estimate_buttons, feedback_buttons
from estimator import (
    Absent,
    Amount,
    Estimate,
    Hosting,
    Scenario,
    ShownCurrency,
    Totals,
    count,
    figure_span,
    model_family_note,
    percent,
    usd_short,
    user_count,
)

# The bot's handle as people type it; the invite only works with the app's display name.
INVITE_COMMAND = "/invite @aicost"


def _title(s: Scenario) -> str:
    return f"AI in production: {user_count(s.users)} · {s.stage.value}"


@dataclass(frozen=True, slots=True)
class WordedTotals:
    """An estimate's totals, each worded once: the key figures, the breakdown's total row and the
    notification text repeat them."""

    one_time: str
    monthly: str
    annual: str
    first_year: str
    multiple: str  # of the prototype


def worded(t: Totals, shown: ShownCurrency) -> WordedTotals:
    return WordedTotals(
        short_range(t.one_time, shown),
        short_range(t.monthly, shown),
        short_range(t.annual, shown),
        short_range(t.first_year, shown),
        multiple(t.prototype_multiple),
    )


def key_figures(e: Estimate, w: WordedTotals) -> dict:
    t, s, shown = e.totals, e.scenario, e.shown
    return section(
        fields=[
            f"*Monthly run-rate*\n{w.monthly}/month\n_cloud, LLM, tools, support_",
            f"*One-time*\n{w.one_time}\n_build-out before launch_",
            f"*First year*\n{w.first_year}\n_one-time + 12 months + team_",
            f"*Multiple of the prototype*\n{w.multiple}\n"
            f"_of the {usd_short(s.prototype_cost, shown)} prototype_",
            f"*All-in per month*\n{short_range(t.monthly_all_in, shown, '/month')}\n"
            f"_team & legal spread over 12_",
            f"*Team & legal per year*\n{w.annual}/year\n_salaries, insurance_",
        ]
    )


def _cell(a: Amount, shown: ShownCurrency) -> str:
    """A breakdown cell: its range, or a dash when the category has nothing at this cadence."""
    return short_range(a, shown) if a.high or a.low else "–"


def _breakdown_rows(e: Estimate, w: WordedTotals) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("Category", "One-time", "Monthly", "Annual")]
    shown = e.shown
    for category, one_time, monthly, annual in e.by_category():
        rows.append(
            (category.label, _cell(one_time, shown), _cell(monthly, shown), _cell(annual, shown))
        )
    rows.append(("Total", w.one_time, w.monthly, w.annual))
    return rows


def _breakdown(rows: list[tuple[str, ...]]) -> list[dict]:
    return [section("*Breakdown by category*"), table_block(rows)]


def _phases(e: Estimate) -> dict:
    shown = e.shown
    lines = ["*Three-phase budget* · cumulative spend, as multiples of the prototype"]
    for phase in e.phases:
        low, high = phase.article_multiple
        lines.append(
            f"• *{phase.name}*, {phase.months}: {short_range(phase.cumulative, shown)} · "
            f"{multiple(phase.multiple)} _(article {figure_span(low, high)}x)_"
        )
    return section("\n".join(lines))


def hosting_words(s: Scenario) -> str:
    if s.hosting is Hosting.self_hosted:
        return f"self-hosted {s.gpu.value.upper()}"
    return "API"


# The assumptions are one context element (Slack: at most 3,000 characters); the prices said in it
# are kept to this many, the rest counted (Home lists every setting).
PRICES_NOTE_CHARS = 1_200


def _within(notes: list[str], limit: int) -> str:
    shown: list[str] = []
    for n, note in enumerate(notes):
        if len(" · ".join([*shown, note])) > limit:
            return " · ".join(shown) + f" · and {len(notes) - n} more (Home lists them)"
        shown.append(note)
    return " · ".join(shown)


def assumptions(
    s: Scenario,
    shown: ShownCurrency,
    absent: tuple[Absent, ...] = (),
    applied: list[str] | None = None,
) -> dict:
    family = model_family_note(s.model)
    described = [
        ("users", user_count(s.users)),
        ("model", s.model + (f" ({family})" if family else "")),
        ("input_tokens", f"{count(s.input_tokens)} in / {count(s.output_tokens)} out tokens"),
        ("cache_hit_rate", f"{percent(s.cache_hit_rate)} cache hits"),
        ("regions", f"{count(s.regions)} region{'s' if s.regions != 1 else ''}"),
        ("compliance", ", ".join(c.label for c in s.compliance) or "no compliance"),
        ("uptime", f"{s.uptime:g}% uptime"),
        ("hosting", hosting_words(s)),
        # Not on the form, but they drive storage, traffic and year 2: a reader should see them.
        ("stored_records", f"{count(s.stored_records)} records"),
        ("corpus_documents", f"{count(s.corpus_documents)}-document corpus"),
        ("vector_store", s.vector_store.label),
        ("daily_active_share", f"{percent(s.daily_active_share)} active daily"),
        (
            "requests_per_active_user_per_day",
            f"{count(s.requests_per_active_user_per_day)} requests/day each",
        ),
        ("monthly_user_growth", f"{percent(s.monthly_user_growth)}/month growth"),
    ]
    chosen, defaults = [], []
    for name, text in described:
        (chosen if _given(s, name) else defaults).append(text)
    parts = []
    if chosen:
        parts.append("You chose " + " · ".join(chosen) + ".")
    if defaults:
        parts.append(f"{s.stage.value.capitalize()} defaults: " + " · ".join(defaults) + ".")
    lines = [line for line in absent if line.kind == "line"]
    if lines:
        parts.append(
            f"Left out, {usd_short(0, shown)} here: "
            + " · ".join(f"{line.name}: {line.why}" for line in lines)
            + "."
        )
    if applied:
        parts.append("Prices: " + _within(applied, PRICES_NOTE_CHARS) + ".")
    parts.append("*Edit in form* or a reply in the thread changes any of them.")
    return context("*Assumptions* " + " ".join(parts))


def _sensitivity(e: Estimate) -> dict:
    """The assumptions that move the first year most, with their dollar swing, and one sentence
    for the rest."""
    title = "*What moves the first year most* (each assumption alone at its low and high)"
    ranking = e.sensitivity
    if not ranking.varied:
        return section(
            f"{title}\nYou gave every assumption aicost could vary (usage, records, corpus, "
            "prices), so none is left to vary."
        )
    shown = e.shown
    rows = [
        f"• *{item.label}*: {item.show(item.low)} → {item.show(item.high)}"
        f"{'' if item.spanned else f' (assumed {item.show(item.value)})'}: first year "
        f"{short_range(item.first_year_at_low, shown)} → "
        f"{short_range(item.first_year_at_high, shown)}, a swing of {signed(item.swing, shown)}"
        for item in ranking
    ]
    rest = ranking.rest_sentence()
    return section(title + "\n" + "\n".join([*rows, *([rest] if rest else [])]))


def _given(s: Scenario, name: str) -> bool:
    if name == "input_tokens":
        return "input_tokens" in s.given or "output_tokens" in s.given
    if name == "hosting":
        return "hosting" in s.given or "gpu" in s.given
    return name in s.given


def _estimate_blocks(e: Estimate, breakdown: list[tuple[str, ...]], w: WordedTotals) -> list[dict]:
    return [
        header(_title(e.scenario)),
        key_figures(e, w),
        *_breakdown(breakdown),
        _phases(e),
        _sensitivity(e),
        assumptions(e.scenario, e.shown, e.absent, e.price_notes),
        feedback_buttons(),
        estimate_buttons(e.scenario),  # last: fitting keeps a closing actions block
    ]


def _estimate_text(e: Estimate, breakdown: list[tuple[str, ...]], w: WordedTotals) -> str:
    return (
        f"{_title(e.scenario)} — {w.monthly}/month run-rate, "
        f"{w.first_year} first year ({w.multiple} the prototype)\n"
        f"Breakdown by category\n{plain_table(breakdown)}"
    )


def estimate_message(e: Estimate, notes: str = "") -> Message:
    """The estimate as posted: headline figures, breakdown, phases, assumptions and buttons;
    `notes`, how the words were read ("Read “usres” as “users”."), under its title."""
    w = worded(e.totals, e.shown)
    breakdown = _breakdown_rows(e, w)  # the table block and the fallback's plain table
    blocks = _estimate_blocks(e, breakdown, w)
    if notes:
        blocks.insert(1, notes_block(notes))
    return message(_estimate_text(e, breakdown, w), blocks)


def notes_block(notes: str) -> dict:
    """How the request's words were read: a misspelling taken as the word meant, a word that
    changed nothing, a model sized from its name (bot/parsing, `notes_for`)."""
    return context(f":information_source: {notes}")


def not_in_channel_message(estimate: Message, thread: tuple[Message, ...] = ()) -> Message:
    """The estimate (as `estimate_message` words it) for the user alone, opening with how to
    invite the bot to the channel. A private estimate has no thread: the line items its
    `thread` would list (the arithmetic's data table) come under its breakdown instead."""
    notice = (
        "I'm not in this channel, so I can't post here and only you can see this estimate. "
        f"To share estimates here, invite me: `{INVITE_COMMAND}`"
    )
    text = clip(f"{escape(notice)}\n{estimate.text}", limits.FALLBACK_TEXT)
    blocks = list(estimate.blocks)
    lines = next((b for m in thread for b in m.blocks if b.get("type") == "data_table"), None)
    kinds = [b.get("type") for b in blocks]
    if lines is not None and "table" in kinds:
        blocks.insert(kinds.index("table") + 1, lines)
    return Message(text, fit([section(notice), *blocks]))

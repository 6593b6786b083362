"""Block Kit rendering of estimates, thread tips, follow-up diffs, help and errors (plain dicts).

Every mrkdwn text is escaped on its way into a block (model names and unknown words are echoed
back from users), and every message goes through `fit`, so nothing sent can mention anyone, smuggle
a link or break one of Slack's limits.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import orjson

from bot.advisor import Reply
from bot.parsing import COMPARE_EXAMPLE, EXAMPLES, FOLLOW_UP_EXAMPLES
from bot.slack import limits
from bot.slack.ids import SLASH_COMMAND, Action
from bot.verdicts import breakeven_sentence, comparison_sentence
from estimator.breakeven import BreakEven
from estimator.compare import Comparison
from estimator.estimate import Absent, Estimate
from estimator.families import model_family_note
from estimator.lines import CATEGORIES, Cadence, Category, LineItem
from estimator.money import count, percent, usd_range, usd_short
from estimator.phases import READING
from estimator.savings import Saving
from estimator.scenario import Hosting, Scenario
from estimator.totals import Amount, Totals
from estimator.whatif import EstimateDiff

# The bot's handle as people type it; the invite only works with the app's display name.
INVITE_COMMAND = "/invite @aicost"

_CADENCE = {Cadence.one_time: " one-time", Cadence.monthly: "/month", Cadence.annual: "/year"}
_BUTTONS = (
    (Action.edit_in_form, "Edit in form", "edit"),
    (Action.what_if_10x, "What if 10x users", "10x"),
    (Action.apply_caching, "Apply caching", "caching"),
    (Action.cheaper_model, "Try a cheaper model", "cheaper_model"),
    (Action.chart, "Chart", "chart"),
    (Action.export, "Export", "export"),
)
_DATA_FILE = "estimator/data/costs.toml"


@dataclass(frozen=True, eq=False)
class Message:
    """One Slack message: `text` is the notification fallback, `blocks` what Slack shows."""

    text: str
    blocks: list[dict]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.text, self.blocks) == (other.text, other.blocks)

    @property
    def encoded(self) -> bytes | None:
        """The blocks as the JSON a worker made of them; None for a message made here."""
        return None

    def has_buttons(self) -> bool:
        return any(block.get("type") == "actions" for block in self.blocks)

    def __reduce__(self) -> tuple[Any, ...]:
        # Out of a worker as the JSON it will be posted as: orjson writes it in a third of the
        # time pickle takes, and the event loop unpickles bytes instead of a few hundred dicts.
        return (EncodedMessage, (self.text, orjson.dumps(self.blocks)))


class EncodedMessage(Message):
    """A message as a worker sent it: its blocks stay JSON, posted as they are
    (bot/slack/web_session.py), and are decoded only if something reads them."""

    def __init__(self, text: str, encoded: bytes) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "_encoded", encoded)
        object.__setattr__(self, "_blocks", None)

    @property
    def blocks(self) -> list[dict]:  # type: ignore[override]
        if self._blocks is None:
            object.__setattr__(self, "_blocks", orjson.loads(self._encoded))
        return self._blocks

    @property
    def encoded(self) -> bytes | None:
        return self._encoded

    def has_buttons(self) -> bool:
        # orjson writes no spaces, and a quote inside a text is escaped: an actions block is
        # always this sequence, so its absence is certain without decoding.
        return b'"type":"actions"' in self._encoded and super().has_buttons()

    def __reduce__(self) -> tuple[Any, ...]:
        return (EncodedMessage, (self.text, self._encoded))


# --- escaping and limits ----------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape &, < and > the way Slack requires, so echoed text can never become a mention
    (<!channel>, <@U1>) or a link; `&` first, or the other entities would be escaped twice."""
    # Most texts have none of the three: looking costs a tenth of replacing in a text with "•" or
    # "–" (str.replace is slow on non-ASCII strings), and an answer escapes about 60.
    if "&" not in text and "<" not in text and ">" not in text:
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with "…", never inside an entity or an open code block."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]  # half an entity would show as "&am"
    if cut.count("```") % 2:
        # An unclosed fence would set the rest of the message in monospace.
        cut = cut[: limit - 5]
        amp = cut.rfind("&")
        if amp != -1 and ";" not in cut[amp:]:
            cut = cut[:amp]
        return cut + "…\n```"
    return cut + "…"


def _within_limits(block: dict) -> bool:
    """True when nothing in `block` needs clipping (the common case: no copy is made)."""
    kind = block.get("type")
    if kind == "section":  # most blocks (25 an answer), so looked at first: most have no fields
        text, fields = block.get("text"), block.get("fields")
        if text is not None and len(text.get("text", "")) > limits.SECTION_TEXT:
            return False
        return fields is None or (
            len(fields) <= limits.SECTION_FIELDS
            and all(len(f["text"]) <= limits.SECTION_FIELD_TEXT for f in fields)
        )
    if kind == "header":
        return len(block["text"]["text"]) <= limits.HEADER_TEXT
    if kind == "context":
        elements = block["elements"]
        return len(elements) <= limits.CONTEXT_ELEMENTS and all(
            len(e.get("text", "")) <= limits.SECTION_TEXT for e in elements
        )
    if kind == "actions":
        return all(len(e["text"]["text"]) <= limits.BUTTON_TEXT for e in block["elements"])
    if kind == "table":
        rows = block["rows"]
        return len(rows) <= limits.TABLE_ROWS and all(
            len(row) <= limits.TABLE_COLUMNS for row in rows
        )
    return True


def _fit_block(block: dict) -> dict:
    if _within_limits(block):
        return block
    block = copy.deepcopy(block)  # the caller's blocks are left alone
    kind = block.get("type")
    if kind == "header":
        block["text"]["text"] = _clip(block["text"]["text"], limits.HEADER_TEXT)
    elif kind == "section":
        if "text" in block:
            block["text"]["text"] = _clip(block["text"]["text"], limits.SECTION_TEXT)
        if "fields" in block:
            block["fields"] = block["fields"][: limits.SECTION_FIELDS]
            for item in block["fields"]:
                item["text"] = _clip(item["text"], limits.SECTION_FIELD_TEXT)
    elif kind == "context":
        block["elements"] = block["elements"][: limits.CONTEXT_ELEMENTS]
        for element in block["elements"]:
            if "text" in element:
                # Context texts share the 3,000-character cap of every block text object.
                element["text"] = _clip(element["text"], limits.SECTION_TEXT)
    elif kind == "actions":
        for element in block["elements"]:
            if element.get("type") == "button":
                element["text"]["text"] = _clip(element["text"]["text"], limits.BUTTON_TEXT)
    elif kind == "table":
        block["rows"] = [row[: limits.TABLE_COLUMNS] for row in block["rows"][: limits.TABLE_ROWS]]
        if "column_settings" in block:
            block["column_settings"] = block["column_settings"][: limits.TABLE_COLUMNS]
    return block


def fit(blocks: list[dict], limit: int | None = None) -> list[dict]:
    """`blocks` within Slack's limits: texts clipped with "…", at most `limit` blocks (default
    limits.MESSAGE_BLOCKS). When blocks must go, a closing actions block is kept: the buttons
    matter more than the last detail."""
    limit = limits.MESSAGE_BLOCKS if limit is None else limit
    fitted = [block if _within_limits(block) else _fit_block(block) for block in blocks]
    # Slack refuses a message with a second table: later ones are shown as monospace text.
    tables = [i for i, b in enumerate(fitted) if b.get("type") == "table"]
    for i in tables[limits.TABLES_PER_MESSAGE :]:
        fitted[i] = _fit_block(_section(_table(_table_cells(fitted[i]))))
    if len(fitted) <= limit:
        return fitted
    tail = [fitted[-1]] if fitted[-1].get("type") == "actions" else []
    keep = max(0, limit - len(tail) - 1)
    dropped = len(fitted) - keep - len(tail)
    return [*fitted[:keep], _context(f"… {dropped} more blocks not shown."), *tail][:limit]


def _message(text: str, blocks: list[dict]) -> Message:
    # The fallback is parsed for mentions too, so it is escaped like every block text.
    return Message(_clip(escape(text), limits.FALLBACK_TEXT), fit(blocks))


# --- block builders (every mrkdwn text escaped here, so no caller can forget) -------------------


def _mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: Slack does not auto-link names or URLs in text we did not mark up ourselves.
    return {"type": "mrkdwn", "text": escape(text), "verbatim": True}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _header(text: str) -> dict:
    return {"type": "header", "text": _plain(text)}


def _section(text: str | None = None, fields: list[str] | None = None) -> dict:
    block: dict[str, Any] = {"type": "section"}
    if text is not None:
        block["text"] = _mrkdwn(text)
    if fields:
        block["fields"] = [_mrkdwn(f) for f in fields]
    return block


def _escaped_section(text: str) -> dict:
    """A section of mrkdwn `text` that its caller escaped already (to measure it)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _context(*texts: str) -> dict:
    return {"type": "context", "elements": [_mrkdwn(t) for t in texts]}


def _button(action: Action, label: str, value: str) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action.value,
        "text": _plain(label),
        "value": value,
    }
    if action is Action.edit_in_form:
        button["style"] = "primary"
    return button


_BUTTON_BLOCKS = tuple(_button(*spec) for spec in _BUTTONS)  # the same under every estimate


def _actions() -> dict:
    # Copies, down to the text objects, so no message shares a dict with another.
    elements = [{**button, "text": {**button["text"]}} for button in _BUTTON_BLOCKS]
    return {"type": "actions", "elements": elements}


def _table_block(rows: list[tuple[str, ...]]) -> dict:
    """A Slack table block: the first row a header, the first column left-aligned, the rest
    (amounts) right-aligned. Cells are raw text, which Slack never parses for mentions."""
    columns = len(rows[0])
    return {
        "type": "table",
        "column_settings": [{"align": "left", "is_wrapped": True}]
        + [{"align": "right"}] * (columns - 1),
        "rows": [[{"type": "raw_text", "text": cell or " "} for cell in row] for row in rows],
    }


def _table_cells(block: dict) -> list[tuple[str, ...]]:
    return [tuple(cell.get("text", "").strip() for cell in row) for row in block["rows"]]


def _plain_table(rows: list[tuple[str, ...]]) -> str:
    """The rows as aligned plain text (first column left-aligned, amounts right-aligned), for
    the notification fallback beside a table block."""
    widths = [max(map(len, column)) for column in zip(*rows, strict=True)]
    first, amounts = widths[0], widths[1:]
    lines = [
        "  ".join([row[0].ljust(first), *map(str.rjust, row[1:], amounts)]).rstrip() for row in rows
    ]
    return "\n".join(lines)


def _table(rows: list[tuple[str, ...]]) -> str:
    """A monospace table: the plain table in a code block."""
    return f"```\n{_plain_table(rows)}\n```"


# --- amounts ----------------------------------------------------------------------------------


def _range(a: Amount, unit: str = "") -> str:
    """$2.5k–5.2k/month; a single figure when both ends agree."""
    return usd_range(a.low, a.high, short=True) + unit


def _signed(amount: float) -> str:
    """+$12k / -$3k / $0."""
    if round(amount) == 0:
        return usd_short(0)  # "$0", or "€0" in the workspace's currency
    return ("+" if amount > 0 else "") + usd_short(amount)


def _signed_range(a: Amount) -> str:
    return f"{_signed(a.low)} / {_signed(a.high)}"


def _multiple(a: Amount) -> str:
    # Tenths matter at 5.7x, not at 19,988x. (Two fixed formats: a nested one is parsed each time.)
    if a.high < 100:
        return f"{a.low:,.1f}-{a.high:,.1f}x"
    return f"{a.low:,.0f}-{a.high:,.0f}x"


# --- the estimate -----------------------------------------------------------------------------


def _title(s: Scenario) -> str:
    return f"AI in production: {count(s.users)} users · {s.stage.value}"


@dataclass(frozen=True, slots=True)
class _WordedTotals:
    """An estimate's totals, each worded once: the key figures, the breakdown's total row and the
    notification text repeat them."""

    one_time: str
    monthly: str
    annual: str
    first_year: str
    multiple: str  # of the prototype


def _worded(t: Totals) -> _WordedTotals:
    return _WordedTotals(
        _range(t.one_time),
        _range(t.monthly),
        _range(t.annual),
        _range(t.first_year),
        _multiple(t.prototype_multiple),
    )


def _key_figures(e: Estimate, w: _WordedTotals) -> dict:
    t, s = e.totals, e.scenario
    return _section(
        fields=[
            f"*Monthly run-rate*\n{w.monthly}/month\n_cloud, LLM, tools, support_",
            f"*One-time*\n{w.one_time}\n_build-out before launch_",
            f"*First year*\n{w.first_year}\n_one-time + 12 months + team_",
            f"*Multiple of the prototype*\n{w.multiple}\n"
            f"_of the {usd_short(s.prototype_cost)} prototype_",
            f"*All-in per month*\n{_range(t.monthly_all_in, '/month')}\n"
            f"_team & legal spread over 12_",
            f"*Team & legal per year*\n{w.annual}/year\n_salaries, insurance_",
        ]
    )


def _cell(a: Amount) -> str:
    """A breakdown cell: its range, or a dash when the category has nothing at this cadence."""
    return _range(a) if a.high or a.low else "–"


def _breakdown_rows(e: Estimate, w: _WordedTotals) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("Category", "One-time", "Monthly", "Annual")]
    for category, one_time, monthly, annual in e.by_category():
        rows.append((category.label, _cell(one_time), _cell(monthly), _cell(annual)))
    rows.append(("Total", w.one_time, w.monthly, w.annual))
    return rows


def _breakdown(rows: list[tuple[str, ...]]) -> list[dict]:
    return [_section("*Breakdown by category*"), _table_block(rows)]


def _phases(e: Estimate) -> dict:
    lines = ["*Three-phase budget* · cumulative spend, as multiples of the prototype"]
    for phase in e.phases:
        low, high = phase.article_multiple
        lines.append(
            f"• *{phase.name}*, {phase.months}: {_range(phase.cumulative)} · "
            f"{_multiple(phase.multiple)} _(article {low:g}-{high:g}x)_"
        )
    return _section("\n".join(lines))


def _hosting(s: Scenario) -> str:
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


def _assumptions(
    s: Scenario, absent: tuple[Absent, ...] = (), applied: list[str] | None = None
) -> dict:
    family = model_family_note(s.model)
    shown = [
        ("users", f"{count(s.users)} users"),
        ("model", s.model + (f" ({family})" if family else "")),
        ("input_tokens", f"{count(s.input_tokens)} in / {count(s.output_tokens)} out tokens"),
        ("cache_hit_rate", f"{percent(s.cache_hit_rate)} cache hits"),
        ("regions", f"{count(s.regions)} region{'s' if s.regions != 1 else ''}"),
        ("compliance", ", ".join(c.label for c in s.compliance) or "no compliance"),
        ("uptime", f"{s.uptime:g}% uptime"),
        ("hosting", _hosting(s)),
        # Not on the form, but they drive storage, traffic and year 2: a reader should see them.
        ("stored_records", f"{count(s.stored_records)} records"),
        ("daily_active_share", f"{percent(s.daily_active_share)} active daily"),
        (
            "requests_per_active_user_per_day",
            f"{count(s.requests_per_active_user_per_day)} requests/day each",
        ),
        ("monthly_user_growth", f"{percent(s.monthly_user_growth)}/month growth"),
    ]
    chosen, defaults = [], []
    for name, text in shown:
        (chosen if _given(s, name) else defaults).append(text)
    parts = []
    if chosen:
        parts.append("You chose " + " · ".join(chosen) + ".")
    if defaults:
        parts.append(f"{s.stage.value.capitalize()} defaults: " + " · ".join(defaults) + ".")
    lines = [line for line in absent if line.kind == "line"]
    if lines:
        parts.append(
            f"Left out, {usd_short(0)} here: "
            + " · ".join(f"{line.name}: {line.why}" for line in lines)
            + "."
        )
    if applied:
        parts.append("Prices: " + _within(applied, PRICES_NOTE_CHARS) + ".")
    parts.append("*Edit in form* or a reply in the thread changes any of them.")
    return _context("*Assumptions* " + " ".join(parts))


def _sensitivity(e: Estimate) -> dict:
    """The three usage assumptions that move the first year most, with their dollar swing."""
    title = "*What moves the first year most* (each assumption alone at its low and high)"
    if not e.sensitivity:
        return _section(
            f"{title}\nYou gave every usage figure (daily share, requests, tokens in and out), "
            "so none is left to vary."
        )
    rows = [
        f"• *{item.label}*: {item.show(item.low)} → {item.show(item.high)} "
        f"(assumed {item.show(item.value)}): first year {_range(item.first_year_at_low)} → "
        f"{_range(item.first_year_at_high)}, a swing of {_signed(item.swing)}"
        for item in e.sensitivity
    ]
    return _section(title + "\n" + "\n".join(rows))


def _given(s: Scenario, name: str) -> bool:
    if name == "input_tokens":
        return "input_tokens" in s.given or "output_tokens" in s.given
    if name == "hosting":
        return "hosting" in s.given or "gpu" in s.given
    return name in s.given


def _estimate_blocks(e: Estimate, breakdown: list[tuple[str, ...]], w: _WordedTotals) -> list[dict]:
    return [
        _header(_title(e.scenario)),
        _key_figures(e, w),
        *_breakdown(breakdown),
        _phases(e),
        _sensitivity(e),
        _assumptions(e.scenario, e.absent, e.price_notes),
        _actions(),
    ]


def _estimate_text(e: Estimate, breakdown: list[tuple[str, ...]], w: _WordedTotals) -> str:
    return (
        f"{_title(e.scenario)} — {w.monthly}/month run-rate, "
        f"{w.first_year} first year ({w.multiple} the prototype)\n"
        f"Breakdown by category\n{_plain_table(breakdown)}"
    )


def estimate_message(e: Estimate) -> Message:
    """The estimate as posted: headline figures, breakdown, phases, assumptions and buttons."""
    w = _worded(e.totals)
    breakdown = _breakdown_rows(e, w)  # the table block and the fallback's plain table
    return _message(_estimate_text(e, breakdown, w), _estimate_blocks(e, breakdown, w))


def not_in_channel_message(estimate: Message) -> Message:
    """The estimate (as `estimate_message` words it) for the user alone, opening with how to
    invite the bot to the channel."""
    notice = (
        "I'm not in this channel, so I can't post here and only you can see this estimate. "
        f"To share estimates here, invite me: `{INVITE_COMMAND}`"
    )
    text = _clip(f"{escape(notice)}\n{estimate.text}", limits.FALLBACK_TEXT)
    return Message(text, fit([_section(notice), *estimate.blocks]))


def with_button_value(message: Message, value: str) -> Message:
    """The message with each of its estimate buttons carrying `value`: whose estimate it is,
    and for a private one the key its scenario was remembered under (the action ID still
    says what the button does)."""
    if not message.has_buttons():
        return message  # a tip: no buttons (this runs for every post, on the event loop)
    rewritten = []
    for block in message.blocks:
        if block.get("type") == "actions":
            elements = [
                {**element, "value": value} if element.get("action_id") in _OURS else element
                for element in block.get("elements", [])
            ]
            block = {**block, "elements": elements}
        rewritten.append(block)
    return Message(message.text, rewritten)


_OURS = frozenset(action.value for action in Action)  # the estimate buttons' action IDs


# --- the thread -------------------------------------------------------------------------------


def _saving(e: Estimate, lever: str) -> Saving | None:
    for saving in e.savings:  # a loop, not next(generator): eight of these an answer
        if saving.lever == lever:
            return saving
    return None


def _lever_lines(e: Estimate, levers: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    """Each lever with its saving; a lever that saves nothing here says why instead."""
    lines = []
    for lever, name in zip(levers, names, strict=True):
        saving = _saving(e, lever)
        if saving is not None:
            lines.append(f"• *{saving.name}* ({_range(saving.monthly, '/month')}): {saving.detail}")
            continue
        why = next((a.why for a in e.absent if a.kind == "lever" and a.name == name), None)
        if why:
            lines.append(f"• *{name}* (nothing to save here): {why}")
    return lines


_EMOJI = re.compile(r"^:[a-z_]+: ")


def _plain_words(mrkdwn: str) -> str:
    """A headline for the notification fallback: no emoji code, no bold marks."""
    return _EMOJI.sub("", mrkdwn).replace("*", "")


def _caching_tip(e: Estimate) -> Message:
    found = [_saving(e, "response_caching"), _saving(e, "prompt_caching")]
    total = sum((s.monthly for s in found if s is not None), Amount(0, 0))
    if total.high > 0:
        headline = (
            f":bulb: *Caching could save {_range(total, '/month')}* "
            f"({_range(total.scaled(12), '/year')})"
        )
    else:
        headline = ":bulb: *Caching: no dollar saving in this scenario*"
    lines = [headline]
    lines += _lever_lines(
        e, ("response_caching", "prompt_caching"), ("Response caching", "Prompt caching")
    )
    lines.append("*Apply caching* under the estimate shows the totals with it.")
    return _message(_plain_words(headline), [_section("\n".join(lines))])


def _breakeven_line(b: BreakEven) -> str:
    return f"*When self-hosting pays off*\n{breakeven_sentence(b)}"


def _managed_tip(e: Estimate, breakeven: BreakEven | None = None) -> Message:
    managed = _saving(e, "managed_services")
    if managed is not None:
        headline = (
            f":gear: *Managed services: {_range(managed.monthly, '/month')} net in your favour*"
        )
        detail = managed.detail
    else:
        headline = ":gear: *Managed services: no net saving at this size*"
        detail = next(
            (a.why for a in e.absent if a.kind == "lever" and a.name == "Managed services"), ""
        )
    also = "\n".join(
        _lever_lines(
            e,
            ("autoscaling", "cheaper_model", "reserved_gpus"),
            ("Autoscaling", "Cheaper model", "Reserved GPUs"),
        )
    )
    blocks = [_section(f"{headline}\n{detail}")]
    if breakeven is not None:
        blocks.append(_section(_breakeven_line(breakeven)))
    if also:
        blocks.append(_section(f"*Also worth a look*\n{also}"))
    return _message(_plain_words(headline), blocks)


def _strategies(e: Estimate) -> Message:
    blocks = [_section("*Five scaling strategies, with this scenario's numbers*")]
    for n, strategy in enumerate(e.strategies, 1):
        blocks.append(_section(f"*{n}. {strategy.name}*: {strategy.rule}\n{strategy.advice}"))
    return _message("Five scaling strategies, with this scenario's numbers", blocks)


def _line(item: LineItem) -> str:
    # Full figures, not $2.5k: this is the part a person checks against the basis by hand.
    amount, cadence = usd_range(item.low, item.high), _CADENCE[item.cadence]
    return f"• *{item.item}*: {amount}{cadence}\n      = {item.basis}"


# Each category's heading in the arithmetic, escaped ("Security &amp; compliance") once.
_HEADINGS = {category: escape(f"*{category.label}*") for category in CATEGORIES}


def _category_sections(category: Category, items: list[LineItem]) -> list[dict]:
    """One category's lines in as few sections as SECTION_TEXT allows (measured escaped, as
    Slack counts them)."""
    sections: list[dict] = []
    # Each line is escaped once, to measure it; the joined lines are then the section's text as
    # _section would escape it (escaping works character by character).
    lines = [_HEADINGS[category]]
    size = len(lines[0])
    for item in items:
        line = escape(_line(item))
        grown = size + 1 + len(line)
        if len(lines) > 1 and grown > limits.SECTION_TEXT:
            sections.append(_escaped_section("\n".join(lines)))
            lines = [escape(f"*{category.label}* (continued)")]
            grown = len(lines[0]) + 1 + len(line)
        lines.append(line)
        size = grown
    sections.append(_escaped_section("\n".join(lines)))
    return sections


def _sources(e: Estimate) -> dict:
    if e.token_prices:
        p = e.token_prices
        tokens = (
            f"Token prices: genai-prices bundled data ({p.provider}, {p.model}: {p.per_mtok()})."
        )
    else:
        tokens = "Self-hosted: GPUs are priced per hour instead of tokens."
    return _context(
        f"{tokens} Every other figure: `{_DATA_FILE}`, each with its source and the date it was "
        "checked.",
        READING,
    )


def _arithmetic(e: Estimate) -> list[Message]:
    title = "How these numbers were computed"
    blocks = [_section(f"*{title}*\nEach line is quantity × unit price, as a low–high range.")]
    by_category: dict[Category, list[LineItem]] = {}
    for item in e.line_items:
        by_category.setdefault(item.category, []).append(item)
    for category in CATEGORIES:
        if category in by_category:
            blocks += _category_sections(category, by_category[category])
    blocks.append(_sources(e))
    size = limits.MESSAGE_BLOCKS
    pages = [blocks[i : i + size] for i in range(0, len(blocks), size)]
    if len(pages) == 1:
        return [_message(title, pages[0])]
    return [_message(f"{title} ({n}/{len(pages)})", page) for n, page in enumerate(pages, 1)]


def thread_tips(e: Estimate, breakeven: BreakEven | None = None) -> list[Message]:
    """The replies in an estimate's thread, in order: caching, managed services and hosting
    (with the break-even when given), the five strategies, then the arithmetic behind every
    line (as many messages as Slack needs)."""
    return [_caching_tip(e), _managed_tip(e, breakeven), _strategies(e), *_arithmetic(e)]


# --- comparisons, break-even, charts and files ---------------------------------------------------


def _comparison_rows(c: Comparison) -> list[tuple[str, ...]]:
    widest = c.widest_category
    names = [o.label + (" ✓ cheapest" if i == c.cheapest else "") for i, o in enumerate(c.options)]
    measures = [
        ("Monthly run-rate", [o.estimate.totals.monthly for o in c.options]),
        ("One-time", [o.estimate.totals.one_time for o in c.options]),
        ("First year", [o.estimate.totals.first_year for o in c.options]),
        ("Cost per user / month", [o.cost_per_user for o in c.options]),
        (f"{widest.label} (first year)", list(c.category_first_year(widest))),
    ]
    rows: list[tuple[str, ...]] = [("", *names)]
    for label, amounts in measures:
        per_user = label.startswith("Cost per user")
        rows.append((label, *(_per_user(a) if per_user else _range(a) for a in amounts)))
    return rows


def _per_user(a: Amount) -> str:
    # Cents matter per user: $0.04, not $0.
    low, high = (f"${v:,.2f}" if v < 100 else usd_short(v) for v in (a.low, a.high))
    return low if low == high else f"{low}–{high.removeprefix('$')}"


def comparison_message(c: Comparison) -> Message:
    """The options side by side in one table (one column each, the cheapest marked), the verdict
    and what per user means; the chart follows in its thread."""
    users = {o.estimate.scenario.users for o in c.options}
    title = f"Compared: {len(c.options)} options"
    if len(users) == 1:
        title += f" · {count(users.pop())} users"
    rows = _comparison_rows(c)
    verdict = comparison_sentence(c)
    blocks = [
        _header(title),
        _section(verdict),
        _table_block(rows),
        _context(
            "Cost per user is the all-in monthly cost (team and legal spread over 12) divided by "
            "monthly active users. Anything the options do not name is shared. "
            "The chart follows in the thread."
        ),
    ]
    return _message(f"{verdict}\n{_plain_table(rows)}", blocks)


def breakeven_message(b: BreakEven) -> Message:
    """The answer to "when does self-hosting pay off?"."""
    sentence = breakeven_sentence(b)
    return _message(sentence, [_section(_breakeven_line(b))])


def chart_comment(s: Scenario) -> str:
    """The line posted with an estimate's chart."""
    return (
        f"Chart: {count(s.users)} users · {s.stage.value} — first year by category, the "
        "three-phase budget beside the article's bands, and cost per user from 100 to 10M users."
    )


def chart_alt(s: Scenario) -> str:
    """The chart described for screen readers (Slack's alt text)."""
    return (
        f"Charts of the {count(s.users)}-user {s.stage.value} estimate: first-year cost by "
        "category as bars; cumulative spend in the three phases against the article's 2-3x, "
        "5-8x and 10-15x bands; monthly cost per user from 100 to 10 million users, this "
        "scenario marked."
    )


def comparison_chart_alt(labels: tuple[str, ...]) -> str:
    return "Chart comparing the first-year cost of " + ", ".join(labels) + ", by category."


def export_comment(s: Scenario) -> str:
    return (
        f"This estimate ({count(s.users)} users · {s.stage.value}) as CSV for a spreadsheet "
        "(one row per line item, then totals and phases) and as JSON (the same as `aicost --json`)."
    )


# --- follow-ups -------------------------------------------------------------------------------

_TOTALS = (("monthly", "Monthly run-rate"), ("one_time", "One-time"), ("first_year", "First year"))


def _totals_rows(diff: EstimateDiff) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("", "Before", "After", "Change (low / high)")]
    for name, label in _TOTALS:
        before, after = diff.totals[name]
        change = Amount(after.low - before.low, after.high - before.high)
        rows.append((label, _range(before), _range(after), _signed_range(change)))
    return rows


def _totals_diff(diff: EstimateDiff) -> list[dict]:
    return [_section("*Totals*, before and after"), _table_block(_totals_rows(diff))]


def _category_diff(diff: EstimateDiff) -> dict:
    if not diff.categories:
        return _section("*First-year impact by category*\nNo category moved.")
    rows: list[tuple[str, ...]] = [
        (c.category.label, _signed_range(c.change)) for c in diff.categories
    ]
    return _section("*First-year impact by category* (low / high)\n" + _table(rows))


def follow_up_message(reply: Reply) -> Message:
    """A follow-up answer: what changed, totals before → after, the per-category first-year
    impact, then the new key figures and the buttons. Without a diff, the plain estimate."""
    e = reply.estimate
    if e is None:
        return info_message(reply.text or "There is no estimate to show yet.")
    if reply.diff is None:
        return estimate_message(e)
    diff = reply.diff
    changed = "; ".join(reply.changes or diff.changed_fields) or "nothing"
    before, after = diff.totals["monthly"]
    first_before, first_after = diff.totals["first_year"]
    text = (
        f"What changed: {changed}. Monthly run-rate {_range(before)} → {_range(after)}; "
        f"first year {_range(first_before)} → {_range(first_after)}.\n"
        + _plain_table(_totals_rows(diff))
    )
    blocks = [
        _header(f"Updated: {count(e.scenario.users)} users · {e.scenario.stage.value}"),
        _section(f"*What changed:* {changed}"),
        *_totals_diff(diff),
        _category_diff(diff),
        _key_figures(e, _worded(e.totals)),
        _assumptions(e.scenario, applied=e.price_notes),
        _actions(),
    ]
    return _message(text, blocks)


# --- short replies ----------------------------------------------------------------------------


def help_message() -> Message:
    command = SLASH_COMMAND
    usage = "\n".join(
        [
            "*Ask for an estimate*",
            f"`{command} 10000 users startup`  an itemised estimate in this channel",
            f"`{command}`  open the form",
            f"`{command} help`  this message · `{command} forget`  forget the conversation",
            f"`{command} settings`  the workspace's own prices (admins change them)",
            f"`{command} {COMPARE_EXAMPLE}`  options side by side, with a chart",
            f"`{command} when does self-hosting pay off for 100k users?`  the break-even",
            f"`{command} chart` · `{command} export`  the channel's latest estimate as a chart, "
            "or as CSV and JSON files in its thread",
        ]
    )
    examples = "*Describe the scenario in words*\n" + "\n".join(f"• `{x}`" for x in EXAMPLES)
    follow = "*Then reply in the estimate's thread to change it*\n" + " · ".join(
        f"`{x}`" for x in (*FOLLOW_UP_EXAMPLES, "reset", "chart", "export")
    )
    return _message(
        f"aicost: try {command} {EXAMPLES[0]}",
        [
            _header("aicost: what your AI prototype will really cost in production"),
            _section(usage),
            _section(examples),
            _section(follow),
            _context(
                "Token prices: genai-prices bundled data. Every other figure: "
                f"`{_DATA_FILE}`, each with its source and date."
            ),
        ],
    )


def hint_message(text: str) -> Message:
    """Text not understood: `text` names the words (escaped: they are the user's own)."""
    return _message(text, [_section(f":thinking_face: {text}")])


def error_message(text: str) -> Message:
    """Understood but not allowed: `text` says what is allowed."""
    return _message(text, [_section(f":warning: {text}")])


def info_message(text: str) -> Message:
    return _message(text, [_section(text)])


def with_note(message: Message, note: dict) -> Message:
    """`message` with a context block (e.g. store_unavailable_note()) added, within the limits."""
    return Message(message.text, fit([*message.blocks, note]))


def store_unavailable_note() -> dict:
    """A context block for under an estimate when the conversation store cannot be reached."""
    return _fit_block(
        _context(
            ":hourglass: Follow-ups are unavailable for a moment: I can't reach my memory of this "
            "conversation. The estimate above is complete; ask again in a minute to change it."
        )
    )

"""A shared estimate as a web page: only formats an estimate already computed (compute, then
present). One HTML document, its CSS inline (allowed by its hash in the page's CSP), no script,
no external asset; readable on a phone. Figures are worded as the Slack message words them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from html import escape

from bot.slack.messages.amounts import multiple, short_range, signed
from bot.slack.messages.estimate import hosting_words, worded
from estimator import (
    CATEGORIES,
    Cadence,
    Estimate,
    count,
    percent,
    usd_range,
    usd_short,
    user_count,
)

PRODUCT = "aicost"
CSS = """
:root{color-scheme:light dark;--fg:#1d1c1d;--muted:#616061;--line:#dddddd;--card:#f8f8f8;
--accent:#1f3a5f}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--muted:#ababab;--line:#3a3a3a;
--card:#222529;--accent:#8fb3e0}body{background:#1a1d21}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,
sans-serif;color:var(--fg)}
main{max-width:960px;margin:0 auto;padding:16px}
h1{font-size:1.45rem;line-height:1.25;margin:.4rem 0 .2rem}
h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
p{margin:.4rem 0}
.muted,.note{color:var(--muted);font-size:.9rem}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));gap:10px;
margin:1rem 0}
.figure{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.figure b{display:block;font-size:.85rem;color:var(--muted);font-weight:600}
.figure span{display:block;font-size:1.25rem;font-weight:700;overflow-wrap:break-word}
.figure small{display:block;line-height:1.3}
.figure.lead span{color:var(--accent)}
img.chart{display:block;width:100%;max-width:560px;height:auto;border:1px solid var(--line);
border-radius:8px;background:#fff}
table{width:100%;border-collapse:collapse;font-size:.92rem}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
td.amount{white-space:nowrap;text-align:right;font-variant-numeric:tabular-nums}
th.amount{text-align:right}
td.basis{color:var(--muted);font-size:.85rem;overflow-wrap:anywhere}
ul{padding-left:1.2rem}
.nowrap{white-space:nowrap}
.downloads a{display:inline-block;margin:0 8px 8px 0;padding:8px 14px;border-radius:6px;
border:1px solid var(--accent);color:var(--accent);text-decoration:none;font-weight:600}
footer{margin:2rem 0 1rem;color:var(--muted);font-size:.85rem}
@media (min-width:641px){.figure span{white-space:nowrap}}
@media (max-width:640px){
main{padding:12px}
h1{font-size:1.25rem}
.figures{gap:8px;grid-template-columns:repeat(2,minmax(0,1fr))}
.figure{padding:8px 10px}
.figure span{font-size:1.05rem}
.figure small{font-size:.78rem}
table.lines thead{display:none}
table.lines tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}
table.lines td{display:block;border:0;padding:2px 0;text-align:left}
table.lines td.amount{text-align:left;font-weight:600}
table.lines td.category{font-size:.8rem;color:var(--muted);text-transform:uppercase}
}
"""
# The only style the page's Content-Security-Policy allows: this stylesheet, by its hash.
CSS_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src '{CSS_HASH}'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
CHARTS_OFF_LINE = (
    "Charts are turned off for this app, so this page has none; every figure is below."
)
_CADENCE = {Cadence.one_time: "one-time", Cadence.monthly: "/month", Cadence.annual: "/year"}


@dataclass(frozen=True)
class PageParts:
    """What the page links to and says about itself, besides the estimate."""

    chart_url: str | None  # None: charts are off
    csv_url: str
    json_url: str
    created_at: int
    expires_at: int


def title_of(e: Estimate) -> str:
    """The estimate's title, as the Slack message's header says it."""
    s = e.scenario
    return f"AI in production: {user_count(s.users)} · {s.stage.value}"


def estimate_page(e: Estimate, parts: PageParts) -> str:
    """The whole page, worded as the Slack message is: amounts in the estimate's own currency
    (the workspace's)."""
    shown = e.shown
    w = worded(e.totals, shown)
    t = e.totals
    prototype = usd_short(e.scenario.prototype_cost, shown)
    figures = [
        ("First year", w.first_year, "one-time + 12 months + team", True),
        ("Monthly run-rate", f"{w.monthly}/month", "cloud, LLM, tools, support", True),
        ("One-time", w.one_time, "build-out before launch", False),
        ("Team & legal per year", f"{w.annual}/year", "salaries, insurance", False),
        (
            "All-in per month",
            short_range(t.monthly_all_in, shown, "/month"),
            "team & legal spread over 12",  # as the Slack message says it
            False,
        ),
        ("Multiple of the prototype", w.multiple, f"of the {prototype} prototype", False),
    ]
    body = [
        f"<p class='muted'>Shared from Slack by {PRODUCT}</p>",
        f"<h1>{escape(title_of(e))}</h1>",
        f"<p class='muted'>{escape(e.scenario.model)} · estimated {_date(parts.created_at)}</p>",
        "<section class='figures' aria-label='Key figures'>",
        *(
            f"<div class='figure{' lead' if lead else ''}'><b>{escape(name)}</b>"
            f"<span>{escape(value)}</span><small class='muted'>{escape(hint)}</small></div>"
            for name, value, hint, lead in figures
        ),
        "</section>",
        "<h2>Chart</h2>",
        _chart(e, parts.chart_url),
        "<h2>Three-phase budget</h2>",
        "<p class='muted'>Cumulative spend, as multiples of the prototype.</p>",
        "<ul>",
        *(
            f"<li><b>{escape(p.name)}</b>, {escape(p.months)}: "
            f"<span class='nowrap'>{escape(short_range(p.cumulative, shown))}</span> · "
            f"<span class='nowrap'>{escape(multiple(p.multiple))}</span></li>"
            for p in e.phases
        ),
        "</ul>",
        *_sensitivity(e),
        "<h2>Every line and its arithmetic</h2>",
        _lines(e),
        "<h2>Assumptions</h2>",
        _assumptions(e),
        "<h2>Download</h2>",
        "<p class='downloads'>"
        f"<a href='{escape(parts.csv_url)}' download>CSV (spreadsheet)</a>"
        f"<a href='{escape(parts.json_url)}' download>JSON</a></p>",
        "<footer>",
        f"Estimated on {_date(parts.created_at)} with the prices of that day. "
        f"Anyone with this link can see this page until {_date(parts.expires_at)}; "
        "the person who asked, or a workspace admin, can revoke it from the estimate in Slack.",
        "</footer>",
    ]
    return _document(title_of(e), "\n".join(body))


def notice_page(title: str, sentence: str) -> str:
    """A page with one kind sentence and nothing else (a link gone or revoked)."""
    return _document(title, f"<h1>{escape(title)}</h1>\n<p>{escape(sentence)}</p>")


def _chart(e: Estimate, chart_url: str | None) -> str:
    if chart_url is None:
        return f"<p class='note'>{escape(CHARTS_OFF_LINE)}</p>"
    alt = (
        f"Chart of the estimate for {user_count(e.scenario.users)}: first year by category, "
        "the three phases and the cost per user as users grow"
    )
    return (
        f"<img class='chart' src='{escape(chart_url)}' alt='{escape(alt)}' "
        "width='900' height='1500'>"
    )


def _sensitivity(e: Estimate) -> list[str]:
    """What moves the first year most, as the Slack message ranks it."""
    ranking, shown = e.sensitivity, e.shown
    if not ranking.varied:
        return []
    rows = [
        f"<li><b>{escape(item.label)}</b>: {escape(item.show(item.low))} → "
        f"{escape(item.show(item.high))}"
        f"{'' if item.spanned else escape(f' (assumed {item.show(item.value)})')}: first year "
        f"<span class='nowrap'>{escape(short_range(item.first_year_at_low, shown))}</span> → "
        f"<span class='nowrap'>{escape(short_range(item.first_year_at_high, shown))}</span>, "
        f"a swing of {escape(signed(item.swing, shown))}</li>"
        for item in ranking
    ]
    rest = ranking.rest_sentence()
    return [
        "<h2>What moves the first year most</h2>",
        "<p class='muted'>Each assumption alone at its low and high.</p>",
        "<ul>",
        *rows,
        "</ul>",
        *([f"<p>{escape(rest)}</p>"] if rest else []),
    ]


def _lines(e: Estimate) -> str:
    shown = e.shown
    rows = [
        "<table class='lines'><thead><tr><th>Category</th><th>Item</th>"
        "<th class='amount'>Amount</th><th>Arithmetic</th></tr></thead><tbody>"
    ]
    # In the categories' order, as the thread's arithmetic lists them; full figures, not $18k,
    # since this is the part a reader checks against the arithmetic beside it ($17,500).
    order = {category: n for n, category in enumerate(CATEGORIES)}
    for item in sorted(e.line_items, key=lambda line: order[line.category]):
        amount = usd_range(item.low, item.high, shown) + (
            " one-time" if item.cadence is Cadence.one_time else _CADENCE[item.cadence]
        )
        rows.append(
            f"<tr><td class='category'>{escape(item.category.label)}</td>"
            f"<td>{escape(item.item)}</td><td class='amount'>{escape(amount)}</td>"
            f"<td class='basis'>{escape(item.basis)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _assumptions(e: Estimate) -> str:
    s = e.scenario
    facts = [
        ("Users", user_count(s.users)),
        ("Model", s.model),
        ("Requests per active user per day", count(s.requests_per_active_user_per_day)),
        ("Tokens per request", f"{count(s.input_tokens)} in / {count(s.output_tokens)} out"),
        ("Active daily", percent(s.daily_active_share)),
        ("Response cache hits", percent(s.cache_hit_rate)),
        ("Regions", count(s.regions)),
        ("Uptime", f"{s.uptime:g}%"),
        ("Compliance", ", ".join(c.label for c in s.compliance) or "none"),
        ("Hosting", hosting_words(s)),
        ("Prototype cost", usd_short(s.prototype_cost, e.shown)),
    ]
    items = "".join(f"<li>{escape(name)}: <b>{escape(value)}</b></li>" for name, value in facts)
    notes = "".join(f"<li>{escape(note)}</li>" for note in e.price_notes)
    # Every estimate notes its token prices' snapshot; only some are the workspace's own.
    own = f"<p class='muted'>Prices:</p><ul>{notes}</ul>" if notes else ""
    return f"<ul>{items}</ul>{own}"


def _date(seconds: int) -> str:
    day = dt.datetime.fromtimestamp(seconds, dt.UTC).date()
    return f"{day:%B} {day.day}, {day.year}"


def _document(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<meta name='robots' content='noindex,nofollow'>"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{escape(title)} · {PRODUCT}</title><style>{CSS}</style></head>\n"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )

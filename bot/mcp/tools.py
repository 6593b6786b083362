"""The MCP server's tools: their names, typed inputs and outputs, and words an assistant acts on.

Each tool returns the JSON `aicost --json` prints for the same question as structured content,
and as text a short summary followed by that JSON (for clients that read only text). Input the
estimator refuses is a tool error carrying the terminal's one-line sentence.
"""

import json
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

from bot.mcp.answers import Answer, Answers, Refused
from bot.mcp.schemas import (
    BreakEvenResult,
    ComparisonResult,
    EstimateResult,
    PricesResult,
    WhatIfResult,
)
from bot.scenario_input import ScenarioFields
from estimator import (
    MAX_OPTIONS,
    MIN_OPTIONS,
)

INSTRUCTIONS = (
    "aicost estimates what an AI prototype costs to run in production: cloud, LLM tokens, "
    "storage, compliance, team, support, legal. Every figure is a low-high range in USD with its "
    "arithmetic and source; nothing is guessed by a model. Call these tools instead of estimating "
    "costs yourself, and quote the ranges as ranges."
)
SCENARIO_TEXT = (
    "The scenario in words, as typed to the terminal: e.g. '10000 users startup', "
    "'50k users enterprise soc2 gdpr claude-sonnet-4-5', '20k users self-hosted h100 3 regions "
    "99.99'. Give this or `scenario`, not both."
)
SCENARIO_FIELDS = (
    "The scenario as fields (all optional; the stage's defaults fill the rest). Give this or "
    "`text`, not both."
)
_READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)


class CompareOption(BaseModel):
    """One option of a comparison: its label and the fields it sets over `shared`."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=60, description="the option's name in the table")
    scenario: ScenarioFields | None = Field(  # type: ignore[valid-type]
        None, description="the fields this option sets, over `shared`"
    )


def _result(answer: Answer) -> CallToolResult:
    data = json.dumps(answer.data, separators=(",", ":"))
    return CallToolResult(
        content=[
            TextContent(type="text", text=answer.summary),
            TextContent(type="text", text=data),
        ],
        structured_content=answer.data,
    )


def _fields(model: BaseModel | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(exclude_none=True)


def _answered(ask: Any, *args: Any) -> CallToolResult:
    try:
        return _result(ask(*args))
    except Refused as exc:
        # A tool error of the sentence alone (a raised ToolError would get the SDK's prefix).
        return CallToolResult(content=[TextContent(type="text", text=str(exc))], is_error=True)


def build_server(answers: Answers, version: str) -> MCPServer:
    """The aicost MCP server, answering with `answers` (one price book for every call)."""
    server = MCPServer("aicost", instructions=INSTRUCTIONS, version=version, log_level="WARNING")

    @server.tool(
        title="Estimate production cost",
        annotations=_READ_ONLY,
        description=(
            "Itemised production cost of one scenario: monthly run-rate, one-time, team and legal "
            "per year, first year (low-high USD), each line with its arithmetic, the three-phase "
            "budget, scaling strategies, savings levers, what moves the first year most and "
            "the break-even with self-hosting. Same result as `aicost --json <scenario>`."
        ),
    )
    def estimate(
        text: Annotated[str | None, Field(description=SCENARIO_TEXT, max_length=2000)] = None,
        scenario: Annotated[ScenarioFields | None, Field(description=SCENARIO_FIELDS)] = None,  # type: ignore[valid-type]
    ) -> Annotated[CallToolResult, EstimateResult]:
        return _answered(answers.estimate, text, _fields(scenario))

    @server.tool(
        title="What if: change a scenario",
        annotations=_READ_ONLY,
        description=(
            "Apply one change to a scenario (given as for estimate: `text` or `scenario`) and show "
            "what moves: changed fields, every line that moved (before, after, change) and the "
            "totals, plus the new estimate. The change is "
            "words like the follow-ups in chat ('what if 50k users', 'add hipaa', 'use "
            "claude-haiku-4-5', 'with caching', 'self-hosted l4') or fields to set."
        ),
    )
    def what_if(
        change: Annotated[
            str | None, Field(description="the change in words; or use change_fields")
        ] = None,
        change_fields: Annotated[
            ScenarioFields | None,  # type: ignore[valid-type]
            Field(description="fields to set; the fields not named stay as they were"),
        ] = None,
        text: Annotated[str | None, Field(description=SCENARIO_TEXT, max_length=2000)] = None,
        scenario: Annotated[ScenarioFields | None, Field(description=SCENARIO_FIELDS)] = None,  # type: ignore[valid-type]
    ) -> Annotated[CallToolResult, WhatIfResult]:
        return _answered(answers.what_if, text, _fields(scenario), change, _fields(change_fields))

    @server.tool(
        title="Compare options side by side",
        annotations=_READ_ONLY,
        description=(
            f"{MIN_OPTIONS} to {MAX_OPTIONS} options side by side (models, hosting, GPUs, user "
            "counts, stages): each option's estimate, cost per user per month, the cheapest first "
            "year, and the category that differs most. Give `text` like 'gpt-4o-mini, "
            "claude-haiku-4-5, self-hosted l4 for 100k users', or `options` (with `shared` "
            "fields). Same result as `aicost --json compare ...`."
        ),
    )
    def compare(
        text: Annotated[
            str | None,
            Field(description="the options in words, comma-separated, then 'for <shared>'"),
        ] = None,
        options: Annotated[
            list[CompareOption] | None,
            Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS, description="the options"),
        ] = None,
        shared: Annotated[
            ScenarioFields | None,  # type: ignore[valid-type]
            Field(description="fields every option shares (an option's own fields win)"),
        ] = None,
    ) -> Annotated[CallToolResult, ComparisonResult]:
        labelled = None
        if options is not None:
            labelled = [(o.label, _fields(o.scenario) or {}) for o in options]
        return _answered(answers.compare, text, _fields(shared), labelled)

    @server.tool(
        title="When does self-hosting pay off",
        annotations=_READ_ONLY,
        description=(
            "The monthly user count above which self-hosting an open model on GPUs costs less "
            "than the API model (all-in monthly run-rate midpoints), and the first-year "
            "difference at the scenario's users. Same result as `aicost --json when does "
            "self-hosting pay off for <scenario>`."
        ),
    )
    def break_even(
        text: Annotated[str | None, Field(description=SCENARIO_TEXT, max_length=2000)] = None,
        scenario: Annotated[ScenarioFields | None, Field(description=SCENARIO_FIELDS)] = None,  # type: ignore[valid-type]
    ) -> Annotated[CallToolResult, BreakEvenResult]:
        return _answered(answers.break_even, text, _fields(scenario))

    @server.tool(
        title="Prices in use",
        annotations=_READ_ONLY,
        description=(
            "Every price the estimates use and where each came from (the bundled data file with "
            "its sources, genai-prices token prices, or the organisation's price file): LLM "
            "token prices per million tokens, GPU hours, salaries and the other figures. Same "
            "result as `aicost prices --json`."
        ),
    )
    def prices() -> Annotated[CallToolResult, PricesResult]:
        return _answered(answers.prices)

    return server

"""`aicost mcp`, driven by the MCP SDK's own client against the real server process, over stdio
and over streamable HTTP with a bearer token. Results are compared with `aicost --json`."""

import json
import os
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import jsonschema
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "AICOST_PRICES")},
    "PYTHONPATH": str(ROOT),
}
TOOLS = {"estimate", "what_if", "compare", "break_even", "prices"}
TOKEN = secrets.token_hex(16)


def aicost(*args: str, env: dict[str, str] = ENV) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def aicost_json(*args: str) -> dict:
    run = aicost("--json", *args)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def terminal_sentence(*words: str) -> str:
    """The one line the terminal prints for bad input, without its 'aicost: ' prefix."""
    run = aicost(*words)
    assert run.returncode == 2
    return run.stderr.strip().removeprefix("aicost: ")


@asynccontextmanager
async def stdio_session(env: dict[str, str] = ENV) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "bot.cli", "mcp"], env=env, cwd=str(ROOT)
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def http_server() -> Iterator[tuple[str, subprocess.Popen]]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "mcp", "--http", "--port", str(port)],
        env={**ENV, "AICOST_MCP_TOKEN": TOKEN},
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stderr.readline()  # "aicost mcp: serving http://127.0.0.1:PORT/mcp"
        assert "serving" in line, line
        yield f"http://127.0.0.1:{port}/mcp", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


@asynccontextmanager
async def http_session(url: str, token: str | None = TOKEN) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = httpx2.AsyncClient(headers=headers, timeout=60)
    async with (
        client,
        streamable_http_client(url, http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, arguments: dict) -> tuple[dict, str]:
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    return result.structured_content, result.content[0].text


async def test_stdio_lists_five_tools_with_valid_input_and_output_schemas():
    async with stdio_session() as session:
        tools = (await session.list_tools()).tools
    assert {t.name for t in tools} == TOOLS
    for tool in tools:
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
        jsonschema.Draft202012Validator.check_schema(tool.output_schema)
        assert len(tool.description) > 80  # words an assistant can act on
    estimate = next(t for t in tools if t.name == "estimate")
    users = estimate.input_schema["$defs"]["ScenarioFields"]["properties"]["users"]
    assert users["minimum"] == 1 and "monthly active users" in users["description"]


async def test_stdio_results_equal_aicost_json_and_match_their_output_schemas():
    async with stdio_session() as session:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        by_text, summary = await call(session, "estimate", {"text": "50k users enterprise hipaa"})
        by_fields, _ = await call(
            session,
            "estimate",
            {"scenario": {"users": 50000, "stage": "enterprise", "compliance": ["hipaa"]}},
        )
        compared, compare_summary = await call(
            session, "compare", {"text": "gpt-4o-mini, claude-haiku-4-5 for 100k users"}
        )
        even, even_summary = await call(
            session, "break_even", {"text": "100k users claude-sonnet-4-5"}
        )
        prices, _ = await call(session, "prices", {})
    assert by_text == aicost_json("50k", "users", "enterprise", "hipaa")
    assert by_fields == by_text
    assert compared == aicost_json("compare", "gpt-4o-mini,", "claude-haiku-4-5", "for", "100k",
                                   "users")  # fmt: skip
    assert even == aicost_json("when", "does", "self-hosting", "pay", "off", "for", "100k",
                               "users", "claude-sonnet-4-5")  # fmt: skip
    assert prices == json.loads(aicost("prices", "--json").stdout)
    for name, data in (("estimate", by_text), ("compare", compared), ("break_even", even),
                       ("prices", prices)):  # fmt: skip
        jsonschema.validate(data, tools[name].output_schema)
    assert summary.startswith("50,000 monthly users, enterprise, gpt-4o-mini (API). Monthly run")
    assert "first year $" in summary and "x the prototype" in summary
    assert compare_summary.startswith("Cheapest first year: ")
    assert even_summary.startswith("Break-even, self-hosting")


async def test_stdio_what_if_in_words_and_in_fields_gives_the_diff_and_the_new_estimate():
    async with stdio_session() as session:
        words, summary = await call(
            session, "what_if", {"text": "10k users startup", "change": "what if 50k users"}
        )
        fields, _ = await call(
            session,
            "what_if",
            {"scenario": {"users": 10000}, "change_fields": {"users": 50000}},
        )
    assert words["estimate"] == aicost_json("50k", "users", "startup")
    assert words["changed"][0] == "users 10,000 → 50,000"
    assert (
        words["diff"]["totals"]["first_year"]["after"] == words["estimate"]["totals"]["first_year"]
    )
    assert fields["diff"] == words["diff"]
    assert summary.startswith("Changed: users 10,000 → 50,000")


async def test_the_organisations_price_file_prices_mcp_answers_as_it_prices_the_terminals(
    tmp_path,
):
    prices = tmp_path / "my-prices.toml"
    prices.write_text('[currency]\ncode = "EUR"\nper_usd = 0.92\n\n[discounts]\nopenai = 15\n')
    env = {**ENV, "AICOST_PRICES": str(prices)}
    async with stdio_session(env) as session:
        data, _ = await call(session, "estimate", {"text": "10k users gpt-4o-mini"})
        sheet, _ = await call(session, "prices", {})
    run = aicost("--json", "10k", "users", "gpt-4o-mini", env=env)
    assert data == json.loads(run.stdout)
    assert data["currency"]["code"] == "EUR"
    assert any("openai" in said for said in data["settings_applied"])
    assert sheet == json.loads(aicost("prices", "--json", env=env).stdout)


BAD_INPUT = [
    ("estimate", {"text": "10k users gpt-9"}, ("10k", "users", "gpt-9")),
    ("estimate", {"scenario": {"users": 0}}, ("0", "users")),
    (
        "estimate",
        {"scenario": {"users": 20000, "hosting": "self-hosted", "model": "gpt-4o"}},
        ("20k", "users", "self-hosted", "gpt-4o"),
    ),
    ("what_if", {"text": "10k users", "change": "what if 0 users"}, ("0", "users")),
    ("break_even", {"text": "100k users gpt-9"}, ("10k", "users", "gpt-9")),
]


async def test_bad_input_is_a_tool_error_with_the_terminals_sentence_and_serving_goes_on():
    expected = [terminal_sentence(*words) for _, _, words in BAD_INPUT]
    async with stdio_session() as session:
        for (tool, arguments, _), sentence in zip(BAD_INPUT, expected, strict=True):
            result = await session.call_tool(tool, arguments)
            assert result.is_error, tool
            assert result.content[0].text == sentence
        again, _ = await call(session, "estimate", {"text": "10k users"})
    assert again["scenario"]["users"] == 10_000


async def test_http_refuses_requests_without_the_token(http_server):
    url, _ = http_server
    refused = [
        (url, {}),
        (url, {"Authorization": "Bearer wrong-token"}),
        (url, {"Authorization": TOKEN}),
        (f"{url}/wrong-token", {}),
        (f"{url}/{TOKEN[:-1]}", {}),
    ]
    for address, headers in refused:
        request = urllib.request.Request(
            address,
            data=b"{}",
            method="POST",
            headers={"Content-Type": "application/json", **headers},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401
        assert refused.value.headers["WWW-Authenticate"].startswith("Bearer")


async def test_http_serves_the_same_results_as_aicost_json(http_server):
    url, _ = http_server
    async with http_session(url) as session:
        assert {t.name for t in (await session.list_tools()).tools} == TOOLS
        data, _ = await call(session, "estimate", {"text": "20k users self-hosted l4"})
        refused = await session.call_tool("estimate", {"text": "10k users gpt-9"})
    assert data == aicost_json("20k", "users", "self-hosted", "l4")
    assert refused.is_error
    assert refused.content[0].text == terminal_sentence("10k", "users", "gpt-9")


async def test_http_serves_a_client_that_cannot_send_headers_at_the_token_url(http_server):
    url, _ = http_server
    async with http_session(f"{url}/{TOKEN}", token=None) as session:
        data, _ = await call(session, "prices", {})
    assert data["currency"] == "USD"


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def test_a_hundred_calls_in_a_row_do_not_grow_the_servers_memory(http_server):
    url, process = http_server
    calls = [
        ("estimate", {"text": "10k users startup"}),
        ("what_if", {"text": "10k users", "change": "add soc2"}),
        ("compare", {"text": "gpt-4o-mini, claude-haiku-4-5 for 10k users"}),
        ("estimate", {"scenario": {"users": 0}}),  # refused ones too
        ("prices", {}),
    ]
    async with http_session(url) as session:
        for tool, arguments in calls * 4:  # warm: caches filled, allocator settled
            await session.call_tool(tool, arguments)
        before = _rss_kib(process.pid)
        for i in range(100):
            tool, arguments = calls[i % len(calls)]
            result = await session.call_tool(tool, arguments)
            assert result.is_error == (tool == "estimate" and "scenario" in arguments)
        after = _rss_kib(process.pid)
    print(f"server RSS over 100 calls: {before} KiB -> {after} KiB")
    # Growth per call would show as megabytes over a hundred calls; a few MiB is allocator noise.
    assert after - before < 8 * 1024, f"RSS {before} KiB -> {after} KiB"


def test_http_will_not_start_without_a_token_and_says_which_setting():
    env = {k: v for k, v in ENV.items() if k != "AICOST_MCP_TOKEN"}
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "mcp", "--http"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "AICOST_MCP_TOKEN is not set" in run.stderr


def test_a_bad_port_setting_stops_it_with_one_line():
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "mcp", "--http"],
        capture_output=True,
        text=True,
        env={**ENV, "AICOST_MCP_TOKEN": TOKEN, "AICOST_MCP_PORT": "http"},
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr == (
        "aicost mcp: AICOST_MCP_PORT must be a port number from 0 to 65535 (got 'http').\n"
    )

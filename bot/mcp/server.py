"""`aicost mcp`: the estimator as a Model Context Protocol server, on stdio or streamable HTTP.

Settings: AICOST_MCP_TOKEN (required for --http), AICOST_MCP_HOST (127.0.0.1), AICOST_MCP_PORT
(8848), and the organisation's prices from --prices FILE or AICOST_PRICES, as for `aicost`.
A setting that cannot be used stops it with one line naming the setting, and exit 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata

from estimator.price_file import PriceFileError, load_price_file, price_file_path

TOKEN_ENV = "AICOST_MCP_TOKEN"
HOST_ENV = "AICOST_MCP_HOST"
PORT_ENV = "AICOST_MCP_PORT"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8848
MIN_TOKEN = 16  # characters; a shorter shared secret is guessable
EXIT_SETTING = 2
USAGE = "aicost mcp [--http] [--host HOST] [--port PORT] [--prices FILE]"


class SettingError(ValueError):
    """A setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class McpSettings:
    http: bool
    host: str
    port: int
    token: str | None
    prices: str | None


def read_settings(args: list[str], env: Mapping[str, str]) -> McpSettings:
    """The server's settings from its arguments over the environment."""
    given: dict[str, str] = {}
    http = False
    rest = iter(args)
    for arg in rest:
        name, _, value = arg.partition("=")
        if name == "--http":
            http = True
        elif name in ("--host", "--port", "--prices"):
            value = value or next(rest, "")
            if not value or value.startswith("--"):
                raise SettingError(f"{name} needs a value: {USAGE}")
            given[name] = value
        else:
            raise SettingError(f"unknown argument {arg[:30]!r}: {USAGE}")
    host = given.get("--host") or env.get(HOST_ENV) or DEFAULT_HOST
    port_text = given.get("--port") or env.get(PORT_ENV) or str(DEFAULT_PORT)
    source = "--port" if "--port" in given else PORT_ENV
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise SettingError(f"{source} must be a port number from 0 to 65535 (got {port_text!r}).")
    token = env.get(TOKEN_ENV) or None
    if http and token is None:
        raise SettingError(
            f"{TOKEN_ENV} is not set: --http serves only requests bearing that token; set it to "
            f"a random secret of {MIN_TOKEN}+ characters (e.g. `openssl rand -hex 32`)."
        )
    if http and token is not None and len(token) < MIN_TOKEN:
        raise SettingError(f"{TOKEN_ENV} is too short: use {MIN_TOKEN} characters or more.")
    return McpSettings(http, host, int(port_text), token, given.get("--prices"))


def main(args: list[str]) -> int:
    if args[:1] in (["--help"], ["-h"]):
        print(f"usage: {USAGE}\n\n{(__doc__ or '').strip()}")
        return 0
    try:
        settings = read_settings(args, os.environ)
        path = price_file_path(settings.prices, os.environ)  # as the terminal finds it
        overrides = load_price_file(path) if path is not None else None
    except (SettingError, PriceFileError) as exc:
        print(f"aicost mcp: {exc}", file=sys.stderr)
        return EXIT_SETTING
    from bot.mcp.answers import Answers
    from bot.mcp.tools import build_server

    server = build_server(Answers(overrides), _version())
    if not settings.http:
        server.run("stdio")
        return 0
    from bot.mcp.http import bind, serve_http

    try:
        sock = bind(settings.host, settings.port)
    except OSError as exc:
        print(
            f"aicost mcp: cannot listen on {settings.host}:{settings.port} ({HOST_ENV}, "
            f"{PORT_ENV}): {exc.strerror or exc}.",
            file=sys.stderr,
        )
        return EXIT_SETTING
    assert settings.token is not None
    serve_http(server, settings.token, sock, settings.host)
    return 0


def _version() -> str:
    try:
        return metadata.version("aicost")
    except metadata.PackageNotFoundError:
        return "unknown"

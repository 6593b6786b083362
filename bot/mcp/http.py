"""`aicost mcp --http`: the MCP server over streamable HTTP, behind a bearer token.

Every HTTP request must carry `Authorization: Bearer <AICOST_MCP_TOKEN>`, or be made to
`/mcp/<AICOST_MCP_TOKEN>` for clients that cannot send a header (Slackbot's MCP client sends none
with `no_auth`); any other gets 401 before it reaches the MCP transport.
"""

from __future__ import annotations

import hmac
import json
import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn
from mcp.server import MCPServer

PATH = "/mcp"
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BearerAuth:
    """ASGI middleware: HTTP requests without the right bearer token get 401."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.secret_path = f"{PATH}/{token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._secret_path(scope):
            # The URL carries the token: served as the plain endpoint.
            scope = {**scope, "path": PATH, "raw_path": PATH.encode()}
        elif scope["type"] == "http" and not self._authorized(scope):
            body = json.dumps({"error": "unauthorized: send Authorization: Bearer <token>"})
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b'Bearer realm="aicost"'),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body.encode()})
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        given = b""
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                given = value
        return hmac.compare_digest(given, self.expected)  # constant time: no timing oracle

    def _secret_path(self, scope: Scope) -> bool:
        path = scope.get("raw_path") or scope.get("path", "").encode()
        return hmac.compare_digest(path.rstrip(b"/"), self.secret_path)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket (OSError when the address is taken or not ours). It listens at once,
    so connections made as soon as the start is announced wait in its backlog."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def serve_http(server: MCPServer, token: str, sock: socket.socket, host: str) -> None:
    """Serve until SIGINT or SIGTERM."""
    app = BearerAuth(server.streamable_http_app(streamable_http_path=PATH, host=host), token)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    bound = sock.getsockname()
    # Told on stderr, like the refusals: what a user starting it (or a test) waits for.
    print(f"aicost mcp: serving http://{bound[0]}:{bound[1]}{PATH}", file=sys.stderr, flush=True)
    uvicorn.Server(config).run(sockets=[sock])

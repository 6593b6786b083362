"""A local fake of Slack's Web API for end-to-end tests, one module per API family.

`server.FakeSlack` composes the families (chat, conversations, views, files, users and auth,
oauth, Socket Mode, fault injection); `blockkit` checks Block Kit as Slack does; `records`
holds the test workspace's identity and what the fake records. See server.py for how to use it.
"""

from .blockkit import table_problems
from .records import (
    ADMIN_ROLES,
    APP_ID,
    BAD_APP_TOKEN,
    BOT_ID,
    BOT_NAME,
    BOT_SCOPES,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    TEST_APP_TOKEN,
    TEST_BOT_TOKEN,
    Call,
    Installed,
    ResponsePost,
    UploadedFile,
)
from .server import FakeSlack
from .socket_mode import SOCKET_ENVELOPE_TYPES

__all__ = [
    "ADMIN_ROLES",
    "APP_ID",
    "BAD_APP_TOKEN",
    "BOT_ID",
    "BOT_NAME",
    "BOT_SCOPES",
    "BOT_USER_ID",
    "SOCKET_ENVELOPE_TYPES",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "TEST_APP_TOKEN",
    "TEST_BOT_TOKEN",
    "Call",
    "FakeSlack",
    "Installed",
    "ResponsePost",
    "UploadedFile",
    "table_problems",
]

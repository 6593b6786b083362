"""No secret reaches the log at any level: a real distributed-mode bot at LOG_LEVEL=DEBUG
installs through the fake Slack's OAuth (a rotating token, refreshed on the first command), and
every secret of the round trip is searched for in the whole log. The redacting filter itself is
checked on the root handler as the bot installs it: a library's record with arguments, an
Authorization header, an app token, a traceback."""

from __future__ import annotations

import io
import logging
import uuid

import pytest
import pytest_asyncio
from cryptography.fernet import Fernet

from bot import log_redaction
from tests.support.bot_process import SIGNING_SECRET
from tests.support.installing import distributed_bot, install
from tests.support.reading import channel_id, estimate_with_tips, new_team
from tests.support.slack_shapes import slash_command

CLIENT_SECRET = "client-secret-" + uuid.uuid4().hex[:12]
ENCRYPTION_KEY = Fernet.generate_key().decode()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def debug_bot(slack, redis_url, tmp_path_factory):
    path = tmp_path_factory.mktemp("installations") / "installations.sqlite3"
    process = distributed_bot(
        slack.base_url,
        redis_url,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        TOKEN_ENCRYPTION_KEY=ENCRYPTION_KEY,
        INSTALLATION_DB_PATH=str(path),
        LOG_LEVEL="DEBUG",
    )
    await process.start()
    yield process
    assert await process.stop() == 0, process.logs()


def _oauth_secrets(slack) -> set[str]:
    """Every code, access token and refresh token the OAuth exchanges carried."""
    found: set[str] = set()
    for call in slack.calls_to("oauth.v2.access"):
        found.update(str(call.args[k]) for k in ("code", "refresh_token") if call.args.get(k))
        for key in ("access_token", "refresh_token"):
            if (call.response or {}).get(key):
                found.add(call.response[key])
    return found


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="module")
async def test_an_install_and_a_refresh_at_debug_leave_no_secret_in_the_log(slack, debug_bot):
    team, channel = new_team(), channel_id()
    # Ten minutes left: the first command refreshes the rotating token.
    await install(slack, debug_bot, team, rotating=True, expires_in=600)
    status, body, _ = await debug_bot.post(
        slash_command("10000 users startup", team_id=team, channel=channel,
                      response_url=slack.response_url(uuid.uuid4().hex))
    )  # fmt: skip
    assert status == 200, body
    await estimate_with_tips(slack, channel)
    oauth = _oauth_secrets(slack)
    assert len([c for c in slack.calls_to("oauth.v2.access") if c.args.get("grant_type")]) >= 1
    assert len(oauth) >= 5  # the code, two access tokens, two refresh tokens
    log = debug_bot.log_path.read_text(errors="replace")
    assert "oauth.v2.access" in log  # DEBUG really logged the exchange
    secrets = oauth | {CLIENT_SECRET, ENCRYPTION_KEY, SIGNING_SECRET}
    # The random part of each token too, in case a line cuts its prefix off.
    secrets |= {s.rsplit("-", 1)[-1] for s in oauth if s.startswith("xox")}
    leaked = sorted(s for s in secrets if s in log)
    assert leaked == [], f"{len(leaked)} secrets in the log"


@pytest.fixture
def root_log():
    """The root logger with one handler, set up as `python -m bot` sets it up."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_handlers, old_level = root.handlers[:], root.level
    root.handlers, root.level = [handler], logging.DEBUG
    log_redaction.install(["signing-secret-value", "fernet-key-value="])
    yield stream
    root.handlers, root.level = old_handlers, old_level


def test_the_filter_blanks_secrets_in_any_library_record_its_arguments_and_tracebacks(root_log):
    library = logging.getLogger("some_library.web")
    library.debug(
        "Received the following response - body: %s",
        {"ok": True, "access_token": "xoxb-1-2-secretpart", "refresh_token": "xoxe-1-refresh"},
    )
    library.debug("Sending a request - headers: %r", {"Authorization": "Bearer xoxp-9-userpart"})
    library.info("body_params: {'client_secret': 'abc123', 'code': 'the-code'}")
    library.info("redirect to /slack/oauth_redirect?code=query-code&state=s1")
    library.debug("callback (request: %s)", {"code": ["listed-code"], "state": ["s2"]})
    library.warning("socket mode with %s", "xapp-1-A111-222-apppart")
    library.info("postgresql://aicost:db-password@db:5432/aicost")
    try:
        raise ValueError("signature used signing-secret-value and fernet-key-value=")
    except ValueError:
        library.exception("failed with %s", "xoxe.xoxb-1-T1-rotatingpart")
    text = root_log.getvalue()
    for secret in (
        "secretpart", "xoxe-1-refresh", "userpart", "abc123", "the-code", "query-code",
        "apppart", "db-password", "listed-code", "signing-secret-value", "fernet-key-value",
        "rotatingpart",
    ):  # fmt: skip
        assert secret not in text, secret
    # What is not secret stays readable, the traceback included.
    assert "Traceback" in text and "ValueError: signature used [redacted]" in text
    assert "state=s1" in text and "'ok': True" in text

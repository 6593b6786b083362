"""`python -m bot`: Socket Mode with SLACK_APP_TOKEN, else HTTP on $PORT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from bot import log_redaction
from bot.slack.config import ConfigError, load_config


def main() -> int:
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"aicost bot: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=config.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    log_redaction.install(config.secret_values())
    from estimator import AutoUpdateError, start_refresh_if_wanted

    try:  # on a thread of its own, so the bot listens without waiting; its workers do the same
        start_refresh_if_wanted()
    except AutoUpdateError as exc:
        print(f"aicost bot: {exc}", file=sys.stderr)
        return 2
    # Imported after config so a missing token fails fast, before the Slack libraries load.
    from bot.slack.app import build_bot
    from bot.slack.server import StartupError, serve

    # uvloop: the event loop every request and post passes through, in C (docs/queue.md).
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    # serve() handles SIGINT itself; this only covers a Ctrl-C during start-up.
    with contextlib.suppress(KeyboardInterrupt):
        try:
            return asyncio.run(serve(build_bot(config)))
        except StartupError as exc:
            print(f"aicost bot: {exc}", file=sys.stderr)
            return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())

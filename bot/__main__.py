"""`python -m bot`: Socket Mode with SLACK_APP_TOKEN, else HTTP on $PORT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from pydantic import SecretStr

from bot import log_redaction, on_first_use

USAGE = """usage: python -m bot

Runs the aicost Slack bot: over Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT
(POST /slack/events, health on /livez, /readyz, /healthz). It takes no arguments; these
environment variables configure it (README, 'Running the bot'):"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] in (["--help"], ["-h"], ["help"]):
        print(usage())
        return 0
    if args:
        print(
            f"aicost bot: takes no arguments (got {args[0][:30]}); its settings are environment "
            "variables: python -m bot --help lists them",
            file=sys.stderr,
        )
        return 2
    on_first_use.defer()  # before the configuration imports the estimator
    from bot.slack.config import ConfigError, load_config

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
    from bot.slack.server import StartupError, bound_port, serve

    try:  # first: a port in use is the operator's one line, before any start-up warning
        sock = bound_port(config.port)
    except StartupError as exc:
        print(f"aicost bot: {exc}", file=sys.stderr)
        return exc.exit_code

    # uvloop: the event loop every request and post passes through, in C (docs/queue.md).
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    # serve() handles SIGINT itself; this only covers a Ctrl-C during start-up.
    with contextlib.suppress(KeyboardInterrupt):
        try:
            return asyncio.run(serve(build_bot(config), sock=sock))
        except StartupError as exc:
            print(f"aicost bot: {exc}", file=sys.stderr)
            return exc.exit_code
    return 0


def usage() -> str:
    """The usage line and every setting: its variable, what it is, its default."""
    from bot.slack.config import Config

    rows = [USAGE, ""]
    width = max(32, *(len(name) + 2 for name in Config.model_fields))  # a space after the longest
    for name, field in Config.model_fields.items():
        default = field.default
        said = field.description or ""
        if isinstance(default, bool):
            said += f"; default {'on' if default else 'off'}"
        elif default is not None and not isinstance(default, SecretStr):
            said += f"{'; ' if said else ''}default {default}"
        rows.append(f"  {name.upper():<{width}}{said}")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())

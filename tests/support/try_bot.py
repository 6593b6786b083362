"""Try the bot as a user would, with no Slack: `python -m tests.support.try_bot "10k users"`.

Starts the fake Slack Web API and the real bot (Redis from REDIS_URL, else in-process state),
sends a signed `/aicost <text>`, then each follow-up given with --then in the estimate's thread,
and prints the messages as plain text, in the order a channel would show them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from tests.support.bot_process import BotProcess
from tests.support.fake_slack import FakeSlack
from tests.support.signing import event_callback_body, message_event, slash_command_body


def readable(blocks: list[dict[str, Any]]) -> str:
    """Blocks as Slack shows them, near enough: texts in order, escapes undone."""
    lines = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "section"):
            if block.get("text"):
                lines.append(block["text"]["text"])
            lines.extend(f["text"] for f in block.get("fields", []))
        elif kind == "context":
            lines.extend(e.get("text", "") for e in block["elements"])
        elif kind == "actions":
            lines.append(" ".join(f"[{e['text']['text']}]" for e in block["elements"]))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind in ("table", "data_table"):
            if block.get("caption"):
                lines.append(f"({block['caption']})")
            rows = [[cell.get("text", "") for cell in row] for row in block["rows"]]
            widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
            lines.extend(
                " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
                for row in rows
            )
    # Slack shows &amp; &lt; &gt; as the characters (only those three are escaped).
    text = "\n".join(lines)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def main(text: str, follow_ups: list[str]) -> None:
    async with FakeSlack() as slack:
        bot = await BotProcess(
            slack.base_url, os.environ.get("REDIS_URL"), extra_env={"CHARTS": "on"}
        ).start()
        try:
            await bot.post(slash_command_body(text, response_url=slack.response_url("me")))
            await asyncio.sleep(2.5)  # the chart follows the tips
            roots = [c for c in slack.calls_to("chat.postMessage") if "thread_ts" not in c.args]
            for follow_up in follow_ups if roots else []:
                ts = roots[0].response["ts"]
                event = message_event(follow_up, thread_ts=ts)
                await bot.post(event_callback_body(event))
                await asyncio.sleep(2.0)
            for call in slack.calls_to("chat.postMessage"):
                where = "thread" if "thread_ts" in call.args else "channel"
                print(f"===== {where} =====\n{readable(call.args.get('blocks', []))}\n")
            for f in slack.files:
                print(
                    f"===== file in the thread =====\n{f.initial_comment}\n"
                    f"[{f.filename}: {f.title}, {len(f.content) // 1024} KB]\n"
                )
            for response in slack.responses:
                print(f"===== private reply =====\n{readable(response.body.get('blocks', []))}\n")
            if slack.violations:
                print("BLOCK KIT VIOLATIONS:", *slack.violations, sep="\n")
        finally:
            await bot.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("text")
    parser.add_argument("--then", action="append", default=[], help="a follow-up in the thread")
    args = parser.parse_args()
    asyncio.run(main(args.text, args.then))

"""A worker process's ends of its pipes (bot/slack/workers.py): requests read in, answers out."""

from __future__ import annotations

import logging
import os
import select
from typing import BinaryIO

log = logging.getLogger(__name__)


class Requests:
    """The requests pipe, read here rather than through a buffered file: what has arrived but not
    been read yet is known, so `waiting()` can tell without blocking whether another request
    is already there."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.unread = bytearray()

    def read_exactly(self, size: int) -> bytes | None:
        while len(self.unread) < size:
            chunk = os.read(self.fd, max(1 << 16, size - len(self.unread)))
            if not chunk:
                return None
            self.unread += chunk
        data = bytes(self.unread[:size])
        del self.unread[:size]
        return data

    def waiting(self) -> bool:
        return bool(self.unread) or bool(select.select([self.fd], [], [], 0)[0])


def send(answers_out: BinaryIO, answers: list[bytes]) -> bool:
    """`answers` written back in one write; False when the bot is gone (its end of the pipe is
    closed): no one is left to read them, so that is one line in the log, not a traceback."""
    try:
        answers_out.write(b"".join(answers))
        answers_out.flush()
    except BrokenPipeError:
        log.info("the bot is gone: %d answer(s) not sent", len(answers))
        # What is still buffered would fail again when the file is closed at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, answers_out.fileno())
        os.close(devnull)
        return False
    return True

"""An email backend standing in for a mail server, for tests of the worker process."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

# How long the stand-in mail server takes to accept a message.
ACCEPT_SECONDS = 0.05


class DirectoryBackend(BaseEmailBackend):
    """Each accepted message becomes `<subject>.<pid>.<ns>` in $WORKER_TEST_MAILBOX.

    The file appears whole (written aside, then renamed) once the message is
    "accepted", so a SIGKILL never leaves half a message.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        mailbox = Path(os.environ["WORKER_TEST_MAILBOX"])
        for message in email_messages:
            time.sleep(ACCEPT_SECONDS)
            name = f"{message.subject}.{os.getpid()}.{time.monotonic_ns()}"
            aside = mailbox / f".{name}"
            aside.write_bytes(message.message().as_bytes())
            aside.rename(mailbox / name)
        return len(email_messages)


def accepted(mailbox: Path) -> list[tuple[str, int, int]]:
    """(subject, pid, ns) of every accepted message, in no particular order."""
    found = []
    for path in mailbox.iterdir():
        if path.name.startswith("."):
            continue
        subject, pid, ns = path.name.rsplit(".", 2)
        found.append((subject, int(pid), int(ns)))
    return found

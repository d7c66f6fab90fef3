"""Settings for a `run_worker` started as a process by the worker's tests.

The project's settings, with emails written as files to $WORKER_TEST_MAILBOX (one file
per message accepted, named by subject and process) instead of the console.
"""

from __future__ import annotations

from alongside.settings import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "alongside.worker.tests.mailbox.DirectoryBackend"}}

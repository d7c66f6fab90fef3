"""gunicorn settings for production, measured by bench/campaigns.py (docs/performance.md).

    gunicorn -c deploy/gunicorn.conf.py alongside.wsgi

Sized for one machine with 2 CPU cores running the app, its task worker and PostgreSQL.
A command-line flag overrides the value here (e.g. `--workers 6` on a bigger machine).
"""

from __future__ import annotations

bind = "127.0.0.1:8000"  # only the reverse proxy talks to gunicorn

# Django's work is CPU-bound Python, so the number of processes sets how many requests
# run truly in parallel; threads let a process overlap the waits on PostgreSQL.
# 4 processes x 2 threads = 8 requests in flight on 2 cores (docs/deploy.md).
worker_class = "gthread"
workers = 4
threads = 2

# A request taking longer than this is killed (the worker is restarted); the app has no
# legitimate request near it. SIGTERM lets running requests finish for graceful_timeout.
timeout = 30
graceful_timeout = 20
# Seconds an idle kept-alive connection stays open (from the proxy, or a browser).
keepalive = 5

# X-Forwarded-* headers are trusted only from the local proxy (Django's own reading of
# X-Forwarded-For is configured by BEHIND_PROXY and TRUSTED_PROXY_COUNT).
forwarded_allow_ips = "127.0.0.1"

# Access and error logs to stdout/stderr: journald keeps them (journalctl -u alongside-web).
accesslog = "-"
errorlog = "-"

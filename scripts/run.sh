#!/usr/bin/env bash
# Start the web server and the task worker together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"

"$py" manage.py db_worker --interval 1 &
worker=$!
"$py" manage.py runserver --skip-checks "$host:$port" &
web=$!

stop() {
    trap - INT TERM EXIT
    kill "$worker" "$web" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop INT TERM EXIT
# Whichever stops first (or Ctrl-C) stops the other.
wait -n

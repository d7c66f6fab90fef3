#!/usr/bin/env bash
# `make run`: prepare the database and demo data, then start the web server, the task
# worker and the periodic jobs together; Ctrl-C stops all of them.
# In production these are separate services and timers (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"
export DEBUG="${DEBUG:-1}"
export SITE_URL="${SITE_URL:-http://$host:$port}"  # emailed links point here

"$py" manage.py migrate --noinput -v0
"$py" manage.py createcachetable
"$py" manage.py load_curriculum   # the shipped starter courses; updates them when newer
"$py" manage.py demo

# run_worker: db_worker that waits out a database outage and takes back the tasks of a
# worker that died mid-task (alongside/worker/).
"$py" manage.py run_worker --interval 1 &
worker=$!
"$py" manage.py runserver --skip-checks "$host:$port" &
web=$!
# The periodic jobs are idempotent management commands; hourly is plenty here.
(
    while sleep 3600; do
        for job in send_confirmation_reminders send_checkin_reminders award_badges \
            reconcile_campaign_counters equity_clean_uploads send_dialogue_digests \
            send_moderation_alerts send_safe_space_news prune_worker_records; do
            "$py" manage.py "$job" || echo "periodic job $job failed" >&2
        done
    done
) &
periodic=$!
# Event reminders (24 h and 1 h before) need a finer tick than hourly.
(
    while sleep 300; do
        "$py" manage.py send_event_reminders || echo "periodic job send_event_reminders failed" >&2
    done
) &
reminders=$!

stop() {
    trap - INT TERM EXIT
    pkill -P "$periodic" 2>/dev/null || true
    pkill -P "$reminders" 2>/dev/null || true
    kill "$worker" "$web" "$periodic" "$reminders" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop INT TERM EXIT
# Whichever stops first (or Ctrl-C) stops the others.
wait -n "$worker" "$web"

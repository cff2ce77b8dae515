#!/usr/bin/env bash
# `make run`: the web server and the worker side by side; Ctrl+C stops both with one line.
#
# The two children run in their own sessions (setsid), so the terminal's Ctrl+C reaches this
# shell only and each child gets exactly one SIGTERM from the trap below. (The old recipe's
# `trap 'kill 0'` signalled its own shell too, re-entering the trap: thousands of «Warm
# shutdown» lines and a crash of the worker in the middle of its shutdown.)
set -u
PY="$1"; HOST="$2"; PORT="$3"

stop() {
  trap - INT TERM EXIT
  # Each child leads its own process group: one SIGTERM to each group.
  kill -TERM -- "-$web" "-$worker" 2>/dev/null
  wait "$web" "$worker" 2>/dev/null
  echo "Портал и обработчик задач остановлены."
  exit 0
}

# Celery announces its own shutdown; stop() says it once for both. The filter ignores SIGTERM
# so it reads the worker's output to the end instead of dying before it.
setsid bash -c 'trap "" TERM; "$@" 2>&1 | grep --line-buffered -v -e "Warm shutdown" -e "Hitting Ctrl+C again"' \
  _ "$PY" -m celery -A config worker -B -Q default,imports,reports \
  --pool=threads --concurrency=2 -l warning -s var/celery/beat-schedule &
worker=$!
setsid "$PY" manage.py runserver "$HOST:$PORT" --noreload &
web=$!
trap stop INT TERM EXIT
wait -n "$web" "$worker"
stop

#!/usr/bin/env bash
# The run command (`npm start`): installs what is missing, starts a local Redis unless REDIS_URL is set,
# uses the embedded PGlite unless DATABASE_URL is set, then runs the API and workers in one process and
# prints a sandbox key with a first curl. Ctrl-C stops everything.
source "$(dirname "$0")/lib.sh"
ensure_node_modules
ensure_ocr

if [ -z "${REDIS_URL:-}" ]; then
  start_redis "${VERIGATE_REDIS_PORT:-6379}" "$ROOT/.data/redis" yes
  trap stop_redis EXIT
fi

node --import tsx src/main.ts --role all --walkthrough "$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; stop_redis' INT TERM
wait $child

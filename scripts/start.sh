#!/usr/bin/env bash
# The run command (`npm start`): installs what is missing, starts a local Redis unless REDIS_URL is set,
# uses the embedded PGlite unless DATABASE_URL is set, then runs the API and workers in one process and
# prints, last, the walk-through key (stable across restarts), its hmacKey, the URLs and a first curl.
# Ctrl-C stops everything.
source "$(dirname "$0")/lib.sh"
ensure_node_modules
ensure_ocr

if [ -z "${REDIS_URL:-}" ]; then
  log "starting redis-server on port ${VERIGATE_REDIS_PORT:-6379} (set VERIGATE_REDIS_PORT to use another port, or REDIS_URL to use your own Redis)"
  start_redis "${VERIGATE_REDIS_PORT:-6379}" "$ROOT/.data/redis" yes
  trap stop_redis EXIT
else
  log "using the Redis of REDIS_URL"
fi

log "starting verigate: API, workers and vendor simulators in one process; the key and URLs are printed once it is ready"
node --import tsx src/main.ts --role all --walkthrough "$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; stop_redis' INT TERM
wait $child

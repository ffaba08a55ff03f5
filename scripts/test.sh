#!/usr/bin/env bash
# The test command (`npm test`): installs what is missing, starts a throwaway Redis unless REDIS_URL is
# set, type-checks, then runs every jest suite. Storage tests also run on server Postgres when
# TEST_DATABASE_URL is set (CI sets it). Extra arguments go to jest.
source "$(dirname "$0")/lib.sh"
ensure_node_modules

if [ -z "${REDIS_URL:-}" ]; then
  dir="$(mktemp -d)"
  start_redis "${VERIGATE_TEST_REDIS_PORT:-6399}" "$dir" no
  trap 'stop_redis; rm -rf "$dir"' EXIT
fi

log "type-checking"
npx tsc --noEmit
if [ -n "${TEST_DATABASE_URL:-}" ]; then engines="PGlite and server Postgres"; else engines="PGlite only (set TEST_DATABASE_URL for server Postgres)"; fi
log "running tests (Redis $REDIS_URL; storage on $engines)"
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning" npx jest "$@"

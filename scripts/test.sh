#!/usr/bin/env bash
# The test command (`npm test`): installs what is missing, type-checks, starts a Redis of this run's own on
# a free port unless REDIS_URL is set, then runs every jest suite (both tiers, see jest.config.js). Storage
# tests also run on server Postgres when TEST_DATABASE_URL is set (CI sets it). Extra arguments go to jest.
# The Redis is stopped and its files removed when the run ends, however it ends (pass, fail, Ctrl-C, TERM),
# and only this run's: two runs on one machine each have their own. With TEST_DATABASE_URL and no extra
# arguments, a short chaos run follows the suites (bench/chaos, `npm run chaos:short`, about a minute).
source "$(dirname "$0")/lib.sh"
ensure_node_modules
ensure_ocr

# The browser tests drive Debian's chromium (CHROMIUM_PATH points at another build).
[ -n "${CHROMIUM_PATH:-}" ] || ensure_debian_command chromium chromium

log "type-checking"
npx tsc --noEmit

child_pid=""
redis_dir=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$child_pid" ]; then
    kill -TERM "$child_pid" 2>/dev/null || true
    wait "$child_pid" 2>/dev/null || true
  fi
  stop_private_redis
  if [ -n "$redis_dir" ]; then rm -rf "$redis_dir"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${REDIS_URL:-}" ]; then
  redis_dir="$(mktemp -d "${TMPDIR:-/tmp}/verigate-test-redis.XXXXXX")"
  start_private_redis "$redis_dir"
fi

if [ -n "${TEST_DATABASE_URL:-}" ]; then engines="PGlite and server Postgres"; else engines="PGlite only (set TEST_DATABASE_URL for server Postgres)"; fi
log "running tests (Redis $REDIS_URL; storage on $engines)"
# In the background and waited for, so a TERM sent to this script alone is handled at once (bash runs
# traps only between foreground commands) and stops jest too.
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning" node_modules/.bin/jest "$@" &
child_pid=$!
status=0
wait "$child_pid" || status=$?
child_pid=""

if [ "$status" -eq 0 ] && [ -n "${TEST_DATABASE_URL:-}" ] && [ $# -eq 0 ]; then
  log "chaos, short: separate processes on server Postgres, kill -9 of the API and the worker, a Redis restart, a vendor fault"
  # Its own Redis, schema and simulator address: nothing here is shared with the suites above.
  DATABASE_URL="$TEST_DATABASE_URL" node --import tsx bench/chaos/run.ts --short &
  child_pid=$!
  wait "$child_pid" || status=$?
  child_pid=""
fi
exit "$status"

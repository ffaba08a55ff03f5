# Shared by scripts/start.sh and scripts/test.sh: make a fresh clone runnable with nothing done beforehand.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[verigate] %s\n' "$*" >&2; }

# Installs node_modules from the lockfile when missing or older than the lockfile.
ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Installs one Debian package when its command is missing (needs root or sudo, as on CI machines).
ensure_debian_command() {
  local cmd="$1" pkg="$2"
  command -v "$cmd" >/dev/null 2>&1 && return 0
  log "installing Debian package $pkg (for $cmd)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$pkg" >/dev/null
}

# Starts a private redis-server on port $1 with its files under $2 and exports REDIS_URL; stop_redis
# stops it again (a Redis that already answered on that port is used and left running).
start_redis() {
  local port="$1" dir="$2" appendonly="${3:-yes}"
  ensure_debian_command redis-server redis-server
  mkdir -p "$dir"
  if redis-cli -p "$port" ping >/dev/null 2>&1; then
    log "redis already answers on port $port; using it"
  else
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" --appendonly "$appendonly" --appendfsync everysec --save '' \
      --maxmemory-policy noeviction >/dev/null
    for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    REDIS_STARTED_PIDFILE="$dir/redis.pid"
  fi
  export REDIS_URL="redis://127.0.0.1:$port"
}

stop_redis() {
  if [ -n "${REDIS_STARTED_PIDFILE:-}" ] && [ -f "$REDIS_STARTED_PIDFILE" ]; then
    kill "$(cat "$REDIS_STARTED_PIDFILE")" 2>/dev/null || true
  fi
}

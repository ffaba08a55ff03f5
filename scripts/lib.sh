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

# The engine reads KTP text with tesseract and its Indonesian model (offline); without them KTP captures
# go to review (nik_on_card is uncertain), so both are installed like redis-server.
ensure_ocr() {
  ensure_debian_command tesseract tesseract-ocr
  ls /usr/share/tesseract-ocr/*/tessdata/ind.traineddata >/dev/null 2>&1 && return 0
  log "installing Debian package tesseract-ocr-ind (Indonesian OCR model)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq tesseract-ocr-ind >/dev/null
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

# Prints a TCP port that nothing listens on right now (the one the OS picks for port 0).
free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });'
}

# Starts a redis-server of this run's own, on a free port with its files under $1, and exports REDIS_URL.
# Unlike start_redis it never uses a Redis that already runs, so two runs on one machine never share one or
# stop each other's; stop_private_redis stops this one only. Should another process take the port between
# the pick and the bind, ours exits and another port is tried.
start_private_redis() {
  local dir="$1" port pid
  ensure_debian_command redis-server redis-server
  mkdir -p "$dir"
  for _ in 1 2 3 4 5; do
    port="$(free_port)"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --logfile "$dir/redis.log" --appendonly no --save '' \
      --maxmemory-policy noeviction </dev/null >/dev/null 2>&1 &
    pid=$!
    PRIVATE_REDIS_PID=$pid
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      # Ours answering, not a Redis that took the port first.
      if [ "$(redis-cli -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')" = "$pid" ]; then
        export REDIS_URL="redis://127.0.0.1:$port"
        return 0
      fi
      sleep 0.05
    done
    stop_private_redis
  done
  log "could not start redis-server (see $dir/redis.log)"
  return 1
}

# Stops the redis-server start_private_redis started (TERM, then KILL after 5 s), if it still runs.
stop_private_redis() {
  local pid="${PRIVATE_REDIS_PID:-}"
  [ -n "$pid" ] || return 0
  PRIVATE_REDIS_PID=""
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

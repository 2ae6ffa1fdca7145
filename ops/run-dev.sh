#!/usr/bin/env bash
# `make run`: the service with an embedded worker on this machine, for trying it out.
# Uses REDIS_URL when something answers there; otherwise starts a private redis-server on a free
# port (and stops it on exit). Then prints the URL and an example request.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${API_PORT:-8000}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

redis_answers() {
  "$BIN/python" - "$1" <<'PY'
import sys, redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1, socket_timeout=1).ping()
except Exception:
    sys.exit(1)
PY
}

private_redis=""
cleanup() { [ -n "$private_redis" ] && kill "$private_redis" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if redis_answers "$REDIS_URL"; then
  echo "redis: using $REDIS_URL"
elif command -v redis-server >/dev/null 2>&1; then
  free_port=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  dir=$(mktemp -d)
  redis-server --bind 127.0.0.1 --port "$free_port" --save "" --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 &
  private_redis=$!
  REDIS_URL="redis://127.0.0.1:$free_port/0"
  for _ in $(seq 1 50); do redis_answers "$REDIS_URL" && break; sleep 0.1; done
  echo "redis: nothing answered at the default URL; started a private redis-server at $REDIS_URL"
else
  echo "redis: nothing answers at $REDIS_URL and redis-server is not installed." >&2
  echo "       Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)" >&2
  echo "       or point REDIS_URL at a running Redis." >&2
  exit 1
fi
export REDIS_URL
export LOG_FORMAT=${LOG_FORMAT:-text}

cat <<EOF2

LLT Quality Service on http://127.0.0.1:$PORT  (API docs: http://127.0.0.1:$PORT/schema/swagger)
LLM: ${LLM_BASE_URL:-not configured (set LLM_BASE_URL for hybrid/deep); fast mode works}

Try it from another terminal:
  curl -s -X POST http://127.0.0.1:$PORT/quality/analyze-async -H 'Content-Type: application/json' \\
    -d '{"mode": "fast", "files": [{"path": "tests/test_x.py", "content": "def test_x():\\n    assert True\\n"}]}'
  curl -s http://127.0.0.1:$PORT/tasks/<task_id>

Ctrl-C stops it.
EOF2
"$BIN/llt" serve --port "$PORT" --with-worker

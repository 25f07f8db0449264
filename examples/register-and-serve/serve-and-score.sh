#!/usr/bin/env bash
# Register and serve, end to end: trains and registers the models (train.mjs), serves the ONNX
# champion and the tfjs champion with `lablog models serve`, scores both over HTTP with curl in
# MLflow's scoring protocol (`inputs`, `dataframe_split`, CSV), and stops the servers on exit.
#
#   npm ci && npm run build                              # once, from the repo root
#   bash examples/register-and-serve/serve-and-score.sh  # from any directory
#
# The store is ./lablog/ in the working directory (or MLFLOW_TRACKING_URI, which train.mjs and
# the servers both read). Ports: ONNX_PORT (default 5002) and TFJS_PORT (default 5003).
# Needs bash, curl and node; nothing else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLI="$ROOT/packages/server/dist/cli/bin.js"
ONNX_PORT="${ONNX_PORT:-5002}"
TFJS_PORT="${TFJS_PORT:-5003}"

if [ ! -f "$CLI" ]; then
  echo "serve-and-score: $CLI is missing; run 'npm ci && npm run build' in $ROOT first" >&2
  exit 1
fi
for tool in node curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "serve-and-score: '$tool' is required and was not found on PATH" >&2; exit 1; }
done

LOGS="$(mktemp -d "${TMPDIR:-/tmp}/lablog-serve-and-score.XXXXXX")"
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true # SIGTERM: the server finishes in-flight requests and exits
    wait "$pid" 2>/dev/null || true
  done
  [ "${#PIDS[@]}" -gt 0 ] && echo "stopped the scoring servers"
  rm -rf "$LOGS"
  exit "$status"
}
trap cleanup EXIT

echo "== 1. train, log and register (examples/register-and-serve/train.mjs)"
node "$ROOT/examples/register-and-serve/train.mjs"

# serve NAME MODEL_URI PORT: starts `lablog models serve` in the background, waits for /ping.
serve() {
  local name=$1 uri=$2 port=$3 log="$LOGS/$1.log" pid
  echo "\$ lablog models serve -m '$uri' -p $port"
  node "$CLI" models serve -m "$uri" -p "$port" >"$log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1; then
      echo "  $name: serving at http://127.0.0.1:$port (pid $pid)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "serve-and-score: the $name server exited before answering /ping; its log:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "serve-and-score: the $name server did not answer /ping within 30 s; its log:" >&2
  cat "$log" >&2
  exit 1
}

# score PORT CONTENT_TYPE BODY: POSTs to /invocations, prints the reply; fails on a non-200.
score() {
  local port=$1 type=$2 body=$3 reply status
  reply="$(curl -sS -w '\n%{http_code}' -H "Content-Type: $type" --data-binary "$body" "http://127.0.0.1:$port/invocations")"
  status="${reply##*$'\n'}"
  reply="${reply%$'\n'*}"
  echo "  -> HTTP $status $reply"
  if [ "$status" != "200" ]; then
    echo "serve-and-score: scoring failed (HTTP $status)" >&2
    exit 1
  fi
  LAST_REPLY="$reply"
}

# classes: the argmax of each row of a reply, whatever its layout ({"output": [[…]]},
# [[…]] or [{"output": […]}]).
classes() {
  node -e '
    const p = JSON.parse(process.argv[1]).predictions;
    const rows = Array.isArray(p) ? p.map((r) => (Array.isArray(r) ? r : Object.values(r)[0])) : Object.values(p)[0];
    console.log(rows.map((r) => r.indexOf(Math.max(...r))).join(" "));
  ' "$1"
}

# Three points, one on each spiral arm halfway out (noise features 0): classes 0, 1 and 2.
ROWS='[[-0.55, 0.0, 0.0, 0.0], [0.275, -0.4763, 0.0, 0.0], [0.275, 0.4763, 0.0, 0.0]]'
INPUTS="{\"inputs\": $ROWS}"
SPLIT="{\"dataframe_split\": {\"columns\": [\"x\", \"y\", \"noise_a\", \"noise_b\"], \"data\": $ROWS}}"
CSV=$'x,y,noise_a,noise_b\n-0.55,0.0,0.0,0.0\n0.275,-0.4763,0.0,0.0\n0.275,0.4763,0.0,0.0\n'
CSV_SHOWN="\$'x,y,noise_a,noise_b\\n-0.55,0.0,0.0,0.0\\n0.275,-0.4763,0.0,0.0\\n0.275,0.4763,0.0,0.0\\n'"

echo
echo "== 2. serve the registered champions"
serve onnx 'models:/spiral-onnx@champion' "$ONNX_PORT"
serve tfjs 'models:/spiral-tfjs@champion' "$TFJS_PORT"

echo
echo "== 3. score models:/spiral-onnx@champion (expected classes: 0 1 2)"
echo "\$ curl -s http://127.0.0.1:$ONNX_PORT/invocations -H 'Content-Type: application/json' -d '$INPUTS'"
score "$ONNX_PORT" application/json "$INPUTS"
echo "  classes: $(classes "$LAST_REPLY")"
echo "\$ curl -s http://127.0.0.1:$ONNX_PORT/invocations -H 'Content-Type: application/json' -d '$SPLIT'"
score "$ONNX_PORT" application/json "$SPLIT"
echo "  classes: $(classes "$LAST_REPLY")"
echo "\$ curl -s http://127.0.0.1:$ONNX_PORT/invocations -H 'Content-Type: text/csv' --data-binary $CSV_SHOWN"
score "$ONNX_PORT" text/csv "$CSV"
ONNX_CLASSES="$(classes "$LAST_REPLY")"
echo "  classes: $ONNX_CLASSES"

echo
echo "== 4. score models:/spiral-tfjs@champion the same way"
echo "\$ curl -s http://127.0.0.1:$TFJS_PORT/invocations -H 'Content-Type: application/json' -d '$INPUTS'"
score "$TFJS_PORT" application/json "$INPUTS"
echo "  classes: $(classes "$LAST_REPLY")"
echo "\$ curl -s http://127.0.0.1:$TFJS_PORT/invocations -H 'Content-Type: text/csv' --data-binary $CSV_SHOWN"
score "$TFJS_PORT" text/csv "$CSV"
TFJS_CLASSES="$(classes "$LAST_REPLY")"
echo "  classes: $TFJS_CLASSES"

echo
if [ "$ONNX_CLASSES" = "$TFJS_CLASSES" ]; then
  echo "the ONNX and tfjs champions agree: classes $ONNX_CLASSES"
else
  echo "serve-and-score: the ONNX ($ONNX_CLASSES) and tfjs ($TFJS_CLASSES) champions disagree" >&2
  exit 1
fi

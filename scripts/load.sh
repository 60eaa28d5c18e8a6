#!/usr/bin/env bash
# Load test of `ecoute serve`: case list, ingest, webhook latency and an optional soak.
# See docs/LOAD.md for what each figure means.
#
#   scripts/load.sh [--duration SECONDS] [--soak SECONDS] [options]
#
# Needs build/ecoute, wrk, python3 (standard library only) and curl. Everything runs on
# 127.0.0.1 in a temporary directory, removed on exit (unless --keep).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/load.sh [--duration SECONDS] [--soak SECONDS] [options]

  --duration S         length of each wrk run (case list, ingest batch, ingest single); 30
  --soak S             mixed load (case list + pushes) for S seconds, RSS sampled every
                       10 s; 0 (default) skips it. The memory target is for --soak 600.
  --connections N      connections for the case list; 1000
  --batch N            posts per request in the ingest batch run; 100
  --ingest-connections N   connections for the ingest runs; 16
  --seed-posts N       posts stored before the measurements; 5000
  --webhooks N         complaints pushed for the webhook latency; 500
  --rate R             their rate per second (also during the soak); 20
  --no-default-sync    skip the second pass with the default sync_every_commit=true
  --pin                the server on CPU 0, wrk and the other load generators on CPU 1
                       (taskset), so that they do not take turns on the same cores
  --keep               keep the temporary directory (logs, wrk outputs, database)
  -h, --help           this text

Environment: ECOUTE (the binary; default build/ecoute), and any ECOUTE_* server setting
(ECOUTE_HTTP_THREADS, ...), passed on to the server.
EOF
}

DURATION=30
SOAK=0
CONNECTIONS=1000
BATCH=100
INGEST_CONNECTIONS=16
SEED_POSTS=5000
WEBHOOKS=500
RATE=20
DEFAULT_SYNC=1
KEEP=0
PIN=0

number() {  # number NAME VALUE: a positive integer, or exit 64
  [[ "$2" =~ ^[0-9]+$ ]] || { echo "load.sh: $1 needs a whole number, got '$2'" >&2; exit 64; }
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) number "$1" "${2-}"; DURATION=$2; shift 2 ;;
    --soak) number "$1" "${2-}"; SOAK=$2; shift 2 ;;
    --connections) number "$1" "${2-}"; CONNECTIONS=$2; shift 2 ;;
    --batch) number "$1" "${2-}"; BATCH=$2; shift 2 ;;
    --ingest-connections) number "$1" "${2-}"; INGEST_CONNECTIONS=$2; shift 2 ;;
    --seed-posts) number "$1" "${2-}"; SEED_POSTS=$2; shift 2 ;;
    --webhooks) number "$1" "${2-}"; WEBHOOKS=$2; shift 2 ;;
    --rate) [[ "${2-}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "load.sh: --rate needs a number" >&2; exit 64; }
            RATE=$2; shift 2 ;;
    --no-default-sync) DEFAULT_SYNC=0; shift ;;
    --keep) KEEP=1; shift ;;
    --pin) PIN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "load.sh: unknown option '$1'" >&2; usage >&2; exit 64 ;;
  esac
done
[[ $DURATION -ge 1 && $CONNECTIONS -ge 1 && $BATCH -ge 1 && $WEBHOOKS -ge 1 ]] ||
  { echo "load.sh: --duration, --connections, --batch and --webhooks must be at least 1" >&2; exit 64; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE="$ROOT/scripts/load"
ECOUTE=${ECOUTE:-$ROOT/build/ecoute}
BRANDS="$ROOT/data/sample/brands.toml"
SERVER_CPU=()
CLIENT_CPU=()
if [[ $PIN == 1 ]]; then
  [[ $(nproc) -ge 2 ]] && command -v taskset >/dev/null ||
    { echo "load.sh: --pin needs two CPUs and taskset" >&2; exit 64; }
  SERVER_CPU=(taskset -c 0)
  CLIENT_CPU=(taskset -c 1)
fi
for tool in wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "load.sh: $tool is needed" >&2; exit 69; }
done
[[ -x "$ECOUTE" ]] || { echo "load.sh: no $ECOUTE; build it: cmake --build build --target ecoute" >&2; exit 69; }

# wrk and the server each hold one descriptor per connection, plus their own files.
want_files=$((CONNECTIONS + 1024))
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt $want_files ]]; then
  hard=$(ulimit -Hn)
  if [[ $hard == unlimited || $hard -ge $want_files ]]; then
    ulimit -n "$want_files"
  else
    ulimit -n "$hard"
    echo "load.sh: warning: open files limited to $hard (hard limit), fewer than $want_files" >&2
  fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ecoute-load.XXXXXX")
RESULTS="$WORK/results"
DB="$WORK/load.db"
SERVER_PID=""
RECEIVER_PID=""
BACKGROUND=()
: >"$RESULTS"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_server
  if [[ -n "$RECEIVER_PID" ]]; then kill "$RECEIVER_PID" 2>/dev/null || true; wait "$RECEIVER_PID" 2>/dev/null || true; fi
  if [[ $KEEP == 1 ]]; then
    echo "load.sh: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo "load.sh: interrupted" >&2; exit 130' INT TERM

log() { printf '[load %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
result() { printf '%s=%s\n' "$1" "$2" >>"$RESULTS"; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# start_server NAME [VAR=VALUE...]: runs ecoute serve on a free loopback port (the kernel
# picks it: --listen 127.0.0.1:0; the port is read from the "listening on" line).
start_server() {
  local name=$1; shift
  SERVER_LOG="$WORK/server-$name.log"
  # The webhook receiver listens on loopback: the outbound policy must let it through.
  env ECOUTE_LOG_LEVEL="${ECOUTE_LOG_LEVEL:-warn}" \
    ECOUTE_OUTBOUND_ALLOW_PRIVATE="${ECOUTE_OUTBOUND_ALLOW_PRIVATE:-127.0.0.1/32}" "$@" \
    "${SERVER_CPU[@]}" "$ECOUTE" serve --db "$DB" --brands "$BRANDS" --listen 127.0.0.1:0 2>"$SERVER_LOG" &
  SERVER_PID=$!
  for _ in $(seq 300); do
    grep -q 'listening on' "$SERVER_LOG" && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  PORT=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$SERVER_LOG" | head -1)
  if [[ -z "$PORT" ]]; then
    echo "load.sh: the server did not start:" >&2; tail -20 "$SERVER_LOG" >&2; exit 1
  fi
  URL="http://127.0.0.1:$PORT"
  log "server $name: pid $SERVER_PID, $URL ($*)"
}

# The server must still be up after each phase; a crash ends the run with its log.
check_server() {
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "load.sh: the server (pid $SERVER_PID) died during: $1; end of its log:" >&2
    tail -20 "$SERVER_LOG" >&2
    SERVER_PID=""
    exit 1
  fi
}

api() {  # api METHOD PATH [BODY]: prints the answer's body; fails on HTTP >= 400
  curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$URL$2"
}

# run_wrk NAME SCRIPT URL ARGS...: runs wrk, keeps its output, records NAME.* results.
run_wrk() {
  local name=$1 script=$2 url=$3; shift 3
  local out="$WORK/wrk-$name.txt"
  LOAD_LUA_DIR="$HERE" "${CLIENT_CPU[@]}" wrk "$@" --latency -s "$HERE/$script" \
    -H "Authorization: Bearer $TOKEN" "$url" >"$out" 2>&1 || true
  local line
  line=$(grep '^LOADRESULT ' "$out" | tail -1 || true)
  if [[ -z "$line" ]]; then
    echo "load.sh: wrk $name gave no result:" >&2; tail -20 "$out" >&2; exit 1
  fi
  for pair in ${line#LOADRESULT }; do result "$name.${pair%%=*}" "${pair#*=}"; done
  log "$name: $(grep -E '^Requests/sec|Non-2xx|Socket errors' "$out" | tr -s ' ' | paste -sd';' -)"
}

# create_rule: a webhook rule for Jeanerie complaints to the receiver; sets RULE_ID.
create_rule() {
  RULE_ID=$(api POST /api/v1/rules \
    "{\"name\":\"load test\",\"brands\":[\"Jeanerie\"],\"stances\":[\"complaint\"],\"url\":\"http://127.0.0.1:$RECEIVER_PORT/hook\",\"secret\":\"$SECRET\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
}
# delete_rule: also drops its pending deliveries, so that later runs do not queue behind them.
delete_rule() { api DELETE "/api/v1/rules/$RULE_ID" >/dev/null; }

run_webhooks() {  # run_webhooks NAME COUNT
  local name=$1 count=$2 out="$WORK/webhook-$1.txt"
  "${CLIENT_CPU[@]}" python3 "$HERE/webhook.py" send --url "$URL" --token "$TOKEN" --log "$WORK/receiver.log" \
    --count "$count" --rate "$RATE" --run "${name//_/}$RANDOM" >"$out" 2>&1 || true
  local line
  line=$(grep '^WEBHOOKRESULT ' "$out" | tail -1 || true)
  if [[ -z "$line" ]]; then
    echo "load.sh: webhook run $name gave no result:" >&2; tail -20 "$out" >&2; exit 1
  fi
  for pair in ${line#WEBHOOKRESULT }; do result "$name.${pair%%=*}" "${pair#*=}"; done
  log "$name: ${line#WEBHOOKRESULT }"
}

ingest_runs() {  # ingest_runs PREFIX: the batch and the one-post runs
  LOAD_BATCH=$BATCH LOAD_RUN="$1b$RANDOM" run_wrk "$1_batch" ingest.lua "$URL/api/v1/posts" \
    -t2 -c"$INGEST_CONNECTIONS" -d"${DURATION}s" --timeout 30s
  check_server "ingest, $BATCH posts per request"
  LOAD_BATCH=1 LOAD_RUN="$1s$RANDOM" run_wrk "$1_single" ingest.lua "$URL/api/v1/posts" \
    -t2 -c"$INGEST_CONNECTIONS" -d"${DURATION}s" --timeout 30s
  check_server "ingest, one post per request"
  result "$1.posts_after" "$(api GET /readyz | python3 -c 'import json,sys; print(json.load(sys.stdin)["posts"])')"
}

# ---- setup -----------------------------------------------------------------------------
result machine.cpus "$(nproc)"
result config.pin "$PIN"
result machine.cpu "\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)\""
result machine.memory_mib "$(awk '/^MemTotal/ {printf "%d", $2 / 1024}' /proc/meminfo)"
result machine.load_start "\"$(load_average)\""
result machine.kernel "\"$(uname -sr)\""
result machine.date "\"$(date -u +%Y-%m-%dT%H:%MZ)\""
result config.duration "$DURATION"
result config.soak "$SOAK"
result config.connections "$CONNECTIONS"
result config.batch "$BATCH"
result config.ingest_connections "$INGEST_CONNECTIONS"
result config.seed_posts "$SEED_POSTS"
result config.webhooks "$WEBHOOKS"
result config.rate "$RATE"
result config.http_threads "${ECOUTE_HTTP_THREADS:-2 (default)}"

log "work directory $WORK; load average $(load_average)"
PASSWORD="load-test-$RANDOM-$RANDOM-password"
printf '%s\n' "$PASSWORD" | "$ECOUTE" users add loadadmin --role admin --db "$DB" --password-stdin >/dev/null 2>"$WORK/users.log"
TOKEN=$("$ECOUTE" users token loadadmin --label load-test --db "$DB" 2>>"$WORK/users.log")
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(16))')

"${CLIENT_CPU[@]}" python3 "$HERE/webhook.py" receive --port-file "$WORK/receiver.port" --log "$WORK/receiver.log" \
  --secret "$SECRET" 2>"$WORK/receiver.err" &
RECEIVER_PID=$!
for _ in $(seq 100); do [[ -s "$WORK/receiver.port" ]] && break; sleep 0.1; done
RECEIVER_PORT=$(cat "$WORK/receiver.port" 2>/dev/null || true)
[[ -n "$RECEIVER_PORT" ]] || { echo "load.sh: the webhook receiver did not start" >&2; cat "$WORK/receiver.err" >&2; exit 1; }

# ---- pass 1: sync_every_commit=false ------------------------------------------------------
start_server nosync ECOUTE_STORE_SYNC_EVERY_COMMIT=false
log "seeding $SEED_POSTS posts"
seeded=$(python3 "$HERE/seed.py" --url "$URL" --token "$TOKEN" --posts "$SEED_POSTS" \
  --samples "$ROOT/data/sample/posts")
log "$seeded"
result seed.cases "$(sed -n 's/.*cases=\([0-9]*\).*/\1/p' <<<"$seeded")"
check_server "seeding"
# The seeded complaints are days old: the SLA monitor escalates them all, level by level,
# at its first ticks. A steady state has a few escalations per tick; wait for it.
escalations() { curl -s "$URL/metrics" | sed -n 's/^ecoute_escalations_total \([0-9]*\).*/\1/p'; }
previous=-1
for _ in $(seq 12); do  # one look per SLA tick (10 s)
  current=$(escalations); current=${current:-0}
  [[ "$current" == "$previous" ]] && break
  previous=$current
  sleep 11
done
log "SLA backlog settled: $previous escalations"
api GET "/api/v1/cases?limit=50" >"$WORK/cases-page.json"
result seed.page_bytes "$(wc -c <"$WORK/cases-page.json")"

log "case list: $CONNECTIONS connections, ${DURATION}s"
run_wrk cases cases.lua "$URL/api/v1/cases?limit=50" -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s
check_server "case list"

log "ingest: $BATCH posts per request, then one per request, ${DURATION}s each"
ingest_runs nosync

log "webhook latency: $WEBHOOKS complaints at $RATE/s"
create_rule
run_webhooks nosync_webhook "$WEBHOOKS"
delete_rule
check_server "webhook latency"

if [[ $SOAK -gt 0 ]]; then
  log "soak: ${SOAK}s of case list (100 connections) and pushes at $RATE/s; RSS every 10 s"
  create_rule
  LOAD_LUA_DIR="$HERE" "${CLIENT_CPU[@]}" wrk -t1 -c100 -d"${SOAK}s" --timeout 10s --latency -s "$HERE/cases.lua" \
    -H "Authorization: Bearer $TOKEN" "$URL/api/v1/cases?limit=50" >"$WORK/wrk-soak.txt" 2>&1 &
  BACKGROUND+=($!)
  soak_count=$(python3 -c "print(max(1, int($SOAK * $RATE)))")
  run_webhooks soak_webhook "$soak_count" &
  BACKGROUND+=($!)
  samples=""
  start=$(date +%s)
  while :; do
    elapsed=$(( $(date +%s) - start ))
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || true)
    [[ -n "$rss" ]] || check_server "soak"
    samples+="$elapsed:$rss "
    log "soak t=${elapsed}s rss=$((rss / 1024)) MiB"
    [[ $elapsed -ge $SOAK ]] && break
    next=$(( (elapsed / 10 + 1) * 10 ))
    [[ $next -gt $SOAK ]] && next=$SOAK
    sleep $(( next - elapsed > 0 ? next - elapsed : 1 ))
  done
  wait "${BACKGROUND[@]}" || true
  BACKGROUND=()
  result soak.rss_kib "\"${samples% }\""
  line=$(grep '^LOADRESULT ' "$WORK/wrk-soak.txt" | tail -1 || true)
  for pair in ${line#LOADRESULT }; do result "soak_cases.${pair%%=*}" "${pair#*=}"; done
  delete_rule
  check_server "soak"
fi
stop_server

# ---- pass 2: the default, sync_every_commit=true -----------------------------------------
if [[ $DEFAULT_SYNC == 1 ]]; then
  start_server sync
  log "ingest with the default sync_every_commit=true (same database)"
  ingest_runs sync
  log "webhook latency with the default sync"
  create_rule
  run_webhooks sync_webhook "$WEBHOOKS"
  delete_rule
  check_server "webhook latency (sync)"
  stop_server
fi

result machine.load_end "\"$(load_average)\""
python3 "$HERE/summary.py" "$RESULTS"
if [[ $KEEP == 1 ]]; then cp "$RESULTS" "$WORK/results.txt"; fi

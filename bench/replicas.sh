#!/usr/bin/env bash
# Several replicas over one PostgreSQL database, in one command:
#   bash bench/replicas.sh
#
# Fills a fresh PostgreSQL database (bench/generate.py, N = BENCH_N), then
# measures the cached reads (b) and (c) of bench/run.sh with wrk:
#   1. one replica, straight;
#   2. one replica behind nginx (what the proxy costs);
#   3. three replicas behind nginx (deploy/nginx.conf's setup, on loopback);
# and, with the three running, how soon the two others serve a write made
# through the first: BENCH_WRITES writes, each followed by polling the others
# until both answer with the new value (pushed invalidation, LISTEN/NOTIFY).
# Every process shares this machine's cores: the figures say what the
# replicas cost and keep, not what three machines would give. See
# bench/README.md and bench/RESULTS.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)

N=${BENCH_N:-5000}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-15s}
WARMUP=${BENCH_WARMUP:-3s}
WRITES=${BENCH_WRITES:-20}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_URL=${PG_URL%/}
WISH_BIN=${WISH_BIN:-$REPO_ROOT/target/release/wish-api}
SECRET=bench-secret-that-is-long-enough-for-hs256

PG_SSLMODE=${BENCH_PG_SSLMODE-disable}
PG_CLUSTER=${BENCH_PG_CLUSTER:-"15 main"}
LOG_PREFIX=replicas
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

ensure_tools psql wrk:wrk nginx:nginx-light
[[ -x $WISH_BIN ]] || (cd "$REPO_ROOT" && cargo build --release --locked -p wish-api)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wish-replicas.XXXXXX")
PIDS=()
NGINX_PID=""
PG_DB="wish_replicas_$$"
cleanup() {
  local status=$?
  [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  drop_database "$PG_DB"
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

ensure_postgres
export WISH_JWT_SECRET=$SECRET
DB_URL=$(make_database "$PG_DB" "$N")

start_replica() { # port workers
  "$WISH_BIN" serve --bind "127.0.0.1:$1" --database-url "$DB_URL" --demo-data false \
    --workers "$2" --rate-limit-anonymous 0 --rate-limit-token 0 --cache-listen true \
    >"$WORK/replica-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "http://127.0.0.1:$1/ready" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 20 "$WORK/replica-$1.log" >&2
  die "replica on port $1 was not ready"
}

stop_replicas() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

start_nginx() { # port upstream-ports...
  local port=$1 servers=""
  shift
  for p in "$@"; do servers+="        server 127.0.0.1:$p;"$'\n'; done
  # deploy/nginx.conf with this machine's replicas in its upstream.
  python3 - "$REPO_ROOT/deploy/nginx.conf" "$WORK/nginx.conf" "$port" "$servers" "$WORK" <<'EOF'
import re, sys
src, dst, port, servers, work = sys.argv[1:]
conf = open(src).read()
conf = re.sub(r"server api:8080[^;]*;\n", servers, conf)
conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};")
conf = conf.replace("worker_processes auto;", f"worker_processes auto;\ndaemon off;\npid {work}/nginx.pid;\nerror_log {work}/nginx-error.log;")
conf = conf.replace("http {", f"http {{\n    access_log off;\n    client_body_temp_path {work}/nginx-body;\n    proxy_temp_path {work}/nginx-proxy;", 1)
open(dst, "w").write(conf)
EOF
  nginx -c "$WORK/nginx.conf" -p "$WORK" >"$WORK/nginx.log" 2>&1 &
  NGINX_PID=$!
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$WORK/nginx.log" "$WORK/nginx-error.log" >&2 2>/dev/null || true
  die "nginx was not ready"
}

stop_nginx() { kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""; }

# Runs wrk; prints "rps p50_ms p99_ms errors".
measure() { # url lua [args...]
  local url=$1 lua=$2 out="$WORK/wrk.out"
  shift 2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$BENCH_DIR/wrk/$lua" "$url" -- "$@" >/dev/null 2>&1 || true
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$BENCH_DIR/wrk/$lua" "$url" -- "$@" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed on $lua"; }
  local requests rps p50 p99 errors
  read -r requests rps p50 p99 errors < <(wrk_summary "$out") || { cat "$out" >&2; die "no BENCH line in wrk's output for $lua"; }
  python3 -c 'import sys; r, a, b = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]); print(f"{r:.0f} {a / 1000:.2f} {b / 1000:.2f}", sys.argv[4])' \
    "$rps" "$p50" "$p99" "$errors"
}

ROWS="$WORK/rows.tsv"
: >"$ROWS"
row() { # setup base
  local id
  id=$(curl -fsS -H 'Content-Type: application/json' --data-binary '{"query":"{ facilities(first: 1) { nodes { id } } }"}' "$2/graphql" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["facilities"]["nodes"][0]["id"])')
  log "$1: (b) facility+visits"
  printf '%s\t(b) facility+visits\t%s\n' "$1" "$(measure "$2/graphql" b_facility.lua "$id" | tr ' ' '\t')" >>"$ROWS"
  log "$1: (c) country page"
  printf '%s\t(c) country page\t%s\n' "$1" "$(measure "$2/graphql" c_country.lua | tr ' ' '\t')" >>"$ROWS"
}

P1=$(free_port); P2=$(free_port); P3=$(free_port); LB=$(free_port)

log "one replica, 2 workers"
start_replica "$P1" 2
row "1 replica, straight" "http://127.0.0.1:$P1"
start_nginx "$LB" "$P1"
row "1 replica behind nginx" "http://127.0.0.1:$LB"
stop_nginx
stop_replicas

log "three replicas, 1 worker each, behind nginx"
start_replica "$P1" 1
start_replica "$P2" 1
start_replica "$P3" 1
start_nginx "$LB" "$P1" "$P2" "$P3"
row "3 replicas behind nginx" "http://127.0.0.1:$LB"

log "freshness: $WRITES writes through one replica, read through the two others"
TOKEN=$("$WISH_BIN" token --database-url "$DB_URL" --role editor --sub bench@example.org --ttl 1h)
FRESHNESS=$(python3 - "$P1" "$P2" "$P3" "$TOKEN" "$WRITES" <<'EOF'
import json, statistics, sys, time, urllib.request

p1, p2, p3, token, writes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

def post(port, query, variables=None, auth=False):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, {"Content-Type": "application/json"})
    if auth:
        req.add_header("Authorization", f"Bearer {token}")
    return json.load(urllib.request.urlopen(req))

first = post(p1, "{ facilities(first: 1) { nodes { id version } } }")["data"]["facilities"]["nodes"][0]
fid, version = first["id"], first["version"]
read = "query($id: ID!) { facility(id: $id) { capacity } }"
delays = []
for i in range(writes):
    capacity = 100 + i
    for port in (p2, p3):  # both cached the old value
        post(port, read, {"id": fid})
    done = post(p1, "mutation($id: ID!, $v: Int!, $c: Int!) { updateFacility(id: $id, expectedVersion: $v, input: {capacity: $c}) { version } }",
                {"id": fid, "v": version, "c": capacity}, auth=True)
    committed = time.perf_counter()
    version = done["data"]["updateFacility"]["version"]
    pending = {p2, p3}
    while pending:
        for port in list(pending):
            if post(port, read, {"id": fid})["data"]["facility"]["capacity"] == capacity:
                pending.discard(port)
        if time.perf_counter() - committed > 5:
            sys.exit("a replica did not serve the write within 5 s")
    delays.append((time.perf_counter() - committed) * 1000)
    time.sleep(0.05)
print(f"{statistics.median(delays):.1f} {max(delays):.1f}")
EOF
)
stop_nginx
stop_replicas

echo
echo "wish-api replicas: $(nproc) CPUs shared by wrk, nginx, the replicas and PostgreSQL; loopback"
echo "N = $N; cached answers with pushed invalidation; wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP); latencies in ms"
echo
python3 - "$ROWS" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
head = ["setup", "scenario", "req/s", "p50", "p99", "errors"]
w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
print("  ".join(h.ljust(w[i]) if i < 2 else h.rjust(w[i]) for i, h in enumerate(head)))
print("  ".join("-" * x for x in w))
for r in rows:
    print("  ".join(c.ljust(w[i]) if i < 2 else c.rjust(w[i]) for i, c in enumerate(r)))
EOF
read -r median worst <<<"$FRESHNESS"
echo
echo "a write through one replica, served by both others: median $median ms, worst $worst ms ($WRITES writes; time from the write's answer until both answered with the new value)"

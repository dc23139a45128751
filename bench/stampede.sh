#!/usr/bin/env bash
# A cache stampede, in one command: bash bench/stampede.sh
#
# After every write the data version changes and every cached answer is
# stale at once. This makes a PostgreSQL database of N facilities (default
# 50,000), starts the release server with its response cache, and for each
# target (the brotli GeoJSON of every facility, and the GraphQL page of
# scenario c): measures it warm, then BENCH_ROUNDS times changes the data
# version (as a write does) and at once lets 32 clients ask for it
# (wrk -t2 -c32 -d6s). Prints answers per second and latencies, cold and
# warm, and how many times the server computed each answer
# (`wish_response_cache_answers_total{outcome="computed"}` of /metrics). See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)

N=${BENCH_N:-50000}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-6s}
WORKERS=${BENCH_WORKERS:-2}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_URL=${PG_URL%/}
PG_SSLMODE=${BENCH_PG_SSLMODE-disable}
PG_CLUSTER=${BENCH_PG_CLUSTER:-"15 main"}
WISH_BIN=${WISH_BIN:-$REPO_ROOT/target/release/wish-api}

LOG_PREFIX=stampede
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wish-stampede.XXXXXX")
SERVER_PID=""
PG_DB=""
cleanup() {
  local status=$?
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  drop_database "$PG_DB"
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tools python3 curl psql wrk:wrk
if [[ ! -x $WISH_BIN ]]; then
  [[ $WISH_BIN == "$REPO_ROOT/target/release/wish-api" ]] || die "WISH_BIN=$WISH_BIN is not an executable"
  log "building the release binary (cargo build --release)"
  (cd "$REPO_ROOT" && cargo build --release --locked)
fi
ensure_postgres

PG_DB="wish_stampede_$$"
URL=$(make_database "$PG_DB" "$N")

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
"$WISH_BIN" serve --bind "127.0.0.1:$PORT" --database-url "$URL" --demo-data false \
  --workers "$WORKERS" --rate-limit-anonymous 0 --rate-limit-token 0 \
  --response-cache-mb "${BENCH_RESPONSE_CACHE_MB:-256}" --log warn >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$WORK/server.log" >&2; die "the server exited"; }
  curl -fsS -o /dev/null "$BASE/ready" 2>/dev/null && break
  sleep 0.1
done

# As a write does: the trigger tells the server at once.
bump() {
  psql -X -q -d "$PG_URL/$PG_DB" -c \
    "UPDATE app_state SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'data_version'" >/dev/null
  sleep 0.05
}

# Answers the server computed and kept so far (each cold burst should add one).
computations() {
  curl -fsS "$BASE/metrics" | awk '
    $1 == "wish_response_cache_answers_total{outcome=\"computed\"}" { sum += $2 }
    END { printf "%d\n", sum }'
}

run_wrk() { # lua url
  local out="$WORK/wrk.out"
  BENCH_ACCEPT_ENCODING=br wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s --latency -s "$BENCH_DIR/wrk/$1" "$2" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed"; }
  wrk_summary "$out" || { cat "$out" >&2; die "no BENCH line in wrk's output"; }
}

ROWS="$WORK/rows.tsv"
: >"$ROWS"
for target in geojson graphql; do
  case $target in
    geojson) lua=d_geojson.lua url="$BASE/facilities.geojson" ;;
    graphql) lua=c_country.lua url="$BASE/graphql" ;;
  esac
  run_wrk "$lua" "$url" >/dev/null # fills the cache
  read -r requests rps p50 p99 errors < <(run_wrk "$lua" "$url")
  log "$target warm: $requests answers, $rps/s, p50 $p50 us, p99 $p99 us, $errors errors"
  printf '%s\twarm\t%s\t%s\t%s\t%s\t%s\t-\n' "$target" "$requests" "$rps" "$p50" "$p99" "$errors" >>"$ROWS"
  for round in $(seq "$ROUNDS"); do
    before=$(computations)
    bump
    read -r requests rps p50 p99 errors < <(run_wrk "$lua" "$url")
    made=$(($(computations) - before))
    log "$target cold, round $round: $requests answers, $rps/s, p50 $p50 us, p99 $p99 us, $errors errors, computed $made times"
    printf '%s\tcold %s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$round" "$requests" "$rps" "$p50" "$p99" "$errors" "$made" >>"$ROWS"
  done
done

echo
echo "Cache stampede: N=$N on PostgreSQL, $(nproc) CPUs; wrk -t2 -c$CONNECTIONS -d$DURATION with Accept-Encoding: br"
echo "cold: the data version changed just before the burst (as after a write)"
echo
python3 - "$ROWS" <<'EOF'
import sys
head = ["target", "cache", "answers", "answers/s", "p50 ms", "p99 ms", "errors", "computed"]
rows = []
for line in open(sys.argv[1]):
    t, c, n, rps, p50, p99, err, made = line.rstrip("\n").split("\t")
    rows.append([t, c, n, f"{float(rps):,.1f}", f"{int(p50) / 1000:.1f}", f"{int(p99) / 1000:.1f}", err, made])
width = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
for r in [head, ["-" * w for w in width]] + rows:
    print("  ".join(c.ljust(width[i]) if i < 2 else c.rjust(width[i]) for i, c in enumerate(r)))
EOF

#!/usr/bin/env bash
# The wish-api benchmark, in one command: bash bench/run.sh
#
# For each size N (BENCH_SIZES) and each database (BENCH_DATABASES): make a
# fresh database (an SQLite file, or a new PostgreSQL database), migrate it,
# fill it with bench/generate.py, start the release server on loopback, check
# each scenario once with curl, then load it with wrk (bench/wrk/*.lua) at a
# fixed concurrency and once more with a single connection, and read the
# server's peak memory. Prints one table at the end. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)

SIZES=${BENCH_SIZES:-"5000 50000"}
DATABASES=${BENCH_DATABASES:-"sqlite postgres"}
SCENARIOS=${BENCH_SCENARIOS:-"a b c d"}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-15s}
UNLOADED_DURATION=${BENCH_UNLOADED_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-3s}
TIMEOUT=${BENCH_TIMEOUT:-30s}
WORKERS=${BENCH_WORKERS:-2}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_URL=${PG_URL%/}
# The server reaches PostgreSQL over loopback: no TLS there by default (the
# driver would otherwise negotiate it with a server that offers it, as
# Debian's does). Set BENCH_PG_SSLMODE=prefer to measure with TLS.
PG_SSLMODE=${BENCH_PG_SSLMODE-disable}
PG_CLUSTER=${BENCH_PG_CLUSTER:-"15 main"}
PORT=${BENCH_PORT:-}
WISH_BIN=${WISH_BIN:-$REPO_ROOT/target/release/wish-api}
export BENCH_ACCEPT_ENCODING=${BENCH_ACCEPT_ENCODING:-} # read by bench/wrk/*.lua
CURL_ENCODING=()
[[ -z $BENCH_ACCEPT_ENCODING ]] || CURL_ENCODING=(--compressed -H "Accept-Encoding: $BENCH_ACCEPT_ENCODING")

# The request bodies. Keep them identical to the ones in bench/wrk/*.lua.
BODY_A='{"query":"{ facilities(first: 500) { nodes { id name latitude longitude facilityType capacity } } }"}'
# shellcheck disable=SC2016  # $id is GraphQL, not shell
BODY_B_TEMPLATE='{"query":"query($id: ID!) { facility(id: $id) { name visits(first: 10) { totalCount nodes { visitedOn participants { name } } } } }","variables":{"id":"@ID@"}}'
BODY_C='{"query":"{ facilities(filter: {countryCode: [\"BE\"]}, orderBy: [NAME_ASC], first: 20) { totalCount nodes { id name city } } }"}'
BODY_FIRST_ID='{"query":"{ facilities(first: 1) { nodes { id } } }"}'

declare -A LABEL=(
  [a]="a map: first 500"
  [b]="b facility+visits"
  [c]="c country page"
  [d]="d geojson"
)
declare -A LUA=([a]=a_map.lua [b]=b_facility.lua [c]=c_country.lua [d]=d_geojson.lua)

LOG_PREFIX=bench
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------- cleanup --
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wish-bench.XXXXXX")
SERVER_PID=""
PG_DB=""

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

drop_pg_db() {
  drop_database "$PG_DB"
  PG_DB=""
}

cleanup() {
  local status=$?
  stop_server
  drop_pg_db
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ----------------------------------------------------------------- checks --
for s in $SCENARIOS; do
  [[ -n ${LUA[$s]:-} ]] || die "unknown scenario '$s' in BENCH_SCENARIOS (known: a b c d)"
done
for d in $DATABASES; do
  [[ $d == sqlite || $d == postgres ]] || die "unknown database '$d' in BENCH_DATABASES (sqlite, postgres)"
done
ensure_tools python3 curl wrk:wrk

if [[ ! -x $WISH_BIN ]]; then
  if [[ $WISH_BIN == "$REPO_ROOT/target/release/wish-api" ]]; then
    log "building the release binary (cargo build --release)"
    (cd "$REPO_ROOT" && cargo build --release)
  else
    die "WISH_BIN=$WISH_BIN is not an executable"
  fi
fi

if [[ " $DATABASES " == *" postgres "* ]]; then
  command -v psql >/dev/null || die "psql is needed for the PostgreSQL runs"
  ensure_postgres
fi

if [[ -z $PORT ]]; then
  PORT=$(free_port)
fi
BASE="http://127.0.0.1:$PORT"

# ---------------------------------------------------------------- helpers --
start_server() { # url log
  # One client address sends everything: rate limits would measure themselves.
  "$WISH_BIN" serve --bind "127.0.0.1:$PORT" --database-url "$1" --demo-data false \
    --workers "$WORKERS" --rate-limit-anonymous 0 --rate-limit-token 0 \
    --response-cache-mb "${BENCH_RESPONSE_CACHE_MB:-64}" \
    --cache-listen "${BENCH_CACHE_LISTEN:-true}" >"$2" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 600); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 30 "$2" >&2
      die "the server exited before it was ready"
    fi
    curl -fsS -o /dev/null "$BASE/ready" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 30 "$2" >&2
  die "the server was not ready after 60 s"
}

# POSTs a body to /graphql; fails loudly unless the answer is 200 without "errors".
# Prints the response size in bytes, then its size on the wire (compressed, if asked).
check_graphql() { # label body out
  local code wire
  read -r code wire < <(curl -sS "${CURL_ENCODING[@]}" -o "$3" -w '%{http_code} %{size_download}\n' -H 'Content-Type: application/json' \
    --data-binary "$2" "$BASE/graphql") || die "$1: curl failed"
  if [[ $code != 200 ]] || ! python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(1 if "errors" in d or not d.get("data") else 0)' "$3" 2>/dev/null; then
    log "$1: HTTP $code, response:"
    head -c 2000 "$3" >&2; echo >&2
    die "$1: the check request did not succeed"
  fi
  echo "$(wc -c <"$3" | tr -d ' ') $wire"
}

# Runs wrk, prints "rps p50_us p99_us errors" from the BENCH line of bench/wrk/*.lua.
run_wrk() { # threads connections duration lua url [args...]
  local t=$1 c=$2 d=$3 lua=$4 url=$5 out
  shift 5
  out="$WORK/wrk.out"
  wrk -t"$t" -c"$c" -d"$d" --timeout "$TIMEOUT" --latency -s "$BENCH_DIR/wrk/$lua" "$url" -- "$@" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed on $lua"; }
  local requests rest
  read -r requests rest < <(wrk_summary "$out") || { cat "$out" >&2; die "no BENCH line in wrk's output for $lua"; }
  echo "$rest"
}

ms() { python3 -c 'import sys; print(f"{int(sys.argv[1]) / 1000:.2f}")' "$1"; }

ROWS="$WORK/rows.tsv"
MEMORY="$WORK/memory.tsv"
: >"$ROWS"
: >"$MEMORY"

# ------------------------------------------------------------------- runs --
bench_one() { # n db
  local n=$1 db=$2 url server_log
  server_log="$WORK/server-$db-$n.log"
  case $db in
    sqlite)
      rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"
      url="sqlite://$WORK/bench.db?mode=rwc"
      ;;
    postgres)
      PG_DB="wish_bench_${n}_$$"
      psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL/postgres" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
      url="$PG_URL/$PG_DB${PG_SSLMODE:+?sslmode=$PG_SSLMODE}"
      ;;
  esac

  log "N=$n $db: migrate"
  "$WISH_BIN" migrate --database-url "$url" >"$WORK/migrate.log" 2>&1 \
    || { cat "$WORK/migrate.log" >&2; die "migrate failed"; }
  log "N=$n $db: generate"
  python3 "$BENCH_DIR/generate.py" --n "$n" --database-url "$url"
  log "N=$n $db: start the server ($WORKERS workers, port $PORT)"
  start_server "$url" "$server_log"

  local s bytes wire body lua_args rps p50 p99 err up50 up99 uerr target
  for s in $SCENARIOS; do
    target="$BASE/graphql"
    lua_args=()
    case $s in
      a) read -r bytes wire < <(check_graphql "${LABEL[a]}" "$BODY_A" "$WORK/resp.json") ;;
      b)
        check_graphql "first id" "$BODY_FIRST_ID" "$WORK/resp.json" >/dev/null
        local id
        id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["facilities"]["nodes"][0]["id"])' "$WORK/resp.json")
        body=${BODY_B_TEMPLATE//@ID@/$id}
        read -r bytes wire < <(check_graphql "${LABEL[b]}" "$body" "$WORK/resp.json")
        lua_args=("$id")
        ;;
      c) read -r bytes wire < <(check_graphql "${LABEL[c]}" "$BODY_C" "$WORK/resp.json") ;;
      d)
        target="$BASE/facilities.geojson"
        local code
        read -r code wire < <(curl -sS "${CURL_ENCODING[@]}" -o "$WORK/resp.json" -w '%{http_code} %{size_download}\n' "$target") || die "${LABEL[d]}: curl failed"
        if [[ $code == 404 ]]; then
          log "N=$n $db: ${LABEL[d]}: 404, not available"
          printf '%s\t%s\t%s\tnot available (404)\n' "$n" "$db" "${LABEL[d]}" >>"$ROWS"
          continue
        fi
        if [[ $code != 200 ]] || ! python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if isinstance(d, dict) and d.get("type") == "FeatureCollection" else 1)' "$WORK/resp.json" 2>/dev/null; then
          log "${LABEL[d]}: HTTP $code, response:"
          head -c 2000 "$WORK/resp.json" >&2; echo >&2
          die "${LABEL[d]}: the check request did not return a GeoJSON FeatureCollection"
        fi
        bytes=$(wc -c <"$WORK/resp.json" | tr -d ' ')
        ;;
    esac

    if [[ $WARMUP != 0 && $WARMUP != 0s ]]; then
      log "N=$n $db: ${LABEL[$s]}: warm-up $WARMUP"
      run_wrk "$THREADS" "$CONNECTIONS" "$WARMUP" "${LUA[$s]}" "$target" "${lua_args[@]}" >/dev/null
    fi
    log "N=$n $db: ${LABEL[$s]}: -t$THREADS -c$CONNECTIONS -d$DURATION"
    read -r rps p50 p99 err < <(run_wrk "$THREADS" "$CONNECTIONS" "$DURATION" "${LUA[$s]}" "$target" "${lua_args[@]}")
    log "N=$n $db: ${LABEL[$s]}: -t1 -c1 -d$UNLOADED_DURATION"
    read -r _ up50 up99 uerr < <(run_wrk 1 1 "$UNLOADED_DURATION" "${LUA[$s]}" "$target" "${lua_args[@]}")
    [[ $err == 0 && $uerr == 0 ]] || log "N=$n $db: ${LABEL[$s]}: $err + $uerr errors (non-2xx, timeouts or socket errors)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$db" "${LABEL[$s]}" \
      "$rps" "$(ms "$p50")" "$(ms "$p99")" "$err" "$(ms "$up50")" "$(ms "$up99")" "$uerr" "$bytes" "$wire" >>"$ROWS"
  done

  local hwm
  hwm=$(awk '/^VmHWM:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER_PID/status")
  printf '%s\t%s\t%s\n' "$n" "$db" "$hwm" >>"$MEMORY"
  log "N=$n $db: peak memory (VmHWM) $hwm"

  stop_server
  [[ $db == postgres ]] && drop_pg_db
  [[ $db == sqlite ]] && rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"
  return 0
}

log "sizes: $SIZES; databases: $DATABASES; scenarios: $SCENARIOS"
log "Accept-Encoding: ${BENCH_ACCEPT_ENCODING:-none}"
log "load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP); unloaded: wrk -t1 -c1 -d$UNLOADED_DURATION"
for n in $SIZES; do
  for db in $DATABASES; do
    bench_one "$n" "$db"
  done
done

# ------------------------------------------------------------------ table --
echo
echo "wish-api benchmark: $(nproc) CPUs shared by wrk and the server ($WORKERS workers); loopback"
echo "loaded: wrk -t$THREADS -c$CONNECTIONS -d$DURATION; unloaded: -t1 -c1 -d$UNLOADED_DURATION; latencies in ms"
echo "Accept-Encoding: ${BENCH_ACCEPT_ENCODING:-none (uncompressed answers)}; body bytes: one answer, uncompressed; wire bytes: as sent"
echo "PostgreSQL sslmode: ${PG_SSLMODE:-driver default}"
echo "(a) is the first 500 facilities only: the API caps 'first' at 500"
echo
python3 - "$ROWS" "$MEMORY" <<'EOF'
import sys
head = ["N", "database", "scenario", "req/s", "p50", "p99", "errors",
        "1-conn p50", "1-conn p99", "1-conn err", "body bytes", "wire bytes"]
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
full = [head] + [r for r in rows if len(r) == len(head)]
width = [max(len(r[i]) for r in full) for i in range(len(head))]
for i in range(3):
    width[i] = max([width[i]] + [len(r[i]) for r in rows])


def show(r):
    left = [c.ljust(width[i]) for i, c in enumerate(r[:3])]
    if len(r) != len(head):  # a scenario that was not available
        return "  ".join(left + r[3:])
    return "  ".join(left + [c.rjust(width[i + 3]) for i, c in enumerate(r[3:])])


print(show(head))
print("  ".join("-" * w for w in width))
for r in rows:
    print(show(r))
print()
print("peak server memory (VmHWM, after all scenarios):")
for line in open(sys.argv[2]):
    n, db, hwm = line.rstrip("\n").split("\t")
    print(f"  N={n:<7} {db:<9} {hwm}")
EOF

#!/usr/bin/env bash
# wish-api's cached answers against the fastest an actix-web handler serves
# the same bytes, in one command:
#
#   bash bench/cached.sh
#
# Makes a PostgreSQL database of N facilities (BENCH_N, default 5,000),
# starts the release server with its response cache (answers kept by the
# data version that PostgreSQL pushes, so a cached answer costs no database
# round trip), asks it scenarios (b) and (c) once to fill the cache, and
# starts bench/baseline (an actix-web handler answering every request with
# the bytes wish-api answered) with each answer. Then loads each scenario on
# both in turn (BENCH_ROUNDS rounds, the order alternating) and prints the
# medians with wish-api's share of the baseline's rate (target: 0.50 or
# more, within a factor of two). See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)

N=${BENCH_N:-5000}
SCENARIOS=${BENCH_SCENARIOS:-"b c"}
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
WORKERS=${BENCH_WORKERS:-2}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_URL=${PG_URL%/}
PG_SSLMODE=${BENCH_PG_SSLMODE-disable}
PG_CLUSTER=${BENCH_PG_CLUSTER:-"15 main"}
WISH_BIN=${WISH_BIN:-$REPO_ROOT/target/release/wish-api}
BASELINE_BIN=${BASELINE_BIN:-$REPO_ROOT/target/release/wish-bench-baseline}

LOG_PREFIX=cached
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

# shellcheck disable=SC2016  # $slug is GraphQL, not shell
declare -A QUERY=(
  [b]='query($slug: String!) { facility(slug: $slug) { name visits(first: 10) { totalCount nodes { visitedOn participants { name } } } } }'
  [c]='{ facilities(filter: {countryCode: ["BE"]}, orderBy: [NAME_ASC], first: 20) { totalCount nodes { id name city } } }'
)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wish-cached.XXXXXX")
WISH_PID=""
BASELINE_PIDS=()
PG_DB=""
cleanup() {
  local status=$? pid
  stop "$WISH_PID"
  for pid in "${BASELINE_PIDS[@]}"; do stop "$pid"; done
  drop_database "$PG_DB"
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tools python3 curl psql cmp wrk:wrk
for s in $SCENARIOS; do
  [[ -n ${QUERY[$s]:-} ]] || die "unknown scenario '$s' in BENCH_SCENARIOS (known: b c)"
done
if [[ ! -x $WISH_BIN || ! -x $BASELINE_BIN ]]; then
  log "building the release binaries (cargo build --release)"
  (cd "$REPO_ROOT" && cargo build --release --locked -p wish-api -p wish-bench-baseline)
fi
ensure_postgres

PG_DB="wish_cached_$$"
url=$(make_database "$PG_DB" "$N")
slug=$(busiest_slug "$PG_DB")

port=$(free_port)
wish_url="http://127.0.0.1:$port/graphql"
log "start wish-api ($WORKERS workers, response cache on)"
"$WISH_BIN" serve --bind "127.0.0.1:$port" --database-url "$url" --demo-data false \
  --workers "$WORKERS" --rate-limit-anonymous 0 --rate-limit-token 0 --log warn >"$WORK/wish.log" 2>&1 &
WISH_PID=$!
wait_ready "$WISH_PID" "$wish_url" "$WORK/wish.log" wish-api

declare -A BASELINE_URL
for s in $SCENARIOS; do
  body_of "${QUERY[$s]}" "{\"slug\": \"$slug\"}" >"$WORK/$s.json"
  check "wish-api $s" "$wish_url" "$WORK/$s.json" "$WORK/$s-first.out"
  check "wish-api $s" "$wish_url" "$WORK/$s.json" "$WORK/$s-answer.out"
  cmp -s "$WORK/$s-first.out" "$WORK/$s-answer.out" || die "$s: two answers in a row differ"
  port=$(free_port)
  "$BASELINE_BIN" "127.0.0.1:$port" "$WORK/$s-answer.out" "$WORKERS" >"$WORK/baseline-$s.log" 2>&1 &
  BASELINE_PIDS+=("$!")
  BASELINE_URL[$s]="http://127.0.0.1:$port/graphql"
  wait_ready "$!" "${BASELINE_URL[$s]}" "$WORK/baseline-$s.log" "baseline $s"
  check "baseline $s" "${BASELINE_URL[$s]}" "$WORK/$s.json" "$WORK/$s-baseline.out"
  cmp -s "$WORK/$s-answer.out" "$WORK/$s-baseline.out" || die "$s: the baseline answers other bytes"
  log "$s: both answer the same $(wc -c <"$WORK/$s-answer.out") bytes"
done

ROWS="$WORK/rows.tsv"
: >"$ROWS"
log "scenarios: $SCENARIOS; $ROUNDS rounds of wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP)"
for round in $(seq "$ROUNDS"); do
  if ((round % 2)); then order="baseline wish"; else order="wish baseline"; fi
  for s in $SCENARIOS; do
    for server in $order; do
      target=$wish_url
      [[ $server == baseline ]] && target=${BASELINE_URL[$s]}
      wrk_post "$WARMUP" "$target" "$WORK/$s.json" >/dev/null
      read -r rps p50 p99 err < <(wrk_post "$DURATION" "$target" "$WORK/$s.json")
      log "round $round $s $server: $rps req/s, p50 $p50 us, p99 $p99 us, $err errors"
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$server" "$rps" "$p50" "$p99" "$err" >>"$ROWS"
    done
  done
done

echo
echo "wish-api's cached answers against an actix-web handler returning the same bytes; N=$N on PostgreSQL"
echo "$(nproc) CPUs shared by wrk and the servers; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; medians of $ROUNDS rounds, order alternating"
echo
python3 - "$ROWS" <<'PY'
import statistics, sys
from collections import defaultdict
labels = {"b": "(b) facility by slug + visits", "c": "(c) BE by name, 20, count"}
runs, errors = defaultdict(list), defaultdict(int)
for line in open(sys.argv[1]):
    s, server, rps, p50, p99, err = line.split("\t")
    runs[(s, server)].append((float(rps), int(p50), int(p99)))
    errors[s] += int(err)
head = ["query", "baseline req/s", "wish req/s", "share", "baseline p99 ms", "wish p99 ms", "errors"]
rows = []
for s in sorted({s for s, _ in runs}):
    base, wish = runs[(s, "baseline")], runs[(s, "wish")]
    br, wr = (statistics.median(r[0] for r in x) for x in (base, wish))
    bp, wp = (statistics.median(r[2] for r in x) / 1000 for x in (base, wish))
    rows.append([labels[s], f"{br:,.0f}", f"{wr:,.0f}", f"{wr / br:.2f}", f"{bp:.2f}", f"{wp:.2f}", str(errors[s])])
width = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
fmt = lambda r: "  ".join(c.ljust(width[i]) if i == 0 else c.rjust(width[i]) for i, c in enumerate(r))
print(fmt(head))
print("  ".join("-" * w for w in width))
for r in rows:
    print(fmt(r))
print()
print("share: wish-api's requests per second over the baseline's (target 0.50 or more).")
PY

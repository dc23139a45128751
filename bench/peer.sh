#!/usr/bin/env bash
# wish-api without its response cache against PostGraphile, the peer a user
# would pick instead, on the very same PostgreSQL database, in one command:
#
#   bash bench/peer.sh
#
# For each size N (BENCH_SIZES): make a fresh PostgreSQL database, run
# `wish-api migrate` and bench/generate.py, start both servers on loopback
# (wish-api with --response-cache-mb 0; PostGraphile 4 with the connection
# filter and simplify-inflector plugins, production flags, pinned in
# bench/peer/package.json), check that each asks the same question and gets
# the same answer, then load each query on each server in turn
# (BENCH_ROUNDS rounds, the order alternating every round) and print the
# medians side by side with their ratios. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)

SIZES=${BENCH_SIZES:-"5000 50000"}
SCENARIOS=${BENCH_SCENARIOS:-"b c a"}
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-3s}
WORKERS=${BENCH_WORKERS:-2}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_URL=${PG_URL%/}
PG_SSLMODE=${BENCH_PG_SSLMODE-disable}
PG_CLUSTER=${BENCH_PG_CLUSTER:-"15 main"}
WISH_BIN=${WISH_BIN:-$REPO_ROOT/target/release/wish-api}
PEER_DIR="$BENCH_DIR/peer"

LOG_PREFIX=peer
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

# The same three questions in each server's schema. wish-api orders a
# facility's visits newest first and PostGraphile by key; both read ten.
# shellcheck disable=SC2016  # $slug is GraphQL, not shell
declare -A WISH_QUERY=(
  [a]='{ facilities(first: 500) { nodes { id name latitude longitude facilityType capacity } } }'
  [b]='query($slug: String!) { facility(slug: $slug) { name visits(first: 10) { totalCount nodes { visitedOn participants { name } } } } }'
  [c]='{ facilities(filter: {countryCode: ["BE"]}, orderBy: [NAME_ASC], first: 20) { totalCount nodes { id name city } } }'
)
# shellcheck disable=SC2016
declare -A PEER_QUERY=(
  [a]='{ facilities(first: 500) { nodes { id name latitude longitude facilityType capacity } } }'
  [b]='query($slug: String!) { facilityBySlug(slug: $slug) { name visits(first: 10) { totalCount nodes { visitedOn visitParticipants { nodes { stakeholder { name } } } } } } }'
  [c]='{ facilities(filter: {countryCode: {equalTo: "BE"}}, orderBy: NAME_ASC, first: 20) { totalCount nodes { id name city } } }'
)
declare -A LABEL=(
  [a]="(a) first 500 facilities, 6 fields"
  [b]="(b) one facility by slug, 10 visits, participants"
  [c]="(c) Belgian facilities by name, first 20, totalCount"
)

# ---------------------------------------------------------------- cleanup --
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wish-peer.XXXXXX")
WISH_PID=""
PEER_PID=""
PG_DB=""


cleanup() {
  local status=$?
  stop "$WISH_PID"
  stop "$PEER_PID"
  WISH_PID="" PEER_PID=""
  drop_database "$PG_DB"
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ----------------------------------------------------------------- checks --
ensure_tools python3 curl psql node:nodejs npm:npm wrk:wrk
for s in $SCENARIOS; do
  [[ -n ${LABEL[$s]:-} ]] || die "unknown scenario '$s' in BENCH_SCENARIOS (known: a b c)"
done
if [[ ! -x $WISH_BIN ]]; then
  [[ $WISH_BIN == "$REPO_ROOT/target/release/wish-api" ]] || die "WISH_BIN=$WISH_BIN is not an executable"
  log "building the release binary (cargo build --release)"
  (cd "$REPO_ROOT" && cargo build --release --locked)
fi
if [[ ! -x $PEER_DIR/node_modules/.bin/postgraphile ]]; then
  log "installing PostGraphile (npm ci in bench/peer)"
  (cd "$PEER_DIR" && npm ci --no-audit --no-fund --silent)
fi
ensure_postgres

# ---------------------------------------------------------------- helpers --
# What both answers must agree on, so that the two servers did the same work.
summary() { # scenario answer-file
  python3 - "$1" "$2" <<'EOF'
import json, sys
s, d = sys.argv[1], json.load(open(sys.argv[2]))["data"]
if s == "a":
    # wish-api lists by name, PostGraphile by key (its cheapest order): the
    # same number of rows, not the same rows.
    print(len(d["facilities"]["nodes"]))
elif s == "b":
    f = d.get("facility") or d.get("facilityBySlug")
    print(f["name"], f["visits"]["totalCount"], len(f["visits"]["nodes"]))
else:
    f = d["facilities"]
    print(f["totalCount"], len(f["nodes"]))
EOF
}

# Runs wrk; prints "rps p50_us p99_us errors".

ROWS="$WORK/rows.tsv"
: >"$ROWS"

# ------------------------------------------------------------------- runs --
bench_size() { # n
  local n=$1 url wish_port peer_port wish_url peer_url slug
  PG_DB="wish_peer_${n}_$$"
  url=$(make_database "$PG_DB" "$n")
  slug=$(busiest_slug "$PG_DB")

  wish_port=$(free_port)
  peer_port=$(free_port)
  wish_url="http://127.0.0.1:$wish_port/graphql"
  peer_url="http://127.0.0.1:$peer_port/graphql"
  log "N=$n: start wish-api ($WORKERS workers, no response cache) and PostGraphile"
  "$WISH_BIN" serve --bind "127.0.0.1:$wish_port" --database-url "$url" --demo-data false \
    --workers "$WORKERS" --rate-limit-anonymous 0 --rate-limit-token 0 --response-cache-mb 0 \
    --log warn >"$WORK/wish.log" 2>&1 &
  WISH_PID=$!
  # Production flags as PostGraphile's documentation gives them: no query
  # log, no watch, no GraphiQL, errors without detail.
  NODE_ENV=production "$PEER_DIR/node_modules/.bin/postgraphile" \
    --connection "$PG_URL/$PG_DB" --schema public --host 127.0.0.1 --port "$peer_port" \
    --append-plugins @graphile-contrib/pg-simplify-inflector,postgraphile-plugin-connection-filter \
    --disable-query-log --dynamic-json --no-setof-functions-contain-nulls \
    --extended-errors none --disable-graphiql >"$WORK/peer.log" 2>&1 &
  PEER_PID=$!
  wait_ready "$WISH_PID" "$wish_url" "$WORK/wish.log" wish-api
  wait_ready "$PEER_PID" "$peer_url" "$WORK/peer.log" PostGraphile

  local s
  for s in $SCENARIOS; do
    body_of "${WISH_QUERY[$s]}" "{\"slug\": \"$slug\"}" >"$WORK/wish-$s.json"
    body_of "${PEER_QUERY[$s]}" "{\"slug\": \"$slug\"}" >"$WORK/peer-$s.json"
    check "wish-api $s" "$wish_url" "$WORK/wish-$s.json" "$WORK/wish-answer.json"
    check "PostGraphile $s" "$peer_url" "$WORK/peer-$s.json" "$WORK/peer-answer.json"
    local mine theirs
    mine=$(summary "$s" "$WORK/wish-answer.json")
    theirs=$(summary "$s" "$WORK/peer-answer.json")
    [[ $mine == "$theirs" ]] || die "$s: the answers differ (wish-api: $mine; PostGraphile: $theirs)"
    log "N=$n $s: both answer $mine"
  done

  local round server rps p50 p99 err order
  for round in $(seq "$ROUNDS"); do
    if ((round % 2)); then order="peer wish"; else order="wish peer"; fi
    for s in $SCENARIOS; do
      for server in $order; do
        local target=$wish_url
        [[ $server == peer ]] && target=$peer_url
        [[ $WARMUP == 0 || $WARMUP == 0s ]] || wrk_post "$WARMUP" "$target" "$WORK/$server-$s.json" >/dev/null
        read -r rps p50 p99 err < <(wrk_post "$DURATION" "$target" "$WORK/$server-$s.json")
        log "N=$n round $round $s $server: $rps req/s, p50 $p50 us, p99 $p99 us, $err errors"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$s" "$server" "$rps" "$p50" "$p99" "$err" >>"$ROWS"
      done
    done
  done

  stop "$WISH_PID"
  stop "$PEER_PID"
  WISH_PID="" PEER_PID=""
  drop_database "$PG_DB"
  PG_DB=""
}

log "sizes: $SIZES; scenarios: $SCENARIOS; $ROUNDS rounds of wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP)"
for n in $SIZES; do
  bench_size "$n"
done

# ------------------------------------------------------------------ table --
echo
echo "wish-api (response cache off) against PostGraphile $(node -p 'require(process.argv[1]).version' "$PEER_DIR/node_modules/postgraphile/package.json"), same PostgreSQL database"
echo "$(nproc) CPUs shared by wrk, both servers and PostgreSQL; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; medians of $ROUNDS rounds, order alternating"
echo
python3 - "$ROWS" <<'EOF'
import statistics, sys
from collections import defaultdict
labels = {
    "a": "(a) first 500, 6 fields",
    "b": "(b) facility by slug + visits",
    "c": "(c) BE by name, 20, count",
}
runs = defaultdict(list)
errors = defaultdict(int)
for line in open(sys.argv[1]):
    n, s, server, rps, p50, p99, err = line.split("\t")
    runs[(int(n), s, server)].append((float(rps), int(p50), int(p99)))
    errors[(int(n), s, server)] += int(err)
head = ["N", "query", "peer req/s", "wish req/s", "ratio", "peer p99 ms", "wish p99 ms", "p99 ratio", "errors"]
rows = []
for (n, s, server) in sorted(runs):
    if server != "peer":
        continue
    peer, wish = runs[(n, s, "peer")], runs[(n, s, "wish")]
    if not wish:
        continue
    pr = statistics.median(r[0] for r in peer)
    wr = statistics.median(r[0] for r in wish)
    pp = statistics.median(r[2] for r in peer) / 1000
    wp = statistics.median(r[2] for r in wish) / 1000
    rows.append([str(n), labels[s], f"{pr:,.0f}", f"{wr:,.0f}", f"{wr / pr:.2f}x",
                 f"{pp:.1f}", f"{wp:.1f}", f"{wp / pp:.2f}", str(errors[(n, s, 'peer')] + errors[(n, s, 'wish')])])
width = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
fmt = lambda r: "  ".join(c.ljust(width[i]) if i < 2 else c.rjust(width[i]) for i, c in enumerate(r))
print(fmt(head))
print("  ".join("-" * w for w in width))
for r in rows:
    print(fmt(r))
print()
print("ratio: wish-api's requests per second over PostGraphile's (target 2x or more);")
print("p99 ratio: wish-api's p99 over PostGraphile's (target 0.50 or less).")
EOF

# Shared by the benchmark scripts (sourced, not run): a free port,
# PostgreSQL started when it does not answer, a generated database, servers
# started and stopped, GraphQL bodies checked and loaded with wrk.
# Each script sets LOG_PREFIX, PG_URL, PG_SSLMODE, PG_CLUSTER, WISH_BIN, WORK,
# THREADS and CONNECTIONS before using these.

log() { printf '[%s %s] %s\n' "${LOG_PREFIX:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# Each command named must be there; one given as command:package is
# installed from Debian's packages when it is not, so that a script runs on
# a fresh machine.
ensure_tools() { # command[:package] ...
  local spec missing=() packages=()
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null && continue
    [[ $spec == *:* ]] || die "${spec} is needed"
    missing+=("${spec%%:*}")
    packages+=("${spec#*:}")
  done
  ((${#packages[@]})) || return 0
  log "installing ${packages[*]}"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
  for spec in "${missing[@]}"; do
    command -v "$spec" >/dev/null || die "could not install $spec"
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts the local cluster when PostgreSQL at $PG_URL does not answer.
ensure_postgres() {
  psql -X -q -d "$PG_URL/postgres" -c 'select 1' >/dev/null 2>&1 && return 0
  log "starting PostgreSQL ($PG_CLUSTER)"
  # shellcheck disable=SC2086  # "15 main" is two arguments
  pg_ctlcluster --skip-systemctl-redirect $PG_CLUSTER start || true
  for _ in $(seq 30); do
    psql -X -q -d "$PG_URL/postgres" -c 'select 1' >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "PostgreSQL is not reachable at $PG_URL"
}

# Reads the BENCH line that bench/wrk/*.lua print in done(); prints
# "requests rps p50_us p99_us errors".
wrk_summary() { # wrk-output-file
  python3 - "$1" <<'PY'
import re, sys
m = re.search(r"^BENCH (.*)$", open(sys.argv[1]).read(), re.M)
if not m:
    sys.exit(1)
v = {k: int(x) for k, x in (p.split("=") for p in m.group(1).split())}
errors = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
rps = v["requests"] / (v["duration_us"] / 1e6) if v["duration_us"] else 0.0
print(f'{v["requests"]} {rps:.1f} {v["p50_us"]} {v["p99_us"]} {errors}')
PY
}

# Stops a server: TERM, then KILL after 5 s.
stop() { # pid
  [[ -n $1 ]] || return 0
  kill "$1" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Ready once a GraphQL POST of `{ __typename }` succeeds (PostGraphile has no GET).
wait_ready() { # pid url log name
  for _ in $(seq 600); do
    kill -0 "$1" 2>/dev/null || { tail -n 30 "$3" >&2; die "$4 exited before it was ready"; }
    curl -fsS -o /dev/null -H 'Content-Type: application/json' --data '{"query":"{ __typename }"}' "$2" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 30 "$3" >&2
  die "$4 was not ready after 60 s"
}

body_of() { # query variables-json
  python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$1" "$2"
}

# POSTs a body; dies unless the answer is 200 with data and without errors.
check() { # name url body-file out
  local code
  code=$(curl -sS -o "$4" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$3" "$2") \
    || die "$1: curl failed"
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(1 if "errors" in d or not d.get("data") else 0)' "$4" 2>/dev/null && [[ $code == 200 ]] \
    || { head -c 2000 "$4" >&2; echo >&2; die "$1: HTTP $code, not a clean answer"; }
}

# Loads a GraphQL POST of body-file on url; prints "rps p50_us p99_us errors".
wrk_post() { # duration url body-file
  local out="$WORK/wrk.out"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1" --timeout 30s --latency -s "$BENCH_DIR/wrk/post.lua" "$2" -- "$3" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed"; }
  local requests rest
  read -r requests rest < <(wrk_summary "$out") || { cat "$out" >&2; die "no BENCH line in wrk's output"; }
  echo "$rest"
}

# Makes PostgreSQL database $1 with the schema (`wish-api migrate`) and
# bench/generate.py's N = $2 facilities; prints its URL. The caller drops it.
make_database() { # name n
  psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL/postgres" -c "CREATE DATABASE \"$1\"" >/dev/null
  local url="$PG_URL/$1${PG_SSLMODE:+?sslmode=$PG_SSLMODE}"
  log "N=$2: migrate and generate"
  "$WISH_BIN" migrate --database-url "$url" >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "migrate failed"; }
  python3 "$BENCH_DIR/generate.py" --n "$2" --database-url "$url" >&2
  psql -X -q -d "$PG_URL/$1" -c 'VACUUM ANALYZE' >/dev/null
  echo "$url"
}

# Drops PostgreSQL database $1 if it is there; says so when it cannot.
drop_database() { # name
  [[ -n $1 ]] || return 0
  psql -X -q -d "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1 \
    || log "could not drop PostgreSQL database $1"
}

# The facility with the most visits in database $1: (b) reads a full page of ten.
busiest_slug() { # database
  psql -X -A -t -d "$PG_URL/$1" -c \
    'SELECT f.slug FROM facility f JOIN visit v ON v.facility_id = f.id GROUP BY f.id ORDER BY count(*) DESC, f.id LIMIT 1'
}

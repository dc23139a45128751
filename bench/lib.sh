# Shared by the benchmark scripts (sourced, not run): a free port,
# PostgreSQL started when it does not answer, and wrk's BENCH line read.
# Each script sets LOG_PREFIX and PG_URL, PG_CLUSTER before using these.

log() { printf '[%s %s] %s\n' "${LOG_PREFIX:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

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

#!/usr/bin/env bash
# Bulk import at scale: `wish-api import` of N facilities (default 50,000)
# from one CSV file, into an empty database (N creates), again (N unchanged),
# and with every capacity changed (N updates); on SQLite and on PostgreSQL.
#
#   cargo build --release && bash bench/import.sh
#   N=50000 WISH_BIN=target/release/wish-api PG_URL=postgres://postgres@127.0.0.1:5432 bash bench/import.sh
#
# Prints the wall time and peak memory (GNU time) of each run.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-50000}
BIN=${WISH_BIN:-target/release/wish-api}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d)
db_name="wish_import_bench_$$"
trap 'rm -rf "$work"; psql -w "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $db_name" >/dev/null 2>&1 || true' EXIT

generate() { # $1: capacity offset
  python3 - "$N" "$1" <<'PY'
import csv, random, sys
n, offset = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(20261128)
countries = ["BE", "NL", "FR", "DE", "ES", "IT", "PT", "NO", "SE", "FI", "DK", "IE", "GB", "PL", "CZ", "AT"]
types = ["detention_house", "transition_house", "youth_small_scale", "halfway_house", "open_prison"]
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["name", "country_code", "city", "latitude", "longitude", "facility_type", "capacity", "opened_year",
            "operator", "population", "security_level", "status", "managed_by", "target_age", "regime",
            "social_enterprise", "source_url"])
for i in range(n):
    w.writerow([f"Facility {i:06d}", rng.choice(countries), f"City {i % 997}",
                round(rng.uniform(36, 70), 5), round(rng.uniform(-9, 30), 5), rng.choice(types),
                rng.randint(4, 60) + offset, rng.randint(1990, 2026), "Ministry of Justice", "mixed", "",
                "open", "national_prison_administration", "adults", "semi_open", "false",
                f"https://example.org/facility/{i}"])
PY
}

generate 0 > "$work/facilities.csv"
generate 1 > "$work/changed.csv"
echo "N=$N rows, $(du -h "$work/facilities.csv" | cut -f1) CSV; binary $BIN"

run() { # $1: label, $2: database URL, $3: file
  /usr/bin/time -f "  $1: %e s wall, %M KiB peak" \
    "$BIN" import --database-url "$2" "$3" 2>&1 >/dev/null | grep -E "^  |problem" || true
}

for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    url="sqlite://$work/import.db?mode=rwc"
  else
    psql -w "$PG_URL/postgres" -qc "CREATE DATABASE $db_name" >/dev/null
    url="$PG_URL/$db_name"
  fi
  echo "$backend:"
  "$BIN" migrate --database-url "$url" 2>/dev/null
  run "create $N" "$url" "$work/facilities.csv"
  run "again, unchanged" "$url" "$work/facilities.csv"
  run "update $N" "$url" "$work/changed.csv"
done

#!/usr/bin/env python3
"""Deterministic benchmark data for wish-api, written straight into a migrated database.

    python3 bench/generate.py --n 50000 --database-url sqlite:///abs/path/bench.db?mode=rwc
    python3 bench/generate.py --n 50000 --database-url postgres://postgres@127.0.0.1:5432/wish_bench

Writes N facilities (each applies each RESCALED principle with odds of one
half), 3 to 7 visits per facility (about five), a pool of N/25 stakeholders
(at least 20) of whom 0 to 3 take part in each visit, and four knowledge
workshops that about a third of the visits belong to. Everything comes from
one fixed seed: the same N gives the same rows on both databases.

The database must be freshly migrated (`wish-api migrate`) and hold no
facility, visit or stakeholder yet: the generator sets the ids itself.

SQLite is written through the `sqlite3` module in one transaction; PostgreSQL
by streaming `COPY ... FROM STDIN (FORMAT csv)` blocks into one `psql`
process, in one transaction, then moving the id sequences past the new rows
and running VACUUM ANALYZE, as autovacuum would soon after such a load: the
statistics guide the planner, and the visibility map lets counts use
index-only scans (without it, `totalCount` of one country at N = 50,000 reads
about 1,100 heap pages per request instead of none). SQLite is not analysed:
nothing in the application does it either.

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid

SEED = 20261128

# European ISO 3166-1 alpha-2 codes, with a rough centre to scatter around.
COUNTRIES = {
    "AT": (47.6, 14.1), "BE": (50.6, 4.6), "BG": (42.7, 25.3), "HR": (45.3, 16.0),
    "ME": (42.7, 19.4), "CZ": (49.8, 15.5), "DK": (56.0, 9.5), "EE": (58.7, 25.5),
    "FI": (62.5, 25.8), "FR": (46.6, 2.4), "DE": (51.1, 10.4), "GR": (39.1, 22.0),
    "HU": (47.2, 19.5), "IE": (53.2, -8.0), "IT": (42.8, 12.6), "LV": (56.9, 24.6),
    "LT": (55.3, 23.9), "LU": (49.8, 6.1), "MT": (35.9, 14.4), "NL": (52.2, 5.5),
    "PL": (52.0, 19.1), "PT": (39.6, -8.0), "RO": (45.9, 24.9), "SK": (48.7, 19.7),
    "SI": (46.1, 14.8), "ES": (40.4, -3.7), "SE": (60.1, 15.6), "NO": (61.0, 9.0),
    "CH": (46.8, 8.2), "GB": (53.0, -1.5), "AL": (41.2, 20.1),
}
COUNTRY_CODES = sorted(COUNTRIES)

FACILITY_TYPES = [
    ("detention_house", 40), ("transition_house", 15), ("youth_small_scale", 10),
    ("community_custody_unit", 8), ("halfway_house", 10), ("open_prison", 8),
    ("mother_child_unit", 4), ("other", 5),
]
FACILITY_STATUSES = [("open", 80), ("planned", 12), ("closed", 8)]
MANAGED_BY = ["national_prison_administration", "other_public", "ngo", "private"]
POPULATIONS = ["men", "women", "mixed", "youth"]
TARGET_AGES = ["adults", "youth", "young_adults", "all"]
REGIMES = ["open", "semi_open", "closed"]
SECURITY_LEVELS = ["low", "medium", "high"]
PRINCIPLES = ["small_scale", "differentiation", "community_integration"]
STAKEHOLDER_KINDS = ["practice", "policy", "research", "lived_experience", "education", "community"]

NAME_PREFIXES = [
    "Detentiehuis", "Transitiehuis", "Maison de detention", "Casa di reclusione",
    "Hostel", "Haus", "Centro", "Kriminalvardsanstalt", "Vaznice", "Zaklad",
    "Open Prison", "Halfway House", "Unit",
]
SYLLABLES = [
    "an", "ber", "bro", "del", "dor", "el", "fen", "gar", "hol", "ka", "kor", "lan",
    "lie", "mar", "mon", "na", "ost", "pa", "ri", "ro", "san", "sel", "ta", "ter",
    "ul", "ven", "vil", "wa", "zee", "burg", "dam", "gen", "heim", "ville", "stad",
]
FIRST_NAMES = ["Anna", "Bram", "Chiara", "David", "Eva", "Filip", "Greta", "Hugo",
               "Ines", "Jonas", "Katrin", "Luc", "Marta", "Nils", "Olga", "Pieter"]
LAST_NAMES = ["Janssens", "Dubois", "Rossi", "Muller", "Novak", "Kowalski", "Silva",
              "Garcia", "Nielsen", "Virtanen", "Murphy", "Papadopoulos", "Horvat"]
ORGANISATIONS = ["Ministry of Justice", "University", "Prison Service", "NGO Rescaled",
                 "Probation Service", "Municipality", None]
WORKSHOPS = [
    ("bench-workshop-be", "Knowledge workshop Belgium", "BE"),
    ("bench-workshop-nl", "Knowledge workshop Netherlands", "NL"),
    ("bench-workshop-pt", "Knowledge workshop Portugal", "PT"),
    ("bench-workshop-cz", "Knowledge workshop Czechia", "CZ"),
]

EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
FIRST_VISIT = dt.date(2015, 1, 1)

FACILITY_COLS = [
    "id", "uuid", "slug", "name", "country_code", "city", "latitude", "longitude", "facility_type",
    "status", "capacity", "opened_year", "operator", "managed_by", "population", "target_age",
    "regime", "security_level", "social_enterprise", "description", "website", "sources",
    "maintained_by_id", "sort_name", "search_text", "version", "created_at", "updated_at",
]
STAKEHOLDER_COLS = [
    "id", "uuid", "name", "kind", "organisation", "country_code", "email", "phone", "sort_name",
    "search_text", "version", "created_at", "updated_at",
]
WORKSHOP_COLS = ["id", "uuid", "key", "name", "country_code", "version", "created_at", "updated_at"]
VISIT_COLS = ["id", "uuid", "facility_id", "visited_on", "workshop_id", "summary", "version",
              "created_at", "updated_at"]
PARTICIPANT_COLS = ["visit_id", "stakeholder_id"]


def fold(text: str) -> str:
    """Lower-case ASCII, as the API's `fold` gives for ASCII input (every name here is ASCII)."""
    return text.lower()


def slugify(name: str) -> str:
    out = []
    for c in fold(name):
        if c.isascii() and c.isalnum():
            out.append(c)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")[:120].strip("-")


_DAYS: list[str] = []


def timestamp(seconds: int) -> str:
    """UTC ISO 8601 with a Z, which both SQLite (as text) and PostgreSQL (timestamptz) take."""
    days, rest = divmod(seconds, 86400)
    while len(_DAYS) <= days:
        _DAYS.append((EPOCH + dt.timedelta(days=len(_DAYS))).strftime("%Y-%m-%d"))
    return f"{_DAYS[days]}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}Z"


def sources(url):
    """The `sources` column of a facility with this one source (JSON)."""
    return json.dumps([{"url": url}] if url else [])


def pick_weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def maybe(rng: random.Random, value, p_null: float):
    return None if rng.random() < p_null else value


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def uuid7(rng: random.Random, ms: int) -> uuid.UUID:
    """A UUID v7 made at `ms` (milliseconds since 1970), its random bits from
    `rng`: the same n gives the same ids, in creation order like the server's."""
    rand = rng.getrandbits(74)
    value = (ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def generate(n: int):
    """Returns {table: (columns, rows)} in insertion order; same n, same rows."""
    rng = random.Random(SEED)
    ids = random.Random(SEED + 1)  # its own stream: the data stays what it was
    epoch_ms = int(EPOCH.timestamp() * 1000)

    workshops = [
        (i + 1, uuid7(ids, epoch_ms), key, name, cc, 1, timestamp(0), timestamp(0))
        for i, (key, name, cc) in enumerate(WORKSHOPS)
    ]

    n_stakeholders = max(20, n // 25)
    stakeholders = []
    for i in range(1, n_stakeholders + 1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {i}"
        org = rng.choice(ORGANISATIONS)
        cc = maybe(rng, rng.choice(COUNTRY_CODES), 0.1)
        search = "\n".join(fold(p) for p in (name, org) if p)
        stakeholders.append((
            i, uuid7(ids, epoch_ms + i * 1000), name, rng.choice(STAKEHOLDER_KINDS), org, cc,
            maybe(rng, f"person{i}@example.org", 0.3), maybe(rng, f"+32 2 555 {i:05d}", 0.6),
            fold(name), search, 1, timestamp(i), timestamp(i),
        ))

    rnd = rng.random

    def between(low: int, high: int) -> int:  # randint, without its overhead
        return low + int(rnd() * (high - low + 1))

    visit_days = [
        (FIRST_VISIT + dt.timedelta(days=d)).isoformat()
        for d in range((dt.date(2026, 11, 1) - FIRST_VISIT).days + 1)
    ]
    facilities = []
    principles = []
    visits = []
    participants = []
    visit_id = 0
    for fid in range(1, n + 1):
        cc = rng.choice(COUNTRY_CODES)
        lat0, lon0 = COUNTRIES[cc]
        lat = round(min(70.0, max(35.0, rng.gauss(lat0, 1.5))), 6)
        lon = round(min(30.0, max(-10.0, rng.gauss(lon0, 2.0))), 6)
        city = word(rng, rng.randint(2, 3))
        name = f"{rng.choice(NAME_PREFIXES)} {city} {word(rng, 2)} {fid}"
        slug = slugify(name)  # unique: the name ends with the id
        created = rng.randint(0, 60 * 86400)
        updated = created + rng.randint(0, 300 * 86400)
        if rng.random() < 0.03:  # a few facilities without a position
            lat = lon = None
        facilities.append((
            fid, uuid7(ids, epoch_ms + created * 1000), slug, name, cc, city, lat, lon,
            pick_weighted(rng, FACILITY_TYPES), pick_weighted(rng, FACILITY_STATUSES),
            maybe(rng, rng.randint(4, 80), 0.15), maybe(rng, rng.randint(1960, 2026), 0.3),
            maybe(rng, f"Operator {word(rng, 2)}", 0.5),
            maybe(rng, rng.choice(MANAGED_BY), 0.2), maybe(rng, rng.choice(POPULATIONS), 0.2),
            maybe(rng, rng.choice(TARGET_AGES), 0.3), maybe(rng, rng.choice(REGIMES), 0.3),
            maybe(rng, rng.choice(SECURITY_LEVELS), 0.4), maybe(rng, rng.random() < 0.2, 0.5),
            None,  # description (JSON) left empty
            maybe(rng, f"https://example.org/{slug}", 0.6),
            sources(maybe(rng, f"https://example.org/source/{fid}", 0.2)),
            None,  # maintained_by_id
            fold(name), fold(name) + "\n" + fold(city), 1, timestamp(created), timestamp(updated),
        ))
        for principle in PRINCIPLES:
            if rnd() < 0.5:
                principles.append((fid, principle))
        for _ in range(between(3, 7)):
            visit_id += 1
            day = visit_days[int(rnd() * len(visit_days))]
            workshop = between(1, len(WORKSHOPS)) if rnd() < 0.35 else None
            stamp = timestamp(updated + between(0, 86400))
            visits.append((visit_id, uuid7(ids, epoch_ms + visit_id), fid, day, workshop, None, 1, stamp, stamp))
            chosen = set()
            for _ in range(between(0, 3)):
                chosen.add(between(1, n_stakeholders))
            participants.extend((visit_id, sid) for sid in sorted(chosen))

    return {
        "knowledge_workshop": (WORKSHOP_COLS, workshops),
        "stakeholder": (STAKEHOLDER_COLS, stakeholders),
        "facility": (FACILITY_COLS, facilities),
        "facility_principle": (["facility_id", "principle"], principles),
        "visit": (VISIT_COLS, visits),
        "visit_participant": (PARTICIPANT_COLS, participants),
    }


CHECKED_EMPTY = ["facility", "facility_principle", "visit", "stakeholder", "visit_participant"]


def check_columns(data, table_columns) -> None:
    """Stops with a clear message when the schema no longer matches what this script writes:
    a column it writes is gone, or a NOT NULL column without a default is new to it."""
    problems = []
    for table, (cols, _) in data.items():
        actual = table_columns(table)  # {column: required (NOT NULL without default)}
        if not actual:
            problems.append(f"table {table} does not exist")
            continue
        problems += [f"{table}.{c} does not exist" for c in cols if c not in actual]
        problems += [f"{table}.{c} is required and not generated"
                     for c, required in actual.items() if required and c not in cols]
    if problems:
        sys.exit("generate.py: the schema has changed; update bench/generate.py:\n  "
                 + "\n  ".join(problems))


def write_sqlite(url: str, data) -> None:
    # sqlite:///abs/path.db?mode=rwc  |  sqlite://relative.db?mode=rwc  |  sqlite:relative.db
    rest = url[len("sqlite:"):]
    if rest.startswith("//"):
        rest = rest[2:]
    path = rest.split("?", 1)[0]
    if not path:
        sys.exit(f"generate.py: no file in {url}")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = OFF")  # this connection only

        def table_columns(table):
            # rows: cid, name, type, notnull, dflt_value, pk (an INTEGER PRIMARY KEY fills itself)
            return {r[1]: bool(r[3]) and r[4] is None and not r[5]
                    for r in conn.execute(f'PRAGMA table_info("{table}")')}

        check_columns(data, table_columns)
        for table in CHECKED_EMPTY + ["knowledge_workshop"]:
            if conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]:
                sys.exit(f"generate.py: table {table} is not empty; use a freshly migrated database")
        # The server stores a UUID as its 16 bytes in SQLite.
        sqlite3.register_adapter(uuid.UUID, lambda u: u.bytes)
        conn.execute("BEGIN")
        for table, (cols, rows) in data.items():
            marks = ", ".join("?" for _ in cols)
            names = ", ".join(f'"{c}"' for c in cols)
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


def csv_value(v):
    if v is None:
        return None  # csv writes it as an unquoted empty field: NULL in COPY csv
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, uuid.UUID):
        return str(v)
    return v


def postgres_stream(data) -> bytes:
    buf = io.StringIO()
    buf.write("\\set ON_ERROR_STOP on\nBEGIN;\n")
    for table in CHECKED_EMPTY + ["knowledge_workshop"]:
        buf.write(f'DO $$ BEGIN IF EXISTS (SELECT 1 FROM "{table}") THEN RAISE EXCEPTION '
                  f"'table {table} is not empty; use a freshly migrated database'; "
                  f"END IF; END $$;\n")
    for table, (cols, rows) in data.items():
        names = ", ".join(f'"{c}"' for c in cols)
        buf.write(f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv);\n')
        writer = csv.writer(buf, lineterminator="\n")
        for row in rows:
            writer.writerow([csv_value(v) for v in row])
        buf.write("\\.\n")
    for table in ["knowledge_workshop", "stakeholder", "facility", "visit"]:
        buf.write(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                  f'(SELECT max(id) FROM "{table}"));\n')
    buf.write("COMMIT;\n")
    for table in data:
        buf.write(f'VACUUM ANALYZE "{table}";\n')
    return buf.getvalue().encode()


def write_postgres(url: str, data) -> None:
    parsed = urllib.parse.urlsplit(url)
    if not parsed.path.strip("/"):
        sys.exit(f"generate.py: no database name in {url}")
    query = ("SELECT table_name, column_name, is_nullable = 'NO' AND column_default IS NULL "
             "FROM information_schema.columns WHERE table_schema = current_schema()")
    listing = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url,
         "-c", query],
        capture_output=True, text=True,
    )
    if listing.returncode != 0:
        sys.exit(f"generate.py: psql failed: {listing.stderr.strip()}")
    columns: dict = {}
    for line in listing.stdout.splitlines():
        table, column, required = line.split("\t")
        columns.setdefault(table, {})[column] = required == "t"
    check_columns(data, lambda table: columns.get(table, {}))

    proc = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-d", url],
        input=postgres_stream(data),
    )
    if proc.returncode != 0:
        sys.exit(f"generate.py: psql failed with status {proc.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of facilities")
    parser.add_argument("--database-url", required=True,
                        help="sqlite:///abs/file.db?mode=rwc or postgres://user@host:port/db")
    args = parser.parse_args()
    if args.n < 1:
        sys.exit("generate.py: --n must be at least 1")

    started = time.monotonic()
    data = generate(args.n)
    built = time.monotonic()
    if args.database_url.startswith("sqlite:"):
        write_sqlite(args.database_url, data)
    elif args.database_url.startswith(("postgres://", "postgresql://")):
        write_postgres(args.database_url, data)
    else:
        sys.exit(f"generate.py: unsupported database URL {args.database_url}")
    counts = ", ".join(f"{len(rows)} {table}" for table, (_, rows) in data.items())
    print(f"generated {counts} in {built - started:.1f}s, written in "
          f"{time.monotonic() - built:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()

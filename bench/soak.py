#!/usr/bin/env python3
"""Soak test of the release server on PostgreSQL.

For --seconds (default 60), anonymous readers, partner writers (updates with
expectedVersion that race on the same facilities) and an editor importing CSV
batches hit one server at once. Afterwards it checks, through the API and
directly in the database, that every acknowledged write is there exactly
once, that every failed write was a CONFLICT, that nothing answered 5xx, and
that the server's memory did not keep growing. Exit status 1 on any failure.

Standard library only; needs `psql` and a PostgreSQL that accepts
`--pg-url` without a password prompt. See bench/README.md, "Soak test".
"""

import argparse
import base64
import collections
import http.client
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

SOAK_FACILITIES = 20
IMPORT_ROWS = 200
IMPORT_EVERY_S = 5.0
CSV_HEADER = (
    "name,country_code,city,latitude,longitude,facility_type,capacity,opened_year,"
    "operator,population,security_level,status,managed_by,target_age,regime,"
    "social_enterprise,source_url"
)

Q_LIST = "{ facilities(first: 50) { totalCount nodes { id name capacity } } }"
Q_ONE = (
    "query($id: ID!) { facility(id: $id) { name capacity version "
    "visits(first: 5) { totalCount } } }"
)
Q_STATS = "{ facilityStats { total byCountry { key count } } }"
Q_VERSION = "query($id: ID!) { facility(id: $id) { version capacity } }"
M_CREATE = (
    'mutation($name: String!) { createFacility(input: {name: $name, countryCode: "NL", '
    "facilityType: DETENTION_HOUSE, status: OPEN, capacity: 10}) { id version } }"
)
M_UPDATE = (
    "mutation($id: ID!, $v: Int!, $c: Int) { updateFacility(id: $id, expectedVersion: $v, "
    "input: { capacity: $c }) { version capacity } }"
)
M_IMPORT = (
    "mutation($csv: String!) { importFacilities(csv: $csv) { rows created updated "
    "unchanged written dryRun errors { line column reason } } }"
)


def log(msg):
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def short(value, limit=600):
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "…"


def decode_id(gid):
    """The row id in a global id: base64url (no padding) of `Facility:<n>`."""
    raw = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode()
    kind, number = raw.split(":", 1)
    if kind != "Facility":
        raise ValueError(f"{gid!r} is a {kind} id, not a Facility id")
    return int(number)


# --------------------------------------------------------------------------
# HTTP


class TransportError(Exception):
    pass


class Client:
    """One keep-alive connection (reads), or one connection per request (writes)."""

    def __init__(self, port, token=None, timeout=60):
        self.port = port
        self.token = token
        self.timeout = timeout
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, fresh=False):
        """(status, body bytes). `fresh`: a new connection, never retried, so a
        write is sent at most once. Reads on a reused connection the server
        closed meanwhile are retried once on a new one."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if fresh:
            headers["Connection"] = "close"
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                return resp.status, resp.read()
            except (OSError, http.client.HTTPException) as err:
                raise TransportError(f"{method} {path}: {err!r}") from err
            finally:
                conn.close()
        for attempt in (1, 2):
            reused = self.conn is not None
            if not reused:
                self._connect()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, data
            except (OSError, http.client.HTTPException) as err:
                self.close()
                if reused and attempt == 1:
                    continue
                raise TransportError(f"{method} {path}: {err!r}") from err
        raise AssertionError("unreachable")

    def graphql(self, query, variables=None, fresh=False):
        """(status, parsed JSON or None, raw text)."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        status, data = self.request("POST", "/graphql", body, fresh=fresh)
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        return status, parsed, data.decode("utf-8", "replace")


def error_codes(parsed):
    return [
        ((e.get("extensions") or {}).get("code") or "<no code>")
        for e in (parsed or {}).get("errors") or []
    ]


# --------------------------------------------------------------------------
# Shared results


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reads = collections.Counter()  # kind -> requests
        self.read_latency = collections.defaultdict(list)  # kind -> seconds
        self.read_errors = []  # (kind, detail)
        self.http_5xx = []  # (who, status, body)
        self.other_status = []  # (who, status, body)
        self.transport = []  # (who, detail)
        self.write_reads = 0
        self.acks = []  # (gid, expected, version, capacity)
        self.ack_problems = []  # acknowledged, but not what was asked
        self.conflicts = 0
        self.write_failures = []  # non-CONFLICT errors of updates
        self.imports = []  # dicts: batch, report, ok, detail
        self.first_failures = []  # kept short, printed at the end

    def note(self, bucket, item):
        with self.lock:
            bucket.append(item)
            if len(self.first_failures) < 30:
                self.first_failures.append(item)


def reader(port, ids, stats, stop, seed):
    rnd = random.Random(seed)
    client = Client(port)
    kinds = ["list", "one", "one", "stats", "geojson"]
    while not stop.is_set():
        kind = rnd.choice(kinds)
        t0 = time.monotonic()
        try:
            if kind == "geojson":
                status, data = client.request("GET", "/facilities.geojson")
                text = data[:2000].decode("utf-8", "replace")  # for error messages only
                # A cheap check, not json.loads: parsing an answer that grows
                # with every import would take this script's CPU (and the GIL)
                # and slow every other thread down.
                if status == 200 and (
                    b'"FeatureCollection"' not in data[:300] or not data.rstrip().endswith(b"}")
                ):
                    stats.note(stats.read_errors, ("geojson", "not a FeatureCollection: " + short(text)))
            else:
                if kind == "list":
                    status, parsed, text = client.graphql(Q_LIST)
                elif kind == "one":
                    status, parsed, text = client.graphql(Q_ONE, {"id": rnd.choice(ids)})
                else:
                    status, parsed, text = client.graphql(Q_STATS)
                if status == 200 and (parsed is None or parsed.get("errors") or not parsed.get("data")):
                    stats.note(stats.read_errors, (kind, short(text)))
        except TransportError as err:
            stats.note(stats.transport, (f"reader {kind}", str(err)))
            continue
        elapsed = time.monotonic() - t0
        with stats.lock:
            stats.reads[kind] += 1
            stats.read_latency[kind].append(elapsed)
        if status >= 500:
            stats.note(stats.http_5xx, (f"reader {kind}", status, short(text)))
        elif status != 200:
            stats.note(stats.other_status, (f"reader {kind}", status, short(text)))
    client.close()


def writer(port, token, ids, stats, stop, seed, think_ms):
    rnd = random.Random(seed)
    client = Client(port, token)
    while not stop.is_set():
        gid = rnd.choice(ids)
        try:
            status, parsed, text = client.graphql(Q_VERSION, {"id": gid})
        except TransportError as err:
            stats.note(stats.transport, ("writer read", str(err)))
            continue
        with stats.lock:
            stats.write_reads += 1
        if status >= 500:
            stats.note(stats.http_5xx, ("writer read", status, short(text)))
            continue
        facility = ((parsed or {}).get("data") or {}).get("facility")
        if status != 200 or (parsed or {}).get("errors") or not facility:
            stats.note(stats.write_failures, ("writer read", status, short(text)))
            continue
        version, capacity = facility["version"], facility["capacity"]
        # A different capacity: an update that changes nothing keeps the
        # version and writes no audit event (by design), which this test
        # would not be able to tell from a lost write.
        new_capacity = rnd.choice([c for c in range(1, 61) if c != capacity])
        if think_ms > 0:
            time.sleep(rnd.uniform(0, think_ms / 1000))
        variables = {"id": gid, "v": version, "c": new_capacity}
        try:
            status, parsed, text = client.graphql(M_UPDATE, variables, fresh=True)
        except TransportError as err:
            # Unknown outcome: the check of the audit log will show it.
            stats.note(stats.transport, ("writer update (outcome unknown)", f"{variables}: {err}"))
            continue
        if status >= 500:
            stats.note(stats.http_5xx, ("writer update", status, f"{variables}: {short(text)}"))
            continue
        codes = error_codes(parsed)
        if codes:
            if status == 200 and all(c == "CONFLICT" for c in codes):
                with stats.lock:
                    stats.conflicts += 1
            else:
                stats.note(stats.write_failures, ("writer update", status, f"{variables}: {short(text)}"))
            continue
        updated = ((parsed or {}).get("data") or {}).get("updateFacility")
        if status != 200 or not updated:
            stats.note(stats.write_failures, ("writer update", status, f"{variables}: {short(text)}"))
            continue
        with stats.lock:
            stats.acks.append((gid, version, updated["version"], updated["capacity"]))
        if updated["version"] != version + 1 or updated["capacity"] != new_capacity:
            stats.note(
                stats.ack_problems,
                f"{variables} acknowledged with version {updated['version']} capacity {updated['capacity']}",
            )


def import_csv(batch):
    lines = [CSV_HEADER]
    for i in range(1, IMPORT_ROWS + 1):
        lines.append(
            f"Soak import {batch} {i},BE,Gent,51.05,3.72,detention_house,{1 + i % 60},2020,"
            ",mixed,,open,,,,,https://example.org/s"
        )
    return "\n".join(lines) + "\n"


def importer(port, token, stats, stop, start, offset):
    """Every IMPORT_EVERY_S, one batch of new facilities; batch numbers start
    after `offset`, so that several importers never send the same names."""
    client = Client(port, token, timeout=120)
    k = 0
    while not stop.is_set():
        k += 1
        batch = offset + k
        csv_text = import_csv(batch)
        t0 = time.monotonic()
        entry = {"batch": batch, "ok": False, "report": None, "detail": ""}
        try:
            status, parsed, text = client.graphql(M_IMPORT, {"csv": csv_text}, fresh=True)
        except TransportError as err:
            entry["detail"] = f"transport error (outcome unknown): {err}"
            stats.note(stats.transport, (f"import {batch}", str(err)))
            with stats.lock:
                stats.imports.append(entry)
            continue
        entry["seconds"] = time.monotonic() - t0
        report = ((parsed or {}).get("data") or {}).get("importFacilities")
        entry["report"] = report
        if status >= 500:
            entry["detail"] = f"HTTP {status}: {short(text)}"
            stats.note(stats.http_5xx, (f"import {batch}", status, short(text)))
        elif status != 200 or (parsed or {}).get("errors") or not report:
            entry["detail"] = f"HTTP {status}: {short(text)}"
            stats.note(stats.write_failures, (f"import {batch}", status, short(text)))
        elif not report["written"] or report["errors"] or report["created"] != IMPORT_ROWS:
            entry["detail"] = f"report {short(report)}"
            stats.note(stats.write_failures, (f"import {batch}", status, short(report)))
        else:
            entry["ok"] = True
        with stats.lock:
            stats.imports.append(entry)
        # Next batch on the 5-second grid.
        next_at = start + k * IMPORT_EVERY_S
        stop.wait(max(0.0, next_at - time.monotonic()))


def rss_sampler(pid, samples, stop, start):
    while not stop.is_set():
        status = read_proc_status(pid)
        if status and "VmRSS" in status:
            samples.append((time.monotonic() - start, status["VmRSS"]))
        stop.wait(1.0)


def proc_cpu_seconds(pid):
    """User + system CPU time of a process so far, in seconds (nan when gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def read_proc_status(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            out = {}
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(value.split()[0])  # kB
            return out
    except OSError:
        return None


# --------------------------------------------------------------------------
# Database and server


def psql(url, sql):
    proc = subprocess.run(
        ["psql", "-w", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"psql failed ({proc.returncode}) on {sql!r}: {proc.stderr.strip()}")
    return [line for line in proc.stdout.splitlines() if line != ""]


def run_bin(args, env, what):
    proc = subprocess.run(args, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{what} failed ({proc.returncode}): {' '.join(args[:3])} …\n"
            f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-4000:]}"
        )
    return proc.stdout


def wait_ready(port, server, deadline_s=120):
    t_end = time.monotonic() + deadline_s
    while time.monotonic() < t_end:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready within {deadline_s} s")


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(collections.deque(f, maxlen=lines))
    except OSError as err:
        return f"(cannot read {path}: {err})"


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


# --------------------------------------------------------------------------
# Checks


class Checks:
    def __init__(self):
        self.results = []  # (name, ok, detail)

    def add(self, name, ok, detail=""):
        self.results.append((name, bool(ok), detail))

    @property
    def failed(self):
        return [r for r in self.results if not r[1]]


def verify(args, db_url, port, ids, stats, checks):
    row_ids = {gid: decode_id(gid) for gid in ids}

    # Acknowledged updates, per facility.
    acked = collections.defaultdict(list)  # gid -> [(version, capacity)]
    for gid, _expected, version, capacity in stats.acks:
        acked[gid].append((version, capacity))
    dup_acks = {
        gid: sorted(v for v, c in lst if [x for x, _ in lst].count(v) > 1)
        for gid, lst in acked.items()
        if len({v for v, _ in lst}) != len(lst)
    }
    checks.add(
        "acknowledged versions distinct per facility",
        not dup_acks,
        f"duplicates: {short(dup_acks)}" if dup_acks else f"{len(stats.acks)} acknowledged updates",
    )
    checks.add(
        "acknowledged updates are version+1 with the capacity sent",
        not stats.ack_problems,
        short(stats.ack_problems[:5]) if stats.ack_problems else "",
    )

    # Audit log: exactly one `updated` event per acknowledged (facility, version).
    id_list = ",".join(str(n) for n in row_ids.values())
    rows = psql(
        db_url,
        "SELECT entity_id, entity_version FROM audit_event WHERE entity_type='facility' "
        f"AND action='updated' AND entity_id IN ({id_list}) ORDER BY entity_id, entity_version",
    )
    audit = collections.Counter()
    for line in rows:
        eid, ever = line.split("|")
        audit[(int(eid), int(ever) if ever else None)] += 1
    expected = collections.Counter((row_ids[gid], v) for gid, lst in acked.items() for v, _ in lst)
    missing = sorted((expected - audit).elements())
    extra = sorted((audit - expected).elements())
    dup_audit = sorted(k for k, n in audit.items() if n > 1)
    detail = f"{sum(audit.values())} audit events, {sum(expected.values())} acknowledged"
    if missing:
        detail += f"; acknowledged but not in the audit log (lost): {short(missing)}"
    if extra:
        detail += f"; in the audit log but never acknowledged: {short(extra)}"
    if dup_audit:
        detail += f"; more than one event for: {short(dup_audit)}"
    checks.add("audit log holds exactly the acknowledged updates", not missing and not extra, detail)

    # Other audit events of the soak facilities: only their `created`.
    other = psql(
        db_url,
        "SELECT action, count(*) FROM audit_event WHERE entity_type='facility' "
        f"AND entity_id IN ({id_list}) AND action <> 'updated' GROUP BY action",
    )
    other_counts = dict(line.split("|") for line in other)
    checks.add(
        "soak facilities: one `created` event each, nothing else",
        other_counts == {"created": str(len(ids))},
        f"{other_counts}",
    )

    # Final state, in the database and through the API.
    db_rows = {}
    for line in psql(db_url, f"SELECT id, version, capacity FROM facility WHERE id IN ({id_list})"):
        fid, version, capacity = line.split("|")
        db_rows[int(fid)] = (int(version), int(capacity) if capacity else None)
    api = Client(port, args.partner_token)
    problems = []
    for gid in ids:
        n = row_ids[gid]
        lst = acked.get(gid, [])
        want_version = 1 + len(lst)
        want_capacity = max(lst)[1] if lst else 10
        status, parsed, text = api.graphql(Q_VERSION, {"id": gid})
        got_api = ((parsed or {}).get("data") or {}).get("facility")
        got_db = db_rows.get(n)
        if status != 200 or not got_api:
            problems.append(f"{gid} (row {n}): API answered {status} {short(text, 200)}")
            continue
        if got_db is None:
            problems.append(f"{gid} (row {n}): not in the database")
            continue
        if (got_api["version"], got_api["capacity"]) != got_db:
            problems.append(f"{gid} (row {n}): API {got_api} but database {got_db}")
        if got_db != (want_version, want_capacity):
            problems.append(
                f"{gid} (row {n}): version/capacity {got_db}, expected {(want_version, want_capacity)} "
                f"from {len(lst)} acknowledged updates"
            )
    api.close()
    checks.add(
        "final version = 1 + acknowledged updates, capacity = last acknowledged",
        not problems,
        "; ".join(problems[:10]) if problems else f"{len(ids)} facilities, API and database agree",
    )

    # Imports: each acknowledged batch exactly once; failed ones not at all.
    # One query for all batches: the batch number is the third word of the name.
    counts = collections.Counter()
    for line in psql(
        db_url,
        "SELECT split_part(name, ' ', 3), count(*) FROM facility "
        "WHERE name LIKE 'Soak import %' GROUP BY 1",
    ):
        batch, count = line.split("|")
        counts[int(batch)] = int(count)
    slugs_dup = psql(
        db_url,
        "SELECT count(*) FROM (SELECT name FROM facility WHERE name LIKE 'Soak import %' "
        "GROUP BY name HAVING count(*) > 1) d",
    )[0]
    bad = []
    for entry in stats.imports:
        b = entry["batch"]
        # Cross-check the grouped count with the query of the issue for this batch.
        n = int(psql(db_url, f"SELECT count(*) FROM facility WHERE name LIKE 'Soak import {b} %'")[0])
        if n != counts.get(b, 0):
            bad.append(f"batch {b}: {n} rows by LIKE but {counts.get(b, 0)} grouped")
        if entry["ok"] and n != IMPORT_ROWS:
            bad.append(f"batch {b}: acknowledged, but {n} of {IMPORT_ROWS} rows in the database")
        if not entry["ok"] and n != 0:
            bad.append(f"batch {b}: not acknowledged ({entry['detail']}), yet {n} rows in the database")
    known = {e["batch"] for e in stats.imports}
    stray = {b: c for b, c in counts.items() if b not in known}
    if stray:
        bad.append(f"rows of batches never sent: {stray}")
    if slugs_dup != "0":
        bad.append(f"{slugs_dup} import names present more than once")
    acked_imports = sum(1 for e in stats.imports if e["ok"])
    checks.add(
        "every acknowledged import is in the database exactly once",
        not bad and (acked_imports > 0 or args.importers == 0),
        "; ".join(bad[:10]) if bad else f"{acked_imports} batches x {IMPORT_ROWS} rows",
    )


def memory_verdict(samples, seconds):
    """(ok, text): RSS after warm-up, max, end; mean of the last third vs the first."""
    warm = [(t, r) for t, r in samples if t >= min(5.0, seconds / 4)]
    if len(warm) < 6:
        return True, f"too few samples ({len(samples)}) to judge"
    third = len(warm) // 3
    first = sum(r for _, r in warm[:third]) / third
    last = sum(r for _, r in warm[-third:]) / third
    growth = (last - first) / first
    text = (
        f"RSS after warm-up {warm[0][1] / 1024:.1f} MiB, max {max(r for _, r in samples) / 1024:.1f} MiB, "
        f"end {samples[-1][1] / 1024:.1f} MiB; mean of first third {first / 1024:.1f} MiB, "
        f"last third {last / 1024:.1f} MiB ({growth:+.1%})"
    )
    return growth <= 0.5, text


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--bin", default="target/release/wish-api")
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    ap.add_argument("--readers", type=int, default=8)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--importers", type=int, default=1)
    ap.add_argument("--port", type=int, default=18089)
    ap.add_argument("--think-ms", type=float, default=2.0,
                    help="writers wait up to this long between reading a version and writing (widens races)")
    ap.add_argument("--keep-db", action="store_true", help="do not drop the database (to inspect it)")
    args = ap.parse_args()

    if not os.access(args.bin, os.X_OK):
        sys.exit(f"{args.bin} is not an executable; build it with `cargo build --release`")
    pg_url = args.pg_url.rstrip("/")
    db_name = f"wish_soak_{os.getpid()}"
    db_url = f"{pg_url}/{db_name}"
    env = dict(os.environ, WISH_JWT_SECRET=secrets.token_hex(24))
    env.pop("WISH_DATABASE_URL", None)

    # SIGTERM to this script cleans up like Ctrl-C.
    def on_sigterm(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)

    server = None
    server_log_path = None
    created_db = False
    checks = Checks()
    stats = Stats()
    samples = []
    exit_code = 1
    try:
        log(f"creating database {db_name}")
        psql(f"{pg_url}/postgres", f'CREATE DATABASE "{db_name}"')
        created_db = True

        run_bin([args.bin, "migrate", "--database-url", db_url], env, "migrate")
        run_bin(
            [args.bin, "organisation", "create", "--slug", "soak-partner",
             "--name", "Soak partner", "--database-url", db_url],
            env, "partner organisation",
        )
        args.partner_token = run_bin(
            [args.bin, "token", "--role", "partner", "--org", "soak-partner",
             "--sub", "soak@example.org", "--ttl", "1h", "--database-url", db_url],
            env, "partner token",
        ).strip()
        editor_token = run_bin(
            [args.bin, "token", "--role", "editor", "--sub", "editor@example.org",
             "--ttl", "1h", "--database-url", db_url],
            env, "editor token",
        ).strip()

        fd, server_log_path = tempfile.mkstemp(prefix="wish-soak-", suffix=".log")
        server_log = os.fdopen(fd, "w")
        server = subprocess.Popen(
            [args.bin, "serve", "--bind", f"127.0.0.1:{args.port}", "--database-url", db_url,
             "--rate-limit-anonymous", "0", "--rate-limit-token", "0", "--workers", "2"],
            env=env, stdout=server_log, stderr=subprocess.STDOUT,
        )
        server_log.close()
        log(f"server pid {server.pid}, log {server_log_path}")
        t_ready = time.monotonic()
        wait_ready(args.port, server)
        log(f"ready after {time.monotonic() - t_ready:.1f} s")

        anon = Client(args.port)
        status, parsed, text = anon.graphql("{ facilities(first: 1) { totalCount } }")
        demo = (((parsed or {}).get("data") or {}).get("facilities") or {}).get("totalCount")
        log(f"facilities before the soak: {demo} (demo data)")

        partner = Client(args.port, args.partner_token)
        ids = []
        for i in range(1, SOAK_FACILITIES + 1):
            status, parsed, text = partner.graphql(M_CREATE, {"name": f"Soak {i}"}, fresh=True)
            created = ((parsed or {}).get("data") or {}).get("createFacility")
            if status != 200 or (parsed or {}).get("errors") or not created:
                raise RuntimeError(f"createFacility 'Soak {i}' failed: HTTP {status} {short(text)}")
            if created["version"] != 1:
                raise RuntimeError(f"createFacility 'Soak {i}' returned version {created['version']}")
            ids.append(created["id"])
        partner.close()
        log(f"created {len(ids)} soak facilities as the partner")

        stop = threading.Event()
        sampler_stop = threading.Event()
        start = time.monotonic()
        threads = [threading.Thread(target=rss_sampler, args=(server.pid, samples, sampler_stop, start),
                                    daemon=True, name="rss")]
        for i in range(args.readers):
            threads.append(threading.Thread(target=reader, args=(args.port, ids, stats, stop, 1000 + i),
                                            daemon=True, name=f"reader-{i}"))
        for i in range(args.writers):
            threads.append(threading.Thread(
                target=writer, args=(args.port, args.partner_token, ids, stats, stop, 2000 + i, args.think_ms),
                daemon=True, name=f"writer-{i}"))
        for i in range(args.importers):
            threads.append(threading.Thread(
                target=importer, args=(args.port, editor_token, stats, stop, start, i * 10000),
                daemon=True, name=f"importer-{i}"))
        log(f"soaking for {args.seconds:g} s: {args.readers} readers, {args.writers} writers, "
            f"{args.importers} importer(s)")
        for t in threads:
            t.start()
        next_report = 10
        last_reads = last_acks = 0
        cpu_start = (proc_cpu_seconds(server.pid), os.times())
        while True:
            left = args.seconds - (time.monotonic() - start)
            if left <= 0:
                break
            stop.wait(min(left, next_report - (time.monotonic() - start)))
            if time.monotonic() - start >= next_report:
                with stats.lock:
                    reads, acks = sum(stats.reads.values()), len(stats.acks)
                    log(f"t={next_report}s reads {reads} (+{reads - last_reads}), updates {acks} "
                        f"(+{acks - last_acks}), conflicts {stats.conflicts}, imports {len(stats.imports)}, "
                        f"5xx {len(stats.http_5xx)}, RSS {samples[-1][1] / 1024 if samples else 0:.1f} MiB")
                last_reads, last_acks = reads, acks
                next_report += 10
        stop.set()
        for t in threads:
            if t.name != "rss":
                t.join(timeout=180)
                if t.is_alive():
                    checks.add(f"{t.name} finished", False, "still running 180 s after the end")
        elapsed = time.monotonic() - start
        server_cpu = proc_cpu_seconds(server.pid) - cpu_start[0]
        now_times = os.times()
        client_cpu = (now_times.user + now_times.system) - (cpu_start[1].user + cpu_start[1].system)
        sampler_stop.set()
        if server.poll() is not None:
            checks.add("server alive through the soak", False, f"exited with {server.returncode}")

        status_now = read_proc_status(server.pid) or {}
        hwm = status_now.get("VmHWM")
        log("verifying")
        verify(args, db_url, args.port, ids, stats, checks)

        # Print the summary.
        total_reads = sum(stats.reads.values())
        print()
        print("=" * 72)
        print(f"Soak summary: {elapsed:.1f} s on PostgreSQL, {args.readers} readers, "
              f"{args.writers} writers, {args.importers} importer(s), binary {args.bin}")
        print("-" * 72)
        print(f"reads:     {total_reads} requests, {total_reads / elapsed:.0f}/s")
        for kind in ("list", "one", "stats", "geojson"):
            lat = stats.read_latency.get(kind, [])
            print(f"  {kind:8} {stats.reads[kind]:7d}  p50 {percentile(lat, 50) * 1000:6.1f} ms  "
                  f"p99 {percentile(lat, 99) * 1000:6.1f} ms")
        attempts = len(stats.acks) + stats.conflicts + len([f for f in stats.write_failures if f[0] == "writer update"])
        print(f"updates:   {attempts} attempted, {len(stats.acks)} acknowledged, "
              f"{stats.conflicts} CONFLICT ({stats.conflicts / max(1, attempts):.0%}), "
              f"{len(stats.write_failures)} other failures")
        ok_imports = [e for e in stats.imports if e["ok"]]
        secs = [e.get("seconds", 0) for e in ok_imports]
        print(f"imports:   {len(stats.imports)} sent, {len(ok_imports)} acknowledged "
              f"({len(ok_imports) * IMPORT_ROWS} rows)"
              + (f", {min(secs):.2f}-{max(secs):.2f} s each" if secs else ""))
        print(f"HTTP 5xx:  {len(stats.http_5xx)}; other non-200: {len(stats.other_status)}; "
              f"transport errors: {len(stats.transport)}")
        print(f"CPU:       server {server_cpu:.1f} s, this script {client_cpu:.1f} s "
              f"(of {2 * elapsed:.0f} s on 2 cores; PostgreSQL takes the rest)")
        mem_ok, mem_text = memory_verdict(samples, elapsed)
        print(f"memory:    {mem_text}; peak (VmHWM) {hwm / 1024 if hwm else float('nan'):.1f} MiB")

        checks.add("no HTTP 5xx", not stats.http_5xx, short(stats.http_5xx[:3]) if stats.http_5xx else "")
        checks.add("no transport errors", not stats.transport, short(stats.transport[:3]) if stats.transport else "")
        checks.add("no other unexpected HTTP status", not stats.other_status,
                   short(stats.other_status[:3]) if stats.other_status else "")
        checks.add("anonymous reads had no GraphQL errors", not stats.read_errors,
                   f"{len(stats.read_errors)}: {short(stats.read_errors[:3])}" if stats.read_errors else "")
        checks.add("every failed write was a CONFLICT", not stats.write_failures,
                   f"{len(stats.write_failures)}: {short(stats.write_failures[:3])}" if stats.write_failures else "")
        checks.add("races happened (some CONFLICTs)", stats.conflicts > 0,
                   "" if stats.conflicts else "no update raced: the test proved nothing about conflicts")
        checks.add("memory did not grow without bound (last third <= first third + 50%)", mem_ok,
                   "" if len(samples) >= 6 else "not judged: run too short")

        # Stop the server: SIGTERM, graceful exit 0.
        server.send_signal(signal.SIGTERM)
        try:
            rc = server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            rc = None
        checks.add("server exits 0 on SIGTERM", rc == 0, f"exit status {rc}")

        log_text = open(server_log_path, errors="replace").read()
        panics = [line for line in log_text.splitlines() if "panicked" in line]
        errors = [line for line in log_text.splitlines() if " ERROR " in line or '"level":"ERROR"' in line]
        checks.add("no panic in the server log", not panics, short(panics[:3]) if panics else "")
        print(f"server log: {len(log_text.splitlines())} lines, {len(errors)} ERROR lines"
              + (f", first: {short(errors[0], 300)}" if errors else ""))
        print("-" * 72)
        for name, ok, detail in checks.results:
            print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""))
        print("=" * 72)
        if stats.first_failures:
            print("first problems seen:")
            for item in stats.first_failures[:15]:
                print("  ", short(item, 800))
        exit_code = 1 if checks.failed else 0
        if checks.failed:
            print(f"FAIL: {len(checks.failed)} check(s) failed; server log: {server_log_path}")
        else:
            print("PASS")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        exit_code = 130
    except Exception as err:  # noqa: BLE001 - report and clean up
        print(f"soak test error: {err}", file=sys.stderr)
        if server_log_path:
            print(f"--- last lines of the server log ({server_log_path}):\n{tail(server_log_path)}", file=sys.stderr)
        exit_code = 1
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if created_db and not args.keep_db:
            try:
                psql(f"{pg_url}/postgres", f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
                log(f"dropped database {db_name}")
            except Exception as err:  # noqa: BLE001
                print(f"could not drop database {db_name}: {err}", file=sys.stderr)
        elif created_db:
            log(f"kept database {db_name}")
        if exit_code == 0 and server_log_path:
            try:
                os.unlink(server_log_path)
            except OSError:
                pass
    sys.exit(exit_code)


if __name__ == "__main__":
    main()

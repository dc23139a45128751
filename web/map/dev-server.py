#!/usr/bin/env python3
"""A stand-in for wish-api to develop the map page without the Rust server.

Serves the built page the way the API does:
  GET  /map                  -> api/assets/map/index.html
  GET  /map/assets/<file>    -> api/assets/map/<file>
  GET  /map/config.json      -> {"tileUrl": null, "attribution": null}  (or --tile-url)
  GET  /facilities.geojson   -> facilities from api/demo/facilities.csv, filtered
                                (country, type, status, population, capacityMin, capacityMax, bbox)
  POST /graphql              -> facilityStats(filter:) and node(id:) only, faked from the CSV
  GET  /graphiql             -> api/assets/graphiql/index.html (+ /graphiql/assets/<file>)

Usage: python3 web/map/dev-server.py [--port 8090] [--camel] [--tile-url URL]
(--camel names the GeoJSON properties facilityType/countryCode instead of type/country.)
Standard library only; not for production.
"""
import argparse
import base64
import csv
import json
import mimetypes
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "api" / "assets" / "map"
GRAPHIQL = ROOT / "api" / "assets" / "graphiql"
CSV = ROOT / "api" / "demo" / "facilities.csv"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


def fake_id(n):
    return base64.urlsafe_b64encode(f"Facility:{n}".encode()).decode().rstrip("=")


def load_facilities():
    rows = []
    with CSV.open(newline="", encoding="utf-8") as f:
        for n, r in enumerate(csv.DictReader(f), start=1):
            def opt_int(v):
                return int(v) if v and v.strip().lstrip("-").isdigit() else None

            rows.append({
                "id": fake_id(n),
                "slug": re.sub(r"[^a-z0-9]+", "-", r["name"].lower()).strip("-"),
                "name": r["name"],
                "countryCode": r["country_code"].upper(),
                "city": r["city"] or None,
                "latitude": float(r["latitude"]) if r["latitude"] else None,
                "longitude": float(r["longitude"]) if r["longitude"] else None,
                "facilityType": r["facility_type"].upper(),
                "status": r["status"].upper(),
                "capacity": opt_int(r["capacity"]),
                "openedYear": opt_int(r["opened_year"]),
                "operator": r["operator"] or None,
                "population": r["population"].upper() or None,
                "sourceUrl": r["source_url"] or None,
                "website": None,
            })
    return rows


FACILITIES = load_facilities()
BY_ID = {f["id"]: f for f in FACILITIES}


def matches(f, flt):
    """flt uses the GraphQL FacilityFilter names."""
    def any_of(key, value):
        wanted = [str(v).upper() for v in (flt.get(key) or [])]
        return not wanted or (value or "").upper() in wanted

    if not any_of("countryCode", f["countryCode"]):
        return False
    if not any_of("facilityType", f["facilityType"]):
        return False
    if not any_of("status", f["status"]):
        return False
    if not any_of("population", f["population"]):
        return False
    if flt.get("capacityMin") is not None and (f["capacity"] is None or f["capacity"] < flt["capacityMin"]):
        return False
    if flt.get("capacityMax") is not None and (f["capacity"] is None or f["capacity"] > flt["capacityMax"]):
        return False
    return True


def buckets(rows, key):
    counts = {}
    for r in rows:
        counts[r[key]] = counts.get(r[key], 0) + 1
    return [{"key": k, "count": c} for k, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


class Handler(BaseHTTPRequestHandler):
    server_version = "wish-map-dev/1"
    camel = False
    tile_url = None

    def log_message(self, fmt, *args):  # quieter
        pass

    def send(self, status, body, content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_file(self, base, name):
        if not re.fullmatch(r"[A-Za-z0-9._-]+", name) or name.startswith("."):
            return self.send(404, {"code": "NOT_FOUND", "message": "no such asset"})
        path = base / name
        if not path.is_file():
            return self.send(404, {"code": "NOT_FOUND", "message": "no such asset"})
        ctype = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        self.send(200, path.read_bytes(), ctype)

    def do_GET(self):
        url = urlsplit(self.path)
        path = url.path
        if path in ("/map", "/map/"):
            return self.send_file(ASSETS, "index.html")
        if path == "/map/config.json":
            return self.send(200, {"tileUrl": self.tile_url, "attribution": None if not self.tile_url else "Tiles: dev"})
        if path.startswith("/map/assets/"):
            return self.send_file(ASSETS, path[len("/map/assets/"):])
        if path == "/facilities.geojson":
            return self.geojson(url.query)
        if path == "/graphiql":
            html = (GRAPHIQL / "index.html").read_text(encoding="utf-8")
            html = html.replace("__DEFAULT_QUERY_JSON__", json.dumps("{ facilityStats { total } }"))
            return self.send(200, html, "text/html; charset=utf-8")
        if path.startswith("/graphiql/assets/"):
            return self.send_file(GRAPHIQL, path[len("/graphiql/assets/"):])
        return self.send(404, {"code": "NOT_FOUND", "message": f"no route {path}"})

    do_HEAD = do_GET

    def geojson(self, query):
        params = {}
        for k, v in parse_qsl(query):
            params.setdefault(k, []).extend(x.strip() for x in v.split(",") if x.strip())
        flt = {
            "countryCode": params.get("country", []),
            "facilityType": params.get("type", []),
            "status": params.get("status", []),
            "population": params.get("population", []),
        }
        try:
            for name in ("capacityMin", "capacityMax"):
                if name in params:
                    flt[name] = int(params[name][-1])
            bbox = [float(x) for x in params["bbox"]] if "bbox" in params else None
        except ValueError as e:
            return self.send(400, {"code": "BAD_USER_INPUT", "message": str(e), "field": None})
        features = []
        for f in FACILITIES:
            if f["latitude"] is None or not matches(f, flt):
                continue
            if bbox and not (bbox[0] <= f["longitude"] <= bbox[2] and bbox[1] <= f["latitude"] <= bbox[3]):
                continue
            props = {"id": f["id"], "name": f["name"], "slug": f["slug"]}
            if self.camel:
                props.update(facilityType=f["facilityType"], status=f["status"], capacity=f["capacity"],
                             countryCode=f["countryCode"], city=f["city"])
            else:
                props.update(type=f["facilityType"], status=f["status"], capacity=f["capacity"],
                             country=f["countryCode"], city=f["city"])
            features.append({
                "type": "Feature",
                "id": f["id"],
                "geometry": {"type": "Point", "coordinates": [f["longitude"], f["latitude"]]},
                "properties": props,
            })
        self.send(200, {"type": "FeatureCollection", "features": features}, "application/geo+json")

    def do_POST(self):
        if urlsplit(self.path).path != "/graphql":
            return self.send(404, {"code": "NOT_FOUND", "message": "no route"})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            return self.send(400, {"errors": [{"message": "body is not JSON"}]})
        query = body.get("query") or ""
        variables = body.get("variables") or {}
        if "facilityStats" in query:
            flt = variables.get("f") or variables.get("filter") or {}
            rows = [f for f in FACILITIES if matches(f, flt)]
            return self.send(200, {"data": {"facilityStats": {
                "total": len(rows),
                "totalCapacity": sum(r["capacity"] or 0 for r in rows),
                "byCountry": buckets(rows, "countryCode"),
                "byType": buckets(rows, "facilityType"),
                "byStatus": buckets(rows, "status"),
            }}})
        if "node(" in query:
            f = BY_ID.get(str(variables.get("id")))
            if not f:
                return self.send(200, {"data": {"node": None}, "errors": [{"message": "not found"}]})
            keys = ["name", "city", "countryCode", "facilityType", "status", "capacity",
                    "openedYear", "operator", "sourceUrl", "website"]
            return self.send(200, {"data": {"node": {k: f[k] for k in keys}}})
        return self.send(200, {"errors": [{"message": "the dev server only fakes facilityStats and node"}]})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--camel", action="store_true", help="GeoJSON properties facilityType/countryCode")
    ap.add_argument("--tile-url", default=None, help="tileUrl to put in /map/config.json")
    args = ap.parse_args()
    Handler.camel = args.camel
    Handler.tile_url = args.tile_url
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"wish map dev server on http://{args.host}:{args.port}/map ({len(FACILITIES)} facilities)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

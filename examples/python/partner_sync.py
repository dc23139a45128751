"""A partner organisation's client of wish-api, with gql: it signs in with its
bearer token, imports its list of facilities, and follows the change feed to
keep a local copy in step: by polling over HTTP, then live, subscribed over
WebSocket (graphql-transport-ws).

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
    WISH_API_URL=http://127.0.0.1:8080 WISH_TOKEN=<partner token> .venv/bin/python partner_sync.py
"""

from __future__ import annotations

import os
import sys
import threading

from gql import Client, gql
from gql.transport.requests import RequestsHTTPTransport
from gql.transport.websockets import WebsocketsTransport

BASE = os.environ.get("WISH_API_URL", "http://127.0.0.1:8080")
TOKEN = os.environ["WISH_TOKEN"]

CSV = """name,country_code,city,latitude,longitude,facility_type,capacity,opened_year,operator,population,security_level,status,managed_by,target_age,regime,social_enterprise,source_url
Transitiehuis Voorbeeld,NL,Utrecht,52.09,5.12,transition_house,16,2025,Voorbeeld Stichting,men,,open,ngo,adults,open,true,https://example.org/voorbeeld
Maison Exemple,FR,Lyon,45.76,4.84,detention_house,20,2026,Exemple,mixed,,planned,national_prison_administration,adults,semi_open,false,https://example.org/exemple
"""

IMPORT = gql("""
mutation Import($csv: String!, $dryRun: Boolean) {
  importFacilities(csv: $csv, dryRun: $dryRun) {
    rows created updated unchanged written errors { line column reason }
  }
}
""")

FEED = gql("""
query Sync($after: String) {
  changes(after: $after, first: 100) {
    nodes { action entityType entityId entityVersion node { ... on Facility { slug capacity version } } }
    pageInfo { endCursor hasNextPage }
  }
}
""")

LIVE = gql("""
subscription Live($after: String) {
  changes(after: $after) { cursor action entityType entityId node { ... on Facility { capacity version } } }
}
""")

UPDATE = gql("""
mutation Capacity($id: ID!, $version: Int!, $capacity: Int) {
  updateFacility(id: $id, expectedVersion: $version, input: { capacity: $capacity }) { slug capacity version }
}
""")


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def sync(client: Client, cursor: str | None, copy: dict) -> tuple[str | None, list]:
    """Applies every change since `cursor` to `copy`; returns the new cursor and the changes."""
    seen = []
    while True:
        page = client.execute(FEED, variable_values={"after": cursor})["changes"]
        for change in page["nodes"]:
            seen.append(change)
            if change["action"] == "DELETED":
                copy.pop(change["entityId"], None)
            elif change["entityType"] == "FACILITY" and change["node"]:
                copy[change["entityId"]] = change["node"]
        cursor = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return cursor, seen


def main() -> None:
    transport = RequestsHTTPTransport(
        url=f"{BASE}/graphql", headers={"Authorization": f"Bearer {TOKEN}"}, retries=0
    )
    client = Client(transport=transport, fetch_schema_from_transport=False)

    # Where the feed stands before we write: a real client stores this cursor.
    cursor, _ = sync(client, None, {})
    copy: dict = {}

    dry = client.execute(IMPORT, variable_values={"csv": CSV, "dryRun": True})["importFacilities"]
    print(f"dry run: {dry['rows']} rows, {dry['created']} to create, written={dry['written']}")
    check(dry["errors"] == [] and not dry["written"], "the dry run finds no error and writes nothing")

    report = client.execute(IMPORT, variable_values={"csv": CSV})["importFacilities"]
    print(f"import: {report['created']} created, {report['updated']} updated")
    check(report["written"] and report["created"] == 2, "the import creates both facilities")

    cursor, changes = sync(client, cursor, copy)
    print(f"feed: {len(changes)} changes since the stored cursor")
    check([c["action"] for c in changes] == ["CREATED", "CREATED"], "the feed shows the two creates")

    facility_id, facility = next(iter(copy.items()))
    updated = client.execute(
        UPDATE, variable_values={"id": facility_id, "version": facility["version"], "capacity": 18}
    )["updateFacility"]
    print(f"update: {updated['slug']} now holds {updated['capacity']} (version {updated['version']})")

    try:
        client.execute(UPDATE, variable_values={"id": facility_id, "version": facility["version"], "capacity": 19})
        check(False, "a stale expectedVersion is refused")
    except Exception as error:  # gql raises TransportQueryError with the GraphQL errors
        code = getattr(error, "errors", [{}])[0].get("extensions", {}).get("code")
        print(f"stale update: refused with {code}")
        check(code == "CONFLICT", "a stale expectedVersion is a CONFLICT")

    cursor, changes = sync(client, cursor, copy)
    check([c["action"] for c in changes] == ["UPDATED"], "the feed shows exactly the one update")
    check(copy[facility_id]["capacity"] == 18, "the local copy follows the update")
    cursor, nothing = sync(client, cursor, copy)
    check(nothing == [], "a sync with nothing new returns nothing")

    # Live: subscribed after the stored cursor, so a change made before the
    # subscription is acknowledged still arrives, and none arrives twice.
    live = Client(
        transport=WebsocketsTransport(
            url=BASE.replace("http", "ws", 1) + "/graphql",
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            init_payload={"Authorization": f"Bearer {TOKEN}"},
        ),
        fetch_schema_from_transport=False,
    )
    version = copy[facility_id]["version"]
    writer = threading.Thread(
        target=client.execute,
        args=(UPDATE,),
        kwargs={"variable_values": {"id": facility_id, "version": version, "capacity": 20}},
    )
    writer.start()
    for result in live.subscribe(LIVE, variable_values={"after": cursor}):
        change = result["changes"]
        break
    writer.join()
    print(f"live: {change['action']} {change['entityType']}, capacity {change['node']['capacity']}")
    check(
        (change["action"], change["entityId"], change["node"]["capacity"]) == ("UPDATED", facility_id, 20),
        "the subscription delivers the next change",
    )
    print("ok")


if __name__ == "__main__":
    main()

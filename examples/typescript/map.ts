// A map client of wish-api, as the Prison Insider map would write it:
// the markers of every facility, then every facility page by page with
// cursors, checked against the total the API reports.
//
//   npm ci && WISH_API_URL=http://127.0.0.1:8080 npm start
import { GraphQLClient, gql } from "graphql-request";

const base = process.env.WISH_API_URL ?? "http://127.0.0.1:8080";
const client = new GraphQLClient(`${base}/graphql`);

interface Marker {
  id: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  facilityType: string;
  capacity: number | null;
}

interface Page {
  facilities: {
    totalCount: number;
    nodes: Marker[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const PAGE = gql`
  query FacilityPage($after: String, $filter: FacilityFilter) {
    facilities(first: 25, after: $after, filter: $filter, orderBy: [NAME_ASC]) {
      totalCount
      nodes { id name latitude longitude facilityType capacity }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const STATS = gql`
  query Stats($filter: FacilityFilter) {
    facilityStats(filter: $filter) { total byCountry { key count } }
  }
`;

async function allFacilities(filter?: object): Promise<{ markers: Marker[]; total: number }> {
  const markers: Marker[] = [];
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const page: Page = await client.request<Page>(PAGE, { after, filter });
    total = page.facilities.totalCount;
    markers.push(...page.facilities.nodes);
    if (!page.facilities.pageInfo.hasNextPage) break;
    after = page.facilities.pageInfo.endCursor;
  }
  return { markers, total };
}

function check(condition: boolean, message: string): void {
  if (!condition) {
    console.error(`FAILED: ${message}`);
    process.exit(1);
  }
}

const geojson = await fetch(`${base}/facilities.geojson`).then((r) => r.json());
console.log(`map: ${geojson.features.length} markers from /facilities.geojson`);

const { markers, total } = await allFacilities();
const ids = new Set(markers.map((m) => m.id));
console.log(`pages: ${markers.length} facilities in pages of 25, totalCount ${total}`);
check(markers.length === total, "paging returns every facility once");
check(ids.size === total, "no facility comes twice");
check(markers.filter((m) => m.latitude !== null).length === geojson.features.length,
  "the GeoJSON holds every facility with coordinates");

const stats = await client.request<{ facilityStats: { total: number; byCountry: { key: string; count: number }[] } }>(STATS, {});
const belgium = stats.facilityStats.byCountry.find((b) => b.key === "BE")?.count ?? 0;
const inBelgium = await allFacilities({ countryCode: ["BE"] });
console.log(`filter: ${inBelgium.markers.length} facilities in BE, facilityStats says ${belgium}`);
check(inBelgium.markers.length === belgium, "a filtered walk matches facilityStats");
console.log("ok");

// Live changes, as a partner's dashboard would follow them: where the change
// feed ends now (by HTTP), then every change after it as it commits, over
// WebSocket with graphql-ws (the client Apollo Client uses). On a reconnect
// it resumes after the last cursor it printed, so nothing is missed or
// repeated.
//
//   npm ci && WISH_API_URL=http://127.0.0.1:8080 npx tsx live.ts
//
// WISH_TOKEN (optional) subscribes with a token; WISH_CHANGES stops after
// that many changes.
import { GraphQLClient, gql } from "graphql-request";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const base = process.env.WISH_API_URL ?? "http://127.0.0.1:8080";
const token = process.env.WISH_TOKEN;
const wanted = Number(process.env.WISH_CHANGES ?? Infinity);

interface Change {
  cursor: string;
  action: string;
  entityType: string;
  entityId: string;
  node: { __typename: string; name?: string } | null;
}

const END = gql`
  query End($after: String) {
    changes(after: $after, first: 500) {
      pageInfo { hasNextPage endCursor }
    }
  }
`;

async function endOfFeed(): Promise<string | null> {
  const http = new GraphQLClient(`${base}/graphql`);
  let after: string | null = null;
  for (;;) {
    const page: {
      changes: { pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    } = await http.request(END, { after });
    after = page.changes.pageInfo.endCursor;
    if (!page.changes.pageInfo.hasNextPage) return after;
  }
}

let after = await endOfFeed();
let received = 0;

const live = createClient({
  url: `${base.replace(/^http/, "ws")}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: token ? { Authorization: `Bearer ${token}` } : undefined,
  on: { connected: () => console.log("subscribed") },
});

const changes = live.iterate<{ changes: Change }>({
  query: `subscription Live($after: String) {
    changes(after: $after) {
      cursor action entityType entityId
      node { __typename ... on Facility { name } ... on Stakeholder { name } }
    }
  }`,
  variables: { after },
});

for await (const result of changes) {
  if (result.errors || !result.data) {
    throw new Error(JSON.stringify(result.errors));
  }
  const change = result.data.changes;
  after = change.cursor;
  const name = change.node?.name ?? "";
  console.log(`${change.action} ${change.entityType} ${change.entityId} ${name}`.trim());
  received += 1;
  if (received >= wanted) break;
}
await live.dispose();

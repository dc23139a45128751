// A third-party client of the subscriptions: graphql-ws (what Apollo Client
// speaks) against a running wish-api (WISH_BASE_URL). It subscribes to the
// change feed after WISH_AFTER with the token of WISH_TOKEN, prints
// `subscribed` once the server acknowledged it, and prints the first change
// it receives as JSON, then exits. The test makes the write in between.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const base = process.env.WISH_BASE_URL;
if (!base) {
  console.error('set WISH_BASE_URL to the server, for example http://127.0.0.1:8080');
  process.exit(2);
}

const client = createClient({
  url: `${base.replace(/^http/, 'ws')}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: process.env.WISH_TOKEN
    ? { Authorization: `Bearer ${process.env.WISH_TOKEN}` }
    : undefined,
  // A failure is the test's to report, not to hide behind a retry.
  retryAttempts: 0,
  on: { connected: () => console.log('connected') },
});

const timeout = setTimeout(() => {
  console.error('no change arrived within 20 s');
  process.exit(1);
}, 20_000);

const changes = client.iterate({
  query: `subscription($after: String) {
    changes(after: $after) { cursor action entityType entityId node { ... on Facility { name } } }
  }`,
  variables: { after: process.env.WISH_AFTER || null },
});

try {
  for await (const result of changes) {
    if (result.errors) {
      console.error(JSON.stringify(result.errors));
      process.exit(1);
    }
    console.log(JSON.stringify(result.data.changes));
    break;
  }
} catch (error) {
  console.error('the subscription failed:', error?.reason ?? error?.message ?? error);
  process.exit(1);
}
clearTimeout(timeout);
await client.dispose();

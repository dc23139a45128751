// The GraphQL-over-HTTP server audits of graphql-http against a running
// wish-api (WISH_BASE_URL). Every MUST and SHOULD has to pass; a MAY that
// does not is reported, and fails the run too, so that a change to what the
// server answers is seen.
import { serverAudits } from 'graphql-http';

const base = process.env.WISH_BASE_URL;
if (!base) {
  console.error('set WISH_BASE_URL to the server, for example http://127.0.0.1:8080');
  process.exit(2);
}

let passed = 0;
let failed = 0;
// One at a time: the answers are easier to read in order, and the server's
// rate limit (off in tests) would see a burst otherwise.
for (const audit of serverAudits({ url: `${base}/graphql` })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    passed += 1;
    console.log(`ok      ${result.id} ${result.name}`);
    continue;
  }
  failed += 1;
  console.log(`${result.status.padEnd(7)} ${result.id} ${result.name}: ${result.reason}`);
  if (result.response) {
    const body = await result.response.text().catch(() => '');
    console.log(`        ${result.response.status} ${result.response.headers.get('content-type')} ${body.slice(0, 300)}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// A webhook receiver for the tests: it verifies every delivery with the
// `standardwebhooks` library (not with the server's own code) and prints one
// JSON line per request on stdout.
//
// Control, from the test (on the same port):
//   PUT /_secrets  body: a JSON array of `whsec_...` secrets to verify with
//   PUT /_status   body: the HTTP status to answer deliveries with (default 204)
// Output lines:
//   {"listening": <port>}
//   {"id", "timestamp", "verifiedWith": [indexes of the secrets that verify],
//    "signatures": <count>, "status": <answered>, "payload": <parsed body>}
import http from "node:http";
import { Webhook } from "standardwebhooks";

let secrets = [];
let status = 204;

function read(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const server = http.createServer(async (req, res) => {
  const body = await read(req);
  if (req.method === "PUT" && req.url === "/_secrets") {
    secrets = JSON.parse(body);
    res.writeHead(204).end();
    return;
  }
  if (req.method === "PUT" && req.url === "/_status") {
    status = Number.parseInt(body, 10);
    res.writeHead(204).end();
    return;
  }
  const verifiedWith = [];
  let payload = null;
  secrets.forEach((secret, index) => {
    try {
      payload = new Webhook(secret).verify(body, req.headers);
      verifiedWith.push(index);
    } catch {
      // Not signed with this secret.
    }
  });
  const answered = verifiedWith.length > 0 ? status : 401;
  console.log(
    JSON.stringify({
      id: req.headers["webhook-id"],
      timestamp: req.headers["webhook-timestamp"],
      verifiedWith,
      signatures: (req.headers["webhook-signature"] ?? "").split(" ").length,
      contentType: req.headers["content-type"],
      status: answered,
      payload,
    }),
  );
  res.writeHead(answered).end();
});

server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ listening: server.address().port }));
});

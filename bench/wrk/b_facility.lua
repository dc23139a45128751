-- (b) One facility by id with its first ten visits and their participants.
-- POST /graphql. The id comes as the script's argument: wrk ... -- ID
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
   local id = args[1]
   if id == nil or id == "" then
      error("b_facility.lua needs a facility id: wrk ... -s b_facility.lua URL -- ID")
   end
   wrk.body = '{"query":"query($id: ID!) { facility(id: $id) { name visits(first: 10) { totalCount nodes { visitedOn participants { name } } } } }","variables":{"id":"' .. id .. '"}}'
end

-- BENCH_ACCEPT_ENCODING (for example "gzip" or "br") asks for a compressed answer.
local encoding = os.getenv("BENCH_ACCEPT_ENCODING")
if encoding and encoding ~= "" then
   wrk.headers["Accept-Encoding"] = encoding
end

-- Printed once at the end, parsed by bench/run.sh. Latencies in microseconds.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(99),
      e.connect, e.read, e.write, e.status, e.timeout))
end

-- (c) One country's first page, ordered by name, with totalCount. POST /graphql.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"{ facilities(filter: {countryCode: [\\"BE\\"]}, orderBy: [NAME_ASC], first: 20) { totalCount nodes { id name city } } }"}'

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

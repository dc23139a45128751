-- Any GraphQL POST: the body is read from the file named by the script's
-- argument (wrk ... -s post.lua URL -- BODY_FILE). Used by bench/peer.sh,
-- which sends the same question in each server's own schema.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
   local path = args[1]
   if path == nil or path == "" then
      error("post.lua needs the file holding the request body: wrk ... -s post.lua URL -- FILE")
   end
   local file = assert(io.open(path, "rb"))
   wrk.body = file:read("*a")
   file:close()
end

-- Printed once at the end, parsed by the scripts. Latencies in microseconds.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(99),
      e.connect, e.read, e.write, e.status, e.timeout))
end

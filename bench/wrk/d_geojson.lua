-- (d) Every facility as GeoJSON: GET /facilities.geojson.
wrk.method = "GET"

-- Printed once at the end, parsed by bench/run.sh. Latencies in microseconds.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(99),
      e.connect, e.read, e.write, e.status, e.timeout))
end

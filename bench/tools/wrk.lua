-- wrk script of every run: POSTs the file named by $BENCH_BODY as JSON when
-- set (render), GET otherwise (hello); prints one machine-readable line.
local body_file = os.getenv("BENCH_BODY")

if body_file and body_file ~= "" then
    local f = assert(io.open(body_file, "rb"))
    wrk.method = "POST"
    wrk.body = f:read("*a")
    wrk.headers["Content-Type"] = "application/json"
    f:close()
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f" ..
        " non2xx=%d sockerr=%d connect=%d read=%d write=%d timeout=%d\n",
        summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(99),
        e.status, e.connect + e.read + e.write + e.timeout,
        e.connect, e.read, e.write, e.timeout))
end

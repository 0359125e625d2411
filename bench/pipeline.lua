-- wrk -s pipeline.lua URL -- DEPTH [close] (README.md): DEPTH requests a write, the next once all are answered
-- (TechEmpower's plaintext test pipelines 16); "close": one answer a connection. done: figures for http_bench.
function init(args)
   if args[2] == "close" then wrk.headers["Connection"] = "close" end
   requests = string.rep(wrk.format(), tonumber(args[1]) or 1)
end
function request() return requests end
function done(summary, latency)
   local e = summary.errors
   io.write(string.format("answered %d failed %d us %d p50 %d p99 %d p999 %d max %d\n",
      summary.requests - e.status, e.connect + e.read + e.write + e.status + e.timeout, summary.duration,
      latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end

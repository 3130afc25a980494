-- wrk script for bench/http_submit.py (LOADGEN=wrk): every request posts one report with the token the bench
-- signed in for (RISKMON_TOKEN); at the end prints requests, failures and p50/p95/p99 latency.
wrk.method = "POST"
wrk.body = '{"kind":"risk_hazard","domain":"use","equipment_type_code":"3110","title":"压测报送",' ..
           '"content":"电梯层门门锁回路被短接，轿厢在层门未关闭时仍能启动。"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("RISKMON_TOKEN")

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk: %d requests in %.1f s -> %.0f per second; non-2xx %d, socket errors %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), e.status,
    e.connect + e.read + e.write + e.timeout))
  io.write(string.format("wrk latency: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end

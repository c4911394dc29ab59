-- The harness's wrk script (extsvc-bench, OutsideLoad): POSTs a JSON body to the paths of a file.
-- Arguments after the URL: MODE PATHS_FILE BODY_FILE THREADS
--   once:  thread i of n takes lines i, i+n, i+2n, ... and sends each once (first deliveries of
--          callbacks); past its last line it repeats that line and counts an overrun, which the
--          harness refuses (the window is measured again with more lines)
--   cycle: every thread goes round all lines (repeats of handled callbacks, bare servers,
--          POST /api/invocations with a one-line file)
-- Requests are formatted once in init, so that wrk spends its CPU on the sockets.
-- done() prints "wrk.KEY VALUE" lines for the harness.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  local n = tonumber(args[4])
  local f = assert(io.open(args[3], "rb"))
  local body = f:read("*a")
  f:close()
  local headers = { ["Content-Type"] = "application/json" }
  requests = {}
  local i = 0
  for line in io.lines(args[2]) do
    if mode ~= "once" or i % n == id then
      requests[#requests + 1] = wrk.format("POST", line, headers, body)
    end
    i = i + 1
  end
  assert(#requests > 0, "no paths for thread " .. id .. " in " .. args[2])
  sent = 0
  overrun = 0
end

function request()
  sent = sent + 1
  if mode == "once" then
    if sent > #requests then
      overrun = overrun + 1
      return requests[#requests]
    end
    return requests[sent]
  end
  return requests[(sent - 1) % #requests + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk.requests %d\n", summary.requests))
  io.write(string.format("wrk.duration_us %d\n", summary.duration))
  io.write(string.format("wrk.non2xx %d\n", e.status))
  io.write(string.format("wrk.socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("wrk.p50_us %d\n", latency:percentile(50)))
  io.write(string.format("wrk.p99_us %d\n", latency:percentile(99)))
  for _, t in ipairs(threads) do
    io.write(string.format("wrk.thread %d %d %d\n", t:get("id"), t:get("sent"), t:get("overrun")))
  end
end

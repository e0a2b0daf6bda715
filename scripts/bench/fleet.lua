-- wrk: simulated agents against exup-manager. EXUP_BENCH_CREDENTIALS names a file of agent credentials
-- (one per line, from `exup-bench seed-agents`); EXUP_BENCH_MODE picks what each request is:
--   poll    the directives poll with If-None-Match "d1" (a fresh agent's version): the 304 path
--           (authenticate, heartbeat, version lookup);
--   report  a report whose sequence grows by one per round for each agent, so every report is new
--           (accepted and written durably) and none is a resend.
-- wrk's 2 threads take the even and the odd agents, so no two connections speak for the same agent at once.
local credentials = {}
for line in io.lines(os.getenv("EXUP_BENCH_CREDENTIALS")) do credentials[#credentials + 1] = line end
local mode = os.getenv("EXUP_BENCH_MODE") or "poll"
local counter = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

local body = [[{"schema":1,"sequence":%d,"identity":{"model":"Express5800/R120h-1M","os":{"id":"debian","versionID":"12"},"hostname":"bench","bootID":"b","agentVersion":"bench"},"modules":[{"id":"bmc-firmware","name":"BMC firmware","version":"2.31","source":"ipmi"},{"id":"system-bios","name":"System BIOS","version":"U32 v2.10","source":"ipmi"},{"id":"sdr","name":"SDR","version":"01.05","source":"ipmi"}],"activities":{},"previousVersions":{},"items":[],"refusals":[]}]]

function request()
  local half = math.floor(#credentials / 2)
  local slot = counter % half
  local round = math.floor(counter / half)
  counter = counter + 1
  local credential = credentials[slot * 2 + offset + 1]
  if mode == "report" then
    return wrk.format("POST", "/api/v1/agent/report",
      { ["Authorization"] = "Bearer " .. credential, ["Content-Type"] = "application/json" },
      string.format(body, round + 1))
  end
  return wrk.format("GET", "/api/v1/agent/directives",
    { ["Authorization"] = "Bearer " .. credential, ["If-None-Match"] = "\"d1\"" })
end

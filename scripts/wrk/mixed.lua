-- wrk script: replay a list of requests and report JSON (rps, p50/p95/p99, 4xx, 503, other 5xx, socket errors).
-- Reads REQUESTS_FILE (lines: "METHOD<TAB>PATH<TAB>BODY"), COOKIE, CSRF and THINK_MS from the environment.
-- THINK_MS > 0: each connection is a person who waits 0.5-1.5 x THINK_MS between requests (wrk's delay()).

local threads = {}
local requests = {}

local function load_requests()
  local file = assert(io.open(os.getenv("REQUESTS_FILE"), "r"))
  for line in file:lines() do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method then
      table.insert(requests, { method = method, path = path, body = body ~= "" and body or nil })
    end
  end
  file:close()
end

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local think_ms = tonumber(os.getenv("THINK_MS") or "0") or 0
if think_ms > 0 then
  function delay()
    return math.random(math.floor(think_ms / 2), math.floor(think_ms * 3 / 2))
  end
end

function init(args)
  load_requests()
  counter = math.random(#requests)
  status_5xx, status_503, status_4xx, status_2xx3xx = 0, 0, 0, 0
  headers = { ["Cookie"] = os.getenv("COOKIE") or "", ["X-CSRFToken"] = os.getenv("CSRF") or "",
              ["X-Forwarded-Proto"] = "http" }
end

function request()
  counter = counter % #requests + 1
  local r = requests[counter]
  local h = {}
  for k, v in pairs(headers) do h[k] = v end
  if r.method == "POST" then h["Content-Type"] = "application/x-www-form-urlencoded" end
  if r.path:find("hx=1", 1, true) then h["HX-Request"] = "true" end
  return wrk.format(r.method, r.path, h, r.body)
end

function response(status, headers, body)
  if status == 503 then status_503 = status_503 + 1
  elseif status >= 500 then status_5xx = status_5xx + 1
  elseif status >= 400 then status_4xx = status_4xx + 1
  else status_2xx3xx = status_2xx3xx + 1 end
end

function done(summary, latency, requests)
  local s5, s503, s4, ok = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    s5 = s5 + thread:get("status_5xx")
    s503 = s503 + thread:get("status_503")
    s4 = s4 + thread:get("status_4xx")
    ok = ok + thread:get("status_2xx3xx")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "ok": %d, "status_4xx": %d, "status_503": %d, "status_5xx": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, ok, s4, s503, s5,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

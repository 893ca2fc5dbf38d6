-- wrk script: POST /v1/batch with BATCH events per request, every event with its own
-- messageId (thread, request number, index), so deduplication keeps every one of them.
-- Counts the 200 answers per thread and prints the total at the end, for the zero-loss check.
local batch = tonumber(os.getenv("BATCH") or "100")
local key = os.getenv("KEY") or error("set KEY to a write key")
local threads = {}
local counter = 0

-- Base64 of "KEY:" for HTTP Basic.
local function b64(s)
  local a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  return ((s:gsub(".", function(x)
    local r, b = "", x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return a:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  ok = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Basic " .. b64(key .. ":")
end

function request()
  n = n + 1
  local parts = {}
  for i = 1, batch do
    parts[i] = string.format(
      '{"type":"track","event":"Product Viewed","anonymousId":"a-%d-%d","messageId":"w%d-%d-%d",'
        .. '"timestamp":"2026-03-01T10:00:00Z","properties":{"sku":"sku-%d","price":19.9},'
        .. '"context":{"campaign":{"source":"newsletter","medium":"email","name":"spring"}}}',
      id, (n * batch + i) % 5000, id, n, i, i)
  end
  return wrk.format(nil, "/v1/batch", nil, '{"batch":[' .. table.concat(parts, ",") .. "]}")
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("ok") end
  io.write(string.format("acknowledged_requests %d\n", total))
  io.write(string.format("acknowledged_events %d\n", total * batch))
  io.write(string.format("events_per_second %.0f\n", total * batch / (summary.duration / 1e6)))
  for _, p in ipairs({ 50, 90, 99 }) do
    io.write(string.format("latency_p%d_ms %.2f\n", p, latency:percentile(p) / 1000))
  end
end

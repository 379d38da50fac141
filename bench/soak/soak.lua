-- wrk script of bench/soak.sh: POSTs JSON props to the render pool as
-- Hypernova's clients do, one request in SOAK_EVERY to the function
-- SOAK_BAD instead (when set), for SOAK_TIME seconds; then sends only
-- requests that wait in the front (/soak/tail), so that every measured
-- request can finish before wrk stops. Each request carries an id that the
-- front echoes (X-Soak-Id), so each answer is matched to its request: its
-- kind, its latency, and the requests that never had an answer (lost).
--
-- Environment: SOAK_BODY (the props), SOAK_EXPECTED (the page),
-- SOAK_TIME (s), SOAK_BAD (a function name or empty), SOAK_EVERY (50).
-- Prints lines for bench/soak/report.pl:
--   sent KIND N | class KIND CLASS N | lost KIND N | lat KIND P50 P99 N (us)
--   wrk REQUESTS CONNECT READ WRITE TIMEOUT

local ffi = require("ffi")

ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clk, soak_timespec *ts);
]]

local ts = ffi.new("soak_timespec")

local function now_us()
    ffi.C.clock_gettime(1, ts)              -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local function slurp(name)
    local f = assert(io.open(name, "rb"))
    local s = f:read("*a")
    f:close()
    return s
end

local body     = slurp(os.getenv("SOAK_BODY"))
local expected = slurp(os.getenv("SOAK_EXPECTED"))
local length   = tonumber(os.getenv("SOAK_TIME") or "6") * 1000000
local bad      = os.getenv("SOAK_BAD") or ""
local every    = tonumber(os.getenv("SOAK_EVERY") or "50")

if bad == "" then
    bad = nil
end

local threads = {}

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

-- per thread, flat tables (wrk's thread:get copies no nested table);
-- tid is set by setup() before init() runs
sent    = {}
counts  = {}                -- "kind class" -> n
lat     = {}
pending = {}                -- id -> kind, while the request is unanswered

local seq, deadline, started, calls = 0, nil, {}, 0
local headers = { ["Content-Type"] = "application/json" }
local tail

function init(args)
    tail = wrk.format("GET", "/soak/tail", { ["Host"] = wrk.host })
end

function request()
    local t, kind, id = now_us(), "render", nil

    -- wrk calls the first thread's request() once before it starts, to
    -- check what it returns; that one is never sent
    calls = calls + 1
    if calls == 1 and tid == 1 then
        return tail
    end

    if deadline == nil then
        deadline = t + length
    end

    if t >= deadline then
        return tail
    end

    seq = seq + 1

    if bad and seq % every == math.floor(every / 2) then
        kind = bad
    end

    id = tid .. "-" .. seq
    pending[id] = kind
    started[id] = t
    sent[kind] = (sent[kind] or 0) + 1

    headers["X-Soak-Id"] = id
    return wrk.format("POST", "/render/" .. kind, headers, body)
end

-- $upstream_status, where a 504 with no byte received (X-Soak-Received)
-- is "timeout": proxy_read_timeout, not a render worker's 504
local function upstream_of(hdrs)
    local got, tries = {}, {}

    for n in string.gmatch(hdrs["X-Soak-Received"] or "", "%d+") do
        table.insert(got, n)
    end

    for code in string.gmatch(hdrs["X-Soak-Upstream"] or "", "[^,%s]+") do
        if code == "504" and got[#tries + 1] == "0" then
            code = "timeout"
        end
        table.insert(tries, code)
    end

    return table.concat(tries, ", ")
end

function response(status, hdrs, resp)
    local id = hdrs["X-Soak-Id"]
    local upstream = upstream_of(hdrs)
    local kind, class

    if id == nil or id == "" then
        return                      -- /soak/tail, after the measured time
    end

    kind = pending[id]

    if kind == nil then
        kind, class = "unknown", "id"
    elseif hdrs["X-Soak-Fallback"] then
        class = "fallback:" .. upstream
    elseif status == 200 and kind == "render" and resp == expected then
        class = upstream == "200" and "ok" or "ok:" .. upstream
        table.insert(lat, now_us() - started[id])
    else
        class = status .. ":" .. upstream
    end

    pending[id] = nil
    started[id] = nil

    class = kind .. " " .. class
    counts[class] = (counts[class] or 0) + 1
end

local function add(to, from)
    for k, v in pairs(from) do
        to[k] = (to[k] or 0) + v
    end
end

function done(summary, latency, requests)
    local all_sent, all_counts, all_lost, all_lat = {}, {}, {}, {}
    local e = summary.errors

    for _, thread in ipairs(threads) do
        add(all_sent, thread:get("sent"))

        add(all_counts, thread:get("counts"))

        for _, kind in pairs(thread:get("pending")) do
            all_lost[kind] = (all_lost[kind] or 0) + 1
        end

        for _, v in ipairs(thread:get("lat")) do
            table.insert(all_lat, v)
        end
    end

    for kind, n in pairs(all_sent) do
        io.write(string.format("sent %s %d\n", kind, n))
        io.write(string.format("lost %s %d\n", kind, all_lost[kind] or 0))
    end

    for class, n in pairs(all_counts) do
        io.write(string.format("class %s %d\n", class, n))
    end

    table.sort(all_lat)

    if #all_lat > 0 then
        io.write(string.format("lat render %.0f %.0f %d\n",
                 all_lat[math.max(1, math.ceil(#all_lat * 0.50))],
                 all_lat[math.max(1, math.ceil(#all_lat * 0.99))],
                 #all_lat))
    end

    io.write(string.format("wrk %d %d %d %d %d\n", summary.requests,
             e.connect, e.read, e.write, e.timeout))
end

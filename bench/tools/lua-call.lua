-- lua-call: the time of one call of a Lua port in LuaJIT (the luajit CLI,
-- not the nginx module's LuaJIT), outside HTTP; the method of duk-call.c
-- with os.clock (CPU time).
--   luajit lua-call.lua DIR FUNCTION ARG.json
local dir, fn, argfile = arg[1], arg[2], arg[3]
package.path = dir .. '/?.lua;' .. package.path
local cjson = require 'cjson'
local f = io.open(argfile, 'rb')
local text = f:read('*a')
f:close()
local parse = fn == 'JSON.parse'
local func = not parse and require(fn) or nil
local a = not parse and cjson.decode(text) or nil
local sink

local function batch(n)
    local t0 = os.clock()
    for _ = 1, n do
        if parse then sink = cjson.decode(text) else sink = func(a) end
    end
    return os.clock() - t0
end

local n = 1
while batch(n) < 0.02 do n = n * 2 end
local t = {}
for i = 1, 7 do t[i] = batch(n) / n end
table.sort(t)
io.write(string.format('%.2f\n', t[4] * 1e6))
